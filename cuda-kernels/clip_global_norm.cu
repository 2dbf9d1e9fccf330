// clip_global_norm.cu — family "clip": global-norm gradient clipping over one flat buffer,
// in two passes (see mnemo_kernels.h). Entry points: mnemo_clip_sumsq_f32,
// mnemo_clip_scale_f32.
#include "mnemo_kernels.h"
#include "mnemo_math.cuh"

namespace mnemo::clip {
constexpr int kBlockThreads = 256;  // the header's launch contract
constexpr double kNormEps = 1e-6;   // PyTorch clip_grad_norm_: max_norm / (total_norm + 1e-6)
}  // namespace mnemo::clip

// Pass 1: partials[b] = Σ x[i]² over block b's grid-stride share.
// Accumulated in double from the first square: a float32 element's square (up to 1.2e77) and any
// sum of them stay finite, so only a NaN or infinite element makes the norm non-finite — float
// partials overflowed from a norm of about 1.8e19. The pass stays bound by reading x (one double
// FMA per 4 bytes read). Then a fixed-shape block tree: deterministic for a given n and grid.
extern "C" __global__ void __launch_bounds__(mnemo::clip::kBlockThreads)
    mnemo_clip_sumsq_f32(const float* __restrict__ x, long long n, double* __restrict__ partials) {
  // The bounds guard is the loop condition, not an early return: every thread must reach
  // block_sum's barriers; threads past n contribute 0.
  const long long stride = mnemo::grid_stride();
  double sum = 0.0;
  for (long long i = mnemo::grid_thread_index(); i < n; i += stride) {
    const double v = x[i];
    sum = fma(v, v, sum);
  }
  sum = mnemo::block_sum(sum);
  if (threadIdx.x == 0) partials[blockIdx.x] = sum;
}

// Pass 2: each block reduces all partials itself — same strided order, same tree, in double,
// so every block derives the same coefficient without a third launch or a grid-wide barrier
// (≤ 1024 L2-resident loads per block). Then x *= coef where coef < 1.
extern "C" __global__ void __launch_bounds__(mnemo::clip::kBlockThreads)
    mnemo_clip_scale_f32(float* __restrict__ x, long long n, const double* __restrict__ partials,
                         int numPartials, float maxNorm, float* __restrict__ normOut) {
  // No early return before block_sum (barriers); the loops' conditions are the guards.
  double sumsq = 0.0;
  for (int p = static_cast<int>(threadIdx.x); p < numPartials; p += static_cast<int>(blockDim.x)) {
    sumsq += partials[p];
  }
  sumsq = mnemo::block_sum(sumsq);
  const double norm = sqrt(sumsq);
  const double coef = static_cast<double>(maxNorm) / (norm + mnemo::clip::kNormEps);
  if (blockIdx.x == 0 && threadIdx.x == 0) *normOut = static_cast<float>(norm);
  // Uniform across the grid. A non-finite norm (a NaN or infinite element) scales nothing — the
  // CPU twin's rule — and normOut reports it.
  if (!isfinite(norm) || !(coef < 1.0)) return;
  const float scale = static_cast<float>(coef);
  const long long stride = mnemo::grid_stride();
  for (long long i = mnemo::grid_thread_index(); i < n; i += stride) {
    x[i] *= scale;
  }
}
