#!/usr/bin/env bash
# emu-gpu-tests.sh [MODULES] — runs the Java `gpu`-tagged tests on the CPU, against Mnemo's emulated
# CUDA libraries (scripts/emu-cuda.sh): the FFM bindings, launch argument packing, plans, cuBLAS and
# cuSOLVER calls and every kernel's logic, through the same Java code paths a GPU run takes. It does
# not measure speed and cannot see races or GPU memory ordering: a GPU run still decides.
#   MODULES: Maven -pl list (default java-bindings,nn-layers,bench,jcuda-interop,experiments)
# Needs a prior `mvn package` (or `mvn verify`) in this tree, g++ and CUDA's cuda.h; exits 3 with a
# message when the emulation cannot be built. MNEMO_EMU_SM_COUNT sets the emulated SM count (16).
# The emulation plays a node of two GPUs (MNEMO_EMU_DEVICE_COUNT, default 2 here), so the tests of
# choosing a device (cuda:1) run; with one they skip, as on a one-GPU machine.
# Its streams are deferred here (MNEMO_EMU_STREAMS, default deferred here, eager elsewhere): queued
# work runs only when something waits for it, so a missing synchronization reads stale memory and
# fails a test instead of passing because the emulator ran the work at once.
# Its kernels run under the shuffled schedule here (MNEMO_EMU_SCHEDULE, default shuffle here, inorder
# elsewhere): threads resume in a seeded random order each round, and an ordinary launch runs its blocks
# in a seeded random order, so a kernel right only because lower blocks run first fails a test.
# MNEMO_EMU_ARCH=80|86|89 plays an older architecture's limits (no thread-block clusters, less shared
# memory a block), so the paths a Hopper never takes run too.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
modules="${1:-java-bindings,nn-layers,bench,jcuda-interop,experiments}"
lib="$root/build/emu-cuda"
# MNEMO_EMU_BUILT=true reuses the libraries a previous run built (scripts/test.sh's second pass).
if [ "${MNEMO_EMU_BUILT:-false}" != true ] || [ ! -e "$lib/libcuda.so.1" ]; then
  "$root/scripts/emu-cuda.sh" "$lib"
fi
# shellcheck source=find-jdk.sh
. "$root/scripts/find-jdk.sh"
mnemo_find_jdk || exit 1
cd "$root"
# -Dmnemo.cuda.libdir puts the emulation first in Mnemo's library search; LD_LIBRARY_PATH does the
# same for JCuda's native library, which links libcuda.so.1. The `gpu` tag selects what the
# emulation is for (the CPU tests already ran in `mvn verify`).
MNEMO_EMU_DEVICE_COUNT="${MNEMO_EMU_DEVICE_COUNT:-2}" MNEMO_EMU_STREAMS="${MNEMO_EMU_STREAMS:-deferred}" \
MNEMO_EMU_SCHEDULE="${MNEMO_EMU_SCHEDULE:-shuffle}" \
LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" mvn -B -ntp -o test -pl "$modules" -am -Dgroups=gpu -Dsurefire.failIfNoSpecifiedTests=false \
    -Dmnemo.kernels.skip=true "-Dmnemo.test.args=-Dmnemo.cuda.libdir=$lib"
