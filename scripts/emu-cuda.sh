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
# The kernel table: one entry per `extern "C" __global__` declaration of the header.
grep -oE 'extern "C" __global__ void [A-Za-z0-9_]+' "$root/native/include/mnemo_kernels.h" \
  | awk '{print "MNEMO_EMU_KERNEL(" $5 ")"}' > "$out/obj/kernel_names.inc"

common=(-std=c++17 -O2 -g -fPIC -Wall -Wextra -Wno-unused-parameter -Wno-unknown-pragmas)
kernel_flags=("${common[@]}" -DMNEMO_EMULATOR -include cuda_runtime.h -I"$root/native/emu/include"
              -I"$root/native/include" -I"$root/cuda-kernels" -I"$src" -I"$out/obj")
driver_flags=("${common[@]}" -I"$include" -I"$src")

pids=()
g++ "${kernel_flags[@]}" -c "$src/kernels.cpp" -o "$out/obj/kernels.o" & pids+=($!)
g++ "${kernel_flags[@]}" -c "$root/native/emu/emu.cpp" -o "$out/obj/emu.o" & pids+=($!)
for f in "$src"/*.cpp; do
  [ "$(basename "$f")" = kernels.cpp ] && continue
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
