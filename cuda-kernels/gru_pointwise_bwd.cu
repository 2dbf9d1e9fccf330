// gru_pointwise_bwd.cu — family "gru": the fused per-step pointwise backward of a GRU cell from
// the saved r, z, n and hn (see mnemo_kernels.h). Entry point: mnemo_gru_pointwise_bwd_f32.
#include <cstddef>

#include "mnemo_kernels.h"
#include "mnemo_math.cuh"

namespace mnemo::gru::bwd {
constexpr int kBlockThreads = 256;  // the header's launch contract
constexpr int kGates = 3;

// The header's byte layout, which the Java launcher writes field by field.
static_assert(sizeof(mnemo_gru_pointwise_bwd_params) == 96, "header: 96 bytes");
static_assert(offsetof(mnemo_gru_pointwise_bwd_params, dy) == 0, "header offset");
static_assert(offsetof(mnemo_gru_pointwise_bwd_params, dhRec) == 8, "header offset");
static_assert(offsetof(mnemo_gru_pointwise_bwd_params, gates) == 16, "header offset");
static_assert(offsetof(mnemo_gru_pointwise_bwd_params, hn) == 24, "header offset");
static_assert(offsetof(mnemo_gru_pointwise_bwd_params, hPrev) == 32, "header offset");
static_assert(offsetof(mnemo_gru_pointwise_bwd_params, dgx) == 40, "header offset");
static_assert(offsetof(mnemo_gru_pointwise_bwd_params, dgh) == 48, "header offset");
static_assert(offsetof(mnemo_gru_pointwise_bwd_params, dhPrevDirect) == 56, "header offset");
static_assert(offsetof(mnemo_gru_pointwise_bwd_params, batch) == 64, "header offset");
static_assert(offsetof(mnemo_gru_pointwise_bwd_params, hidden) == 72, "header offset");
static_assert(offsetof(mnemo_gru_pointwise_bwd_params, ldy) == 80, "header offset");
static_assert(offsetof(mnemo_gru_pointwise_bwd_params, ldhPrev) == 88, "header offset");

// One thread per (b, j). dhRec and dhPrevDirect carry no __restrict__: the header lets them
// alias (a thread reads its dhRec element before writing the same dhPrevDirect element).
__device__ __forceinline__ void pointwise(const float* __restrict__ dy, const float* dhRec,
                                          const float* __restrict__ gates,
                                          const float* __restrict__ hnIn,
                                          const float* __restrict__ hPrev,
                                          float* __restrict__ dgx, float* __restrict__ dgh,
                                          float* dhPrevDirect, long long batch, long long hidden,
                                          long long ldy, long long ldhPrev) {
  const long long i = grid_thread_index();
  if (i >= batch * hidden) return;  // bounds guard
  const RowCol rc = row_col(i, hidden);
  const long long g0 = rc.row * kGates * hidden + rc.col;
  const long long gz = g0 + hidden;
  const long long gn = g0 + 2 * hidden;

  const float dh = (dy != nullptr ? dy[rc.row * ldy + rc.col] : 0.0f) + load_or_zero(dhRec, i);
  const float r = gates[g0];
  const float z = gates[gz];
  const float n = gates[gn];
  const float hn = hnIn[i];
  const float h = hPrev[rc.row * ldhPrev + rc.col];
  // PyTorch's fused GRU backward, term for term.
  const float dn = dh * (1.0f - z) * tanh_grad_from_output(n);
  const float dz = dh * (h - n) * sigmoid_grad_from_output(z);
  const float dr = dn * hn * sigmoid_grad_from_output(r);
  dgx[g0] = dr;
  dgx[gz] = dz;
  dgx[gn] = dn;
  dgh[g0] = dr;
  dgh[gz] = dz;
  dgh[gn] = dn * r;
  dhPrevDirect[i] = dh * z;
}
}  // namespace mnemo::gru::bwd

extern "C" __global__ void __launch_bounds__(mnemo::gru::bwd::kBlockThreads)
    mnemo_gru_pointwise_bwd_f32(mnemo_gru_pointwise_bwd_params p) {
  mnemo::gru::bwd::pointwise(p.dy, p.dhRec, p.gates, p.hn, p.hPrev, p.dgx, p.dgh, p.dhPrevDirect,
                             p.batch, p.hidden, p.ldy, p.ldhPrev);
}
