// gru_pointwise_fwd.cu — family "gru": the fused per-step pointwise forward of a GRU cell
// (gates r|z|n, reset applied after the recurrent product, as PyTorch) after the host's GEMMs
// (see mnemo_kernels.h, "recurrent cells"). Entry points: mnemo_gru_pointwise_fwd_train_f32,
// mnemo_gru_pointwise_fwd_infer_f32.
#include <cstddef>

#include "mnemo_kernels.h"
#include "mnemo_math.cuh"

namespace mnemo::gru::fwd {
constexpr int kBlockThreads = 256;  // the header's launch contract
constexpr int kGates = 3;

// The header's byte layout, which the Java launcher writes field by field.
static_assert(sizeof(mnemo_gru_pointwise_fwd_params) == 112, "header: 112 bytes");
static_assert(offsetof(mnemo_gru_pointwise_fwd_params, gx) == 0, "header offset");
static_assert(offsetof(mnemo_gru_pointwise_fwd_params, gh) == 8, "header offset");
static_assert(offsetof(mnemo_gru_pointwise_fwd_params, bIh) == 16, "header offset");
static_assert(offsetof(mnemo_gru_pointwise_fwd_params, bHh) == 24, "header offset");
static_assert(offsetof(mnemo_gru_pointwise_fwd_params, hPrev) == 32, "header offset");
static_assert(offsetof(mnemo_gru_pointwise_fwd_params, hOut) == 40, "header offset");
static_assert(offsetof(mnemo_gru_pointwise_fwd_params, gates) == 48, "header offset");
static_assert(offsetof(mnemo_gru_pointwise_fwd_params, hn) == 56, "header offset");
static_assert(offsetof(mnemo_gru_pointwise_fwd_params, batch) == 64, "header offset");
static_assert(offsetof(mnemo_gru_pointwise_fwd_params, hidden) == 72, "header offset");
static_assert(offsetof(mnemo_gru_pointwise_fwd_params, ldhPrev) == 80, "header offset");
static_assert(offsetof(mnemo_gru_pointwise_fwd_params, ldh) == 88, "header offset");
static_assert(offsetof(mnemo_gru_pointwise_fwd_params, ghSplits) == 96, "header offset");
static_assert(offsetof(mnemo_gru_pointwise_fwd_params, ghSplitStride) == 104, "header offset");

// One thread per (b, j). hPrev and hOut are strided rows (either may be a column slice of the
// output sequence); gx, gh, gates and hn are dense. The header lets gates alias gx (the layers
// overwrite the projection with the activations): a thread reads its three gate elements before
// it writes them, and no other thread touches them, so gx and gates carry no __restrict__.
template <bool Training>
__device__ __forceinline__ void pointwise(const float* gx, const float* __restrict__ gh,
                                          const float* __restrict__ bIh,
                                          const float* __restrict__ bHh,
                                          const float* __restrict__ hPrev,
                                          float* __restrict__ hOut, float* gates,
                                          float* __restrict__ hnOut, long long batch,
                                          long long hidden, long long ldhPrev, long long ldh,
                                          long long ghSplits, long long ghSplitStride) {
  const long long i = grid_thread_index();
  if (i >= batch * hidden) return;  // bounds guard
  const RowCol rc = row_col(i, hidden);
  const long long g0 = rc.row * kGates * hidden + rc.col;  // gate r of (b, j) in [B, 3H]
  const long long gz = g0 + hidden;
  const long long gn = g0 + 2 * hidden;
  const long long bz = hidden + rc.col;
  const long long bn = 2 * hidden + rc.col;
  // PyTorch's fused cell: each side gets its own bias first, then the sides are added.
  const float ghR = split_sum(gh, g0, ghSplits, ghSplitStride);
  const float ghZ = split_sum(gh, gz, ghSplits, ghSplitStride);
  const float ghN = split_sum(gh, gn, ghSplits, ghSplitStride);
  const float r = stable_sigmoid((gx[g0] + load_or_zero(bIh, rc.col)) +
                                 (ghR + load_or_zero(bHh, rc.col)));
  const float z = stable_sigmoid((gx[gz] + load_or_zero(bIh, bz)) + (ghZ + load_or_zero(bHh, bz)));
  const float hn = ghN + load_or_zero(bHh, bn);
  const float n = stable_tanh((gx[gn] + load_or_zero(bIh, bn)) + r * hn);
  const float h = hPrev[rc.row * ldhPrev + rc.col];
  hOut[rc.row * ldh + rc.col] = n + z * (h - n);  // = (1 − z)⊙n + z⊙h, PyTorch's form
  if (Training) {
    gates[g0] = r;
    gates[gz] = z;
    gates[gn] = n;
    hnOut[i] = hn;
  }
}

template <bool Training>
__device__ __forceinline__ void pointwise(const mnemo_gru_pointwise_fwd_params& p) {
  pointwise<Training>(p.gx, p.gh, p.bIh, p.bHh, p.hPrev, p.hOut, p.gates, p.hn, p.batch,
                      p.hidden, p.ldhPrev, p.ldh, p.ghSplits, p.ghSplitStride);
}
}  // namespace mnemo::gru::fwd

// ── exported instantiations ──
extern "C" __global__ void __launch_bounds__(mnemo::gru::fwd::kBlockThreads)
    mnemo_gru_pointwise_fwd_train_f32(mnemo_gru_pointwise_fwd_params p) {
  mnemo::gru::fwd::pointwise<true>(p);
}

extern "C" __global__ void __launch_bounds__(mnemo::gru::fwd::kBlockThreads)
    mnemo_gru_pointwise_fwd_infer_f32(mnemo_gru_pointwise_fwd_params p) {
  mnemo::gru::fwd::pointwise<false>(p);
}
