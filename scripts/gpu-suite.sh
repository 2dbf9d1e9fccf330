#!/usr/bin/env bash
# Runs on a GPU machine from a bundle made by scripts/gpu-bundle.sh:
#   BUNDLE/gpu-suite.sh OUT_DIR [STAGES]
# STAGES: a comma list of info, tests, memcheck, harness, bench (default: all, in that order). Each
# stage has a time limit (MNEMO_SUITE_<STAGE>_S, seconds) so one slow stage cannot eat a rented
# machine's whole budget; a stage that hits it is reported in its file and fails the suite. With a
# 10-minute limit per remote call, run it as two calls: `info,tests,memcheck,harness`, then `bench`.
# Writes to OUT_DIR: info.txt (`mnemo info`), junit.txt + junit-report.xml (the `gpu`-tagged tests;
# MNEMO_SUITE_TEST_TAGS=all for every test), memcheck.txt (compute-sanitizer on the harness's small
# check), harness.txt (kernel timings from C, and the cluster kernels' cycles per step by phase from
# mnemo_harness_phases), and suite.json + suite.md + report.json + report.md (gpu-bench-all.sh: every
# GPU benchmark, Mnemo beside PyTorch/cuDNN where python3 and torch exist, and its logs *.txt). Exit
# status: non-zero when a test failed or memcheck found errors (the benchmark never changes it).
#
# MNEMO_SUITE_PACK=1 writes everything to a work folder instead and leaves in OUT_DIR one file,
# results.tgz (a folder r/ inside), refreshed after every stage: what a remote call returns survives
# a call cut short, and the team's device tool brings back at most 8 files.
set -uo pipefail
bundle=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:?usage: gpu-suite.sh OUT_DIR [info,tests,memcheck,harness,bench]}
stages=",${2:-info,tests,memcheck,harness,bench},"
mkdir -p "$out"
pack_into=""
if [ "${MNEMO_SUITE_PACK:-0}" = 1 ]; then
  pack_into=$(cd "$out" && pwd)
  out=$(mktemp -d)/r && mkdir -p "$out"
fi
# pack: refreshes PACK_INTO/results.tgz from the work folder (MNEMO_SUITE_PACK=1 only).
pack() {
  [ -n "$pack_into" ] && tar czf "$pack_into/results.tgz" -C "$(dirname "$out")" r
  return 0
}
trap pack EXIT
status=0
want() { [[ "$stages" == *",$1,"* ]]; }
# limit SECONDS FILE CMD...: runs CMD under a time limit; on timeout says so in FILE.
limit() {
  local seconds=$1 file=$2; shift 2
  timeout -k 5 "$seconds" "$@"   # -k: a process that ignores SIGTERM is killed 5 s later
  local rc=$?
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then echo "gpu-suite: stopped after the ${seconds}s limit of this stage" >>"$file"; fi
  return $rc
}

if [ ! -x "$bundle/jre/bin/java" ]; then tar xJf "$bundle/jre.tar.xz" -C "$bundle"; fi
for h in mnemo_harness mnemo_harness_phases; do
  if [ -f "$bundle/$h.xz" ] && [ ! -x "$bundle/$h" ]; then xz -dc "$bundle/$h.xz" >"$bundle/$h" && chmod +x "$bundle/$h"; fi
done
java="$bundle/jre/bin/java"
cp_all=$(ls "$bundle"/jars/*.jar | tr '\n' ':')
export PATH="$PATH:/usr/local/cuda/bin"

if want info; then
  limit "${MNEMO_SUITE_INFO_S:-60}" "$out/info.txt" "$java" --enable-native-access=ALL-UNNAMED -Djava.awt.headless=true \
    -cp "$cp_all" dev.mnemo.experiments.cli.MnemoCli info >"$out/info.txt" 2>&1 || status=1
  nvidia-smi >>"$out/info.txt" 2>&1 || true
  pack
fi

if want tests; then
  tests=$(ls "$bundle"/jars/*-tests.jar | tr '\n' ':')
  # Only the `gpu`-tagged tests by default: CI runs every other test on each commit, and device time
  # is scarce. MNEMO_SUITE_TEST_TAGS=all runs everything.
  tags=(--include-tag "${MNEMO_SUITE_TEST_TAGS:-gpu}")
  [ "${MNEMO_SUITE_TEST_TAGS:-gpu}" = all ] && tags=()
  limit "${MNEMO_SUITE_TESTS_S:-300}" "$out/junit.txt" "$java" --enable-native-access=ALL-UNNAMED \
    -Djava.awt.headless=true -Dmnemo.expect.kernels=true \
    -jar "$bundle/junit-console.jar" execute --class-path "$cp_all" --scan-class-path "${tests%:}" "${tags[@]}" \
    --details=summary --details-theme=ascii --disable-banner --reports-dir "$out/junit-xml" \
    >"$out/junit.txt" 2>&1 || status=1
  # Keep Jupiter's XML report (the others are empty engines) one level up, where it comes back.
  mv "$out/junit-xml/TEST-junit-jupiter.xml" "$out/junit-report.xml" 2>/dev/null; rm -rf "$out/junit-xml"
  # The list of failures and skips, for people who read junit.txt first.
  grep -E 'tests (successful|failed|skipped|aborted)' "$out/junit.txt" || true
  pack
fi

if [ -x "$bundle/mnemo_harness" ]; then
  if want memcheck; then
    # Every kernel against its host reference (the same check CI runs on the CPU emulator), here on
    # the GPU under memcheck.
    if command -v compute-sanitizer >/dev/null 2>&1; then
      limit "${MNEMO_SUITE_MEMCHECK_S:-240}" "$out/memcheck.txt" compute-sanitizer --tool memcheck --error-exitcode 1 \
        "$bundle/mnemo_harness" check >"$out/memcheck.txt" 2>&1 || status=1
    else
      echo "compute-sanitizer not found on PATH" >"$out/memcheck.txt"; status=1
    fi
    pack
  fi
  if want harness; then
    limit "${MNEMO_SUITE_HARNESS_S:-180}" "$out/harness.txt" bash -c '
      h=$1
      "$h" info
      for k in fill axpby clip sumrows rnn lstm gru xent mse sgd adam rmsprop memnet eigen persistent persistent_sweep; do "$h" "$k"; done
      "$h" launch
      if [ -x "${h}_phases" ]; then "${h}_phases" persistent_phases; fi' _ "$bundle/mnemo_harness" >"$out/harness.txt" 2>&1 || status=1
    pack
  fi
fi

# Last step: every GPU benchmark (gpu-bench-all.sh: layers beside PyTorch/cuDNN, JMH launch
# overhead with JCuda and CUDA Graphs, the C launch baseline) → suite.json / suite.md; it says
# what is missing (python3, torch) in the report. About 5 minutes.
if want bench && [ -f "$bundle/gpu-bench-all.sh" ]; then
  limit "${MNEMO_SUITE_BENCH_S:-540}" "$out/bench-all.txt" bash "$bundle/gpu-bench-all.sh" "$out" >"$out/bench-all.txt" 2>&1 \
    || echo "gpu-bench-all failed or hit its limit (see bench-all.txt)"
fi
exit $status
