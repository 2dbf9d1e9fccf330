#!/usr/bin/env bash
# Mnemo's CPU backend against Deeplearning4j (LSTM, float32), side by side in one JVM:
#   cpu-vs-dl4j.sh [OUT_DIR] [RUNNER OPTIONS...]
# OUT_DIR defaults to docs/results/cpu-vs-dl4j; it receives report.md (medians, ratios DL4J/Mnemo,
# the machine and both libraries' settings) and report.csv (every timed sample).
# Runner options (see --help): --shapes anchors|TxBxIxH,... --rounds N --warmup N
#   --dl4j-threads N (default 1) --mnemo-threads N --optimizer sgd|adam --seed N.
# Builds bench-dl4j with the Maven profile dl4j first (offline if ~/.m2 has everything, else it
# downloads DL4J and ND4J's native libraries, about 150 MB; MNEMO_SKIP_BUILD=1 skips the build).
# OMP_NUM_THREADS is exported as the DL4J thread count: libgomp and the OpenBLAS inside ND4J read it
# when they load, before any Java code can set it. Mnemo's GEMM threads are set from Java
# (--mnemo-threads, default all cores), so the variable does not limit Mnemo.
# On a 2-core machine the anchor shapes take about 5-10 minutes with the default 10 rounds.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=find-jdk.sh
source "$here/find-jdk.sh"
mnemo_find_jdk

out="$root/docs/results/cpu-vs-dl4j"
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
  out=$1
  shift
fi

dl4j_threads=1
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  if [ "${args[i]}" = "--dl4j-threads" ] && [ $((i + 1)) -lt ${#args[@]} ]; then
    dl4j_threads=${args[i + 1]}
  fi
done

if [ "${MNEMO_SKIP_BUILD:-0}" != 1 ]; then
  rm -rf "$root/bench-dl4j/target/lib"          # no stale jars from an earlier dependency set
  build=(mvn -q -Pdl4j -pl bench-dl4j -am package -DskipTests -Dmnemo.kernels.skip=true)
  (cd "$root" && "${build[0]}" -o "${build[@]:1}") || {
    echo "cpu-vs-dl4j: offline build failed; retrying online (downloads DL4J if missing)" >&2
    (cd "$root" && "${build[@]}")
  }
fi

jar=
for f in "$root"/bench-dl4j/target/mnemo-bench-dl4j-*.jar; do
  [ -f "$f" ] && jar=$f && break
done
if [ -z "$jar" ] || [ ! -d "$root/bench-dl4j/target/lib" ]; then
  echo "cpu-vs-dl4j: bench-dl4j is not built (run without MNEMO_SKIP_BUILD=1)" >&2
  exit 1
fi

mkdir -p "$out"
export OMP_NUM_THREADS="$dl4j_threads"
# --sun-misc-unsafe-memory-access=allow: JavaCPP 1.5.8 (under ND4J) uses sun.misc.Unsafe's memory
# access, which Java 24+ warns about. No --add-opens is needed.
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Xmx4g \
  -cp "$jar:$root/bench-dl4j/target/lib/*" dev.mnemo.bench.dl4j.CpuVersusDl4j \
  --dl4j-threads "$dl4j_threads" --out "$out/report.md" "$@"
