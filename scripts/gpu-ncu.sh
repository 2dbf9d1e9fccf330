#!/usr/bin/env bash
# gpu-ncu.sh OUT_DIR [CAP_SECONDS] — where the persistent kernels' cycles go, from Nsight Compute on a
# GPU machine (from a bundle of scripts/gpu-bundle.sh, whose harness it unpacks if need be; default
# CAP 90 s). A stage of gpu-lease.sh, or a call of its own; the device tool brings back at most 8 files,
# so pack them: `bash .gpu/gpu-ncu.sh /tmp/ncu 120; tar czf "$OUT/ncu.tgz" -C /tmp ncu`.
#
# `mnemo_harness persistent_phases` says how long each phase of a step takes, not why: the pixel
# MNIST kernels that miss their goals (RNN and GRU forward, LSTM backward) spend hundreds of cycles a
# step in phases whose arithmetic takes tens. ncu's warp-state sampling names the stall behind each
# cycle (a global load's latency, a barrier, shared memory, the math pipes) and the instruction it
# sits on. For each kernel below, one launch of `mnemo_harness persistent_profile` (the second: the
# first is cold) is profiled into OUT_DIR/ncu-NAME.ncu-rep, then printed three ways, each its own
# file, so that an option this ncu lacks loses one file, not the rest:
#   ncu-NAME-details.txt   the sections (speed of light, warp states, scheduler, occupancy, memory)
#   ncu-NAME-raw.csv       every metric collected, stall reasons among them
#   ncu-NAME-source.csv    per SASS instruction: its samples by stall reason
# and, before any profiling, the kernels' sm_90 SASS (sass-NAME.txt, cuobjdump: no GPU time). Then,
# with the time left (MNEMO_NCU_ROWS, default "LSTM/projected/fp32"), each named benchmark row's
# forward + backward (`GpuBenchmarkRunner profile`, two eager runs) with every launch's duration, grid
# and block: rows-CELL-SHAPE-MATH.csv, and .md summed by kernel (ncu-kernel-table.py), which says
# where a per-step row's GPU time goes and how cuBLAS tiled each GEMM. ncu runs
# with --clock-control none (the device notes: leave the clocks alone); on a machine whose runtime
# hides the counters it fails, and the files say so. The .ncu-rep files are deleted once printed.
# Without ncu (on PATH, or under /usr/local/cuda*/bin) it says so and exits 0.
set -u
out=${1:?usage: gpu-ncu.sh OUT_DIR [CAP_SECONDS]}
cap=${2:-90}
b=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$out"
ncu=$(command -v ncu || ls /usr/local/cuda*/bin/ncu 2>/dev/null | head -n 1)
cuobjdump=$(command -v cuobjdump || ls /usr/local/cuda*/bin/cuobjdump 2>/dev/null | head -n 1)
if [ -z "$ncu" ]; then
  echo "gpu-ncu: no ncu on this machine; nothing profiled"
  exit 0
fi
if [ -f "$b/mnemo_harness.xz" ] && [ ! -x "$b/mnemo_harness" ]; then
  xz -dc "$b/mnemo_harness.xz" >"$b/mnemo_harness" && chmod +x "$b/mnemo_harness"
fi
if [ ! -x "$b/mnemo_harness" ]; then
  echo "gpu-ncu: no $b/mnemo_harness; nothing profiled"
  exit 0
fi
"$ncu" --version 2>&1 | tail -n 1
t0=$(date +%s)
# name:kernel, most telling first (the pixel MNIST rows that miss their goals)
kernels="lstm-bwd:mnemo_persistent_cluster_lstm_bwd_f32 gru-fwd:mnemo_persistent_cluster_gru_fwd_f32
rnn-fwd:mnemo_persistent_cluster_rnn_fwd_tanh_f32 lstm-fwd:mnemo_persistent_cluster_lstm_fwd_f32"
if [ -n "$cuobjdump" ]; then
  for entry in $kernels; do
    timeout 30 "$cuobjdump" -arch sm_90 -sass -fun "${entry#*:}" "$b/mnemo_harness" >"$out/sass-${entry%%:*}.txt" 2>&1
  done
fi
sections=(--section SpeedOfLight --section WarpStateStats --section SchedulerStats --section SourceCounters
          --section LaunchStats --section Occupancy --section MemoryWorkloadAnalysis)
for entry in $kernels; do
  name=${entry%%:*}
  kernel=${entry#*:}
  left=$(( cap - ($(date +%s) - t0) ))
  if [ "$left" -lt 15 ]; then
    echo "gpu-ncu: out of time before $name"
    break
  fi
  report="$out/ncu-$name"
  timeout -k 5 "$left" "$ncu" -f -o "$report" --clock-control none -k "regex:^${kernel}\$" -s 1 -c 1 "${sections[@]}" \
      "$b/mnemo_harness" persistent_profile >"$out/ncu-$name-run.txt" 2>&1
  echo "gpu-ncu: $name rc=$? at $(( $(date +%s) - t0 ))s"
  [ -f "$report.ncu-rep" ] || continue
  "$ncu" -i "$report.ncu-rep" --page details >"$out/ncu-$name-details.txt" 2>&1
  "$ncu" -i "$report.ncu-rep" --page raw --csv >"$out/ncu-$name-raw.csv" 2>&1
  "$ncu" -i "$report.ncu-rep" --page source --csv --print-source sass >"$out/ncu-$name-source.csv" 2>&1
  rm -f "$report.ncu-rep"
done

# The benchmark rows: every launch of two forward + backward runs, one pass of four launch metrics each.
java=""
if [ -x "$b/jre/bin/java" ]; then java="$b/jre/bin/java"
elif [ -f "$b/jre.tar.xz" ]; then tar xJf "$b/jre.tar.xz" -C "$b" && java="$b/jre/bin/java"
fi
for row in ${MNEMO_NCU_ROWS-LSTM/projected/fp32}; do
  left=$(( cap - ($(date +%s) - t0) ))
  if [ -z "$java" ] || [ "$left" -lt 20 ]; then
    echo "gpu-ncu: row $row skipped (${java:-no java in the bundle}; ${left}s left)"
    continue
  fi
  IFS=/ read -r cell shape math <<<"$row"
  file="$out/rows-$cell-$shape-$math"
  timeout -k 5 "$left" "$ncu" --clock-control none --csv --page raw --print-units base \
      --metrics gpu__time_duration.sum,launch__grid_size,launch__block_size,launch__registers_per_thread \
      "$java" --enable-native-access=ALL-UNNAMED -cp "$b/jars/*" dev.mnemo.bench.gpu.GpuBenchmarkRunner profile \
      --cells "$cell" --shapes "$shape" --math "$math" --runs 2 >"$file.csv" 2>"$file-run.txt"
  echo "gpu-ncu: row $row rc=$? at $(( $(date +%s) - t0 ))s"
  python3 "$b/ncu-kernel-table.py" "$file.csv" 2 >"$file.md" 2>&1
  head -n 12 "$file.md"
done
exit 0
