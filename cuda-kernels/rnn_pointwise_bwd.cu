// rnn_pointwise_bwd.cu — family "rnn": the fused per-step pointwise backward of an Elman cell,
// dgates = (dy + dhRec) ⊙ act'(h'), with act' taken from the saved output h'
// (tanh' = 1 − h'², relu' = [h' > 0]). Entry points: mnemo_rnn_pointwise_bwd_tanh_f32,
// mnemo_rnn_pointwise_bwd_relu_f32.
#include "mnemo_kernels.h"
#include "mnemo_math.cuh"

namespace mnemo::rnn::bwd {
constexpr int kBlockThreads = 256;  // the header's launch contract

template <bool Relu>
__device__ __forceinline__ void pointwise(const float* __restrict__ dy, long long ldy,
                                          const float* __restrict__ dhRec,
                                          const float* __restrict__ h, long long ldh,
                                          float* __restrict__ dgates, long long batch,
                                          long long hidden) {
  const long long i = grid_thread_index();
  if (i >= batch * hidden) return;  // bounds guard
  const RowCol rc = row_col(i, hidden);
  // dy and h are strided rows (slices of the [B, dirs·H] sequence); dhRec, dgates are dense.
  const float dh = (dy != nullptr ? dy[rc.row * ldy + rc.col] : 0.0f) + load_or_zero(dhRec, i);
  const float y = h[rc.row * ldh + rc.col];
  dgates[i] = Relu ? relu_backward(dh, y) : dh * tanh_grad_from_output(y);
}
}  // namespace mnemo::rnn::bwd

// ── exported instantiations ──
extern "C" __global__ void __launch_bounds__(mnemo::rnn::bwd::kBlockThreads)
    mnemo_rnn_pointwise_bwd_tanh_f32(const float* __restrict__ dy, long long ldy,
                                     const float* __restrict__ dhRec, const float* __restrict__ h,
                                     long long ldh, float* __restrict__ dgates, long long batch,
                                     long long hidden) {
  mnemo::rnn::bwd::pointwise<false>(dy, ldy, dhRec, h, ldh, dgates, batch, hidden);
}

extern "C" __global__ void __launch_bounds__(mnemo::rnn::bwd::kBlockThreads)
    mnemo_rnn_pointwise_bwd_relu_f32(const float* __restrict__ dy, long long ldy,
                                     const float* __restrict__ dhRec, const float* __restrict__ h,
                                     long long ldh, float* __restrict__ dgates, long long batch,
                                     long long hidden) {
  mnemo::rnn::bwd::pointwise<true>(dy, ldy, dhRec, h, ldh, dgates, batch, hidden);
}
