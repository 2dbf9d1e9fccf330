// persistent_fwd.cu — family "persistent": the whole-sequence forward of one RNN / LSTM / GRU
// layer and direction in one cooperative launch, W_hh kept in shared memory for all steps (see
// mnemo_kernels.h, "family: persistent"). Entry points: mnemo_persistent_rnn_fwd_tanh_f32,
// mnemo_persistent_rnn_fwd_relu_f32, mnemo_persistent_lstm_fwd_f32, mnemo_persistent_gru_fwd_f32.
#include <cstddef>

#include "mnemo_kernels.h"
#include "mnemo_math.cuh"
#include "persistent_cell_fwd.cuh"
#include "persistent_common.cuh"
#include "persistent_grid_barrier.cuh"

namespace mnemo::persistent {
static_assert(sizeof(mnemo_persistent_fwd_params) == 128, "header: 128 bytes");
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
static_assert(offsetof(mnemo_persistent_fwd_params, tuning) == 116, "header offset");
static_assert(offsetof(mnemo_persistent_fwd_params, lengths) == 120, "header offset");

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

  load_weight_rows(p.wHh, w, rows, unitsPerBlock, owned, j0, hidden);

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
        cell_step<C>(p, next, acc + myB * rows + myJj, hs[myB * hidden + j0 + myJj], unitsPerBlock,
                     j0 + myJj, myB, t, tPrev, s == 0);
        if (s + 1 < steps) load_gx<C>(p, p.reverse ? t - 1 : t + 1, myB, j0 + myJj, next);
      }
    } else {
      for (int i = static_cast<int>(threadIdx.x); i < items; i += kBlockThreads) {
        const int b = i / owned;
        const int jj = i - b * owned;
        StepInputs<C> in;
        load_biases<C>(p, j0 + jj, in);
        load_gx<C>(p, t, b, j0 + jj, in);
        cell_step<C>(p, in, acc + b * rows + jj, hs[b * hidden + j0 + jj], unitsPerBlock, j0 + jj, b,
                     t, tPrev, s == 0);
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
