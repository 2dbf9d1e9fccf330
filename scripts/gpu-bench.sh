#!/usr/bin/env bash
# GPU benchmark of the recurrent layers, Mnemo beside PyTorch/cuDNN in the same run:
#   gpu-bench.sh OUT_DIR [RUNNER OPTIONS...]      (e.g. --cells LSTM --shapes large,latency_b1)
# Runs from a bundle made by scripts/gpu-bundle.sh (jre.tar.xz, jars/, rnn_bench.py beside this
# script) or from the repository after `mvn package` (then $JAVA_HOME or java on PATH is used).
# Steps: the Java runner writes the shape list (--emit-shapes), bench/torch/rnn_bench.py times
# torch.nn.RNN/LSTM/GRU on it, and the runner times Mnemo and joins both into OUT_DIR/report.json
# and OUT_DIR/report.md (torch / ours ratios). Without python3, torch or CUDA each side says so
# and the report carries what there is. About 1-3 minutes on an H100 with the repeats below.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:?usage: gpu-bench.sh OUT_DIR [runner options]}
shift
mkdir -p "$out"
repeats=${MNEMO_BENCH_REPEATS:-10}

if [ -f "$here/jre.tar.xz" ] || [ -d "$here/jre" ]; then          # a bundle
  [ -x "$here/jre/bin/java" ] || tar xJf "$here/jre.tar.xz" -C "$here"
  java="$here/jre/bin/java"
  cp_all=$(ls "$here"/jars/*.jar | tr '\n' ':')
  script="$here/rnn_bench.py"
else                                                               # the repository
  root=$(cd "$here/.." && pwd)
  java=${JAVA_HOME:+$JAVA_HOME/bin/}java
  cp_all=$(ls "$root"/bench/target/mnemo-bench-*.jar "$root"/bench/target/lib/*.jar | tr '\n' ':')
  script="$root/bench/torch/rnn_bench.py"
fi
runner=(timeout 200 "$java" --enable-native-access=ALL-UNNAMED -cp "${cp_all%:}"
        dev.mnemo.bench.gpu.GpuBenchmarkRunner)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"${runner[@]}" --repeats "$repeats" "$@" --emit-shapes "$work/shapes.json" || exit 1

torch_args=()
if command -v python3 >/dev/null 2>&1; then
  if timeout 120 python3 "$script" "$work/shapes.json" "$work/torch.json"; then
    torch_args=(--torch "$work/torch.json")
  else
    echo "gpu-bench: the PyTorch script failed or ran out of time; report without torch rows"
  fi
else
  echo "gpu-bench: python3 not found; report without torch rows"
fi

"${runner[@]}" --repeats "$repeats" "$@" "${torch_args[@]}" --out "$out/report.json"
