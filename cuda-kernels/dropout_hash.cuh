// dropout_hash.cuh — the counter hash behind every dropout mask (see "family: dropout" in
// mnemo_kernels.h; Java: CpuBackend.dropoutUniform): the dropout kernel and the fused MemNet loop
// draw the same mask from it.
#pragma once

namespace mnemo::dropout {
// SplitMix64's finaliser. Unsigned 64-bit arithmetic wraps like Java's long; >> on unsigned is
// Java's >>>.
__device__ __forceinline__ unsigned long long mix64(unsigned long long z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// The draw for element `index` of stream `seed`, uniform in [0, 1): (z >> 11)·2^-53 is exact in
// double, so the comparison with p is the Java one.
__device__ __forceinline__ double uniform(unsigned long long mixedSeed, unsigned long long index) {
  const unsigned long long z = mix64(mixedSeed + (index + 1ull) * 0x9E3779B97F4A7C15ull);
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}
}  // namespace mnemo::dropout
