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

template <Cell C>
__device__ __forceinline__ void load_gx(const mnemo_persistent_fwd_params& p, long long t,
                                        long long b, long long j, StepInputs<C>& in) {
  const long long g0 = (t * p.batch + b) * kGatesOf<C> * p.hidden + j;
#pragma unroll
  for (int k = 0; k < kGatesOf<C>; ++k) in.gx[k] = p.gates[g0 + k * p.hidden];
}

// The cell of unit j, batch row b, step t: the per-step kernels' expressions (same operation
// order), with gh = the recurrent products a (gate k at a[k·J]) and hPrev = h_{t−1}[b, j] (read
// by GRU only). Stores h_t (and c_t, the saved gates, hn) and returns h_t[b, j].
template <Cell C>
__device__ __forceinline__ float cell_step(const mnemo_persistent_fwd_params& p,
                                           const StepInputs<C>& in, const float* a, float hPrev,
                                           int unitsPerBlock, long long j, long long b,
                                           long long t, long long tPrev, bool first) {
  constexpr int G = kGatesOf<C>;
  const long long H = p.hidden;
  const long long bh = (t * p.batch + b) * H + j;                  // (t, b, j) in [T, B, H]
  const long long g0 = (t * p.batch + b) * G * H + j;             // gate 0 of (t, b, j)
  if constexpr (C == Cell::kRnnTanh || C == Cell::kRnnRelu) {
    const float pre = (in.gx[0] + in.bIh[0]) + (a[0] + in.bHh[0]);
    const float h = C == Cell::kRnnRelu ? relu(pre) : stable_tanh(pre);
    p.h[bh] = h;
    return h;
  } else if constexpr (C == Cell::kLstm) {
    float act[4];
#pragma unroll
    for (int k = 0; k < 4; ++k) {
      const float pre = in.gx[k] + a[k * unitsPerBlock] + in.bIh[k] + in.bHh[k];
      act[k] = k == 2 ? stable_tanh(pre) : stable_sigmoid(pre);
    }
    // c_{t−1} was written by this same thread one step ago (or is c0): a plain load sees it.
    const float cPrev = first ? p.c0[b * H + j] : p.c[(tPrev * p.batch + b) * H + j];
    const float c = act[1] * cPrev + act[0] * act[2];
    p.c[bh] = c;
    const float h = act[3] * stable_tanh(c);
    p.h[bh] = h;
    if (p.saveGates) {
#pragma unroll
      for (int k = 0; k < 4; ++k) p.gates[g0 + k * H] = act[k];
    }
    return h;
  } else {  // GRU
    const float r = stable_sigmoid((in.gx[0] + in.bIh[0]) + (a[0] + in.bHh[0]));
    const float z = stable_sigmoid((in.gx[1] + in.bIh[1]) + (a[unitsPerBlock] + in.bHh[1]));
    const float hn = a[2 * unitsPerBlock] + in.bHh[2];
    const float n = stable_tanh((in.gx[2] + in.bIh[2]) + r * hn);
    const float h = n + z * (hPrev - n);
    p.h[bh] = h;
    if (p.saveGates) {
      p.gates[g0] = r;
      p.gates[g0 + H] = z;
      p.gates[g0 + 2 * H] = n;
    }
    if (p.hn != nullptr) p.hn[bh] = hn;
    return h;
  }
}

}  // namespace mnemo::persistent
