// tensor_elementwise.cu — family "tensor": flat elementwise kernels over n floats.
// Entry points: mnemo_tensor_fill_f32, mnemo_tensor_axpby_f32 (see mnemo_kernels.h).
#include "mnemo_kernels.h"
#include "mnemo_math.cuh"

namespace mnemo::tensor {
constexpr int kBlockThreads = 256;  // the header's launch contract
}

extern "C" __global__ void __launch_bounds__(mnemo::tensor::kBlockThreads)
    mnemo_tensor_fill_f32(float* __restrict__ x, long long n, float value) {
  const long long stride = mnemo::grid_stride();
  for (long long i = mnemo::grid_thread_index(); i < n; i += stride) {  // i < n: bounds guard
    x[i] = value;
  }
}

// No __restrict__ on y and x: the header lets y alias x. Aliasing is harmless because each
// element is read and written by one thread, reads before its write.
extern "C" __global__ void __launch_bounds__(mnemo::tensor::kBlockThreads)
    mnemo_tensor_axpby_f32(float* y, const float* x, long long n, float alpha, float beta) {
  const long long stride = mnemo::grid_stride();
  if (beta == 0.0f) {
    // Do not read y: 0·NaN = NaN, and y may be uninitialised memory. Uniform branch.
    for (long long i = mnemo::grid_thread_index(); i < n; i += stride) {
      y[i] = alpha * x[i];
    }
    return;
  }
  // Explicit fma (one rounding of β·y + (α·x)) so a CPU twin can match bit for bit with
  // Math.fma(beta, y, alpha * x) instead of depending on nvcc's contraction choices.
  for (long long i = mnemo::grid_thread_index(); i < n; i += stride) {
    y[i] = fmaf(beta, y[i], alpha * x[i]);
  }
}
