// loss_mse_fwd.cu — family "loss": mean squared error, forward — per-block partial sums of
// (pred − target)², like clip's pass 1 (see mnemo_kernels.h). Entry point:
// mnemo_loss_mse_fwd_f32.
#include "mnemo_kernels.h"
#include "mnemo_math.cuh"

namespace mnemo::loss::mse_fwd {
constexpr int kBlockThreads = 256;  // the header's launch contract
}

// Per-thread float accumulation over the grid-stride share, then block_sum's fixed tree:
// deterministic for a given n and grid. No early return (block_sum's barriers): the loop
// condition is the bounds guard.
extern "C" __global__ void __launch_bounds__(mnemo::loss::mse_fwd::kBlockThreads)
    mnemo_loss_mse_fwd_f32(const float* __restrict__ pred, const float* __restrict__ target,
                           long long n, float* __restrict__ partials) {
  const long long stride = mnemo::grid_stride();
  float sum = 0.0f;
  for (long long i = mnemo::grid_thread_index(); i < n; i += stride) {
    const float d = pred[i] - target[i];
    sum = fmaf(d, d, sum);
  }
  sum = mnemo::block_sum(sum);
  if (threadIdx.x == 0) partials[blockIdx.x] = sum;
}
