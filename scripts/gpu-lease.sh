#!/usr/bin/env bash
# One device call that fits the team's 15-minute GPU budget, from a bundle made by
# scripts/gpu-bundle.sh:   BUNDLE/gpu-lease.sh OUT_DIR [CAP_SECONDS]     (default CAP 450)
# Stages, most telling first, each capped so that the whole ends near CAP seconds:
#   1. info + the `gpu` tests (90 s);
#   1b. the float64 CPU cross-check against PyTorch (bench/torch/crosscheck.py, 30 s at most);
#   1c. compute-sanitizer memcheck of the harness check's memnet group (45 s at most): its kernels are
#       the newest, never yet run on a GPU;
#   2. the cluster kernels' cycles per step by phase (mnemo_harness_phases persistent_phases, 40 s);
#   3. each tuning bit of the cluster kernels against the default (mnemo_harness persistent_ab, 60 s),
#      every cluster size at the latency and pixel MNIST shapes and at B 1, H 128 (persistent_sweep,
#      40 s: e.g. the LSTM backward's one-block split plan against two blocks), then the MemNet read's
#      kernels with the split-count sweep (mnemo_harness memnet, 30 s);
#   4. gpu-bench.sh with every extra table, beside PyTorch (up to MNEMO_LEASE_BENCH_S, default 250 s),
#      then pixel MNIST again with the opt-in wide-block forward (60 s);
#   5. Nsight Compute's stall reasons of the pixel MNIST cluster kernels and their SASS (gpu-ncu.sh,
#      up to 75 s, keeping 60 s for the next stage);
#   6. compute-sanitizer memcheck of the whole check with what time is left (up to 150 s).
# Everything goes to a work folder r/, packed into OUT_DIR/results.tgz after each stage, so a call
# cut short still returns what finished (the device tool brings back at most 8 files).
set -u
out=${1:?usage: gpu-lease.sh OUT_DIR [CAP_SECONDS]}
cap=${2:-450}
b=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d); r=$work/r; mkdir -p "$r" "$out"
t0=$(date +%s)
elapsed() { echo $(( $(date +%s) - t0 )); }
left() { echo $(( cap - $(elapsed) )); }
# at_most LIMIT RESERVE: LIMIT seconds, or fewer so that RESERVE seconds stay for later stages.
at_most() { local t=$(( $(left) - $2 )); [ "$t" -gt "$1" ] && t=$1; echo "$t"; }
pack() { tar czf "$out/results.tgz" -C "$work" r; echo "gpu-lease: packed at $(elapsed)s"; }

{ nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
  python3 -c 'import torch; print("torch", torch.__version__, torch.version.cuda, torch.backends.cudnn.version())'
} >"$r/smi.txt" 2>&1
MNEMO_SUITE_INFO_S=25 MNEMO_SUITE_TESTS_S=90 bash "$b/gpu-suite.sh" "$r" info,tests
echo "gpu-lease: tests rc=$? at $(elapsed)s"; pack

# Mnemo's CPU layers, optimizers and losses against this machine's PyTorch, float64, on the CPU
# (docs/results/pytorch-crosscheck: checked against Debian's 1.13 so far; about 10 s)
t=$(at_most 30 200)
if [ "$t" -gt 10 ]; then
  timeout -k 5 "$t" bash -c 'python3 "$1/torch/crosscheck.py" "$2/torch-ref" && "$1/jre/bin/java" \
      --enable-native-access=ALL-UNNAMED -cp "$1/jars/*" dev.mnemo.bench.torch.TorchCrossCheck "$2/torch-ref"' \
      _ "$b" "$work" >"$r/torch-crosscheck.txt" 2>&1
  echo "gpu-lease: torch crosscheck rc=$? at $(elapsed)s"; grep -E 'cases, .* over tolerance' "$r/torch-crosscheck.txt"; pack
fi

# The memnet group's kernels under compute-sanitizer next (at most 45 s): the one-launch loops and the
# split kernels' own merges have never run on a GPU, and the later stages would leave memcheck no time.
t=$(at_most 45 200)
if [ "$t" -gt 20 ]; then
  mkdir -p "$r/memcheck-memnet"
  MNEMO_CHECK_ONLY=memnet MNEMO_SUITE_MEMCHECK_S=$t bash "$b/gpu-suite.sh" "$r/memcheck-memnet" memcheck
  echo "gpu-lease: memnet memcheck rc=$? at $(elapsed)s"; tail -3 "$r/memcheck-memnet/memcheck.txt"; pack
fi

# harness_stage BINARY COMMAND LIMIT FILE: one harness command, at most LIMIT seconds (fewer so that
# 200 s stay for the bench and memcheck), into r/FILE; skipped without the binary or time.
harness_stage() {
  local t
  t=$(at_most "$3" 200)
  # at most 5 s left for it: skip (timeout 0 would mean no limit at all, and a negative one is refused)
  [ -x "$b/$1" ] && [ "$t" -gt 5 ] || return 0
  timeout -k 5 "$t" "$b/$1" "$2" >"$r/$4" 2>&1
  echo "gpu-lease: $2 rc=$? at $(elapsed)s"; pack
}
harness_stage mnemo_harness_phases persistent_phases 40 phases.txt
harness_stage mnemo_harness persistent_ab 60 ab.txt
harness_stage mnemo_harness persistent_sweep 40 sweep.txt
harness_stage mnemo_harness memnet 30 memnet-harness.txt

t=$(at_most "${MNEMO_LEASE_BENCH_S:-250}" 30)
if [ "$t" -gt 60 ]; then
  timeout -k 5 "$t" bash "$b/gpu-bench.sh" "$r/bench" >"$r/bench.txt" 2>&1
  echo "gpu-lease: bench rc=$? at $(elapsed)s"; pack
fi

# The opt-in wide-block LSTM/GRU forward (-Dmnemo.persistent.wide=on), end to end on pixel MNIST beside
# PyTorch, to set against the bench's planned rows above (60 s at most, 30 kept for memcheck).
t=$(at_most 60 30)
if [ "$t" -gt 20 ]; then
  MNEMO_BENCH_EXTRAS="" MNEMO_BENCH_JAVA_OPTS="-Dmnemo.persistent.wide=on" timeout -k 5 "$t" \
      bash "$b/gpu-bench.sh" "$r/bench-wide" --shapes pixelMNIST >"$r/bench-wide.txt" 2>&1
  echo "gpu-lease: bench wide rc=$? at $(elapsed)s"; pack
fi

t=$(at_most 75 60)
if [ "$t" -gt 20 ]; then
  bash "$b/gpu-ncu.sh" "$r/ncu" "$t" >"$r/ncu.txt" 2>&1
  echo "gpu-lease: ncu rc=$? at $(elapsed)s"; cat "$r/ncu.txt"; pack
fi

t=$(at_most 150 5)
if [ "$t" -gt 20 ]; then
  MNEMO_SUITE_MEMCHECK_S=$t bash "$b/gpu-suite.sh" "$r" memcheck
  echo "gpu-lease: memcheck rc=$? at $(elapsed)s"; tail -3 "$r/memcheck.txt"; pack
fi
grep -E 'tests (successful|failed|aborted)' "$r/junit.txt"
cat "$r/phases.txt" "$r/ab.txt" 2>/dev/null
grep -E '^\|' "$r/bench/report.md" "$r/bench-wide/report.md" 2>/dev/null
