#!/usr/bin/env bash
# GPU benchmark of the recurrent layers, Mnemo beside PyTorch/cuDNN in the same run:
#   gpu-bench.sh OUT_DIR [RUNNER OPTIONS...]      (e.g. --cells LSTM --shapes large,latency_b1)
# Runs from a bundle made by scripts/gpu-bundle.sh (jre.tar.xz, jars/, torch/*.py beside this
# script) or from the repository after `mvn package` (then $JAVA_HOME or java on PATH is used).
# Steps: the Java runner writes the shape list (--emit-shapes); every PyTorch timing script in
# bench/torch/ (rnn_bench.py, and any other *_bench.py there: each takes SHAPES.json OUT.json and writes
# rnn_bench.py's format, keyed like the runner's rows) times its side; their results are merged;
# the runner times Mnemo and joins both into OUT_DIR/report.json and OUT_DIR/report.md (torch /
# ours ratios). Without python3, torch or CUDA each side says so and the report carries what there
# is. About 1-3 minutes on an H100 with the repeats below. MNEMO_BENCH_EXTRAS (default "memnet eigen
# persistent stepsplits inputgrads depthsplits"; set but empty: none) names the extra tables to make (eigen_bench.py and
# memnet_bench.py run only for theirs); MNEMO_BENCH_JAVA_OPTS passes system properties to Mnemo's side (e.g.
# -Dmnemo.cuda.stepSplits=1). MNEMO_BENCH_DEVICE (default 0) is the GPU both sides run on, on a
# machine with several (Mnemo's -Dmnemo.cuda.device, PyTorch's cuda:N).
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
  torch_dir="$here/torch"
else                                                               # the repository
  root=$(cd "$here/.." && pwd)
  java=${JAVA_HOME:+$JAVA_HOME/bin/}java
  cp_all=$(ls "$root"/bench/target/mnemo-bench-*.jar "$root"/bench/target/lib/*.jar | tr '\n' ':')
  torch_dir="$root/bench/torch"
fi
# MNEMO_BENCH_JAVA_OPTS: system properties for Mnemo's side, e.g. "-Dmnemo.cuda.stepSplits=auto"
read -r -a java_opts <<<"${MNEMO_BENCH_JAVA_OPTS:-}"
# The device is MNEMO_BENCH_DEVICE's, for both sides: one given here would be overridden below (the last -D
# wins) or would leave the PyTorch side on another GPU.
if [[ " ${MNEMO_BENCH_JAVA_OPTS:-} " == *"-Dmnemo.cuda.device="* || " ${MNEMO_BENCH_JAVA_OPTS:-} " == *"-Dmnemo.eigen.device="* ]]; then
  echo "gpu-bench: set MNEMO_BENCH_DEVICE=N to choose the GPU, not -Dmnemo.cuda.device or -Dmnemo.eigen.device in MNEMO_BENCH_JAVA_OPTS" >&2
  exit 2
fi
export MNEMO_BENCH_DEVICE=${MNEMO_BENCH_DEVICE:-0}   # read by the PyTorch scripts
java_opts+=("-Dmnemo.cuda.device=$MNEMO_BENCH_DEVICE")
# the Eigen API's worker opens its own context (mnemo.eigen.device, default 0): on the same device, or the
# eigen table's API columns would time another GPU than its bare Xgeev and torch columns
java_opts+=("-Dmnemo.eigen.device=$MNEMO_BENCH_DEVICE")
runner=(timeout 200 "$java" --enable-native-access=ALL-UNNAMED "${java_opts[@]}" -cp "${cp_all%:}"
        dev.mnemo.bench.gpu.GpuBenchmarkRunner)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# An earlier run's reports go first: a step that fails now must not leave its old numbers to be published.
rm -f "$out"/report.json "$out"/report.md "$out"/persistent.md "$out"/persistent.txt \
  "$out"/{memnet,depthsplits,inputgrads,eigen,stepsplits}.md
"${runner[@]}" --repeats "$repeats" "$@" --emit-shapes "$work/shapes.json" || exit 1

extras=" ${MNEMO_BENCH_EXTRAS-memnet eigen persistent stepsplits inputgrads depthsplits} "   # which extra tables (below); set and empty: none
torch_args=()
# Says why in the report too, not only in the log.
torch_missing() {
  echo "gpu-bench: $1; report without torch rows"
  local reason=${1//\\/\\\\}            # JSON string escapes: a path holding \ or " broke the file
  reason=${reason//\"/\\\"}
  printf '{"available": false, "reason": "%s", "info": {}, "results": {}}\n' "$reason" >"$work/torch.json"
  torch_args=(--torch "$work/torch.json")
}
if command -v python3 >/dev/null 2>&1; then
  results=()
  for script in "$torch_dir"/*_bench.py; do   # the timing scripts (crosscheck.py and refcheck.py are checks)
    [ -f "$script" ] || continue
    name=$(basename "$script" .py)
    # The eigen and MemNet scripts only feed their own tables: skip them when those are not made
    # (eigen_bench.py's batched rows alone took 78 s on the H200: 8 calls of 0.9 to 4.1 s each).
    case "$name" in
      eigen_bench) [[ "$extras" == *" eigen "* ]] || continue ;;
      memnet_bench) [[ "$extras" == *" memnet "* ]] || continue ;;
    esac
    if timeout 300 python3 "$script" "$work/shapes.json" "$work/torch-$name.json"; then
      results+=("$work/torch-$name.json")
    else
      echo "gpu-bench: bench/torch/$name.py failed or ran out of time; report without its rows"
    fi
  done
  if [ ${#results[@]} -gt 0 ]; then
    # One file for the runner: results joined, info merged, "available" when any script had torch.
    python3 - "$work/torch.json" "${results[@]}" <<'PY'
import json, sys
merged = {"available": False, "reason": "", "info": {}, "results": {}}
reasons = []
for path in sys.argv[2:]:
    with open(path) as f:
        doc = json.load(f)
    merged["available"] = merged["available"] or bool(doc.get("available"))
    if not doc.get("available") and doc.get("reason"):
        reasons.append(doc["reason"])
    for k, v in (doc.get("info") or {}).items():
        merged["info"].setdefault(k, v)
    merged["results"].update(doc.get("results") or {})
merged["reason"] = "; ".join(dict.fromkeys(reasons)) if not merged["available"] else ""
with open(sys.argv[1], "w") as f:
    json.dump(merged, f, indent=2)
PY
    torch_args=(--torch "$work/torch.json")
  else
    torch_missing "no PyTorch script in $torch_dir ran to the end"
  fi
else
  torch_missing "python3 not found (PyTorch exists on GPU machines only)"
fi

"${runner[@]}" --repeats "$repeats" "$@" "${torch_args[@]}" --out "$out/report.json"
main_rc=$?
if [ "$main_rc" -ne 0 ]; then
  echo "gpu-bench: the main timed run failed (exit $main_rc): no report.json"
  rm -f "$out/report.json" "$out/report.md"
fi

# Benchmarks with tables of their own (GpuBenchmarkRunner subcommands), joined with the same PyTorch
# results: each writes OUT_DIR/<name>.md. Most wanted first: a lease's time limit may cut the last.
extra_table() {
  [[ "$extras" == *" $1 "* ]] || return 0
  "${runner[@]}" "$1" "${torch_args[@]}" >"$out/$1.md" 2>&1 \
    || echo "gpu-bench: the $1 benchmark failed (see $out/$1.md)"
}
extra_table memnet
extra_table depthsplits
extra_table inputgrads

# Persistent vs per-step recurrent forward (and fwd+bwd) on the latency-bound shapes, beside
# rnn_bench.py on the same shapes: OUT_DIR/persistent.md.
if [[ "$extras" != *" persistent "* ]]; then
  :
elif "${runner[@]}" --persistent --persistent-variant both --persistent-weights both --repeats "$repeats" --emit-shapes "$work/persistent-shapes.json" >/dev/null 2>&1; then
  persistent_torch=()
  if command -v python3 >/dev/null 2>&1 && [ -f "$torch_dir/rnn_bench.py" ] \
      && timeout 300 python3 "$torch_dir/rnn_bench.py" "$work/persistent-shapes.json" "$work/torch-persistent.json"; then
    persistent_torch=(--torch "$work/torch-persistent.json")
  fi
  "${runner[@]}" --persistent --persistent-variant both --persistent-weights both --repeats "$repeats" "${persistent_torch[@]}" --out "$out/persistent.md" \
    >"$out/persistent.txt" 2>&1 || echo "gpu-bench: the persistent benchmark failed (see $out/persistent.txt)"
else
  echo "gpu-bench: the persistent benchmark could not write its shapes"
fi
extra_table eigen
extra_table stepsplits
exit "$main_rc"   # the extra tables say their own failures; the main report decides
