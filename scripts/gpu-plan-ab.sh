#!/usr/bin/env bash
# A short device call after a change to the persistent kernels or their cluster plan, from a bundle
# made by scripts/gpu-bundle.sh:   BUNDLE/gpu-plan-ab.sh OUT_DIR [CAP_SECONDS] [SHAPES] [SIZE]
# (defaults: CAP 300, SHAPES pixelMNIST, SIZE 1). Stages, each capped so that the whole ends near CAP:
#   1. the `gpu` tests (80 s);
#   2. the cluster kernels by phase, each fast path against the default, every cluster size
#      (mnemo_harness_phases persistent_phases, mnemo_harness persistent_ab and persistent_sweep);
#   3. gpu-bench.sh on SHAPES beside PyTorch, twice: the planned geometry, then every cluster fixed
#      at SIZE blocks (-Dmnemo.persistent.clusterSize), or with SIZE "wide" the wide-block LSTM/GRU
#      forward (-Dmnemo.persistent.wide=on), or with SIZE "narrow" the input-side backward on the
#      GEMMs and column sums (-Dmnemo.cuda.narrowInput=off), or with SIZE "x1" the forward projecting
#      one input feature in its kernel (-Dmnemo.persistent.inputProjection=on), or with SIZE "depth1"
#      a projected LSTM's products as one GEMM each (-Dmnemo.cuda.depthSplits=1; SHAPES projected), or
#      with SIZE "eager" the per-step loops never recorded (-Dmnemo.cuda.graphs=false): the layers end
#      to end, both in one run;
#   4. compute-sanitizer memcheck of the harness's persistent checks, with the time left.
# Everything goes to r/ in a work folder, packed into OUT_DIR/results.tgz after each stage (a call
# cut short still returns what finished).
set -u
out=${1:?usage: gpu-plan-ab.sh OUT_DIR [CAP_SECONDS] [SHAPES] [SIZE]}
cap=${2:-300}
shapes=${3:-pixelMNIST}
size=${4:-1}
b=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d); r=$work/r; mkdir -p "$r" "$out"
t0=$(date +%s)
elapsed() { echo $(( $(date +%s) - t0 )); }
# at_most LIMIT RESERVE: LIMIT seconds, or fewer so that RESERVE seconds stay for later stages.
at_most() { local t=$(( cap - $(elapsed) - $2 )); [ "$t" -gt "$1" ] && t=$1; echo "$t"; }
pack() { tar czf "$out/results.tgz" -C "$work" r; echo "gpu-plan-ab: packed at $(elapsed)s"; }

nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv >"$r/smi.txt" 2>&1
MNEMO_SUITE_INFO_S=25 MNEMO_SUITE_TESTS_S=$(at_most 80 150) bash "$b/gpu-suite.sh" "$r" info,tests
echo "gpu-plan-ab: tests rc=$? at $(elapsed)s"; pack

for stage in "mnemo_harness_phases persistent_phases phases.txt" "mnemo_harness persistent_ab ab.txt" \
             "mnemo_harness persistent_sweep sweep.txt"; do
  read -r binary command file <<<"$stage"
  t=$(at_most 40 100)
  [ -x "$b/$binary" ] && [ "$t" -gt 5 ] || continue
  timeout -k 5 "$t" "$b/$binary" "$command" >"$r/$file" 2>&1
  echo "gpu-plan-ab: $command rc=$? at $(elapsed)s"
done
pack

other="size-$size"; [ "$size" = wide ] && other=wide; [ "$size" = narrow ] && other=narrow-off
[ "$size" = x1 ] && other=x1; [ "$size" = depth1 ] && other=depth1; [ "$size" = eager ] && other=eager
for run in "planned" "$other"; do
  t=$(at_most 70 20)
  [ "$t" -gt 20 ] || break
  case "$run" in
    planned) opts="" ;;
    wide) opts="-Dmnemo.persistent.wide=on" ;;
    narrow-off) opts="-Dmnemo.cuda.narrowInput=off" ;;
    x1) opts="-Dmnemo.persistent.inputProjection=on" ;;
    depth1) opts="-Dmnemo.cuda.depthSplits=1" ;;
    eager) opts="-Dmnemo.cuda.graphs=false" ;;
    *) opts="-Dmnemo.persistent.clusterSize=$size" ;;
  esac
  MNEMO_BENCH_EXTRAS="" MNEMO_BENCH_JAVA_OPTS="$opts" timeout -k 5 "$t" \
      bash "$b/gpu-bench.sh" "$r/bench-$run" --shapes "$shapes" >"$r/bench-$run.txt" 2>&1
  echo "gpu-plan-ab: bench $run rc=$? at $(elapsed)s"; pack
done

t=$(at_most 120 5)
if [ "$t" -gt 15 ] && command -v compute-sanitizer >/dev/null 2>&1; then
  MNEMO_CHECK_ONLY=persistent timeout -k 5 "$t" compute-sanitizer --tool memcheck --error-exitcode 1 \
      "$b/mnemo_harness" check >"$r/memcheck.txt" 2>&1
  echo "gpu-plan-ab: memcheck rc=$? at $(elapsed)s"; tail -3 "$r/memcheck.txt"; pack
fi
grep -E 'tests (successful|failed|aborted)' "$r/junit.txt"
grep -hE 'B=128' "$r/ab.txt" "$r/sweep.txt" 2>/dev/null | grep -E 'default|planned| (1|2) clusters? x|x (1|2) blocks' | cut -c1-160
for run in planned "$other"; do echo "== $run"; grep -E '^\|' "$r/bench-$run/report.md" 2>/dev/null; done
