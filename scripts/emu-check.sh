#!/usr/bin/env bash
# emu-check.sh [OUT_DIR] — runs the harness's kernel checks (`mnemo_harness check`) on the CPU.
#
# Every kernel of cuda-kernels/ is compiled as plain C++ against native/emu, a small emulator that
# runs each thread of a block as a coroutine (so __syncthreads and warp shuffles behave), under
# AddressSanitizer and UBSan. It checks what the kernels compute and that they stay inside their
# buffers; it says nothing about speed, races between blocks or real GPU memory ordering, so the
# same `check` must still pass on a GPU (scripts/gpu-suite.sh runs it there).
#
# Needs g++ (C++17) and perl; no CUDA. MNEMO_EMU_SANITIZE=none builds without sanitizers;
# MNEMO_EMU_SCHEDULES picks the thread schedules run (default "inorder shuffle"; MNEMO_EMU_SEED
# seeds the shuffle). MNEMO_EMU_DEFINES adds preprocessor flags, e.g. "-DMNEMO_PERSISTENT_PHASES"
# checks the phase-counting build of the persistent cluster kernels.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/build/emu}"
sanitize="${MNEMO_EMU_SANITIZE:-address,undefined}"
command -v g++ >/dev/null || { echo "emu-check: g++ not found" >&2; exit 2; }

rm -rf "$out" && mkdir -p "$out/src" "$out/obj"
# A launch `k<<<grid, block, smem, stream>>>(args)` becomes `::emu::launch(k, grid, block, smem, stream)(args)`.
for f in "$root"/native/harness/*.cu; do
  perl -0pe 's/(\w+)\s*<<<(.*?)>>>\s*\(/::emu::launch($1, $2)(/gs' "$f" > "$out/src/$(basename "$f" .cu)_emu.cpp"
done
cat > "$out/src/emu_main.cpp" <<'EOM'
#include "commands.h"
int main() { return mnemo::harness::run_check(); }
EOM

opt=-O1; [ "$sanitize" = none ] && opt=-O2
flags=(-std=c++17 "$opt" -g -fno-omit-frame-pointer -DMNEMO_EMULATOR -Wall -Wextra -Wno-unused-parameter
       -Wno-unknown-pragmas -include cuda_runtime.h
       -I"$root/native/emu/include" -I"$root/native/include" -I"$root/cuda-kernels" -I"$root/native/harness")
read -r -a defines <<<"${MNEMO_EMU_DEFINES:-}"
flags+=("${defines[@]}")
[ "$sanitize" != none ] && flags+=(-fsanitize="$sanitize" -fno-sanitize-recover=undefined)

sources=("$root"/native/harness/check*.cpp "$out"/src/*.cpp "$root/native/emu/emu.cpp")
printf '%s\n' "${sources[@]}" | xargs -P "$(nproc)" -I{} sh -c \
  'g++ "$@" -c "{}" -o "'"$out"'/obj/$(basename "{}").o"' _ "${flags[@]}"
g++ "${flags[@]}" "$out"/obj/*.o -o "$out/emu_check"
# Twice: threads resumed in index order, then in a seeded shuffled order each round, so a kernel
# that is only right because lower threads or blocks happen to run first fails one of them.
status=0
for schedule in ${MNEMO_EMU_SCHEDULES:-inorder shuffle}; do
  echo "emu-check: every kernel check on the CPU emulator, schedule $schedule"
  MNEMO_EMU_SCHEDULE=$schedule "$out/emu_check" | tail -n "${MNEMO_EMU_TAIL:-+1}" || status=1
done
exit $status
