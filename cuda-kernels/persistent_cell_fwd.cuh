// persistent_cell_fwd.cuh — family "persistent": one forward cell step of one (b, j), shared by the
// cooperative (persistent_fwd.cu) and cluster (persistent_cluster_fwd.cu) whole-sequence kernels,
// so both compute exactly the per-step kernels' expressions.
#pragma once

#include "mnemo_kernels.h"
#include "mnemo_math.cuh"
#include "persistent_common.cuh"

namespace mnemo::persistent {

// What one (b, j) needs from global memory that does not depend on the recurrence: step t's input
// projection gx and the biases. Loaded ahead of time (the next step's gx during the step barrier),
// so the step's critical path has no global load of its own.
template <Cell C>
struct StepInputs {
  float gx[kGatesOf<C>];
  float bIh[kGatesOf<C>];
  float bHh[kGatesOf<C>];
};

template <Cell C>
__device__ __forceinline__ void load_biases(const mnemo_persistent_fwd_params& p, long long j,
                                            StepInputs<C>& in) {
#pragma unroll
  for (int k = 0; k < kGatesOf<C>; ++k) {
    in.bIh[k] = load_or_zero(p.bIh, k * p.hidden + j);
    in.bHh[k] = load_or_zero(p.bHh, k * p.hidden + j);
  }
}

// gx of (t, b, j), gate k into gx[k].
template <Cell C>
__device__ __forceinline__ void load_gx(const mnemo_persistent_fwd_params& p, long long t,
                                        long long b, long long j, float (&gx)[kGatesOf<C>]) {
  const long long g0 = (t * p.batch + b) * kGatesOf<C> * p.hidden + j;
#pragma unroll
  for (int k = 0; k < kGatesOf<C>; ++k) gx[k] = p.gates[g0 + k * p.hidden];
}

template <Cell C>
__device__ __forceinline__ void load_gx(const mnemo_persistent_fwd_params& p, long long t,
                                        long long b, long long j, StepInputs<C>& in) {
  load_gx<C>(p, t, b, j, in.gx);
}

// What one cell step produces: h_t, and what the step saves (LSTM: c_t and the four activations;
// GRU: r, z, n in act[0..2] and hn).
template <Cell C>
struct CellOut {
  float h;
  float c;
  float act[kGatesOf<C>];
  float hn;
};

// The cell of one (b, j): the per-step kernels' expressions (same operation order), with gh = the
// recurrent products a (gate k at a[k·J]), hPrev = h_{t−1}[b, j] (read by GRU only) and cPrev =
// c_{t−1}[b, j] (read by LSTM only). Touches no global memory.
template <Cell C>
__device__ __forceinline__ CellOut<C> cell_compute(const StepInputs<C>& in, const float* a, float hPrev,
                                                   float cPrev, int unitsPerBlock) {
  CellOut<C> out{};
  if constexpr (C == Cell::kRnnTanh || C == Cell::kRnnRelu) {
    const float pre = (in.gx[0] + in.bIh[0]) + (a[0] + in.bHh[0]);
    out.h = C == Cell::kRnnRelu ? relu(pre) : stable_tanh(pre);
  } else if constexpr (C == Cell::kLstm) {
#pragma unroll
    for (int k = 0; k < 4; ++k) {
      const float pre = in.gx[k] + a[k * unitsPerBlock] + in.bIh[k] + in.bHh[k];
      out.act[k] = k == 2 ? stable_tanh(pre) : stable_sigmoid(pre);
    }
    out.c = out.act[1] * cPrev + out.act[0] * out.act[2];
    out.h = out.act[3] * stable_tanh(out.c);
  } else {  // GRU
    const float r = stable_sigmoid((in.gx[0] + in.bIh[0]) + (a[0] + in.bHh[0]));
    const float z = stable_sigmoid((in.gx[1] + in.bIh[1]) + (a[unitsPerBlock] + in.bHh[1]));
    out.hn = a[2 * unitsPerBlock] + in.bHh[2];
    const float n = stable_tanh((in.gx[2] + in.bIh[2]) + r * out.hn);
    out.h = n + z * (hPrev - n);
    out.act[0] = r;
    out.act[1] = z;
    out.act[2] = n;
  }
  return out;
}

// Where LSTM's c of (t, b, j) lives: [T, B, H] when the forward saves a trace, else the running
// c [B, H] (inference), which the thread that owns (b, j) overwrites in place every step.
__device__ __forceinline__ long long c_at(const mnemo_persistent_fwd_params& p, long long t, long long b,
                                          long long j) {
  return ((p.saveGates ? t * p.batch : 0) + b) * p.hidden + j;
}

// A step past row b's end: the row keeps h_{t−1} (and LSTM's c_{t−1}), as the per-step path's
// packed loop does for a finished row.
template <Cell C>
__device__ __forceinline__ CellOut<C> carried_state(float hPrev, float cPrev) {
  CellOut<C> out{};
  out.h = hPrev;
  out.c = cPrev;
  return out;
}

// Stores what cell (t, b, j) produced: h_t, LSTM c_t, and unless the step only `carried` the
// state, the saved gates when asked and GRU hn.
template <Cell C>
__device__ __forceinline__ void cell_store(const mnemo_persistent_fwd_params& p, const CellOut<C>& out,
                                           long long j, long long b, long long t, bool carried = false) {
  constexpr int G = kGatesOf<C>;
  const long long H = p.hidden;
  const long long bh = (t * p.batch + b) * H + j;       // (t, b, j) in [T, B, H]
  const long long g0 = (t * p.batch + b) * G * H + j;  // gate 0 of (t, b, j)
  p.h[bh] = out.h;
  if constexpr (C == Cell::kLstm) p.c[c_at(p, t, b, j)] = out.c;
  if (carried) return;
  if constexpr (C == Cell::kLstm || C == Cell::kGru) {
    if (p.saveGates) {
#pragma unroll
      for (int k = 0; k < G; ++k) p.gates[g0 + k * H] = out.act[k];
    }
  }
  if constexpr (C == Cell::kGru) {
    if (p.hn != nullptr) p.hn[bh] = out.hn;
  }
}

// c_{t−1}[b, j] from global memory: c0 at the first step, else what this same thread stored one
// step ago (a plain load sees it; in inference at the very address it is about to overwrite).
// Only LSTM has one.
template <Cell C>
__device__ __forceinline__ float load_c_prev(const mnemo_persistent_fwd_params& p, long long j, long long b,
                                             long long tPrev, bool first) {
  if constexpr (C == Cell::kLstm) {
    const long long H = p.hidden;
    return first ? p.c0[b * H + j] : p.c[c_at(p, tPrev, b, j)];
  } else {
    return 0.0f;
  }
}

// The input projection done in the kernel (the _x1 kernels: one input feature): x [T, B] and W_ih's
// one column [G·H], the two arguments those kernels take after the params struct.
struct InputProjection {
  const float* x;
  const float* wIh;
};

// What the _x1 kernels keep ahead instead of the next step's gx: x_t[b], and this unit's G weights of
// W_ih, loaded once.
template <Cell C>
struct ProjectedAhead {
  float x;
  float w[kGatesOf<C>];
};

// The next step's input as a kernel keeps it ahead: gx itself, or (kProjects) ProjectedAhead.
template <Cell C, bool kProjects>
struct AheadOf {
  using type = float[kGatesOf<C>];
};

template <Cell C>
struct AheadOf<C, true> {
  using type = ProjectedAhead<C>;
};

// gx of (t, b, j) into `in`: loaded, or formed from x_t[b] and W_ih (kProjects). __fmul_rn keeps
// the product apart from the cell's later additions, so it rounds once, as the host's GEMM of one
// input column does.
template <Cell C, bool kProjects>
__device__ __forceinline__ void load_step_input(const mnemo_persistent_fwd_params& p, const InputProjection& proj,
                                                long long t, long long b, long long j, StepInputs<C>& in) {
  if constexpr (kProjects) {
    const float x = proj.x[t * p.batch + b];
#pragma unroll
    for (int k = 0; k < kGatesOf<C>; ++k) in.gx[k] = __fmul_rn(x, proj.wIh[k * p.hidden + j]);
  } else {
    load_gx<C>(p, t, b, j, in);
  }
}

// The loads before a whole-sequence kernel's first step for (b, j): step 0's gx into `in`, step
// 1's into `gxAhead` (the kernels keep the next step's gx loaded ahead, see advance_inputs), and
// LSTM's c0.
template <Cell C>
__device__ __forceinline__ float prime_inputs(const mnemo_persistent_fwd_params& p, const InputProjection&,
                                              long long b, long long j, StepInputs<C>& in,
                                              float (&gxAhead)[kGatesOf<C>]) {
  load_gx<C>(p, p.reverse ? p.steps - 1 : 0, b, j, in);
  if (p.steps > 1) load_gx<C>(p, p.reverse ? p.steps - 2 : 1, b, j, gxAhead);
  return load_c_prev<C>(p, j, b, 0, true);
}

// As above with the input projected here: the unit's weights once, step 0's gx formed, step 1's x.
template <Cell C>
__device__ __forceinline__ float prime_inputs(const mnemo_persistent_fwd_params& p, const InputProjection& proj,
                                              long long b, long long j, StepInputs<C>& in,
                                              ProjectedAhead<C>& ahead) {
#pragma unroll
  for (int k = 0; k < kGatesOf<C>; ++k) ahead.w[k] = proj.wIh[k * p.hidden + j];
  load_step_input<C, true>(p, proj, p.reverse ? p.steps - 1 : 0, b, j, in);
  if (p.steps > 1) ahead.x = proj.x[(p.reverse ? p.steps - 2 : 1) * p.batch + b];
  return load_c_prev<C>(p, j, b, 0, true);
}

// After the cell of (b, j) at step t (the s-th processed; `last`: the final one): stores what it
// produced, keeps LSTM's c_t for the next step, moves the next step's gx into place and loads the
// one after it. A load from DRAM can take longer than a step; issued two steps ahead it has landed
// by the time it moves.
template <Cell C>
__device__ __forceinline__ void advance_inputs(const mnemo_persistent_fwd_params& p, const InputProjection&,
                                               const CellOut<C>& out, long long b, long long j, long long t,
                                               long long s, bool last, bool carried, StepInputs<C>& in,
                                               float (&gxAhead)[kGatesOf<C>], float& c) {
  cell_store<C>(p, out, j, b, t, carried);
  c = out.c;
  if (!last) {
#pragma unroll
    for (int g = 0; g < kGatesOf<C>; ++g) in.gx[g] = gxAhead[g];
    if (s + 2 < p.steps) load_gx<C>(p, p.reverse ? t - 2 : t + 2, b, j, gxAhead);
  }
}

// As above with the input projected here: the next step's gx formed from the x loaded two steps
// ago, and the x of the step after it loaded.
template <Cell C>
__device__ __forceinline__ void advance_inputs(const mnemo_persistent_fwd_params& p, const InputProjection& proj,
                                               const CellOut<C>& out, long long b, long long j, long long t,
                                               long long s, bool last, bool carried, StepInputs<C>& in,
                                               ProjectedAhead<C>& ahead, float& c) {
  cell_store<C>(p, out, j, b, t, carried);
  c = out.c;
  if (!last) {
#pragma unroll
    for (int g = 0; g < kGatesOf<C>; ++g) in.gx[g] = __fmul_rn(ahead.x, ahead.w[g]);
    if (s + 2 < p.steps) ahead.x = proj.x[(p.reverse ? t - 2 : t + 2) * p.batch + b];
  }
}

// One cell step of (b, j) at step t: compute (or carry the state past the row's end), store,
// return h_t[b, j].
template <Cell C>
__device__ __forceinline__ float cell_step(const mnemo_persistent_fwd_params& p,
                                           const StepInputs<C>& in, const float* a, float hPrev,
                                           int unitsPerBlock, long long j, long long b,
                                           long long t, long long tPrev, bool first) {
  const float cPrev = load_c_prev<C>(p, j, b, tPrev, first);
  const bool carried = past_end(p.lengths, b, t);
  const CellOut<C> out = carried ? carried_state<C>(hPrev, cPrev) : cell_compute<C>(in, a, hPrev, cPrev, unitsPerBlock);
  cell_store<C>(p, out, j, b, t, carried);
  return out.h;
}

}  // namespace mnemo::persistent
