#!/usr/bin/env bash
# emu-cuda.sh OUT_DIR — builds Mnemo's emulated CUDA libraries (native/emu-cuda) into OUT_DIR:
# libmnemo_emu_cuda.so and the sonames the Java side loads, libcuda.so.1, libcublas.so.13 and
# libcusolver.so.12, as links to it. With -Dmnemo.cuda.libdir=OUT_DIR the JVM then runs the `gpu`
# tests on the CPU (scripts/emu-gpu-tests.sh): the real kernels on native/emu's coroutine threads,
# cuBLAS as host loops, cuSOLVER through LAPACK. Needs g++ (C++17) and CUDA's cuda.h (for the
# driver API's exact types); exits 3 with a message when either is missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:?usage: emu-cuda.sh OUT_DIR}"
command -v g++ >/dev/null || { echo "emu-cuda: g++ not found" >&2; exit 3; }
include=""
for dir in "${CUDA_HOME:-}/include" /usr/local/cuda/include "$(dirname "$(command -v nvcc 2>/dev/null || echo /x/x)")/../include"; do
  if [ -f "$dir/cuda.h" ]; then include="$dir"; break; fi
done
[ -n "$include" ] || { echo "emu-cuda: cuda.h not found (CUDA_HOME, /usr/local/cuda, next to nvcc)" >&2; exit 3; }

src="$root/native/emu-cuda"
mkdir -p "$out/obj"
# Each kernel's registers and static shared memory on sm_90, from ptxas (nvcc --resource-usage),
# so occupancy and launch limits follow the real kernels; without nvcc every kernel counts as
# 32 registers and no static shared memory.
resources="$out/obj/resources.txt"
: > "$resources"
nvcc_bin=$(command -v nvcc 2>/dev/null || echo /usr/local/cuda/bin/nvcc)
if [ -x "$nvcc_bin" ]; then
  "$nvcc_bin" -std=c++17 -arch=sm_90 --resource-usage -I"$root/native/include" -c "$root/cuda-kernels/mnemo_kernels.cu" \
      -o "$out/obj/sm90.o" 2>&1 | awk '
    /Compiling entry function/ { match($0, /function .[A-Za-z0-9_]+/); name = substr($0, RSTART + 10, RLENGTH - 10) }
    /Used [0-9]+ registers/ { match($0, /Used [0-9]+/); regs = substr($0, RSTART + 5, RLENGTH - 5);
                              smem = 0; if (match($0, /[0-9]+ bytes smem/)) smem = substr($0, RSTART, RLENGTH - 11);
                              print name, regs, smem }' > "$resources" || : > "$resources"
  rm -f "$out/obj/sm90.o"
fi
[ -s "$resources" ] || echo "emu-cuda: no ptxas resource usage (nvcc missing or failed): every kernel counts as 32 registers" >&2
# The kernel table: one entry per `extern "C" __global__` declaration of the header.
grep -oE 'extern "C" __global__ void [A-Za-z0-9_]+' "$root/native/include/mnemo_kernels.h" \
  | awk -v res="$resources" 'BEGIN { while ((getline line < res) > 0) { split(line, f, " "); r[f[1]] = f[2]; m[f[1]] = f[3] } }
         { n = $5; print "MNEMO_EMU_KERNEL(" n ", " (n in r ? r[n] : 32) ", " (n in m ? m[n] : 0) ")" }' \
  > "$out/obj/kernel_names.inc"

common=(-std=c++17 -O2 -g -fPIC -Wall -Wextra -Werror -Wno-unused-parameter -Wno-unknown-pragmas)
kernel_flags=("${common[@]}" -DMNEMO_EMULATOR -include cuda_runtime.h -I"$root/native/emu/include"
              -I"$root/native/include" -I"$root/cuda-kernels" -I"$src" -I"$out/obj")
driver_flags=("${common[@]}" -I"$include" -I"$src")

pids=()
g++ "${kernel_flags[@]}" -c "$src/kernels.cpp" -o "$out/obj/kernels.o" & pids+=($!)
g++ "${kernel_flags[@]}" -c "$root/native/emu/emu.cpp" -o "$out/obj/emu.o" & pids+=($!)
for f in "$src"/*.cpp; do
  case "$(basename "$f")" in kernels.cpp|selftest.cpp) continue ;; esac
  g++ "${driver_flags[@]}" -c "$f" -o "$out/obj/$(basename "$f" .cpp).o" & pids+=($!)
done
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
[ $status = 0 ] || { echo "emu-cuda: compile failed" >&2; exit 1; }
g++ -shared -o "$out/libmnemo_emu_cuda.so" "$out"/obj/*.o -ldl -lpthread
for name in libcuda.so.1 libcublas.so.13 libcusolver.so.12; do
  ln -sf libmnemo_emu_cuda.so "$out/$name"
done
echo "emu-cuda: built $out/libmnemo_emu_cuda.so ($(grep -c . "$out/obj/kernel_names.inc") kernels)"
# The driver's own rules, each broken once on purpose (native/emu-cuda/selftest.cpp).
g++ "${driver_flags[@]}" "$src/selftest.cpp" -o "$out/selftest" -L"$out" -lmnemo_emu_cuda -Wl,-rpath,"$out"
"$out/selftest"
MNEMO_EMU_STREAMS=deferred "$out/selftest"   # the deferred streams' own rules too
