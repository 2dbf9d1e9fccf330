// persistent_register_product.cuh — family "persistent": the cluster kernels' product against
// the block's W_hh slice held in registers for the whole sequence, where it fits: one batch row
// per cluster (Bc = 1, every batch up to the cluster count, latency_b1 among them), at most
// kRegisterRows slice rows and kRegisterWidth columns, float32 weights (forward and backward).
//
// Why: tiled_product reads the whole slice from shared memory every step — 128 KB per block per
// step for LSTM H = 256 on a cluster of 8, about 1000 cycles of shared-memory bandwidth at
// 128 B/cycle, a large share of a ~3.5 µs step. Held in registers (128 per lane), a step reads only
// h_{t−1} from shared memory.
//
// Two layouts of the 128 registers a lane has for weights:
//  - wide (more than 128 columns): as tiled_product<8> (8-row tiles, one batch row): warp w owns
//    tiles w and w + 8, lane ℓ columns ℓ, ℓ + 32, …; each sum is accumulated in the same column
//    order and reduced by warp_reduce_scatter8, so the results are the shared-memory path's bits
//    (the padding past the slice's rows and columns is 0·0 added to a sum). Both tiles are summed
//    before either is reduced when the first is full (rows > 64), so that the two reductions'
//    shuffles overlap.
//  - grouped (at most 128 columns: pixel MNIST's RNN, 128 × 128, forward and backward; LSTM and
//    GRU at H = 128, B = 1): the same 16 rows per warp, but a row's columns spread over 8 lanes
//    instead of 32. Lane ℓ takes columns 32k + 4(ℓ mod 8) + c (k, c < 4) of 4 rows (row group
//    ℓ / 8), 64 weights, and a row's 8 partial sums meet in three shuffle levels (4 shuffles per
//    lane for all 16 rows) instead of the wide layout's five (18 shuffles). The wide layout there
//    also spent half its FMAs on zero padding. Other bits than the shared-memory path's, the same
//    within float32 rounding.
// p.tuning's MNEMO_PERSISTENT_TUNE_SERIAL_REGISTERS brings back the product as it ran on the H200
// in run 7 (the wide layout at every width, every column slot multiplied, the tiles one by one).
#pragma once

#include "mnemo_kernels.h"
#include "persistent_common.cuh"
#include "persistent_tiled_product.cuh"

namespace mnemo::persistent {

constexpr int kRegisterTilesPerWarp = 2;
constexpr int kRegisterWordsPerLane = 8;
constexpr int kRegisterTileRows = kTileSums;  // 8 rows × 1 batch row per tile
constexpr int kRegisterRows = kWarps * kRegisterTilesPerWarp * kRegisterTileRows;  // 128
constexpr int kRegisterWidth = kWarpSize * kRegisterWordsPerLane;                 // 256
constexpr int kRegisterNarrowWidth = kRegisterWidth / 2;                         // 128

struct RegisterSlice {
  float w[kRegisterTilesPerWarp][kRegisterTileRows][kRegisterWordsPerLane];

  // Whether a block of `rows` slice rows of `width` columns for `batchRows` batch rows fits.
  static __device__ __forceinline__ bool fits(int rows, int batchRows, int width) {
    return batchRows == 1 && rows <= kRegisterRows && width <= kRegisterWidth;
  }

  // This lane's weights from the shared-memory slice `ws` [rows, width] (0 past either end), in
  // the layout `product` will use with the same width and tuning.
  __device__ __forceinline__ void load(const float* ws, int rows, int width, int tuning) {
    const auto weight = [&](int r, int col) {
      return r < rows && col < width ? ws[static_cast<long long>(r) * width + col] : 0.0f;
    };
    if (grouped(width, tuning)) {
#pragma unroll
      for (int i = 0; i < kGroupRows; ++i)
#pragma unroll
        for (int k = 0; k < kGroupPasses; ++k)
#pragma unroll
          for (int c = 0; c < kGroupRun; ++c) set_group_weight(i, k, c, weight(group_row(i), group_column(k, c)));
      return;
    }
    const int lane = static_cast<int>(threadIdx.x) % kWarpSize;
    const int warp = static_cast<int>(threadIdx.x) / kWarpSize;
#pragma unroll
    for (int t = 0; t < kRegisterTilesPerWarp; ++t)
#pragma unroll
      for (int rr = 0; rr < kRegisterTileRows; ++rr)
#pragma unroll
        for (int k = 0; k < kRegisterWordsPerLane; ++k) {
          w[t][rr][k] = weight((warp + t * kWarps) * kRegisterTileRows + rr, lane + k * kWarpSize);
        }
  }

  // acc[r] = w[r, :] · x for r < rows (one batch row), x in shared memory.
  __device__ __forceinline__ void product(const float* x, float* acc, int rows, int width, int tuning) const {
    if (grouped(width, tuning)) {
      grouped_product(x, acc, rows, width);
    } else if ((tuning & MNEMO_PERSISTENT_TUNE_SERIAL_REGISTERS) != 0) {
      tiles_one_by_one(x, acc, rows, width);
    } else {
      overlapped(x, acc, rows, width);
    }
  }

 private:
  // ── grouped layout: lane ℓ, row group ℓ / 8, column group ℓ mod 8 ──
  static constexpr int kGroupLanes = 8;                                           // lanes per row
  static constexpr int kGroupRows = kRegisterTilesPerWarp * kRegisterTileRows / (kWarpSize / kGroupLanes);  // 4
  static constexpr int kGroupRun = 4;                                             // consecutive columns
  static constexpr int kGroupPasses = kRegisterNarrowWidth / (kGroupLanes * kGroupRun);                    // 4
  static_assert(kGroupRows * kGroupPasses * kGroupRun <= kRegisterTileRows * kRegisterWordsPerLane,
                "the grouped layout's 64 weights fit w[0]");

  static __device__ __forceinline__ bool grouped(int width, int tuning) {
    return width <= kRegisterNarrowWidth && (tuning & MNEMO_PERSISTENT_TUNE_SERIAL_REGISTERS) == 0;
  }

  // Slice row of this lane's i-th row: row group g's rows are the warp's local rows 4g .. 4g + 3,
  // local rows 0..7 its first tile's, 8..15 its second's (the wide layout's tiles w and w + 8).
  static __device__ __forceinline__ int group_row(int i) {
    const int lane = static_cast<int>(threadIdx.x) % kWarpSize;
    const int warp = static_cast<int>(threadIdx.x) / kWarpSize;
    const int local = lane / kGroupLanes * kGroupRows + i;
    return (warp + local / kRegisterTileRows * kWarps) * kRegisterTileRows + local % kRegisterTileRows;
  }

  // Column of this lane's pass k, element c: 32k + 4(ℓ mod 8) + c.
  static __device__ __forceinline__ int group_column(int k, int c) {
    const int lane = static_cast<int>(threadIdx.x) % kWarpSize;
    return k * kGroupLanes * kGroupRun + lane % kGroupLanes * kGroupRun + c;
  }

  // Weight (row i, pass k, element c) in the register array: flat index 16i + 4k + c of w[0].
  static constexpr int kSlotsPerRow = kRegisterWordsPerLane;
  __device__ __forceinline__ float group_weight(int i, int k, int c) const {
    const int f = (i * kGroupPasses + k) * kGroupRun + c;
    return w[0][f / kSlotsPerRow][f % kSlotsPerRow];
  }
  __device__ __forceinline__ void set_group_weight(int i, int k, int c, float v) {
    const int f = (i * kGroupPasses + k) * kGroupRun + c;
    w[0][f / kSlotsPerRow][f % kSlotsPerRow] = v;
  }

  __device__ __forceinline__ void grouped_product(const float* x, float* acc, int rows, int width) const {
    const int lane = static_cast<int>(threadIdx.x) % kWarpSize;
    const int warp = static_cast<int>(threadIdx.x) / kWarpSize;
    if (warp * kRegisterTileRows >= rows) return;  // the whole warp: both its tiles are past the rows
    float xv[kGroupPasses][kGroupRun];
#pragma unroll
    for (int k = 0; k < kGroupPasses; ++k)
#pragma unroll
      for (int c = 0; c < kGroupRun; ++c) {
        const int col = group_column(k, c);
        xv[k][c] = col < width ? x[col] : 0.0f;
      }
    float v[kGroupRows];
#pragma unroll
    for (int i = 0; i < kGroupRows; ++i) {
      v[i] = 0.0f;
#pragma unroll
      for (int k = 0; k < kGroupPasses; ++k)
#pragma unroll
        for (int c = 0; c < kGroupRun; ++c) v[i] = fmaf(group_weight(i, k, c), xv[k][c], v[i]);
    }
    // Reduce-scatter over the row group's 8 lanes: at offset 4 a lane keeps rows {0, 1} or {2, 3},
    // at offset 2 one of them, and offset 1 completes the sum in both lanes of a pair.
    const bool high4 = (lane & 4) != 0;
    const float u0 = (high4 ? v[2] : v[0]) + __shfl_xor_sync(0xffffffffu, high4 ? v[0] : v[2], 4);
    const float u1 = (high4 ? v[3] : v[1]) + __shfl_xor_sync(0xffffffffu, high4 ? v[1] : v[3], 4);
    const bool high2 = (lane & 2) != 0;
    float total = (high2 ? u1 : u0) + __shfl_xor_sync(0xffffffffu, high2 ? u0 : u1, 2);
    total += __shfl_xor_sync(0xffffffffu, total, 1);
    const int r = group_row((high4 ? 2 : 0) + (high2 ? 1 : 0));
    if ((lane & 1) == 0 && r < rows) acc[r] = total;
  }

  // ── wide layout ──

  // x's words at this lane's column slots.
  static __device__ __forceinline__ void load_x(const float* x, int width, float (&xv)[kRegisterWordsPerLane]) {
    const int lane = static_cast<int>(threadIdx.x) % kWarpSize;
#pragma unroll
    for (int k = 0; k < kRegisterWordsPerLane; ++k) {
      const int col = lane + k * kWarpSize;
      xv[k] = col < width ? x[col] : 0.0f;
    }
  }

  // Tile t's 8 row sums.
  __device__ __forceinline__ void tile_sums(int t, const float (&xv)[kRegisterWordsPerLane],
                                            float (&sum)[kTileSums]) const {
#pragma unroll
    for (int q = 0; q < kTileSums; ++q) sum[q] = 0.0f;
#pragma unroll
    for (int k = 0; k < kRegisterWordsPerLane; ++k)
#pragma unroll
      for (int rr = 0; rr < kRegisterTileRows; ++rr) sum[rr] = fmaf(w[t][rr][k], xv[k], sum[rr]);
  }

  // Lane ℓ's reduced sum of tile t, into acc where its row exists.
  static __device__ __forceinline__ void store(float total, int t, float* acc, int rows) {
    const int lane = static_cast<int>(threadIdx.x) % kWarpSize;
    const int warp = static_cast<int>(threadIdx.x) / kWarpSize;
    const int r = (warp + t * kWarps) * kRegisterTileRows + tile_slot(lane);
    if ((lane & 3) == 0 && r < rows) acc[r] = total;
  }

  // Both tiles summed, then both reduced (their shuffles overlap) when every warp's first tile is
  // full of rows; fewer rows keep one tile per warp, which a warp skips wholly past the rows (the
  // test is the same in all its lanes, so the shuffles stay warp-wide). A second tile past the
  // rows sums zeros, never stored.
  __device__ __forceinline__ void overlapped(const float* x, float* acc, int rows, int width) const {
    static_assert(kRegisterTilesPerWarp == 2, "overlapped sums two tiles per warp");
    const int lane = static_cast<int>(threadIdx.x) % kWarpSize;
    float xv[kRegisterWordsPerLane];
    load_x(x, width, xv);
    if (rows > kWarps * kRegisterTileRows) {  // uniform across the block
      float first[kTileSums], second[kTileSums];
      tile_sums(0, xv, first);
      tile_sums(1, xv, second);
      const float a = warp_reduce_scatter8(first, lane);
      const float b = warp_reduce_scatter8(second, lane);
      store(a, 0, acc, rows);
      store(b, 1, acc, rows);
      return;
    }
    const int warp = static_cast<int>(threadIdx.x) / kWarpSize;
    if (warp * kRegisterTileRows >= rows) return;  // the whole warp
    float sum[kTileSums];
    tile_sums(0, xv, sum);
    store(warp_reduce_scatter8(sum, lane), 0, acc, rows);
  }

  // The product as it ran on the H200 in run 7: every slot, one tile after the other.
  __device__ __forceinline__ void tiles_one_by_one(const float* x, float* acc, int rows, int width) const {
    const int lane = static_cast<int>(threadIdx.x) % kWarpSize;
    const int warp = static_cast<int>(threadIdx.x) / kWarpSize;
    float xv[kRegisterWordsPerLane];
    load_x(x, width, xv);
#pragma unroll
    for (int t = 0; t < kRegisterTilesPerWarp; ++t) {
      if ((warp + t * kWarps) * kRegisterTileRows >= rows) continue;
      float sum[kTileSums];
      tile_sums(t, xv, sum);
      store(warp_reduce_scatter8(sum, lane), t, acc, rows);
    }
  }
};

}  // namespace mnemo::persistent
