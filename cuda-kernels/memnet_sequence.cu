// memnet_sequence.cu — family "memnet": MemNet's whole teacher-forced sequence in one launch,
// forward and backward (mnemo_memnet_seq_fwd_f32, mnemo_memnet_seq_bwd_f32; see
// mnemo_kernels.h). The layer's step loop queues seven launches a step forward and nine backward,
// each a few microseconds of host time over a few hundred floats a row; here a block runs one
// batch row through every step, the cell's weight in shared memory throughout.
//
// The phases and products are memnet_cell.cuh's. The memory of row b is its own history: the k, v
// columns of o_{t−f} … o_{t−1} (forward) and of dO (backward), written by this block earlier and
// visible to it after a barrier.
#include <math_constants.h>

#include "dropout_hash.cuh"
#include "memnet_cell.cuh"
#include "mnemo_kernels.h"
#include "mnemo_math.cuh"

namespace mnemo::memnet_seq {
using namespace mnemo::memnet_cell;

// Slots a warp takes at once in the backward's two dot products per slot (warp_slot_dots).
constexpr int kBackwardSlotsPerRound = 3;

// Row b's history at step t: the row of a [T, B, ·] tensor.
__device__ __forceinline__ long long history_row(long long t, long long batch, long long b) { return t * batch + b; }
}  // namespace mnemo::memnet_seq

// 80 registers a thread (three blocks an SM by registers; the read's four-slot rounds: held at 64
// by __launch_bounds__, ptxas spills).
extern "C" __global__ void __launch_bounds__(mnemo::memnet_seq::kThreads)
    mnemo_memnet_seq_fwd_f32(mnemo_memnet_seq_fwd_params p) {
  using namespace mnemo;
  using namespace mnemo::memnet_seq;
  const long long b = blockIdx.x;
  const int tid = static_cast<int>(threadIdx.x);
  const auto [steps, batch, dIn, dk, dv, slots, S, width, ldw] = sizes_of(p);
  const int parts = parts_for(S);

  float* w = dynamic_shared_floats();  // [S, ldw]
  float* u = w + S * ldw;        // [width]  u_t
  float* o = u + width;          // [S]      o_{t−1}, then o_t
  float* c = o + S;              // [d_v]    c_{t−1}, then c_t
  float* partial = c + dv;       // [parts, S]
  float* prob = partial + parts * S;  // [M]  scores, then probabilities
  float* stat = prob + slots;    // [1]      lse

  load_weight(p.weight, S, width, ldw, w);
  for (long long i = tid; i < S; i += kThreads) o[i] = p.h0[i];
  for (long long j = tid; j < dv; j += kThreads) c[j] = p.c0[j];
  const bool drop = p.dropoutP > 0.0;
  const double keep_scale = 1.0 / (1.0 - p.dropoutP);
  const unsigned long long mixed_seed = dropout::mix64(static_cast<unsigned long long>(p.dropoutSeed));
  const float scale = static_cast<float>(p.scale);
  __syncthreads();

  for (long long t = 0; t < steps; ++t) {
    const long long row = history_row(t, batch, b);
    float* u_row = p.u + row * width;
    // u_t = [x_t, dropout(relu(h_{t−1})), c_{t−1}]
    for (long long j = tid; j < width; j += kThreads) {
      float v;
      if (j < dIn) {
        v = u_row[j];
      } else if (j < dIn + S) {
        const long long i = j - dIn;
        v = relu(o[i]);
        if (drop) {  // as mnemo_dropout_apply_f32 on the step's [B, S] block: one rounding from double
          const unsigned long long index = static_cast<unsigned long long>(p.dropoutOffset) +
                                           static_cast<unsigned long long>((t * batch + b) * S + i);
          const bool keep = dropout::uniform(mixed_seed, index) >= p.dropoutP;
          v = static_cast<float>(static_cast<double>(v) * (keep ? keep_scale : 0.0));
        }
        p.r[row * S + i] = v;
        u_row[j] = v;
      } else {
        v = c[j - dIn - S];
        u_row[j] = v;
      }
      u[j] = v;
    }
    __syncthreads();
    product(w, ldw, u, S, width, parts, p.bias, partial, o, p.o + row * S);  // o_t = weight·u_t + bias
    // the read of q_t = o_t[0, d_k) over the k, v columns of the window's history rows
    const long long filled = t < slots ? t : slots;
    const long long empty = p.maskEmptySlots ? 0 : slots - filled;
    const float* first = p.o + history_row(t - filled, batch, b) * S;
    const float lse = read(o, Slots{first + dk, batch * S, first + 2 * dk, batch * S}, filled, empty, dk, dv, scale,
                           prob, stat, partial, parts * S, c, p.c + row * dv);
    if (tid == 0) p.lse[row] = lse;
  }
}

// Three blocks an SM by registers (80 a thread, no spill), as before the split dq; ptxas picks 128
// when free to, which would leave two.
extern "C" __global__ void __launch_bounds__(mnemo::memnet_seq::kThreads, 3)
    mnemo_memnet_seq_bwd_f32(mnemo_memnet_seq_bwd_params p) {
  using namespace mnemo;
  using namespace mnemo::memnet_seq;
  const long long b = blockIdx.x;
  const int tid = static_cast<int>(threadIdx.x);
  const int lane = tid % kWarpSize;
  const int warp = tid / kWarpSize;
  const auto [steps, batch, dIn, dk, dv, slots, S, width, ldw] = sizes_of(p);
  const long long dOut = p.outputWidth;
  const int parts = parts_for(width);

  float* w = dynamic_shared_floats();  // [S, ldw]
  float* g = w + S * ldw;        // [S]      ∂L/∂o_t
  float* du = g + S;             // [width]  ∂L/∂u_t
  float* dh = du + width;        // [S]      ∂L/∂h_t through step t+1
  float* dc = dh + S;            // [d_v]    ∂L/∂c_t
  float* partial = dc + dv;      // [parts, width]
  float* prob = partial + parts * width;  // [M] a_m
  float* ds = prob + slots;      // [M]      ⟨v_m, dc⟩, then ∂L/∂s_m

  load_weight(p.weight, S, width, ldw, w);
  for (long long k = tid; k < steps * S; k += kThreads) {  // the reads add into dO: start from 0
    const long long t = k / S;
    p.dO[history_row(t, batch, b) * S + (k - t * S)] = 0.0f;
  }
  for (long long i = tid; i < S; i += kThreads) dh[i] = 0.0f;
  for (long long j = tid; j < dv; j += kThreads) dc[j] = 0.0f;
  const float scale = static_cast<float>(p.scale);
  const float dropout_scale = static_cast<float>(p.dropoutScale);
  __syncthreads();

  for (long long t = steps - 1; t >= 0; --t) {
    const long long row = history_row(t, batch, b);
    const float* dy = p.dy + row * dOut;
    const float* q = p.o + row * S;
    float* dO_row = p.dO + row * S;
    // dc += dy_t·W_c;  g = dO_t + dy_t·W_s + dh
    for (long long j = tid; j < dv; j += kThreads) {
      float acc = dc[j];
      for (long long k = 0; k < dOut; ++k) acc = fmaf(dy[k], p.readOutWeight[k * dv + j], acc);
      dc[j] = acc;
    }
    for (long long i = tid; i < S; i += kThreads) {
      float acc = dO_row[i] + dh[i];
      for (long long k = 0; k < dOut; ++k) acc = fmaf(dy[k], p.stateOutWeight[k * S + i], acc);
      g[i] = acc;
    }
    __syncthreads();
    // the read's backward: a_m from the saved lse, ⟨v_m, dc⟩ (warp_slot_dots)
    const long long filled = t < slots ? t : slots;
    const long long first = t - filled;
    const float lse = p.lse[row];
    warp_slot_dots<kBackwardSlotsPerRound, true>(filled, p.o + history_row(first, batch, b) * S + dk, batch * S, q,
                                                 dk, dk, dc, dv, [&](long long m, const float (&dots)[2]) {
                                                   prob[m] = expf(finite_score(scale * dots[0]) - lse);
                                                   ds[m] = dots[1];
                                                 });
    __syncthreads();
    if (warp == 0 && filled > 0) {  // ds_m = a_m·(⟨v_m, dc⟩ − ⟨c_t, dc⟩)
      float d = 0.0f;
      for (long long j = lane; j < dv; j += kWarpSize) d = fmaf(p.c[row * dv + j], dc[j], d);
      d = warp_sum(d);
      for (long long m = lane; m < filled; m += kWarpSize) ds[m] = prob[m] * (ds[m] - d);
    }
    __syncthreads();
    // dq into g's q columns (partial is free until dU)
    weighted_rows(ds, p.o + history_row(first, batch, b) * S + dk, batch * S, filled, dk, partial, parts * width,
                  [&](long long j, float v) { g[j] += scale * v; });
    for (long long k = tid; k < filled * (dk + dv); k += kThreads) {  // dK, dV into the window's dO rows
      const long long m = k / (dk + dv), j = k - m * (dk + dv);
      float* target = p.dO + history_row(first + m, batch, b) * S + dk + j;
      *target += j < dk ? scale * ds[m] * q[j] : prob[m] * dc[j - dk];
    }
    __syncthreads();
    // dO_t is complete; dU_t = g·weight, the S rows of the weight in `parts` groups
    for (long long i = tid; i < S; i += kThreads) dO_row[i] = g[i];
    float* dU_row = p.dU + row * width;  // a pointer, not the structured binding, goes into the lambda (C++17)
    grouped_sum(g, w, ldw, S, width, partial, parts, [&](long long j, float v) {
      du[j] = v;
      dU_row[j] = v;
    });
    __syncthreads();
    // to step t−1: through r_t = dropout(relu(h_{t−1})) (r > 0 exactly where both kept it) and c_{t−1}
    for (long long i = tid; i < S; i += kThreads) {
      dh[i] = (p.r[row * S + i] > 0.0f ? du[dIn + i] : 0.0f) * dropout_scale;
    }
    for (long long j = tid; j < dv; j += kThreads) dc[j] = du[dIn + S + j];
    __syncthreads();
  }
  for (long long i = tid; i < S; i += kThreads) p.dh0[b * S + i] = dh[i];
  for (long long j = tid; j < dv; j += kThreads) p.dc0[b * dv + j] = dc[j];
}
