// rnn_pointwise_fwd.cu — family "rnn": the fused per-step pointwise forward of an Elman cell,
// h' = act((gx + b_ih) + (gh + b_hh)), after the host's GEMMs (see mnemo_kernels.h,
// "recurrent cells"). Entry points: mnemo_rnn_pointwise_fwd_tanh_f32,
// mnemo_rnn_pointwise_fwd_relu_f32.
#include "mnemo_kernels.h"
#include "mnemo_math.cuh"

namespace mnemo::rnn::fwd {
constexpr int kBlockThreads = 256;  // the header's launch contract

// One thread per (b, j). G = 1, so gx, gh and the flat index share one dense [B, H] layout;
// only hOut has a row stride (it may be a column slice of the output sequence y[t]).
template <bool Relu>
__device__ __forceinline__ void pointwise(const float* __restrict__ gx,
                                          const float* __restrict__ gh,
                                          const float* __restrict__ bIh,
                                          const float* __restrict__ bHh, float* __restrict__ hOut,
                                          long long ldh, long long batch, long long hidden,
                                          long long ghSplits, long long ghSplitStride) {
  const long long i = grid_thread_index();
  if (i >= batch * hidden) return;  // bounds guard
  const RowCol rc = row_col(i, hidden);
  // PyTorch's order: linear(x, W_ih, b_ih) + linear(h, W_hh, b_hh).
  const float pre = (gx[i] + load_or_zero(bIh, rc.col)) +
                    (split_sum(gh, i, ghSplits, ghSplitStride) + load_or_zero(bHh, rc.col));
  hOut[rc.row * ldh + rc.col] = Relu ? relu(pre) : stable_tanh(pre);
}
}  // namespace mnemo::rnn::fwd

// ── exported instantiations ──
extern "C" __global__ void __launch_bounds__(mnemo::rnn::fwd::kBlockThreads)
    mnemo_rnn_pointwise_fwd_tanh_f32(const float* __restrict__ gx, const float* __restrict__ gh,
                                     const float* __restrict__ bIh,
                                     const float* __restrict__ bHh, float* __restrict__ hOut,
                                     long long ldh, long long batch, long long hidden,
                                     long long ghSplits, long long ghSplitStride) {
  mnemo::rnn::fwd::pointwise<false>(gx, gh, bIh, bHh, hOut, ldh, batch, hidden, ghSplits,
                                   ghSplitStride);
}

extern "C" __global__ void __launch_bounds__(mnemo::rnn::fwd::kBlockThreads)
    mnemo_rnn_pointwise_fwd_relu_f32(const float* __restrict__ gx, const float* __restrict__ gh,
                                     const float* __restrict__ bIh,
                                     const float* __restrict__ bHh, float* __restrict__ hOut,
                                     long long ldh, long long batch, long long hidden,
                                     long long ghSplits, long long ghSplitStride) {
  mnemo::rnn::fwd::pointwise<true>(gx, gh, bIh, bHh, hOut, ldh, batch, hidden, ghSplits,
                                   ghSplitStride);
}
