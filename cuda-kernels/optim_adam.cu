// optim_adam.cu — family "optim": torch.optim.Adam / AdamW's update (amsgrad = False) as one
// fused pass over the flat parameter buffer (see mnemo_kernels.h). Entry point:
// mnemo_optim_adam_f32.
#include <cstddef>

#include "mnemo_kernels.h"
#include "mnemo_math.cuh"

namespace mnemo::optim::adam {
constexpr int kBlockThreads = 256;  // the header's launch contract

// The header's byte layout, which the Java launcher writes field by field.
static_assert(sizeof(mnemo_optim_adam_params) == 48, "header: 48 bytes");
static_assert(offsetof(mnemo_optim_adam_params, lr) == 0, "header offset");
static_assert(offsetof(mnemo_optim_adam_params, beta1) == 8, "header offset");
static_assert(offsetof(mnemo_optim_adam_params, beta2) == 16, "header offset");
static_assert(offsetof(mnemo_optim_adam_params, eps) == 24, "header offset");
static_assert(offsetof(mnemo_optim_adam_params, weightDecay) == 32, "header offset");
static_assert(offsetof(mnemo_optim_adam_params, step) == 40, "header offset");
static_assert(offsetof(mnemo_optim_adam_params, decoupled) == 44, "header offset");

// The float scalars of PyTorch's _multi_tensor_adam, each rounded once from the double Python
// forms: bias_correction1 = 1 - beta1**step, step_size = -(lr / bias_correction1),
// bias_correction2_sqrt = (1 - beta2**step) ** 0.5.
struct Coefficients {
  float weightDecay;         // _foreach_add(grads, params, alpha=weight_decay)     (Adam)
  float decay;               // _foreach_mul_(params, 1 - lr * weight_decay)        (AdamW)
  float oneMinusBeta1;       // _foreach_lerp_(exp_avgs, grads, 1 - beta1)
  float beta2;               // _foreach_mul_(exp_avg_sqs, beta2)
  float oneMinusBeta2;       // _foreach_addcmul_(exp_avg_sqs, grads, grads, 1 - beta2)
  float biasCorrection2Sqrt; // _foreach_div_(sqrt(exp_avg_sqs), bias_correction2_sqrt)
  float eps;                 // _foreach_add_(denom, eps)
  float stepSize;            // _foreach_addcdiv_(params, exp_avgs, denom, step_size) (< 0)
  bool useWeightDecay;       // weight_decay != 0
  bool decoupled;            // AdamW
};

// base^e for an integer e >= 0 by binary exponentiation: at most ~2·log2(e) double products,
// within a few double ulps of Python's beta ** step — far below the float rounding that
// follows — and a fraction of the code of the general pow().
__device__ __forceinline__ double int_power(double base, int e) {
  double result = 1.0;
  for (; e > 0; e >>= 1) {
    if (e & 1) result *= base;
    base *= base;
  }
  return result;
}

__device__ __forceinline__ Coefficients coefficients(const mnemo_optim_adam_params& hp) {
  const double biasCorrection1 = 1.0 - int_power(hp.beta1, hp.step);
  const double biasCorrection2 = 1.0 - int_power(hp.beta2, hp.step);
  Coefficients c;
  c.weightDecay = static_cast<float>(hp.weightDecay);
  c.decay = static_cast<float>(1.0 - hp.lr * hp.weightDecay);
  c.oneMinusBeta1 = static_cast<float>(1.0 - hp.beta1);
  c.beta2 = static_cast<float>(hp.beta2);
  c.oneMinusBeta2 = static_cast<float>(1.0 - hp.beta2);
  c.biasCorrection2Sqrt = static_cast<float>(sqrt(biasCorrection2));
  c.eps = static_cast<float>(hp.eps);
  c.stepSize = static_cast<float>(-(hp.lr / biasCorrection1));
  c.useWeightDecay = hp.weightDecay != 0.0;
  c.decoupled = hp.decoupled != 0;
  return c;
}

}  // namespace mnemo::optim::adam

// The coefficients (in double) are formed once per block (thread 0, shared memory):
// double arithmetic is 1/64 rate on most GeForce parts. No early return before the barrier;
// the grid-stride loop's condition is the bounds guard.
extern "C" __global__ void __launch_bounds__(mnemo::optim::adam::kBlockThreads)
    mnemo_optim_adam_f32(float* __restrict__ param, const float* __restrict__ grad,
                         float* __restrict__ expAvg, float* __restrict__ expAvgSq, long long n,
                         mnemo_optim_adam_params hp) {
  using namespace mnemo::optim::adam;
  __shared__ Coefficients shared;
  if (threadIdx.x == 0) shared = coefficients(hp);
  __syncthreads();
  const Coefficients c = shared;
  const long long stride = mnemo::grid_stride();
  for (long long i = mnemo::grid_thread_index(); i < n; i += stride) {
    float p = param[i];
    float g = grad[i];
    if (c.useWeightDecay) {
      if (c.decoupled) {
        p *= c.decay;
      } else {
        g = fmaf(c.weightDecay, p, g);
      }
    }
    const float m = mnemo::torch_lerp(expAvg[i], g, c.oneMinusBeta1);
    float v = expAvgSq[i] * c.beta2;
    v = fmaf(c.oneMinusBeta2 * g, g, v);
    const float denom = sqrtf(v) / c.biasCorrection2Sqrt + c.eps;
    expAvg[i] = m;
    expAvgSq[i] = v;
    param[i] = fmaf(c.stepSize, m / denom, p);
  }
}
