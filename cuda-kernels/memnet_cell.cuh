// memnet_cell.cuh — family "memnet": what MemNet's one-launch loops share (memnet_sequence.cu,
// memnet_stream.cu): a block of MNEMO_MEMNET_SEQ_THREADS threads runs one batch row, the cell's
// weight in shared memory at an odd row stride; a step's phases are block barriers, and each
// phase gives a thread whole outputs (or whole partial sums), so every sum's order is fixed by the
// sizes.
#pragma once

#include <math_constants.h>

#include "mnemo_kernels.h"
#include "mnemo_math.cuh"

namespace mnemo::memnet_cell {
constexpr int kThreads = MNEMO_MEMNET_SEQ_THREADS;
constexpr int kWarps = kThreads / kWarpSize;

// Odd row stride: thread i reading w[i·ldw + j] for one j meets 32 different banks.
__device__ __forceinline__ long long weight_stride(long long width) { return width | 1; }

// Threads that share one output of a matrix–vector product of n outputs (header: P(n)).
__device__ __forceinline__ int parts_for(long long n) {
  const long long p = kThreads / n;
  return p < 1 ? 1 : (p > MNEMO_MEMNET_SEQ_MAX_PARTS ? MNEMO_MEMNET_SEQ_MAX_PARTS : static_cast<int>(p));
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
  for (int offset = kWarpSize / 2; offset > 0; offset >>= 1) {
    v = fmaxf(v, __shfl_xor_sync(kFullWarpMask, v, offset));
  }
  return v;
}

// weight [rows, width] (dense) into shared memory at row stride ldw.
__device__ __forceinline__ void load_weight(const float* __restrict__ weight, long long rows, long long width,
                                            long long ldw, float* __restrict__ w) {
  for (long long i = threadIdx.x; i < rows * width; i += kThreads) {
    const long long row = i / width;
    w[row * ldw + (i - row * width)] = weight[i];
  }
}

// The sizes the loops take from their params: S = 2·d_k + d_v, W = d_in + S + d_v, ldw.
struct Sizes {
  long long steps, batch, dIn, dk, dv, slots, S, width, ldw;
};

template <typename P>
__device__ __forceinline__ Sizes sizes_of(const P& p) {
  const long long S = 2 * p.keyWidth + p.valueWidth, width = p.inputWidth + S + p.valueWidth;
  return {p.steps, p.batch, p.inputWidth, p.keyWidth, p.valueWidth, p.slots, S, width, weight_stride(width)};
}

// o[i] = Σ_j w[i·ldw + j]·u[j] + bias[i] for i < rows, into shared o and (when given) oOut: thread
// (part, i) sums columns [part·chunk, (part+1)·chunk) of row i into partial [parts, rows], then
// thread i adds the parts in order. Ends with a barrier: o is complete.
__device__ __forceinline__ void product(const float* w, long long ldw, const float* u, long long rows, long long width,
                                        int parts, const float* __restrict__ bias, float* partial, float* o,
                                        float* oOut) {
  const long long chunk = (width + parts - 1) / parts;
  for (long long k = threadIdx.x; k < parts * rows; k += kThreads) {
    const long long part = k / rows, i = k - part * rows;
    const long long j1 = min(width, (part + 1) * chunk);
    const float* wr = w + i * ldw;
    float acc = 0.0f;
#pragma unroll 4
    for (long long j = part * chunk; j < j1; ++j) acc = fmaf(wr[j], u[j], acc);
    partial[k] = acc;
  }
  __syncthreads();
  for (long long i = threadIdx.x; i < rows; i += kThreads) {
    float acc = 0.0f;
    for (int part = 0; part < parts; ++part) acc += partial[part * rows + i];
    const float v = acc + bias[i];
    o[i] = v;
    if (oOut != nullptr) oOut[i] = v;
  }
  __syncthreads();
}

// Slots a group of threads takes at least in weighted_rows: fewer would not pay for the second
// pass and its barrier (the paper's M = 8 always takes the one-group loop).
constexpr long long kMinSlotsPerGroup = 16;

// Groups that share weighted_rows' sum of `filled` slots for `width` columns: at most what the
// block's threads and the scratch hold; 1 means the plain loop.
__device__ __forceinline__ long long slot_groups(long long filled, long long width, long long scratchFloats) {
  long long g = filled / kMinSlotsPerGroup;
  g = min(g, static_cast<long long>(kThreads) / width);
  g = min(g, scratchFloats / width);
  return g < 1 ? 1 : g;
}

// store(j, Σ_{m < n} a[m]·rows[m·stride + j]) for each j < width, in `groups` groups of threads:
// thread (g, j) sums group g's run of terms into scratch [groups, width], then thread j adds the
// groups in order, so every sum's order is fixed by the sizes. One barrier, between the passes;
// none after the stores. Uniform control flow.
template <typename Store>
__device__ __forceinline__ void grouped_sum(const float* a, const float* rows, long long stride, long long n,
                                            long long width, float* scratch, long long groups, Store store) {
  const long long run = (n + groups - 1) / groups;
  for (long long k = threadIdx.x; k < groups * width; k += kThreads) {
    const long long g = k / width, j = k - g * width;
    const long long m1 = min(n, (g + 1) * run);
    float acc = 0.0f;
#pragma unroll 4
    for (long long m = g * run; m < m1; ++m) acc = fmaf(a[m], rows[m * stride + j], acc);
    scratch[k] = acc;
  }
  __syncthreads();
  for (long long j = threadIdx.x; j < width; j += kThreads) {
    float acc = 0.0f;
    for (long long g = 0; g < groups; ++g) acc += scratch[g * width + j];
    store(j, acc);
  }
}

// store(j, Σ_{m < filled} a[m]·rows[m·stride + j]) for each j < width: a read's weighted sum over
// its slots. With few slots thread j sums every slot (only `width` threads work, no barrier);
// with many (slot_groups) the slots are split over groups by grouped_sum.
template <typename Store>
__device__ __forceinline__ void weighted_rows(const float* a, const float* rows, long long stride, long long filled,
                                              long long width, float* scratch, long long scratchFloats, Store store) {
  const long long groups = slot_groups(filled, width, scratchFloats);
  if (groups > 1) {
    grouped_sum(a, rows, stride, filled, width, scratch, groups, store);
    return;
  }
  for (long long j = threadIdx.x; j < width; j += kThreads) {
    float acc = 0.0f;
#pragma unroll 4
    for (long long m = 0; m < filled; ++m) acc = fmaf(a[m], rows[m * stride + j], acc);
    store(j, acc);
  }
}

// Where a read's slots lie: key m at keys + m·keyStride, value m at values + m·valueStride.
struct Slots {
  const float* keys;
  long long keyStride;
  const float* values;
  long long valueStride;
};

// Slots a warp takes at once in the forward read's scores (warp_slot_dots).
constexpr int kScoreSlotsPerRound = 4;

// For the slots m = warp, warp + kWarps, … below `filled`, each warp's dot products of slot m's row
// (rows + m·stride) with one or two shared vectors, done(m, dots) in lane 0: dots[0] =
// Σ_{j < n0} row[j]·x0[j], and with kTwo dots[1] = Σ_{j < n1} row[off1 + j]·x1[j]. Each sum runs over j
// in lane order and is reduced by warp_sum, so it has the bits of a warp taking one slot at a time.
// A warp takes R slots a round, their loads issued together: at 256 slots a warp waited for 32
// rounds of a load and five shuffles, one slot after another. Slots past `filled` in a warp's last
// round read slot filled − 1 (a valid row) and are not reported. Uniform control flow within a warp.
template <int R, bool kTwo, typename Done>
__device__ __forceinline__ void warp_slot_dots(long long filled, const float* rows, long long stride, const float* x0,
                                               long long n0, long long off1, const float* x1, long long n1,
                                               Done done) {
  const int lane = static_cast<int>(threadIdx.x) % kWarpSize;
  const int warp = static_cast<int>(threadIdx.x) / kWarpSize;
  for (long long first = warp; first < filled; first += static_cast<long long>(kWarps) * R) {
    const float* row[R];
    float d0[R], d1[R];
#pragma unroll
    for (int u = 0; u < R; ++u) {
      row[u] = rows + min(first + u * kWarps, filled - 1) * stride;
      d0[u] = 0.0f;
      d1[u] = 0.0f;
    }
    for (long long j = lane; j < n0; j += kWarpSize) {
      const float xj = x0[j];
#pragma unroll
      for (int u = 0; u < R; ++u) d0[u] = fmaf(row[u][j], xj, d0[u]);
    }
    if constexpr (kTwo) {
      for (long long j = lane; j < n1; j += kWarpSize) {
        const float xj = x1[j];
#pragma unroll
        for (int u = 0; u < R; ++u) d1[u] = fmaf(row[u][off1 + j], xj, d1[u]);
      }
    }
#pragma unroll
    for (int u = 0; u < R; ++u) {
      d0[u] = warp_sum(d0[u]);
      if constexpr (kTwo) d1[u] = warp_sum(d1[u]);
    }
    if (lane == 0) {
#pragma unroll
      for (int u = 0; u < R; ++u) {
        const long long m = first + u * kWarps;
        if (m < filled) {
          const float dots[2] = {d0[u], d1[u]};
          done(m, dots);
        }
      }
    }
  }
}

// The read of q [d_k] over `filled` slots plus `empty` zero slots (score 0): scores by
// warp_slot_dots into prob [filled], the softmax in warp 0, then c[j] = Σ_m a_m·v_m[j] (0 with no
// filled slot) into shared c and (when given) cOut, by weighted_rows in `scratch` (scratchFloats
// floats, free during the read). Returns the log-sum-exp in every thread (−∞ with no slot at all).
// Three or four barriers, the last at the end: c is complete and prob, stat, scratch are free again
// after it.
__device__ __forceinline__ float read(const float* q, const Slots& s, long long filled, long long empty, long long dk,
                                      long long dv, float scale, float* prob, float* stat, float* scratch,
                                      long long scratchFloats, float* c, float* cOut) {
  const int lane = static_cast<int>(threadIdx.x) % kWarpSize;
  const int warp = static_cast<int>(threadIdx.x) / kWarpSize;
  warp_slot_dots<kScoreSlotsPerRound, false>(filled, s.keys, s.keyStride, q, dk, 0, nullptr, 0,
                                             [&](long long m, const float (&dots)[2]) { prob[m] = finite_score(scale * dots[0]); });
  __syncthreads();
  if (warp == 0) {  // softmax over the filled slots and the empty ones (score 0)
    float mx = empty > 0 ? 0.0f : -CUDART_INF_F;
    for (long long m = lane; m < filled; m += kWarpSize) mx = fmaxf(mx, prob[m]);
    mx = warp_max(mx);
    float sum = 0.0f;
    for (long long m = lane; m < filled; m += kWarpSize) sum += expf(prob[m] - mx);
    sum = warp_sum(sum);
    // With empty slots mx >= 0; without, every score (so mx) may be below −88, where expf(−mx) = ∞ and the
    // term 0·∞ = NaN: the max with 0 keeps it 0·finite.
    const float emptyTerm = static_cast<float>(empty) * expf(-fmaxf(mx, 0.0f));
    const float lse = filled + empty == 0 ? -CUDART_INF_F : mx + logf(sum + emptyTerm);
    for (long long m = lane; m < filled; m += kWarpSize) prob[m] = expf(prob[m] - lse);
    if (lane == 0) stat[0] = lse;
  }
  __syncthreads();
  weighted_rows(prob, s.values, s.valueStride, filled, dv, scratch, scratchFloats, [&](long long j, float v) {
    c[j] = v;
    if (cOut != nullptr) cOut[j] = v;
  });
  const float lse = stat[0];
  __syncthreads();
  return lse;
}
}  // namespace mnemo::memnet_cell
