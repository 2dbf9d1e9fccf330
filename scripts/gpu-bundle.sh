#!/usr/bin/env bash
# Packs what the GPU tests need into one folder, so they run on a machine that has a GPU and a
# CUDA driver but no JDK, no Maven and no network:
#   scripts/gpu-bundle.sh [DIR]          (default .gpu; run after `mvn package`, or it builds)
# DIR then holds: jars/ (every module jar, test jar and dependency), junit-console.jar, the native
# harness and its phase-counting twin xz-packed (when nvcc built them), jre.tar.xz (a jlink
# runtime), gpu-suite.sh, gpu-bench.sh, gpu-bench-all.sh, gpu-lease.sh, gpu-plan-ab.sh, gpu-variants.sh and torch/*.py (the PyTorch
# side of the benchmarks). On the GPU machine:
#   DIR/gpu-suite.sh OUT_DIR             (or DIR/gpu-lease.sh OUT_DIR: one capped call for a short lease)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=find-jdk.sh
. "$root/scripts/find-jdk.sh"
mnemo_find_jdk || exit 1
dir=${1:-$root/.gpu}
mkdir -p "$dir" && dir=$(cd "$dir" && pwd)  # absolute: the natives step below works from a temp dir
junit_platform=1.14.1

cd "$root"
if ! ls java-bindings/target/mnemo-cuda-*-tests.jar >/dev/null 2>&1; then
  mvn -B -q -DskipTests package
fi
rm -rf "$dir/jars"; mkdir -p "$dir/jars"
for module in java-bindings nn-layers experiments jcuda-interop bench; do
  cp "$module"/target/*.jar "$dir/jars/" 2>/dev/null || true
  [ -d "$module/target/lib" ] && cp "$module"/target/lib/*.jar "$dir/jars/"
done
# JCuda's natives jar (9.5 MB) is mostly the PTX compiler and NVRTC bindings; only its driver-API
# library (which links libcuda.so.1 alone) is used here: keep that one, so the bundle stays small.
for natives in "$dir"/jars/jcuda-natives-*.jar; do
  [ -f "$natives" ] || continue
  tmp=$(mktemp -d)
  (cd "$tmp" && "$JAVA_HOME/bin/jar" xf "$natives" && rm -f lib/*JNvPTXCompiler* lib/*JNvrtc* lib/*JCudaRuntime* \
     && "$JAVA_HOME/bin/jar" cfM "$natives" -C "$tmp" lib META-INF)
  rm -rf "$tmp"
done
# Test-scope dependencies (JUnit) come with the console launcher below; module jars from target/lib
# duplicate the ones just copied, which is harmless on a class path.
if [ ! -f "$dir/junit-console.jar" ]; then
  mvn -B -q dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:$junit_platform \
      -DoutputDirectory="$dir" -Dmdep.stripVersion=true
  mv "$dir/junit-platform-console-standalone.jar" "$dir/junit-console.jar"
fi
# The bundle's harness carries SASS for the lent machines' architecture only (MNEMO_BUNDLE_ARCHS,
# default 90: H100 and H200), built beside the jar's all-architecture one: that one's xz-packed copy
# (12 MB from a 42 MB binary on 2026-11-29) left the bundle 1.8 MB under the device tool's limit.
# Without cmake and nvcc the all-architecture harness goes instead. gpu-suite.sh unpacks it there.
harness=java-bindings/target/cuda-build/mnemo_harness
phases=${harness}_phases
bundle_build=java-bindings/target/cuda-build-bundle
if command -v cmake >/dev/null 2>&1 && command -v nvcc >/dev/null 2>&1 && [ -x "$harness" ]; then
  if cmake -S . -B "$bundle_build" -DCMAKE_BUILD_TYPE=Release -DMNEMO_CUDA_ARCHS="${MNEMO_BUNDLE_ARCHS:-90}" \
       >"$bundle_build.log" 2>&1 \
     && cmake --build "$bundle_build" --target mnemo_harness --parallel "$(nproc)" >>"$bundle_build.log" 2>&1; then
    harness=$bundle_build/mnemo_harness
  else
    echo "gpu-bundle: the sm_${MNEMO_BUNDLE_ARCHS:-90} harness did not build ($bundle_build.log); packing the all-architecture one" >&2
  fi
fi
rm -f "$dir/mnemo_harness" "$dir/mnemo_harness.xz" "$dir/mnemo_harness_phases" "$dir/mnemo_harness_phases.xz"
if [ -x "$harness" ]; then xz -9 -c "$harness" >"$dir/mnemo_harness.xz"; else echo "gpu-bundle: no native harness (built without nvcc?)" >&2; fi
# The phase-counting harness (sm_90 only; `persistent_phases`), when the build made it.
if [ -x "$phases" ]; then xz -9 -c "$phases" >"$dir/mnemo_harness_phases.xz"; fi
# The team's make-jre.sh modules plus java.desktop (the spectrum plots use AWT), jdk.zipfs (JUnit scans test jars through it) and jdk.jfr (a flight recording of a slow run can be read back here).
if [ ! -f "$dir/jre.tar.xz" ]; then
  tmp=$(mktemp -d)
  # No jimage compression: xz packs the raw modules far better (21 MB against 34 MB zipped first).
  "$JAVA_HOME/bin/jlink" --add-modules java.base,jdk.unsupported,java.management,java.logging,java.xml,java.desktop,jdk.zipfs,jdk.jfr \
    --strip-debug --no-header-files --no-man-pages --output "$tmp/jre"
  tar cJf "$dir/jre.tar.xz" -C "$tmp" jre && rm -rf "$tmp"
fi
cp scripts/gpu-suite.sh scripts/gpu-bench.sh scripts/gpu-bench-all.sh scripts/gpu-lease.sh scripts/gpu-plan-ab.sh \
   scripts/gpu-ncu.sh scripts/gpu-variants.sh scripts/ncu-kernel-table.py "$dir/"
rm -rf "$dir/torch"; mkdir -p "$dir/torch"; cp bench/torch/*.py "$dir/torch/"
# The device tool carries at most 64 MiB (jre/ and an unpacked harness, if a run left them, count too).
bytes=$(du -sb "$dir" | cut -f1)
echo "gpu-bundle: $dir is $((bytes / 1048576)) MiB"
if [ "$bytes" -gt $((64 * 1048576)) ]; then
  echo "gpu-bundle: over the 64 MiB the device tool carries; delete $dir/jre and $dir/mnemo_harness if present" >&2
  exit 1
fi
