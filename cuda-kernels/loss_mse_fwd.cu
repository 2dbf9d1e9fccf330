// loss_mse_fwd.cu — family "loss": mean squared error, forward — per-block partial sums of
// (pred − target)², like clip's pass 1 (see mnemo_kernels.h). Entry point:
// mnemo_loss_mse_fwd_f32.
#include "mnemo_kernels.h"
#include "mnemo_math.cuh"

namespace mnemo::loss::mse_fwd {
constexpr int kBlockThreads = 256;  // the header's launch contract
}

// Per-thread accumulation in double over the grid-stride share (the difference too, so each term
// is the CPU's exactly), then block_sum's fixed tree: deterministic for a given n and grid, and no
// float32 input overflows it. No early return (block_sum's barriers): the loop condition is the
// bounds guard.
extern "C" __global__ void __launch_bounds__(mnemo::loss::mse_fwd::kBlockThreads)
    mnemo_loss_mse_fwd_f32(const float* __restrict__ pred, const float* __restrict__ target,
                           long long n, double* __restrict__ partials) {
  const long long stride = mnemo::grid_stride();
  double sum = 0.0;
  for (long long i = mnemo::grid_thread_index(); i < n; i += stride) {
    const double d = static_cast<double>(pred[i]) - static_cast<double>(target[i]);
    sum = fma(d, d, sum);
  }
  sum = mnemo::block_sum(sum);
  if (threadIdx.x == 0) partials[blockIdx.x] = sum;
}
