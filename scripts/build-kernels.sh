#!/usr/bin/env bash
# build-kernels.sh — builds Mnemo's CUDA kernels into mnemo_kernels.fatbin (and the native
# harness, mnemo_harness) with CMake + nvcc, incrementally.
#
# Usage: scripts/build-kernels.sh BUILD_DIR OUT_DIR
#   BUILD_DIR  CMake build directory: configured on first use, reused after (a rerun with no
#              source change takes seconds). The harness lands at BUILD_DIR/mnemo_harness.
#   OUT_DIR    where mnemo_kernels.fatbin is written (created if missing).
#
# Maven runs it from the repository root during generate-resources of java-bindings, with
#   BUILD_DIR = java-bindings/target/cuda-build, OUT_DIR = java-bindings/target/classes/dev/mnemo/cuda.
# By hand, from anywhere:
#   scripts/build-kernels.sh build build                       # build/mnemo_kernels.fatbin
#   MNEMO_CUDA_ARCHS="90" scripts/build-kernels.sh build build # one arch, quicker
#   build/mnemo_harness check                                  # on a GPU machine
#
# Environment:
#   MNEMO_KERNELS_SKIP=true  skip the build, exit 0 (Maven: -Dmnemo.kernels.skip=true).
#   MNEMO_NVCC=PATH          the nvcc to use. Set to a file that does not exist (or is not
#                            executable), nvcc counts as missing. Unset: nvcc on PATH, then
#                            /usr/local/cuda/bin/nvcc. Used when BUILD_DIR is first configured;
#                            to switch compilers later, delete BUILD_DIR.
#   MNEMO_CUDA_ARCHS="80;90" SM list (default in CMakeLists.txt: 80;86;89;90;100;120; the newest
#                            also gets PTX).
#   MNEMO_BUILD_HARNESS=OFF  build the fatbin only.
#
# Exit status: 0 when built, skipped, or when nvcc or cmake is missing (one warning line: the
# jar is then built without kernels); non-zero when the build fails (cmake's output is
# printed) or the fatbin is missing or smaller than 1 KiB afterwards.
set -euo pipefail

readonly NOT_BUILT="the CUDA backend will report 'kernels not built'"

if [[ $# -ne 2 ]]; then
  echo "usage: $0 BUILD_DIR OUT_DIR" >&2
  exit 64
fi
build_dir=$1
out_dir=$2

skip=${MNEMO_KERNELS_SKIP:-false}
if [[ ${skip,,} == true ]]; then
  echo "mnemo: kernel build skipped (mnemo.kernels.skip=true); $NOT_BUILT"
  exit 0
fi

# ── tools ───────────────────────────────────────────────────────────────────────────────────
nvcc=""
if [[ -n ${MNEMO_NVCC:-} ]]; then
  if [[ -f $MNEMO_NVCC && -x $MNEMO_NVCC ]]; then nvcc=$MNEMO_NVCC; fi
  nvcc_searched="MNEMO_NVCC=$MNEMO_NVCC"
else
  if nvcc=$(command -v nvcc); then
    :
  elif [[ -x /usr/local/cuda/bin/nvcc ]]; then
    nvcc=/usr/local/cuda/bin/nvcc
  else
    nvcc=""
  fi
  nvcc_searched="PATH and /usr/local/cuda/bin"
fi
if [[ -z $nvcc ]]; then
  echo "mnemo: WARNING: nvcc not found ($nvcc_searched); kernels not built, $NOT_BUILT" >&2
  exit 0
fi
if ! cmake=$(command -v cmake); then
  echo "mnemo: WARNING: cmake not found on PATH; kernels not built, $NOT_BUILT" >&2
  exit 0
fi

# ── configure (first time, or when a requested setting differs from the cache) ──────────────
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mkdir -p "$build_dir" "$out_dir"
build_dir=$(cd "$build_dir" && pwd)
out_dir=$(cd "$out_dir" && pwd)
fatbin="$out_dir/mnemo_kernels.fatbin"
cache="$build_dir/CMakeCache.txt"
log="$build_dir/mnemo-build.log"

cached() { sed -n "s/^$1:[A-Z]*=//p" "$cache" 2>/dev/null; }

settings=(-DMNEMO_FATBIN_OUT="$fatbin")
[[ -n ${MNEMO_CUDA_ARCHS:-} ]] && settings+=(-DMNEMO_CUDA_ARCHS="$MNEMO_CUDA_ARCHS")
[[ -n ${MNEMO_BUILD_HARNESS:-} ]] && settings+=(-DMNEMO_BUILD_HARNESS="$MNEMO_BUILD_HARNESS")

need_configure=false
if [[ ! -f $cache ]] || [[ ! -f $build_dir/Makefile && ! -f $build_dir/build.ninja ]]; then
  need_configure=true   # first use, or an earlier configure failed half way
elif [[ $(cached MNEMO_FATBIN_OUT) != "$fatbin" ]] ||
     [[ -n ${MNEMO_CUDA_ARCHS:-} && $(cached MNEMO_CUDA_ARCHS) != "$MNEMO_CUDA_ARCHS" ]] ||
     [[ -n ${MNEMO_BUILD_HARNESS:-} && $(cached MNEMO_BUILD_HARNESS) != "$MNEMO_BUILD_HARNESS" ]]; then
  need_configure=true
fi

# Runs a command with its output in $log; on failure prints the log and exits non-zero.
run_logged() {
  if ! "$@" >>"$log" 2>&1; then
    cat "$log" >&2
    echo "mnemo: kernel build FAILED: $* (log: $log)" >&2
    exit 1
  fi
}

start=$(date +%s.%N)
: >"$log"
if [[ $need_configure == true ]]; then
  run_logged "$cmake" -S "$repo_root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CUDA_COMPILER="$nvcc" "${settings[@]}"
fi

# ── build ───────────────────────────────────────────────────────────────────────────────────
jobs=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
run_logged "$cmake" --build "$build_dir" --parallel "$jobs"

if [[ ! -f $fatbin ]]; then
  cat "$log" >&2
  echo "mnemo: kernel build FAILED: $fatbin was not produced (log: $log)" >&2
  exit 1
fi
size=$(stat -c %s "$fatbin")
if ((size < 1024)); then
  echo "mnemo: kernel build FAILED: $fatbin is only $size bytes (log: $log)" >&2
  exit 1
fi

archs=$(cached MNEMO_CUDA_ARCHS)
newest=$(tr ';' '\n' <<<"$archs" | sort -n | tail -n 1)
harness="no harness"
harness_option=$(cached MNEMO_BUILD_HARNESS)
if [[ -x $build_dir/mnemo_harness && ${harness_option^^} =~ ^(ON|1|TRUE|YES|Y)$ ]]; then
  harness="harness $build_dir/mnemo_harness"
fi
elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
echo "mnemo: kernels built: $fatbin ($size bytes; SASS sm_${archs//;/ sm_} + PTX compute_$newest; $harness; ${elapsed} s)"
