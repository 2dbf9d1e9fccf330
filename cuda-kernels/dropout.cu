// dropout.cu — family "dropout": inverted dropout with the mask drawn on the device, from the
// counter hash every backend shares (Java: CpuBackend.dropoutUniform). Entry points:
// mnemo_dropout_apply_f32, mnemo_dropout_apply_at_f32 (see mnemo_kernels.h).
#include "mnemo_kernels.h"
#include "mnemo_math.cuh"
#include "dropout_hash.cuh"

namespace mnemo::dropout {
constexpr int kBlockThreads = 256;  // the header's launch contract

// No __restrict__ on x and y: the header lets y alias x (each element is read before its write,
// by the same thread).
__device__ __forceinline__ void apply(const float* x, float* __restrict__ mask, float* y, long long n,
                                      long long seed, unsigned long long base, double p) {
  // The Java backend computes 1/(1−p) and the product in double and rounds once to float;
  // IEEE double division and multiplication round the same way here, so y matches bit for bit.
  const double scale = 1.0 / (1.0 - p);
  const float scaleF = static_cast<float>(scale);
  const unsigned long long mixedSeed = mix64(static_cast<unsigned long long>(seed));
  const long long stride = mnemo::grid_stride();
  for (long long i = mnemo::grid_thread_index(); i < n; i += stride) {  // i < n: bounds guard
    const bool keep = uniform(mixedSeed, base + static_cast<unsigned long long>(i)) >= p;
    const double product = static_cast<double>(x[i]) * (keep ? scale : 0.0);
    mask[i] = keep ? scaleF : 0.0f;
    y[i] = static_cast<float>(product);
  }
}
}  // namespace mnemo::dropout

extern "C" __global__ void __launch_bounds__(mnemo::dropout::kBlockThreads)
    mnemo_dropout_apply_f32(const float* x, float* __restrict__ mask, float* y, long long n,
                            long long seed, long long offset, double p) {
  mnemo::dropout::apply(x, mask, y, n, seed, static_cast<unsigned long long>(offset), p);
}

// The stream position read when the kernel runs: a recorded launch draws a new mask on each
// replay once the position is set anew (wrapping 64-bit sum, as the Java longs add).
extern "C" __global__ void __launch_bounds__(mnemo::dropout::kBlockThreads)
    mnemo_dropout_apply_at_f32(const float* x, float* __restrict__ mask, float* y, long long n,
                               long long seed, const long long* position, long long offset, double p) {
  mnemo::dropout::apply(x, mask, y, n, seed,
                        static_cast<unsigned long long>(*position) + static_cast<unsigned long long>(offset), p);
}
