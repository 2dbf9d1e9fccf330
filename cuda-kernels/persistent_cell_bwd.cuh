// persistent_cell_bwd.cuh — family "persistent": one backward cell step of one (b, j), shared by
// the cooperative (persistent_bwd.cu) and cluster (persistent_cluster_bwd.cu) whole-sequence
// kernels, so both compute exactly the per-step backward kernels' expressions.
#pragma once

#include "mnemo_kernels.h"
#include "mnemo_math.cuh"
#include "persistent_common.cuh"

namespace mnemo::persistent {

// What the cell backward of one (b, j) at step t reads from global memory, none of it produced by
// the backward's recurrence, so it can be loaded a step ahead: dy and the forward's saved values
// (RNN: y = h_t; LSTM: i, f, g, o, c_t, c_{t−1}; GRU: r, z, n, hn, h_{t−1}).
template <Cell C>
struct BwdInputs {
  float dy;
  float v[6];
};

template <Cell C>
__device__ __forceinline__ void load_bwd_inputs(const mnemo_persistent_bwd_params& p, long long j, long long b,
                                                long long t, long long tPrev, bool first, BwdInputs<C>& in) {
  const long long H = p.hidden;
  const long long bh = (t * p.batch + b) * H + j;
  const long long g0 = (t * p.batch + b) * kGatesOf<C> * H + j;
  in.dy = p.dy != nullptr ? p.dy[bh] : 0.0f;
  if constexpr (C == Cell::kRnnTanh || C == Cell::kRnnRelu) {
    in.v[0] = p.h[bh];
  } else if constexpr (C == Cell::kLstm) {
#pragma unroll
    for (int k = 0; k < 4; ++k) in.v[k] = p.gates[g0 + k * H];
    in.v[4] = p.c[bh];
    in.v[5] = first ? p.c0[b * H + j] : p.c[(tPrev * p.batch + b) * H + j];
  } else {  // GRU
#pragma unroll
    for (int k = 0; k < 3; ++k) in.v[k] = p.gates[g0 + k * H];
    in.v[3] = p.hn[bh];
    in.v[4] = first ? p.h0[b * H + j] : p.h[(tPrev * p.batch + b) * H + j];
  }
}

// What the cell backward produces: the step's pre-activation gradients (dWx; dRh, what goes through
// W_hh, equals dWx but for GRU's n gate), the part of ∂L/∂h_{t−1} that does not pass through W_hh
// (GRU: dh ⊙ z; else 0) and ∂L/∂c_{t−1} (LSTM).
template <Cell C>
struct BwdOut {
  float dWx[kGatesOf<C>];
  float dRh[kGatesOf<C>];
  float dhRest;
  float dcPrev;
};

// The per-step backward kernels' expressions, with dh = dy + dhCarried (∂L/∂h_t from the step after)
// and dcCarried = ∂L/∂c_t (LSTM). Touches no global memory.
template <Cell C>
__device__ __forceinline__ BwdOut<C> cell_backward_compute(const BwdInputs<C>& in, float dhCarried,
                                                           float dcCarried) {
  BwdOut<C> out{};
  const float dh = in.dy + dhCarried;
  if constexpr (C == Cell::kRnnTanh || C == Cell::kRnnRelu) {
    const float y = in.v[0];
    out.dWx[0] = C == Cell::kRnnRelu ? relu_backward(dh, y) : dh * tanh_grad_from_output(y);
    out.dRh[0] = out.dWx[0];
  } else if constexpr (C == Cell::kLstm) {
    const float ig = in.v[0];
    const float fg = in.v[1];
    const float cg = in.v[2];
    const float og = in.v[3];
    const float tc = stable_tanh(in.v[4]);
    const float cPrev = in.v[5];
    const float dcT = dh * og * tanh_grad_from_output(tc) + dcCarried;
    out.dWx[0] = dcT * cg * sigmoid_grad_from_output(ig);
    out.dWx[1] = dcT * cPrev * sigmoid_grad_from_output(fg);
    out.dWx[2] = dcT * ig * tanh_grad_from_output(cg);
    out.dWx[3] = dh * tc * sigmoid_grad_from_output(og);
#pragma unroll
    for (int k = 0; k < 4; ++k) out.dRh[k] = out.dWx[k];
    out.dcPrev = dcT * fg;
  } else {  // GRU
    const float r = in.v[0];
    const float z = in.v[1];
    const float n = in.v[2];
    const float hn = in.v[3];
    const float hPrev = in.v[4];
    const float dn = dh * (1.0f - z) * tanh_grad_from_output(n);
    const float dz = dh * (hPrev - n) * sigmoid_grad_from_output(z);
    const float dr = dn * hn * sigmoid_grad_from_output(r);
    out.dWx[0] = dr;
    out.dWx[1] = dz;
    out.dWx[2] = dn;
    out.dRh[0] = dr;
    out.dRh[1] = dz;
    out.dRh[2] = dn * r;
    out.dhRest = dh * z;
  }
  return out;
}

// A step past row b's end, where the forward carried the state (h_t = h_{t−1}, c_t = c_{t−1}):
// no pre-activation gradient, and ∂L/∂h (dh = dy + the carried part) and ∂L/∂c pass on whole.
template <Cell C>
__device__ __forceinline__ BwdOut<C> carried_gradients(float dh, float dcCarried) {
  BwdOut<C> out{};
  out.dhRest = dh;
  out.dcPrev = dcCarried;
  return out;
}

// Stores the step's pre-activation gradients: dWx, and GRU's dRh.
template <Cell C>
__device__ __forceinline__ void store_bwd(const mnemo_persistent_bwd_params& p, const BwdOut<C>& out, long long j,
                                          long long b, long long t) {
  constexpr int G = kGatesOf<C>;
  const long long H = p.hidden;
  const long long g0 = (t * p.batch + b) * G * H + j;
#pragma unroll
  for (int k = 0; k < G; ++k) p.dWx[g0 + k * H] = out.dWx[k];
  if constexpr (C == Cell::kGru) {
#pragma unroll
    for (int k = 0; k < G; ++k) p.dRh[g0 + k * H] = out.dRh[k];
  }
}

// The whole-sequence backward's order of steps (the wide-block backward's; the cluster backward
// spells it out in lambdas): the s-th processed is the forward's step stepOf(s), last to first;
// prevOf(t) is the forward step before t, firstOf(t) whether t came first.
struct BwdOrder {
  long long steps;
  bool reverse;
  __device__ __forceinline__ long long stepOf(long long s) const { return reverse ? s : steps - 1 - s; }
  __device__ __forceinline__ long long prevOf(long long t) const { return reverse ? t + 1 : t - 1; }
  __device__ __forceinline__ bool firstOf(long long t) const { return reverse ? t == steps - 1 : t == 0; }
};

// The saved values of the s-th processed step of (b, j), for load_bwd_inputs' caller.
template <Cell C>
__device__ __forceinline__ void load_bwd_step(const mnemo_persistent_bwd_params& p, const BwdOrder& order,
                                              long long j, long long b, long long s, BwdInputs<C>& in) {
  const long long t = order.stepOf(s);
  load_bwd_inputs<C>(p, j, b, t, order.prevOf(t), order.firstOf(t), in);
}

// After the s-th processed step's cell backward of (b, j): stores its pre-activation gradients,
// moves the next step's saved values into place and loads the ones after it (two steps ahead, as
// the forward loads gx).
template <Cell C>
__device__ __forceinline__ void advance_bwd_inputs(const mnemo_persistent_bwd_params& p, const BwdOrder& order,
                                                   const BwdOut<C>& out, long long j, long long b, long long s,
                                                   BwdInputs<C>& in, BwdInputs<C>& ahead) {
  store_bwd<C>(p, out, j, b, order.stepOf(s));
  if (s + 1 < order.steps) {
    in = ahead;
    if (s + 2 < order.steps) load_bwd_step<C>(p, order, j, b, s + 2, ahead);
  }
}

// The cell backward of unit j, batch row b, step t (carried past the row's end): writes the step's
// pre-activation gradients and leaves in dhs[i] the part of ∂L/∂h_{t−1} that does not pass through W_hh, in dcs[i] ∂L/∂c_{t−1}.
template <Cell C>
__device__ __forceinline__ void cell_backward(const mnemo_persistent_bwd_params& p, float* dhs,
                                              float* dcs, int i, long long j, long long b,
                                              long long t, long long tPrev, bool first) {
  BwdInputs<C> in;
  load_bwd_inputs<C>(p, j, b, t, tPrev, first, in);
  const BwdOut<C> out = past_end(p.lengths, b, t) ? carried_gradients<C>(in.dy + dhs[i], dcs[i])
                                                   : cell_backward_compute<C>(in, dhs[i], dcs[i]);
  store_bwd<C>(p, out, j, b, t);
  if constexpr (C == Cell::kLstm) dcs[i] = out.dcPrev;
  dhs[i] = out.dhRest;
}

}  // namespace mnemo::persistent
