// loss_softmax_xent_fwd.cu — family "loss": per-row softmax cross-entropy with ignore index −1,
// max-subtracted, saving (max, log Σ exp) per row for the backward (see mnemo_kernels.h).
// Entry point: mnemo_loss_softmax_xent_fwd_f32.
#include <math_constants.h>

#include "mnemo_kernels.h"
#include "mnemo_math.cuh"

namespace mnemo::loss::xent_fwd {
constexpr int kBlockThreads = 256;  // the header's launch contract
constexpr int kWarps = kBlockThreads / kWarpSize;
constexpr int kIgnoreIndex = -1;

// A running log-sum-exp: max of the values seen and sum = Σ exp(x − max). The empty state is
// (−inf, 0).
struct MaxSum {
  float max;
  float sum;
};

// Adds one value. When x raises the max, the sum is rescaled by exp(old − new) ≤ 1 — no exp
// ever sees a positive argument, so nothing overflows. x = −inf adds exp(−inf) = 0 (skipped:
// −inf − (−inf) would be NaN); a NaN x makes the sum NaN, as PyTorch's result would be.
__device__ __forceinline__ void add(MaxSum& a, float x) {
  if (x > a.max) {
    a.sum = a.sum * expf(a.max - x) + 1.0f;
    a.max = x;
  } else if (x != -CUDART_INF_F) {
    a.sum += expf(x - a.max);
  }
}

// Merges two states. Symmetric bit for bit (max is, and sa + sb == sb + sa), so a butterfly
// leaves the same bits in every lane. A side that saw nothing (−inf, 0) contributes 0. A side
// that saw only NaN is (−inf, NaN), and its NaN must survive: with C ≤ 32 each lane holds one
// class, and dropping it gave a finite loss for a row with a NaN logit.
__device__ __forceinline__ float weighted_sum(MaxSum a, float m) {
  return a.max == -CUDART_INF_F && a.sum == 0.0f ? 0.0f : a.sum * expf(a.max - m);
}

__device__ __forceinline__ MaxSum merge(MaxSum a, MaxSum b) {
  const float m = fmaxf(a.max, b.max);
  return {m, weighted_sum(a, m) + weighted_sum(b, m)};
}

__device__ __forceinline__ MaxSum warp_merge(MaxSum v) {
#pragma unroll
  for (int offset = kWarpSize / 2; offset > 0; offset >>= 1) {
    const MaxSum other{__shfl_xor_sync(kFullWarpMask, v.max, offset),
                       __shfl_xor_sync(kFullWarpMask, v.sum, offset)};
    v = merge(v, other);
  }
  return v;
}

// The block's merged state, returned to every thread (same bits everywhere: warp totals are
// merged in warp order by each thread). Every thread must call it (two barriers).
__device__ __forceinline__ MaxSum block_merge(MaxSum v) {
  __shared__ MaxSum warpTotals[kWarps];
  const int lane = static_cast<int>(threadIdx.x) % kWarpSize;
  const int warp = static_cast<int>(threadIdx.x) / kWarpSize;
  v = warp_merge(v);
  if (lane == 0) warpTotals[warp] = v;
  __syncthreads();
  MaxSum total{-CUDART_INF_F, 0.0f};
  for (int w = 0; w < kWarps; ++w) total = merge(total, warpTotals[w]);
  __syncthreads();  // the next row's writes must wait until every thread has read these
  return total;
}

// Written by one thread per row, from the row's merged state.
__device__ __forceinline__ void finish_row(const float* __restrict__ x, int target, MaxSum ms,
                                           float* __restrict__ lossRow,
                                           float* __restrict__ statsRow, long long classes) {
  const float logSum = logf(ms.sum);
  if (statsRow != nullptr) {
    statsRow[0] = ms.max;
    statsRow[1] = logSum;
  }
  float loss;
  if (target == kIgnoreIndex) {
    loss = 0.0f;
  } else if (target < 0 || target >= classes) {
    loss = CUDART_NAN_F;  // invalid target: visible, and no out-of-range read
  } else {
    loss = logSum - (x[target] - ms.max);  // −log_softmax[target], PyTorch's (x − max) − log s
  }
  *lossRow = loss;
}
}  // namespace mnemo::loss::xent_fwd

// Rows are walked grid-stride by "teams": a warp per row for C <= 1024 (lanes stride the
// columns, ≤ 32 values each), the whole block per row beyond. The team choice depends only on
// C, and the per-thread order of columns and the merge tree only on C and the team size, so
// any grid gives the same bits. The loops' conditions are the bounds guards; in the block path
// the row loop is uniform per block, so every thread reaches block_merge's barriers.
extern "C" __global__ void __launch_bounds__(mnemo::loss::xent_fwd::kBlockThreads)
    mnemo_loss_softmax_xent_fwd_f32(const float* __restrict__ logits,
                                    const int* __restrict__ targets, float* __restrict__ loss,
                                    float* __restrict__ stats, long long rows, long long classes) {
  using namespace mnemo::loss::xent_fwd;
  const int lane = static_cast<int>(threadIdx.x) % mnemo::kWarpSize;
  const int warp = static_cast<int>(threadIdx.x) / mnemo::kWarpSize;
  if (classes <= MNEMO_LOSS_XENT_WARP_MAX_CLASSES) {
    const long long stride = static_cast<long long>(gridDim.x) * kWarps;
    for (long long row = static_cast<long long>(blockIdx.x) * kWarps + warp; row < rows;
         row += stride) {
      const float* x = logits + row * classes;
      MaxSum ms{-CUDART_INF_F, 0.0f};
      for (long long c = lane; c < classes; c += mnemo::kWarpSize) add(ms, x[c]);
      ms = warp_merge(ms);
      if (lane == 0) {
        finish_row(x, targets[row], ms, loss + row, stats != nullptr ? stats + 2 * row : nullptr,
                   classes);
      }
    }
  } else {
    for (long long row = blockIdx.x; row < rows; row += gridDim.x) {
      const float* x = logits + row * classes;
      MaxSum ms{-CUDART_INF_F, 0.0f};
      for (long long c = threadIdx.x; c < classes; c += kBlockThreads) add(ms, x[c]);
      ms = block_merge(ms);
      if (threadIdx.x == 0) {
        finish_row(x, targets[row], ms, loss + row, stats != nullptr ? stats + 2 * row : nullptr,
                   classes);
      }
    }
  }
}
