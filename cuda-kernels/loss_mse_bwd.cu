// loss_mse_bwd.cu — family "loss": mean squared error, backward: dpred = 2·(pred − target)·scale
// (see mnemo_kernels.h). Entry point: mnemo_loss_mse_bwd_f32.
#include "mnemo_kernels.h"
#include "mnemo_math.cuh"

namespace mnemo::loss::mse_bwd {
constexpr int kBlockThreads = 256;  // the header's launch contract
}

// No __restrict__: dpred may alias pred or target (each element is read, then written, by one
// thread).
extern "C" __global__ void __launch_bounds__(mnemo::loss::mse_bwd::kBlockThreads)
    mnemo_loss_mse_bwd_f32(float* dpred, const float* pred, const float* target, long long n,
                           float scale) {
  const long long stride = mnemo::grid_stride();
  for (long long i = mnemo::grid_thread_index(); i < n; i += stride) {  // i < n: bounds guard
    // in double, rounded once, as the CPU backend: pred − target of 3e38 and −3e38 overflowed float before
    // the 1/N scale brought it back into range (PyTorch's float32 kernel gives ∞ there too)
    dpred[i] = static_cast<float>(2.0 * static_cast<double>(scale) *
                                  (static_cast<double>(pred[i]) - static_cast<double>(target[i])));
  }
}
