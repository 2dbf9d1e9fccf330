// persistent_bwd.cu — family "persistent": the whole-sequence backward of one RNN / LSTM / GRU
// layer and direction in one cooperative launch, the W_hh columns of each block's units kept in
// shared memory for all steps (see mnemo_kernels.h, "family: persistent"). Entry points:
// mnemo_persistent_rnn_bwd_tanh_f32, mnemo_persistent_rnn_bwd_relu_f32,
// mnemo_persistent_lstm_bwd_f32, mnemo_persistent_gru_bwd_f32.
#include <cstddef>

#include "mnemo_kernels.h"
#include "mnemo_math.cuh"
#include "persistent_cell_bwd.cuh"
#include "persistent_common.cuh"
#include "persistent_grid_barrier.cuh"

namespace mnemo::persistent {
static_assert(sizeof(mnemo_persistent_bwd_params) == 152, "header: 152 bytes");
static_assert(offsetof(mnemo_persistent_bwd_params, gates) == 0, "header offset");
static_assert(offsetof(mnemo_persistent_bwd_params, wHh) == 8, "header offset");
static_assert(offsetof(mnemo_persistent_bwd_params, h0) == 16, "header offset");
static_assert(offsetof(mnemo_persistent_bwd_params, c0) == 24, "header offset");
static_assert(offsetof(mnemo_persistent_bwd_params, h) == 32, "header offset");
static_assert(offsetof(mnemo_persistent_bwd_params, c) == 40, "header offset");
static_assert(offsetof(mnemo_persistent_bwd_params, hn) == 48, "header offset");
static_assert(offsetof(mnemo_persistent_bwd_params, dy) == 56, "header offset");
static_assert(offsetof(mnemo_persistent_bwd_params, dh) == 64, "header offset");
static_assert(offsetof(mnemo_persistent_bwd_params, dc) == 72, "header offset");
static_assert(offsetof(mnemo_persistent_bwd_params, dWx) == 80, "header offset");
static_assert(offsetof(mnemo_persistent_bwd_params, dRh) == 88, "header offset");
static_assert(offsetof(mnemo_persistent_bwd_params, barrier) == 96, "header offset");
static_assert(offsetof(mnemo_persistent_bwd_params, steps) == 104, "header offset");
static_assert(offsetof(mnemo_persistent_bwd_params, batch) == 112, "header offset");
static_assert(offsetof(mnemo_persistent_bwd_params, hidden) == 120, "header offset");
static_assert(offsetof(mnemo_persistent_bwd_params, unitsPerBlock) == 128, "header offset");
static_assert(offsetof(mnemo_persistent_bwd_params, reverse) == 132, "header offset");
static_assert(offsetof(mnemo_persistent_bwd_params, tuning) == 136, "header offset");
static_assert(offsetof(mnemo_persistent_bwd_params, reserved) == 140, "header offset");
static_assert(offsetof(mnemo_persistent_bwd_params, lengths) == 144, "header offset");

template <Cell C>
__device__ __forceinline__ void backward(const mnemo_persistent_bwd_params& p) {
  constexpr int G = kGatesOf<C>;
  const int hidden = static_cast<int>(p.hidden);
  const int batch = static_cast<int>(p.batch);
  const int gh = G * hidden;
  const int unitsPerBlock = p.unitsPerBlock;
  const int j0 = static_cast<int>(blockIdx.x) * unitsPerBlock;
  const int owned = min(unitsPerBlock, hidden - j0);
  const int mine = batch * unitsPerBlock;  // [B, J] arrays, row stride J

  float* w = dynamic_shared_floats();   // [J, G·H]: row kk = column j0 + kk of W_hh
  float* ds = w + unitsPerBlock * gh;   // [B, G·H]: step t's dRh, all units
  float* acc = ds + batch * gh;         // [B, J]: ds · W_hh[:, own]
  float* dhs = acc + mine;              // [B, J]: ∂L/∂h arriving from the step after
  float* dcs = dhs + mine;              // [B, J]: ∂L/∂c (LSTM)

  load_weight_columns(p.wHh, w, gh, unitsPerBlock, owned, j0, hidden);
  for (int i = static_cast<int>(threadIdx.x); i < batch * owned; i += kBlockThreads) {
    const int b = i / owned;
    const int kk = i - b * owned;
    const long long at = static_cast<long long>(b) * hidden + j0 + kk;
    dhs[b * unitsPerBlock + kk] = p.dh[at];
    dcs[b * unitsPerBlock + kk] = C == Cell::kLstm ? p.dc[at] : 0.0f;
  }
  __syncthreads();

  const float* dRh = C == Cell::kGru ? p.dRh : p.dWx;
  const long long steps = p.steps;
  for (long long s = 0; s < steps; ++s) {
    // backward visits the forward's steps last to first
    const long long t = p.reverse ? s : steps - 1 - s;
    const long long tPrev = p.reverse ? t + 1 : t - 1;
    const bool first = p.reverse ? t == steps - 1 : t == 0;  // the forward's first step
    for (int i = static_cast<int>(threadIdx.x); i < batch * owned; i += kBlockThreads) {
      const int b = i / owned;
      const int kk = i - b * owned;
      cell_backward<C>(p, dhs, dcs, b * unitsPerBlock + kk, j0 + kk, b, t, tPrev, first);
    }
    grid_barrier(p.barrier, static_cast<unsigned int>(s + 1));
    // every unit's dRh of step t, written by other blocks this launch: from L2, not L1
    const float* src = dRh + t * batch * gh;
    for (int i = static_cast<int>(threadIdx.x); i < batch * gh; i += kBlockThreads) {
      ds[i] = __ldcg(src + i);
    }
    __syncthreads();
    recurrent_product(w, ds, acc, unitsPerBlock, unitsPerBlock, owned, batch, gh);
    __syncthreads();
    for (int i = static_cast<int>(threadIdx.x); i < batch * owned; i += kBlockThreads) {
      const int b = i / owned;
      const int kk = i - b * owned;
      dhs[b * unitsPerBlock + kk] += acc[b * unitsPerBlock + kk];
    }
    __syncthreads();
  }
  for (int i = static_cast<int>(threadIdx.x); i < batch * owned; i += kBlockThreads) {
    const int b = i / owned;
    const int kk = i - b * owned;
    const long long at = static_cast<long long>(b) * hidden + j0 + kk;
    p.dh[at] = dhs[b * unitsPerBlock + kk];
    if (C == Cell::kLstm) p.dc[at] = dcs[b * unitsPerBlock + kk];
  }
  grid_barrier_release(p.barrier);
}
}  // namespace mnemo::persistent

// ── exported instantiations ──
extern "C" __global__ void __launch_bounds__(mnemo::persistent::kBlockThreads)
    mnemo_persistent_rnn_bwd_tanh_f32(mnemo_persistent_bwd_params p) {
  mnemo::persistent::backward<mnemo::persistent::Cell::kRnnTanh>(p);
}

extern "C" __global__ void __launch_bounds__(mnemo::persistent::kBlockThreads)
    mnemo_persistent_rnn_bwd_relu_f32(mnemo_persistent_bwd_params p) {
  mnemo::persistent::backward<mnemo::persistent::Cell::kRnnRelu>(p);
}

extern "C" __global__ void __launch_bounds__(mnemo::persistent::kBlockThreads)
    mnemo_persistent_lstm_bwd_f32(mnemo_persistent_bwd_params p) {
  mnemo::persistent::backward<mnemo::persistent::Cell::kLstm>(p);
}

extern "C" __global__ void __launch_bounds__(mnemo::persistent::kBlockThreads)
    mnemo_persistent_gru_bwd_f32(mnemo_persistent_bwd_params p) {
  mnemo::persistent::backward<mnemo::persistent::Cell::kGru>(p);
}
