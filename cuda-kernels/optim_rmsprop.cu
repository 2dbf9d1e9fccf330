// optim_rmsprop.cu — family "optim": torch.optim.RMSprop's update (weight decay, momentum,
// centered) as one fused pass over the flat parameter buffer (see mnemo_kernels.h). Entry
// point: mnemo_optim_rmsprop_f32.
#include <cstddef>

#include "mnemo_kernels.h"
#include "mnemo_math.cuh"

namespace mnemo::optim::rmsprop {
constexpr int kBlockThreads = 256;  // the header's launch contract

// The header's byte layout, which the Java launcher writes field by field.
static_assert(sizeof(mnemo_optim_rmsprop_params) == 48, "header: 48 bytes (4 tail padding)");
static_assert(offsetof(mnemo_optim_rmsprop_params, lr) == 0, "header offset");
static_assert(offsetof(mnemo_optim_rmsprop_params, alpha) == 8, "header offset");
static_assert(offsetof(mnemo_optim_rmsprop_params, eps) == 16, "header offset");
static_assert(offsetof(mnemo_optim_rmsprop_params, weightDecay) == 24, "header offset");
static_assert(offsetof(mnemo_optim_rmsprop_params, momentum) == 32, "header offset");
static_assert(offsetof(mnemo_optim_rmsprop_params, centered) == 40, "header offset");

// The float scalars of PyTorch's _multi_tensor_rmsprop, each rounded once from the double
// Python forms.
struct Coefficients {
  float negLr;           // addcdiv_(..., value=-lr) / _foreach_add_(params, bufs, alpha=-lr)
  float alpha;           // _foreach_mul_(square_avgs, alpha)
  float oneMinusAlpha;   // addcmul_ value=1 - alpha; lerp_(grad_avgs, grads, 1 - alpha)
  float eps;             // _foreach_add_(avg, eps)
  float weightDecay;     // _foreach_add(grads, params, alpha=weight_decay)
  float momentum;        // _foreach_mul_(momentum_buffer_list, momentum)
  bool useWeightDecay;   // weight_decay != 0
  bool useMomentum;      // momentum > 0
};

__device__ __forceinline__ Coefficients coefficients(const mnemo_optim_rmsprop_params& hp) {
  Coefficients c;
  c.negLr = static_cast<float>(-hp.lr);
  c.alpha = static_cast<float>(hp.alpha);
  c.oneMinusAlpha = static_cast<float>(1.0 - hp.alpha);
  c.eps = static_cast<float>(hp.eps);
  c.weightDecay = static_cast<float>(hp.weightDecay);
  c.momentum = static_cast<float>(hp.momentum);
  c.useWeightDecay = hp.weightDecay != 0.0;
  c.useMomentum = hp.momentum > 0.0;
  return c;
}

}  // namespace mnemo::optim::rmsprop

// Coefficients once per block, as in optim_sgd.cu. No early return before the barrier; the
// grid-stride loop's condition is the bounds guard.
extern "C" __global__ void __launch_bounds__(mnemo::optim::rmsprop::kBlockThreads)
    mnemo_optim_rmsprop_f32(float* __restrict__ param, const float* __restrict__ grad,
                            float* __restrict__ squareAvg, float* __restrict__ momentumBuffer,
                            float* __restrict__ gradAvg, long long n,
                            mnemo_optim_rmsprop_params hp) {
  using namespace mnemo::optim::rmsprop;
  __shared__ Coefficients shared;
  if (threadIdx.x == 0) shared = coefficients(hp);
  __syncthreads();
  const Coefficients c = shared;
  const bool centered = hp.centered != 0;
  const long long stride = mnemo::grid_stride();
  for (long long i = mnemo::grid_thread_index(); i < n; i += stride) {
    const float p = param[i];
    float g = grad[i];
    if (c.useWeightDecay) g = fmaf(c.weightDecay, p, g);
    float sq = squareAvg[i] * c.alpha;
    sq = fmaf(c.oneMinusAlpha * g, g, sq);
    squareAvg[i] = sq;
    float avg;
    if (centered) {
      const float ga = mnemo::torch_lerp(gradAvg[i], g, c.oneMinusAlpha);
      gradAvg[i] = ga;
      // addcmul(square_avg, ga, ga, value=-1), clamped at 0: rounding can take it below 0 (NaN). Not fmaxf:
      // it turned the NaN of an infinite gradient (∞ − ∞) into 0, and the step into ±∞ where the CPU gives NaN
      const float var = fmaf(-ga, ga, sq);
      avg = sqrtf(var < 0.0f ? 0.0f : var) + c.eps;
    } else {
      avg = sqrtf(sq) + c.eps;
    }
    if (c.useMomentum) {
      const float buf = momentumBuffer[i] * c.momentum + g / avg;  // mul_, addcdiv_
      momentumBuffer[i] = buf;
      param[i] = fmaf(c.negLr, buf, p);
    } else {
      param[i] = fmaf(c.negLr, g / avg, p);
    }
  }
}
