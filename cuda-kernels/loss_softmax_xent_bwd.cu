// loss_softmax_xent_bwd.cu — family "loss": the softmax cross-entropy gradient
// (softmax − onehot)·scale from the forward's saved (max, log Σ exp) per row (see
// mnemo_kernels.h). Entry point: mnemo_loss_softmax_xent_bwd_f32.
#include <math_constants.h>

#include "mnemo_kernels.h"
#include "mnemo_math.cuh"

namespace mnemo::loss::xent_bwd {
constexpr int kBlockThreads = 256;  // the header's launch contract
constexpr int kIgnoreIndex = -1;
}  // namespace mnemo::loss::xent_bwd

// Flat grid-stride over R·C elements: every element is independent once the row's stats are
// known, so there is nothing to reduce and any C load-balances. dlogits and logits carry no
// __restrict__: the header lets them alias (each element is read, then written, by one thread).
extern "C" __global__ void __launch_bounds__(mnemo::loss::xent_bwd::kBlockThreads)
    mnemo_loss_softmax_xent_bwd_f32(float* dlogits, const float* logits,
                                    const int* __restrict__ targets,
                                    const float* __restrict__ stats, long long rows,
                                    long long classes, float scale) {
  using mnemo::loss::xent_bwd::kIgnoreIndex;
  const long long n = rows * classes;
  const long long stride = mnemo::grid_stride();
  for (long long i = mnemo::grid_thread_index(); i < n; i += stride) {  // i < n: bounds guard
    const mnemo::RowCol rc = mnemo::row_col(i, classes);
    const int target = targets[rc.row];
    float g;
    if (target == kIgnoreIndex) {
      g = 0.0f;
    } else if (target < 0 || target >= classes) {
      g = CUDART_NAN_F;  // as the forward's loss: an invalid target is visible
    } else {
      // softmax = exp(log_softmax), log_softmax = (x − max) − log s as the forward formed it.
      const float p = expf((logits[i] - stats[2 * rc.row]) - stats[2 * rc.row + 1]);
      g = (rc.col == target ? p - 1.0f : p) * scale;
    }
    dlogits[i] = g;
  }
}
