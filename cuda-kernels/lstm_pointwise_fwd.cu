// lstm_pointwise_fwd.cu — family "lstm": the fused per-step pointwise forward of an LSTM cell
// (gates i|f|g|o) after the host's GEMMs (see mnemo_kernels.h, "recurrent cells").
// Entry points: mnemo_lstm_pointwise_fwd_train_f32, mnemo_lstm_pointwise_fwd_infer_f32.
#include <cstddef>

#include "mnemo_kernels.h"
#include "mnemo_math.cuh"

namespace mnemo::lstm::fwd {
constexpr int kBlockThreads = 256;  // the header's launch contract
constexpr int kGates = 4;

// The header's byte layout, which the Java launcher writes field by field.
static_assert(sizeof(mnemo_lstm_pointwise_fwd_params) == 104, "header: 104 bytes");
static_assert(offsetof(mnemo_lstm_pointwise_fwd_params, gx) == 0, "header offset");
static_assert(offsetof(mnemo_lstm_pointwise_fwd_params, gh) == 8, "header offset");
static_assert(offsetof(mnemo_lstm_pointwise_fwd_params, bIh) == 16, "header offset");
static_assert(offsetof(mnemo_lstm_pointwise_fwd_params, bHh) == 24, "header offset");
static_assert(offsetof(mnemo_lstm_pointwise_fwd_params, cPrev) == 32, "header offset");
static_assert(offsetof(mnemo_lstm_pointwise_fwd_params, hOut) == 40, "header offset");
static_assert(offsetof(mnemo_lstm_pointwise_fwd_params, cOut) == 48, "header offset");
static_assert(offsetof(mnemo_lstm_pointwise_fwd_params, gates) == 56, "header offset");
static_assert(offsetof(mnemo_lstm_pointwise_fwd_params, batch) == 64, "header offset");
static_assert(offsetof(mnemo_lstm_pointwise_fwd_params, hidden) == 72, "header offset");
static_assert(offsetof(mnemo_lstm_pointwise_fwd_params, ldh) == 80, "header offset");
static_assert(offsetof(mnemo_lstm_pointwise_fwd_params, ghSplits) == 88, "header offset");
static_assert(offsetof(mnemo_lstm_pointwise_fwd_params, ghSplitStride) == 96, "header offset");

// One thread per (b, j): it reads the four gate pre-activations of column j of row b (each a
// coalesced run across the warp's consecutive j) and writes h, c and, training, the gates.
// The header lets cPrev alias cOut and gates alias gx (the layers overwrite the projection with
// the activations, saving a copy per step): a thread reads its own c and gate elements before it
// writes them, and no other thread touches them, so those four carry no __restrict__.
template <bool Training>
__device__ __forceinline__ void pointwise(const float* gx, const float* __restrict__ gh,
                                          const float* __restrict__ bIh,
                                          const float* __restrict__ bHh, const float* cPrev,
                                          float* __restrict__ hOut, float* cOut, float* gates,
                                          long long batch, long long hidden, long long ldh,
                                          long long ghSplits, long long ghSplitStride) {
  const long long i = grid_thread_index();
  if (i >= batch * hidden) return;  // bounds guard
  const RowCol rc = row_col(i, hidden);
  const long long g0 = rc.row * kGates * hidden + rc.col;  // gate i of (b, j) in [B, 4H]
  float act[kGates];
#pragma unroll
  for (int k = 0; k < kGates; ++k) {
    const long long gi = g0 + k * hidden;
    const long long bi = k * hidden + rc.col;
    // PyTorch's fused cell order: igates + hgates + b_ih + b_hh.
    const float pre = gx[gi] + split_sum(gh, gi, ghSplits, ghSplitStride) + load_or_zero(bIh, bi) +
                      load_or_zero(bHh, bi);
    act[k] = k == 2 ? stable_tanh(pre) : stable_sigmoid(pre);
  }
  const float c = act[1] * cPrev[i] + act[0] * act[2];  // f⊙c + i⊙g
  cOut[i] = c;
  hOut[rc.row * ldh + rc.col] = act[3] * stable_tanh(c);
  if (Training) {
#pragma unroll
    for (int k = 0; k < kGates; ++k) gates[g0 + k * hidden] = act[k];
  }
}

template <bool Training>
__device__ __forceinline__ void pointwise(const mnemo_lstm_pointwise_fwd_params& p) {
  pointwise<Training>(p.gx, p.gh, p.bIh, p.bHh, p.cPrev, p.hOut, p.cOut, p.gates, p.batch,
                      p.hidden, p.ldh, p.ghSplits, p.ghSplitStride);
}
}  // namespace mnemo::lstm::fwd

// ── exported instantiations ──
extern "C" __global__ void __launch_bounds__(mnemo::lstm::fwd::kBlockThreads)
    mnemo_lstm_pointwise_fwd_train_f32(mnemo_lstm_pointwise_fwd_params p) {
  mnemo::lstm::fwd::pointwise<true>(p);
}

extern "C" __global__ void __launch_bounds__(mnemo::lstm::fwd::kBlockThreads)
    mnemo_lstm_pointwise_fwd_infer_f32(mnemo_lstm_pointwise_fwd_params p) {
  mnemo::lstm::fwd::pointwise<false>(p);
}
