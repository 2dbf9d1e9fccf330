// persistent_cell_bwd.cuh — family "persistent": one backward cell step of one (b, j), shared by
// the cooperative (persistent_bwd.cu) and cluster (persistent_cluster_bwd.cu) whole-sequence
// kernels, so both compute exactly the per-step backward kernels' expressions.
#pragma once

#include "mnemo_kernels.h"
#include "mnemo_math.cuh"
#include "persistent_common.cuh"

namespace mnemo::persistent {

// The cell backward of unit j, batch row b, step t (the per-step backward kernels' expressions):
// writes the step's pre-activation gradients and leaves in dhs the part of ∂L/∂h_{t−1} that does
// not pass through W_hh (GRU: dh ⊙ z; else 0), in dcs ∂L/∂c_{t−1} (LSTM).
template <Cell C>
__device__ __forceinline__ void cell_backward(const mnemo_persistent_bwd_params& p, float* dhs,
                                              float* dcs, int i, long long j, long long b,
                                              long long t, long long tPrev, bool first) {
  constexpr int G = kGatesOf<C>;
  const long long H = p.hidden;
  const long long bh = (t * p.batch + b) * H + j;
  const long long g0 = (t * p.batch + b) * G * H + j;
  const float dh = (p.dy != nullptr ? p.dy[bh] : 0.0f) + dhs[i];
  if constexpr (C == Cell::kRnnTanh || C == Cell::kRnnRelu) {
    const float y = p.h[bh];
    p.dWx[g0] = dh * (C == Cell::kRnnRelu ? relu_grad_from_output(y) : tanh_grad_from_output(y));
    dhs[i] = 0.0f;
  } else if constexpr (C == Cell::kLstm) {
    const float ig = p.gates[g0];
    const float fg = p.gates[g0 + H];
    const float cg = p.gates[g0 + 2 * H];
    const float og = p.gates[g0 + 3 * H];
    const float tc = stable_tanh(p.c[bh]);
    const float cPrev = first ? p.c0[b * H + j] : p.c[(tPrev * p.batch + b) * H + j];
    const float dcT = dh * og * tanh_grad_from_output(tc) + dcs[i];
    p.dWx[g0] = dcT * cg * sigmoid_grad_from_output(ig);
    p.dWx[g0 + H] = dcT * cPrev * sigmoid_grad_from_output(fg);
    p.dWx[g0 + 2 * H] = dcT * ig * tanh_grad_from_output(cg);
    p.dWx[g0 + 3 * H] = dh * tc * sigmoid_grad_from_output(og);
    dcs[i] = dcT * fg;
    dhs[i] = 0.0f;
  } else {  // GRU
    const float r = p.gates[g0];
    const float z = p.gates[g0 + H];
    const float n = p.gates[g0 + 2 * H];
    const float hn = p.hn[bh];
    const float hPrev = first ? p.h0[b * H + j] : p.h[(tPrev * p.batch + b) * H + j];
    const float dn = dh * (1.0f - z) * tanh_grad_from_output(n);
    const float dz = dh * (hPrev - n) * sigmoid_grad_from_output(z);
    const float dr = dn * hn * sigmoid_grad_from_output(r);
    p.dWx[g0] = dr;
    p.dWx[g0 + H] = dz;
    p.dWx[g0 + 2 * H] = dn;
    p.dRh[g0] = dr;
    p.dRh[g0 + H] = dz;
    p.dRh[g0 + 2 * H] = dn * r;
    dhs[i] = dh * z;
  }
}

}  // namespace mnemo::persistent
