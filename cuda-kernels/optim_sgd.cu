// optim_sgd.cu — family "optim": torch.optim.SGD's update (momentum, dampening, weight decay,
// Nesterov) as one fused pass over the flat parameter buffer (see mnemo_kernels.h). Entry
// point: mnemo_optim_sgd_f32.
#include <cstddef>

#include "mnemo_kernels.h"
#include "mnemo_math.cuh"

namespace mnemo::optim::sgd {
constexpr int kBlockThreads = 256;  // the header's launch contract

// The header's byte layout, which the Java launcher writes field by field.
static_assert(sizeof(mnemo_optim_sgd_params) == 40, "header: 40 bytes");
static_assert(offsetof(mnemo_optim_sgd_params, lr) == 0, "header offset");
static_assert(offsetof(mnemo_optim_sgd_params, momentum) == 8, "header offset");
static_assert(offsetof(mnemo_optim_sgd_params, dampening) == 16, "header offset");
static_assert(offsetof(mnemo_optim_sgd_params, weightDecay) == 24, "header offset");
static_assert(offsetof(mnemo_optim_sgd_params, nesterov) == 32, "header offset");
static_assert(offsetof(mnemo_optim_sgd_params, firstStep) == 36, "header offset");

// The float scalars of PyTorch's foreach ops, each rounded once from the double PyTorch forms.
struct Coefficients {
  float negLr;              // _foreach_add_(params, grads, alpha=-lr)
  float momentum;           // _foreach_mul_(bufs, momentum); nesterov's alpha=momentum
  float oneMinusDampening;  // _foreach_add_(bufs, grads, alpha=1 - dampening)
  float weightDecay;        // _foreach_add(grads, params, alpha=weight_decay)
  bool useWeightDecay;      // weight_decay != 0
  bool useMomentum;         // momentum != 0
};

__device__ __forceinline__ Coefficients coefficients(const mnemo_optim_sgd_params& hp) {
  Coefficients c;
  c.negLr = static_cast<float>(-hp.lr);
  c.momentum = static_cast<float>(hp.momentum);
  c.oneMinusDampening = static_cast<float>(1.0 - hp.dampening);
  c.weightDecay = static_cast<float>(hp.weightDecay);
  c.useWeightDecay = hp.weightDecay != 0.0;
  c.useMomentum = hp.momentum != 0.0;
  return c;
}
}  // namespace mnemo::optim::sgd

// The double→float scalars are formed once per block (thread 0, shared memory): double
// arithmetic is 1/64 rate on most GeForce parts. No early return before the barrier; the
// grid-stride loop's condition is the bounds guard.
extern "C" __global__ void __launch_bounds__(mnemo::optim::sgd::kBlockThreads)
    mnemo_optim_sgd_f32(float* __restrict__ param, const float* __restrict__ grad,
                        float* __restrict__ momentumBuffer, long long n,
                        mnemo_optim_sgd_params hp) {
  using namespace mnemo::optim::sgd;
  __shared__ Coefficients shared;
  if (threadIdx.x == 0) shared = coefficients(hp);
  __syncthreads();
  const Coefficients c = shared;
  const bool nesterov = hp.nesterov != 0;
  const bool firstStep = hp.firstStep != 0;
  const long long stride = mnemo::grid_stride();
  for (long long i = mnemo::grid_thread_index(); i < n; i += stride) {
    const float p = param[i];
    float g = grad[i];
    if (c.useWeightDecay) g = fmaf(c.weightDecay, p, g);
    if (c.useMomentum) {
      float buf;
      if (firstStep) {
        buf = g;  // PyTorch: buf = torch.clone(grad) on the first step
      } else {
        buf = momentumBuffer[i] * c.momentum;
        buf = fmaf(c.oneMinusDampening, g, buf);
      }
      momentumBuffer[i] = buf;
      g = nesterov ? fmaf(c.momentum, buf, g) : buf;
    }
    param[i] = fmaf(c.negLr, g, p);
  }
}
