#!/usr/bin/env bash
# Runs every test: builds the kernels (when nvcc exists), compiles, and runs the JUnit suites.
# Tests tagged `gpu` skip, with the reason, where no CUDA driver answers.
# Then runs every kernel against its host reference on the CPU emulator (scripts/emu-check.sh), when
# g++ exists; MNEMO_EMU_CHECK=false skips that step. Last, the Java `gpu` tests against the emulated
# CUDA libraries (scripts/emu-gpu-tests.sh), when g++ and CUDA's cuda.h exist, then all of them again on
# an older architecture's limits (MNEMO_EMU_OLDER_ARCH, default 89; none skips);
# MNEMO_EMU_GPU_TESTS=false skips that step.
#   scripts/test.sh [extra maven arguments]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=find-jdk.sh
. "$root/scripts/find-jdk.sh"
mnemo_find_jdk || exit 1
command -v mvn >/dev/null 2>&1 || { echo "test: Apache Maven (mvn) is needed; install it and retry." >&2; exit 1; }

expect=()
# Where nvcc exists the jar must carry the fatbin: tests then fail if it is missing or incomplete.
if [ "${MNEMO_KERNELS_SKIP:-false}" != true ] && { command -v nvcc >/dev/null 2>&1 || [ -x /usr/local/cuda/bin/nvcc ]; }; then
  expect=(-Dmnemo.expect.kernels=true)
fi
cd "$root"
mvn -B -ntp verify "${expect[@]}" "$@"
if [ "${MNEMO_EMU_CHECK:-true}" != false ] && command -v g++ >/dev/null 2>&1; then
  # Without sanitizers here to keep CI short; `scripts/emu-check.sh` alone adds ASan and UBSan.
  MNEMO_EMU_SANITIZE=none scripts/emu-check.sh "$root/build/emu"
else
  echo "test: kernel checks on the CPU emulator skipped (no g++, or MNEMO_EMU_CHECK=false)"
fi
if [ "${MNEMO_EMU_GPU_TESTS:-true}" != false ] && command -v g++ >/dev/null 2>&1; then
  status=0
  scripts/emu-gpu-tests.sh || status=$?
  if [ $status = 3 ]; then
    echo "test: Java GPU tests on the emulated CUDA skipped (see the line above)"
  elif [ $status != 0 ]; then
    exit $status
  elif [ "${MNEMO_EMU_OLDER_ARCH:-89}" != none ]; then
    # Every module's `gpu` tests again on an Ada part's limits (sm_89: no clusters, 99 KiB of shared memory
    # a block), where the planners fall back to the grid kernels and the per-step loop.
    echo "test: Java GPU tests again on the emulated sm_${MNEMO_EMU_OLDER_ARCH:-89}"
    MNEMO_EMU_ARCH="${MNEMO_EMU_OLDER_ARCH:-89}" MNEMO_EMU_BUILT=true scripts/emu-gpu-tests.sh
  fi
else
  echo "test: Java GPU tests on the emulated CUDA skipped (no g++, or MNEMO_EMU_GPU_TESTS=false)"
fi
