#!/usr/bin/env bash
# Every GPU benchmark of the project in one run, with one report:
#   gpu-bench-all.sh OUT_DIR
# From a bundle made by scripts/gpu-bundle.sh (what gpu-suite.sh calls) or from the repository
# after `mvn package`. Steps, each logged to OUT_DIR/*.txt:
#   1. gpu-bench.sh: GpuBenchmarkRunner (recurrent cells per-step and persistent, and every other row
#      it has: MemNet read, eigen, step and depth splits, input gradients) beside bench/torch/*.py (PyTorch/cuDNN) →
#      report.json / report.md;
#   2. JMH LaunchOverheadBenchmark (Mnemo FFM vs JCuda vs CUDA Graph replay, with and without a
#      stream sync) → launch-jmh.json;
#   3. the C harness's `launch` (cudaLaunchKernel back to back) → launch-c.txt;
#   4. SuiteReport joins them with the card, driver and library versions → suite.json / suite.md.
# A missing piece (no GPU, no python3/torch, no harness) is named in the report; the exit status is
# non-zero only when a step could not run at all (no java).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:?usage: gpu-bench-all.sh OUT_DIR}
mkdir -p "$out"

if [ -f "$here/jre.tar.xz" ] || [ -d "$here/jre" ]; then          # a bundle
  [ -x "$here/jre/bin/java" ] || tar xJf "$here/jre.tar.xz" -C "$here"
  java="$here/jre/bin/java"
  jars="$here/jars"
  cp_all=$(ls "$jars"/*.jar | grep -v -- '-tests\.jar$' | tr '\n' ':')
  harness="$here/mnemo_harness"
  if [ -f "$harness.xz" ] && [ ! -x "$harness" ]; then xz -dc "$harness.xz" >"$harness" && chmod +x "$harness"; fi
else                                                               # the repository
  root=$(cd "$here/.." && pwd)
  java=${JAVA_HOME:+$JAVA_HOME/bin/}java
  jars="$root/bench/target/lib"
  cp_all=$(ls "$root"/bench/target/mnemo-bench-*.jar "$jars"/*.jar | grep -v -- '-tests\.jar$' | tr '\n' ':')
  harness="$root/java-bindings/target/cuda-build/mnemo_harness"
fi
command -v "$java" >/dev/null 2>&1 || { echo "gpu-bench-all: no java ($java)"; exit 1; }
run_java=("$java" --enable-native-access=ALL-UNNAMED -cp "${cp_all%:}")
notes=()
# An earlier run's results go first: SuiteReport reads these files whatever the notes say, so a step skipped
# or failed now published the old numbers beside its note.
rm -f "$out"/launch-jmh.json "$out"/launch-jmh.txt "$out"/launch-c.txt "$out"/harness-info.txt \
  "$out"/suite.json "$out"/suite.md

echo "== 1/4 benchmark runner beside PyTorch"
bash "$here/gpu-bench.sh" "$out" >"$out/bench.txt" 2>&1 || notes+=(--note "gpu-bench.sh failed (see bench.txt)")
grep -E "skipped|python3|torch|failed" "$out/bench.txt" | head -5

echo "== 2/4 JMH launch overhead (about 2 minutes; MNEMO_BENCH_SKIP_JMH=1 skips it)"
if [ "${MNEMO_BENCH_SKIP_JMH:-0}" = 1 ]; then
  notes+=(--note "the JMH launch-overhead run was skipped (MNEMO_BENCH_SKIP_JMH=1)")
else
  # 8 benchmarks x (3 + 5) one-second iterations, one fork.
  if ! timeout 400 "${run_java[@]}" dev.mnemo.bench.LaunchOverhead -f 1 -wi 3 -w 1s -i 5 -r 1s \
      -rf json -rff "$out/launch-jmh.json" >"$out/launch-jmh.txt" 2>&1; then
    notes+=(--note "the JMH launch-overhead run failed or timed out (see launch-jmh.txt)")
    rm -f "$out/launch-jmh.json"   # a partial run's numbers are not the run's
  fi
  grep -m1 "skipped" "$out/launch-jmh.txt" && notes+=(--note "$(grep -m1 skipped "$out/launch-jmh.txt")")
fi

echo "== 3/4 C harness launch overhead"
if [ -x "$harness" ]; then
  if ! timeout 120 "$harness" launch >"$out/launch-c.txt.log" 2>&1; then
    notes+=(--note "mnemo_harness launch failed (see launch-c.txt.log)")
  else
    mv "$out/launch-c.txt.log" "$out/launch-c.txt"   # read by SuiteReport only when the run succeeded
  fi
  "$harness" info >"$out/harness-info.txt" 2>&1 || true
else
  notes+=(--note "no native harness (built without nvcc?): no C launch baseline")
fi

echo "== 4/4 report"
env_args=()
if command -v nvidia-smi >/dev/null 2>&1; then
  env_args+=(--env "nvidia-smi=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -1)")
else
  env_args+=(--env "nvidia-smi=not found")
fi
[ -f "$out/harness-info.txt" ] && env_args+=(--env "harness=$(tr '\n' ' ' <"$out/harness-info.txt" | cut -c1-300)")
env_args+=(--env "java=$("$java" -version 2>&1 | head -1)")
for lib in jcuda jmh-core; do
  jar=$(ls "$jars" | grep -E "^$lib-[0-9]" | head -1)
  env_args+=(--env "$lib=${jar:-missing}")
done
if command -v python3 >/dev/null 2>&1; then
  torch_version=$(python3 -c 'import torch; print(torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version())' 2>&1 | tail -1)
  env_args+=(--env "torch=$torch_version")
else
  env_args+=(--env "torch=python3 not found (PyTorch exists on GPU machines only)")
fi

"${run_java[@]}" dev.mnemo.bench.gpu.SuiteReport --out "$out/suite.json" --report "$out/report.json" \
  --jmh "$out/launch-jmh.json" --harness "$out/launch-c.txt" "${env_args[@]}" "${notes[@]}"
