#!/usr/bin/env bash
# A second device call right after gpu-lease.sh, from a bundle made by scripts/gpu-bundle.sh:
#   BUNDLE/gpu-variants.sh OUT_DIR [CAP_SECONDS]                    (default CAP 220)
# Times the opt-in paths that the defaults still guess about, each against the default in the same
# call, so that a setting's default can be decided from one run:
#   1. PyTorch once for pixel MNIST and the projected LSTM (rnn_bench.py), then Mnemo's runner on those
#      shapes with the default settings and with each variant below, every run joined with that one
#      PyTorch result (no second torch run per variant: the ratios share one denominator);
#   2. the MemNet table (MemnetReadBench) with the one-launch loops off and with the split merge;
#   3. the inputgrads, depthsplits and stepsplits tables, with what time is left.
# Everything goes to r/ in a work folder, packed into OUT_DIR/results.tgz after each stage.
set -u
out=${1:?usage: gpu-variants.sh OUT_DIR [CAP_SECONDS]}
cap=${2:-220}
b=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d); r=$work/r; mkdir -p "$r" "$out"
t0=$(date +%s)
elapsed() { echo $(( $(date +%s) - t0 )); }
# at_most LIMIT RESERVE: LIMIT seconds, or fewer so that RESERVE seconds stay for later stages.
at_most() { local t=$(( cap - $(elapsed) - $2 )); [ "$t" -gt "$1" ] && t=$1; echo "$t"; }
pack() { tar czf "$out/results.tgz" -C "$work" r; echo "gpu-variants: packed at $(elapsed)s"; }

[ -x "$b/jre/bin/java" ] || tar xJf "$b/jre.tar.xz" -C "$b"
cp_all=$(ls "$b"/jars/*.jar | tr '\n' ':')
# MNEMO_BENCH_JAVA_OPTS: properties for every run (e.g. the emulated driver's -Dmnemo.cuda.libdir=DIR)
read -r -a common <<<"${MNEMO_BENCH_JAVA_OPTS:-}"
runner=("$b/jre/bin/java" --enable-native-access=ALL-UNNAMED "${common[@]}" -cp "${cp_all%:}")
main=dev.mnemo.bench.gpu.GpuBenchmarkRunner
shapes=pixelMNIST,projected

"${runner[@]}" "$main" --shapes "$shapes" --repeats 10 --emit-shapes "$work/shapes.json" >"$r/emit.txt" 2>&1   # the rows' repeats: torch times as many
t=$(at_most 40 150)
if [ "$t" -gt 5 ]; then
  timeout -k 5 "$t" python3 "$b/torch/rnn_bench.py" "$work/shapes.json" "$work/torch.json" >"$r/torch.txt" 2>&1
  echo "gpu-variants: torch rc=$? at $(elapsed)s"
fi
torch=(); [ -s "$work/torch.json" ] && torch=(--torch "$work/torch.json") && cp "$work/torch.json" "$r/"

# variant LABEL LIMIT RESERVE [JAVA OPTIONS...] -- [RUNNER ARGUMENTS...]: one timed run into r/LABEL.*
variant() {
  local label=$1 limit=$2 reserve=$3 t opts=() args=()
  shift 3
  while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  args=("$@")
  t=$(at_most "$limit" "$reserve")
  [ "$t" -gt 10 ] || { echo "gpu-variants: $label skipped (no time)"; return 0; }
  timeout -k 5 "$t" "${runner[@]:0:${#runner[@]}-2}" "${opts[@]}" "${runner[@]: -2}" "$main" "${args[@]}" >"$r/$label.txt" 2>&1
  echo "gpu-variants: $label rc=$? at $(elapsed)s"; pack
}
rows=(--shapes "$shapes" --repeats 10 "${torch[@]}")
variant default 35 120 -- "${rows[@]}" --out "$r/default.json"
variant wide 30 100 -Dmnemo.persistent.wide=on -- "${rows[@]}" --out "$r/wide.json"
variant x1 30 80 -Dmnemo.persistent.inputProjection=on -- "${rows[@]}" --out "$r/x1.json"
variant narrow-off 30 60 -Dmnemo.cuda.narrowInput=off -- "${rows[@]}" --out "$r/narrow-off.json"
variant depth1 25 50 -Dmnemo.cuda.depthSplits=1 -- --shapes projected --repeats 10 "${torch[@]}" --out "$r/depth1.json"
variant memnet-loop-off 30 30 -Dmnemo.cuda.memnetLoop=off -- memnet
variant memnet-merge-split 25 20 -Dmnemo.cuda.memnetMerge=split -- memnet
variant inputgrads 20 10 -- inputgrads
variant depthsplits 20 5 -- depthsplits
variant stepsplits 30 0 -- stepsplits
grep -hE '^\|' "$r"/default.md "$r"/wide.md "$r"/x1.md "$r"/narrow-off.md "$r"/depth1.md 2>/dev/null | head -60
