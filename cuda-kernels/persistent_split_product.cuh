// persistent_split_product.cuh — family "persistent": the cluster backward's product for one batch
// row per cluster when the block's slice is up to 128 rows (J) of 257..512 columns (G·H): too wide
// for RegisterSlice (256 columns) and, at pixel MNIST's LSTM (J = 128, G·H = 512: 256 KiB), too big
// for shared memory whole. The first 2R columns live in registers, R per thread: thread t holds row
// t % 128, columns (t / 128)·R .. +R−1. The columns past 2R sit in shared memory transposed,
// [G·H − 2R, J], so that a warp's lanes (consecutive rows) read consecutive words; the block's two
// halves take half of them each. The halves' sums meet in shared memory, in a fixed order.
//
// Why: the shared-memory product of pixel MNIST's LSTM backward (two-block clusters of two batch
// rows) spent 5900 of its 7600 cycles per step there (H200 run 7, persistent_phases). This one
// lets it run one-block clusters of one row, as its forward does (2.31 µs a step in run 10).
//
// Two widths R: kSplitWideColumns (160) where the slice has at least 320 columns, else 128. At
// R = 128 a thread's 256 FMAs a step are half from registers and half from shared memory (pixel
// MNIST's LSTM: 128 KiB of weights read from shared memory a step, at 128 B a cycle about 1000
// cycles of its 2622-cycle product in run 10); at R = 160 they read 96 KiB, and the GRU's 384
// columns 32 KiB instead of 64. 160 is the most the kernels hold without ptxas spilling (nvcc 13,
// sm_90: 176 spills in the GRU backward). Written without a GPU; p.tuning's
// MNEMO_PERSISTENT_TUNE_NARROW_SPLIT brings back R = 128 at every width to time the two.
// p.tuning's MNEMO_PERSISTENT_TUNE_NO_BWD_SPLIT turns the split off where the whole slice fits.
#pragma once

#include "mnemo_kernels.h"
#include "persistent_common.cuh"

namespace mnemo::persistent {

constexpr int kSplitRows = kBlockThreads / 2;  // rows: one per thread of each half
constexpr int kSplitNarrowColumns = 128;       // R per thread, at every width
constexpr int kSplitWideColumns = 160;         // R per thread, from 2R columns on
// The host sizes shared memory by MNEMO_PERSISTENT_CLUSTER_BWD_SPLIT for the narrow layout, the
// one that spills the most; the wide one uses a prefix of that room.
static_assert(kSplitRows == 128 && 2 * kSplitNarrowColumns == 256 && MNEMO_PERSISTENT_BLOCK_THREADS == 256,
              "SplitSlice::fits and MNEMO_PERSISTENT_CLUSTER_BWD_SPLIT must agree");
static_assert(kSplitWideColumns % 4 == 0 && 2 * kSplitWideColumns <= 512, "16-byte aligned halves, inside the widest slice");

// Whether the split applies: one batch row, at most 128 rows, 257..512 columns, a multiple of 4
// (16-byte aligned x rows).
__device__ __forceinline__ bool split_fits(int rows, int batchRows, int width) {
  return batchRows == 1 && rows <= kSplitRows && width > 2 * kSplitNarrowColumns && width <= 512 && width % 4 == 0;
}

// Whether a split slice of `width` columns takes the wide layout.
__device__ __forceinline__ bool split_is_wide(int width, int tuning) {
  return width >= 2 * kSplitWideColumns && (tuning & MNEMO_PERSISTENT_TUNE_NARROW_SPLIT) == 0;
}

template <int R>  // columns per thread in registers
struct SplitSlice {
  static constexpr int kHeld = 2 * R;  // columns in registers, both halves
  float w[R];                          // this thread's columns of its row, 0 past the rows or the owned units

  // Columns in shared memory: width − 2R (width >= 2R: split_fits and split_is_wide).
  static __device__ __forceinline__ int spilled_columns(int width) { return width - kHeld; }

  // The block's slice straight from W_hh in global memory (slice row kk = column j0 + kk of W_hh,
  // zeros past `owned`): this thread's R columns into registers, the columns past 2R transposed
  // into `spill` [width − 2R, rows]. The caller's block barrier must follow before `product`.
  __device__ __forceinline__ void load(const float* wHh, float* spill, int rows, int owned, int j0, int hidden,
                                       int width) {
    const auto weight = [&](int kk, int col) {
      return kk < owned ? wHh[static_cast<long long>(col) * hidden + j0 + kk] : 0.0f;
    };
    const int t = static_cast<int>(threadIdx.x);
    const int row = t % kSplitRows;
    const int first = t / kSplitRows * R;
#pragma unroll
    for (int k = 0; k < R; ++k) w[k] = row < rows ? weight(row, first + k) : 0.0f;
    const int spilled = spilled_columns(width);
    for (int i = t; i < spilled * rows; i += kBlockThreads) {
      const int c = i / rows;
      spill[i] = weight(i - c * rows, kHeld + c);
    }
  }

  // acc[r] = w[r, :] · x for r < rows; x [width] in shared memory (16-byte aligned), `spill` what
  // load left, `halves` 256 floats of shared scratch. Ends with a block barrier before acc is
  // written, so every thread must call it; acc is visible after the caller's next barrier.
  __device__ __forceinline__ void product(const float* x, float* acc, int rows, int width, const float* spill,
                                          float* halves) const {
    const int t = static_cast<int>(threadIdx.x);
    const int row = t % kSplitRows;
    const int half = t / kSplitRows;
    // Registers: R / 4 float4 loads of x, the same address in every lane of the warp (broadcast).
    const float4* xs = reinterpret_cast<const float4*>(x + half * R);
    float s[4] = {0.0f, 0.0f, 0.0f, 0.0f};
#pragma unroll
    for (int q = 0; q < R / 4; ++q) {
      const float4 v = xs[q];
      s[0] = fmaf(w[4 * q], v.x, s[0]);
      s[1] = fmaf(w[4 * q + 1], v.y, s[1]);
      s[2] = fmaf(w[4 * q + 2], v.z, s[2]);
      s[3] = fmaf(w[4 * q + 3], v.w, s[3]);
    }
    // Shared memory: this half's share of the spilled columns, half 0 the first ceil(n/2) (in
    // fours, so each half's x reads stay 16-byte aligned).
    if (row < rows) {
      const int spilled = spilled_columns(width);
      const int split = (spilled / 4 + 1) / 2 * 4;
      const int c0 = half == 0 ? 0 : split;
      const int c1 = half == 0 ? split : spilled;
      const float4* xv = reinterpret_cast<const float4*>(x + kHeld);
      const float* col = spill + static_cast<long long>(c0) * rows + row;
      // Unrolled so that several iterations' loads are in flight at once: each iteration's five
      // shared loads would otherwise wait out their latency before its FMAs (32 iterations a step
      // on pixel MNIST's LSTM at R = 128).
#pragma unroll 4
      for (int c = c0; c < c1; c += 4) {
        const float4 v = xv[c / 4];
        s[0] = fmaf(col[0], v.x, s[0]);
        s[1] = fmaf(col[rows], v.y, s[1]);
        s[2] = fmaf(col[2 * rows], v.z, s[2]);
        s[3] = fmaf(col[3 * rows], v.w, s[3]);
        col += 4 * rows;
      }
    }
    halves[t] = (s[0] + s[1]) + (s[2] + s[3]);
    __syncthreads();
    if (half == 0 && row < rows) acc[row] = halves[row] + halves[kSplitRows + row];
  }
};

}  // namespace mnemo::persistent
