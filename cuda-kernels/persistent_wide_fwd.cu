// persistent_wide_fwd.cu — family "persistent": the whole-sequence forward of one RNN / LSTM / GRU
// layer and direction with one block per batch row (up to 384 threads), all of W_hh held in
// registers, one row per thread (see mnemo_kernels.h, "wide-block forward and backward"). Opt-in
// until timed against the cluster plan on a GPU (mnemo_harness persistent_ab, "wide-block").
// Entry points: mnemo_persistent_wide_rnn_fwd_tanh_f32, mnemo_persistent_wide_rnn_fwd_relu_f32,
// mnemo_persistent_wide_lstm_fwd_f32, mnemo_persistent_wide_gru_fwd_f32.
//
// Why: pixel MNIST's GRU (B = 128, H = 128) has 384 slice rows of 128 columns. At 256 threads a
// block holds 256 of them in registers, so the cluster planner splits W_hh over two-block clusters
// of two batch rows, which meet at a cluster barrier every step and write h_t into the peer
// (run 9's phases: 3134 cycles a step, 382 of them arriving, 892 in the cell and the peer writes).
// With 384 threads one block holds every row: 384 × 128 weights are 49,152 of the SM's 65,536
// registers, 168 a thread with the rest, and the step needs only a block barrier. It is the
// cluster kernel's one-block step (StepBarrier's solo path) with a wider block.
//
// An RNN's row r is unit r's whole recurrent input, so its thread runs the cell on its own sum: no
// product in shared memory and one block barrier a step instead of two. Pixel MNIST's RNN (128 rows
// of 128) runs 128 threads, 128 FMAs each; the cluster kernel spreads those rows over 256 threads, 8
// lanes a row, which meet in shuffles and then in shared memory before the cell.
#include "mnemo_kernels.h"
#include "mnemo_math.cuh"
#include "persistent_cell_fwd.cuh"
#include "persistent_common.cuh"
#include "persistent_phases.cuh"
#include "persistent_row_product.cuh"

namespace mnemo::persistent {

constexpr int kWideThreads = MNEMO_PERSISTENT_WIDE_THREADS;
static_assert(kWideThreads % kWarpSize == 0, "whole warps");

template <Cell C, bool kProjects = false>
__device__ __forceinline__ void wide_forward(const mnemo_persistent_fwd_params& p,
                                             const InputProjection& proj = InputProjection{}) {
  constexpr int G = kGatesOf<C>;
  const int hidden = static_cast<int>(p.hidden);
  const int rows = G * hidden;
  const long long steps = p.steps;
  const long long b = blockIdx.x;
  const int r = static_cast<int>(threadIdx.x);
  const int threads = static_cast<int>(blockDim.x);  // G·H rounded up to a warp

  // Row r of W_hh [G·H, H] (gate r / H, unit r mod H), 0 past the rows and the width.
  float w[kRowSliceWidth];
#pragma unroll
  for (int k = 0; k < kRowSliceWidth; ++k) {
    w[k] = r < rows && k < hidden ? p.wHh[static_cast<long long>(r) * hidden + k] : 0.0f;
  }
  // Shared memory: h double-buffered [2, H], the products [G·H] (gate k of unit j at k·H + j),
  // then the biases b_ih and b_hh [2, G·H]: read from there each step, they take no registers
  // while the product holds its 128 weights (in registers ptxas spilled them).
  float* hbuf = dynamic_shared_floats();
  float* acc = hbuf + 2 * hidden;
  float* bias = acc + rows;
  for (int i = r; i < hidden; i += threads) hbuf[i] = p.h0[b * hidden + i];
  for (int i = r; i < rows; i += threads) {
    bias[i] = load_or_zero(p.bIh, i);
    bias[rows + i] = load_or_zero(p.bHh, i);
  }

  // Thread j < H runs the cell of unit j, with the next step's gx loaded two steps ahead (see
  // persistent_cluster_fwd.cu's cluster_steps, whose one-block path this is).
  const bool active = r < hidden;
  const long long j = active ? r : 0;
  StepInputs<C> in{};
  typename AheadOf<C, kProjects>::type ahead = {};  // the input of step s + 1 (gx, or x)
  float c = 0.0f;
  const long long rowEnd = active && p.lengths != nullptr ? p.lengths[b] : steps;  // past it: carry the state
  if (active) c = prime_inputs<C>(p, proj, b, j, in, ahead);
  __syncthreads();  // h0 is in place

  // Phases (persistent_phases.cuh), as the cluster kernels number them: 0 product, 1 block
  // barrier (none for an RNN), 2 cell, 4 output stores and input loads, 5 the step's closing block
  // barrier.
  PhaseClock clock;
  for (long long s = 0; s < steps; ++s) {
    const long long t = p.reverse ? steps - 1 - s : s;
    const bool last = s + 1 == steps;
    const float* hPrev = hbuf + (s & 1) * hidden;
    float* hNext = hbuf + ((s + 1) & 1) * hidden;
    clock.restart();
    // this thread's row sum: an RNN's cell takes it as it is, LSTM's and GRU's take their unit's G
    // rows from shared memory
    float own = 0.0f;
    if constexpr (G == 1) {
      if (r < rows) own = register_row_dot_any(w, reinterpret_cast<const float4*>(hPrev), hidden);
    } else {
      if (r < rows) acc[r] = register_row_dot_any(w, reinterpret_cast<const float4*>(hPrev), hidden);
    }
    clock.lap(0);
    if constexpr (G > 1) __syncthreads();
    clock.lap(1);
    CellOut<C> out{};
    const bool carried = t >= rowEnd;
    if (active) {
#pragma unroll
      for (int k = 0; k < G; ++k) {
        in.bIh[k] = bias[k * hidden + j];
        in.bHh[k] = bias[rows + k * hidden + j];
      }
      const float hp = hPrev[j];
      if constexpr (G == 1) {
        out = carried ? carried_state<C>(hp, c) : cell_compute<C>(in, &own, hp, c, hidden);
      } else {
        out = carried ? carried_state<C>(hp, c) : cell_compute<C>(in, acc + j, hp, c, hidden);
      }
      if (!last) hNext[j] = out.h;
    }
    clock.lap(2);
    if (active) advance_inputs<C>(p, proj, out, b, j, t, s, last, carried, in, ahead, c);
    clock.lap(4);
    // h_t is whole in hNext, and every cell has read hPrev and acc, before the next product.
    if (!last) __syncthreads();
    clock.lap(5);
    clock.count_step();
  }
  clock.flush();
}

}  // namespace mnemo::persistent

// ── exported instantiations (one block per SM by design: 168 registers a thread at 384 threads;
// an RNN's block has at most 128, so ptxas may give it up to 255) ──
extern "C" __global__ void __launch_bounds__(mnemo::persistent::kRowSliceWidth, 1)
    mnemo_persistent_wide_rnn_fwd_tanh_f32(mnemo_persistent_fwd_params p) {
  mnemo::persistent::wide_forward<mnemo::persistent::Cell::kRnnTanh>(p);
}

extern "C" __global__ void __launch_bounds__(mnemo::persistent::kRowSliceWidth, 1)
    mnemo_persistent_wide_rnn_fwd_relu_f32(mnemo_persistent_fwd_params p) {
  mnemo::persistent::wide_forward<mnemo::persistent::Cell::kRnnRelu>(p);
}

extern "C" __global__ void __launch_bounds__(mnemo::persistent::kWideThreads, 1)
    mnemo_persistent_wide_lstm_fwd_f32(mnemo_persistent_fwd_params p) {
  mnemo::persistent::wide_forward<mnemo::persistent::Cell::kLstm>(p);
}

extern "C" __global__ void __launch_bounds__(mnemo::persistent::kWideThreads, 1)
    mnemo_persistent_wide_gru_fwd_f32(mnemo_persistent_fwd_params p) {
  mnemo::persistent::wide_forward<mnemo::persistent::Cell::kGru>(p);
}

// in-kernel input projection variants (mnemo_kernels.h, "Input projection in the kernel")
extern "C" __global__ void __launch_bounds__(mnemo::persistent::kRowSliceWidth, 1)
    mnemo_persistent_wide_rnn_fwd_tanh_x1_f32(mnemo_persistent_fwd_params p, const float* x,
                                           const float* wIh) {
  mnemo::persistent::wide_forward<mnemo::persistent::Cell::kRnnTanh, true>(p, {x, wIh});
}

extern "C" __global__ void __launch_bounds__(mnemo::persistent::kRowSliceWidth, 1)
    mnemo_persistent_wide_rnn_fwd_relu_x1_f32(mnemo_persistent_fwd_params p, const float* x,
                                           const float* wIh) {
  mnemo::persistent::wide_forward<mnemo::persistent::Cell::kRnnRelu, true>(p, {x, wIh});
}

extern "C" __global__ void __launch_bounds__(mnemo::persistent::kWideThreads, 1)
    mnemo_persistent_wide_lstm_fwd_x1_f32(mnemo_persistent_fwd_params p, const float* x,
                                           const float* wIh) {
  mnemo::persistent::wide_forward<mnemo::persistent::Cell::kLstm, true>(p, {x, wIh});
}

extern "C" __global__ void __launch_bounds__(mnemo::persistent::kWideThreads, 1)
    mnemo_persistent_wide_gru_fwd_x1_f32(mnemo_persistent_fwd_params p, const float* x,
                                           const float* wIh) {
  mnemo::persistent::wide_forward<mnemo::persistent::Cell::kGru, true>(p, {x, wIh});
}
