#!/usr/bin/env bash
# Runs every test: builds the kernels (when nvcc exists), compiles, and runs the JUnit suites.
# Tests tagged `gpu` skip, with the reason, where no CUDA driver answers.
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
exec mvn -B -ntp verify "${expect[@]}" "$@"
