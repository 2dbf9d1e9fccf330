// persistent_fwd.cu — family "persistent": the whole-sequence forward of one RNN / LSTM / GRU
// layer and direction in one cooperative launch, W_hh kept in shared memory for all steps (see
// mnemo_kernels.h, "family: persistent"). Entry points: mnemo_persistent_rnn_fwd_tanh_f32,
// mnemo_persistent_rnn_fwd_relu_f32, mnemo_persistent_lstm_fwd_f32, mnemo_persistent_gru_fwd_f32.
#include <cstddef>

#include "mnemo_kernels.h"
#include "mnemo_math.cuh"
#include "persistent_common.cuh"
#include "persistent_grid_barrier.cuh"

namespace mnemo::persistent {
static_assert(sizeof(mnemo_persistent_fwd_params) == 120, "header: 120 bytes");
static_assert(offsetof(mnemo_persistent_fwd_params, gates) == 0, "header offset");
static_assert(offsetof(mnemo_persistent_fwd_params, wHh) == 8, "header offset");
static_assert(offsetof(mnemo_persistent_fwd_params, bIh) == 16, "header offset");
static_assert(offsetof(mnemo_persistent_fwd_params, bHh) == 24, "header offset");
static_assert(offsetof(mnemo_persistent_fwd_params, h0) == 32, "header offset");
static_assert(offsetof(mnemo_persistent_fwd_params, c0) == 40, "header offset");
static_assert(offsetof(mnemo_persistent_fwd_params, h) == 48, "header offset");
static_assert(offsetof(mnemo_persistent_fwd_params, c) == 56, "header offset");
static_assert(offsetof(mnemo_persistent_fwd_params, hn) == 64, "header offset");
static_assert(offsetof(mnemo_persistent_fwd_params, barrier) == 72, "header offset");
static_assert(offsetof(mnemo_persistent_fwd_params, steps) == 80, "header offset");
static_assert(offsetof(mnemo_persistent_fwd_params, batch) == 88, "header offset");
static_assert(offsetof(mnemo_persistent_fwd_params, hidden) == 96, "header offset");
static_assert(offsetof(mnemo_persistent_fwd_params, unitsPerBlock) == 104, "header offset");
static_assert(offsetof(mnemo_persistent_fwd_params, reverse) == 108, "header offset");
static_assert(offsetof(mnemo_persistent_fwd_params, saveGates) == 112, "header offset");
static_assert(offsetof(mnemo_persistent_fwd_params, reserved) == 116, "header offset");

// What one (b, j) needs from global memory that does not depend on the recurrence: step t's input
// projection gx and the biases. Loaded ahead of time (the next step's gx during the grid barrier),
// so the step's critical path has no global load but h_{t−1}'s.
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
// order), with gh = acc.
template <Cell C>
__device__ __forceinline__ void cell_step(const mnemo_persistent_fwd_params& p,
                                          const StepInputs<C>& in, const float* acc,
                                          const float* hs, int rows, int unitsPerBlock, int jj,
                                          long long j, long long b, long long t, long long tPrev,
                                          bool first) {
  constexpr int G = kGatesOf<C>;
  const long long H = p.hidden;
  const long long bh = (t * p.batch + b) * H + j;                  // (t, b, j) in [T, B, H]
  const long long g0 = (t * p.batch + b) * G * H + j;             // gate 0 of (t, b, j)
  const float* a = acc + b * rows + jj;                            // gate k at a[k·J]
  if constexpr (C == Cell::kRnnTanh || C == Cell::kRnnRelu) {
    const float pre = (in.gx[0] + in.bIh[0]) + (a[0] + in.bHh[0]);
    p.h[bh] = C == Cell::kRnnRelu ? relu(pre) : stable_tanh(pre);
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
    p.h[bh] = act[3] * stable_tanh(c);
    if (p.saveGates) {
#pragma unroll
      for (int k = 0; k < 4; ++k) p.gates[g0 + k * H] = act[k];
    }
  } else {  // GRU
    const float r = stable_sigmoid((in.gx[0] + in.bIh[0]) + (a[0] + in.bHh[0]));
    const float z = stable_sigmoid((in.gx[1] + in.bIh[1]) + (a[unitsPerBlock] + in.bHh[1]));
    const float hn = a[2 * unitsPerBlock] + in.bHh[2];
    const float n = stable_tanh((in.gx[2] + in.bIh[2]) + r * hn);
    const float hPrev = hs[b * H + j];
    p.h[bh] = n + z * (hPrev - n);
    if (p.saveGates) {
      p.gates[g0] = r;
      p.gates[g0 + H] = z;
      p.gates[g0 + 2 * H] = n;
    }
    if (p.hn != nullptr) p.hn[bh] = hn;
  }
}

template <Cell C>
__device__ __forceinline__ void forward(const mnemo_persistent_fwd_params& p) {
  constexpr int G = kGatesOf<C>;
  const int hidden = static_cast<int>(p.hidden);
  const int batch = static_cast<int>(p.batch);
  const int unitsPerBlock = p.unitsPerBlock;
  const int rows = G * unitsPerBlock;
  const int j0 = static_cast<int>(blockIdx.x) * unitsPerBlock;
  const int owned = min(unitsPerBlock, hidden - j0);  // >= 1 when gridDim.x = ceil(H / J)

  float* w = dynamic_shared_floats();  // [G·J, H]
  float* hs = w + rows * hidden;       // [B, H]
  float* acc = hs + batch * hidden;    // [B, G·J]

  // This block's W_hh rows, once: row k·J + jj of the slice is row k·H + j0 + jj of W_hh.
  for (int i = static_cast<int>(threadIdx.x); i < rows * hidden; i += kBlockThreads) {
    const int r = i / hidden;
    const int col = i - r * hidden;
    const int k = r / unitsPerBlock;
    const int jj = r - k * unitsPerBlock;
    w[i] = jj < owned ? p.wHh[(static_cast<long long>(k) * hidden + j0 + jj) * hidden + col] : 0.0f;
  }

  const long long steps = p.steps;
  const int bhCount = batch * hidden;
  const int items = batch * owned;  // the block's (b, j) cells per step
  // The latency-bound case: every thread has at most one (b, j), the same one every step, so its
  // biases stay in registers and its next gx is fetched while the grid waits at the barrier.
  const bool onePerThread = items <= kBlockThreads;
  const int mine = static_cast<int>(threadIdx.x);
  const int myB = onePerThread && mine < items ? mine / owned : 0;
  const int myJj = onePerThread && mine < items ? mine - myB * owned : 0;
  StepInputs<C> next{};
  if (onePerThread && mine < items) {
    load_biases<C>(p, j0 + myJj, next);
    load_gx<C>(p, p.reverse ? steps - 1 : 0, myB, j0 + myJj, next);
  }
  for (long long s = 0; s < steps; ++s) {
    const long long t = p.reverse ? steps - 1 - s : s;
    const long long tPrev = p.reverse ? t + 1 : t - 1;
    if (s == 0) {
      for (int i = static_cast<int>(threadIdx.x); i < bhCount; i += kBlockThreads) hs[i] = p.h0[i];
    } else {
      // h_{t−1} was written by other blocks during this launch: read it from L2, not L1.
      const float* src = p.h + tPrev * bhCount;
      for (int i = static_cast<int>(threadIdx.x); i < bhCount; i += kBlockThreads) {
        hs[i] = __ldcg(src + i);
      }
    }
    __syncthreads();
    recurrent_product(w, hs, acc, rows, unitsPerBlock, owned, batch, hidden);
    __syncthreads();
    if (onePerThread) {
      if (mine < items) {
        cell_step<C>(p, next, acc, hs, rows, unitsPerBlock, myJj, j0 + myJj, myB, t, tPrev, s == 0);
        if (s + 1 < steps) load_gx<C>(p, p.reverse ? t - 1 : t + 1, myB, j0 + myJj, next);
      }
    } else {
      for (int i = static_cast<int>(threadIdx.x); i < items; i += kBlockThreads) {
        const int b = i / owned;
        const int jj = i - b * owned;
        StepInputs<C> in;
        load_biases<C>(p, j0 + jj, in);
        load_gx<C>(p, t, b, j0 + jj, in);
        cell_step<C>(p, in, acc, hs, rows, unitsPerBlock, jj, j0 + jj, b, t, tPrev, s == 0);
      }
    }
    if (s + 1 < steps) grid_barrier(p.barrier, static_cast<unsigned int>(s + 1));
  }
  grid_barrier_release(p.barrier);
}
}  // namespace mnemo::persistent

// ── exported instantiations ──
// (…, 1): one block per SM by design, so ptxas may use the registers it wants (with the default
// bound it capped the GRU forward at 48 and spilled the prefetched step inputs).
extern "C" __global__ void __launch_bounds__(mnemo::persistent::kBlockThreads, 1)
    mnemo_persistent_rnn_fwd_tanh_f32(mnemo_persistent_fwd_params p) {
  mnemo::persistent::forward<mnemo::persistent::Cell::kRnnTanh>(p);
}

extern "C" __global__ void __launch_bounds__(mnemo::persistent::kBlockThreads, 1)
    mnemo_persistent_rnn_fwd_relu_f32(mnemo_persistent_fwd_params p) {
  mnemo::persistent::forward<mnemo::persistent::Cell::kRnnRelu>(p);
}

extern "C" __global__ void __launch_bounds__(mnemo::persistent::kBlockThreads, 1)
    mnemo_persistent_lstm_fwd_f32(mnemo_persistent_fwd_params p) {
  mnemo::persistent::forward<mnemo::persistent::Cell::kLstm>(p);
}

extern "C" __global__ void __launch_bounds__(mnemo::persistent::kBlockThreads, 1)
    mnemo_persistent_gru_fwd_f32(mnemo_persistent_fwd_params p) {
  mnemo::persistent::forward<mnemo::persistent::Cell::kGru>(p);
}
