// persistent_register_product.cuh — family "persistent": the cluster forward's product against
// the block's W_hh slice held in registers for the whole sequence, where it fits: one batch row
// per cluster (Bc = 1, every batch up to the cluster count, latency_b1 among them), at most
// kRegisterRows slice rows and kRegisterWidth columns, float32 weights.
//
// Why: tiled_product reads the whole slice from shared memory every step — 128 KB per block per
// step for LSTM H = 256 on a cluster of 8, about 1000 cycles of shared-memory bandwidth at
// 128 B/cycle, a large share of a ~3.5 µs step. Held in registers (128 per lane), a step reads only
// h_{t−1} from shared memory.
//
// Same arithmetic as tiled_product<8> (8-row tiles, one batch row): warp w owns tiles w and w + 8,
// lane ℓ columns ℓ, ℓ + 32, …; each sum is accumulated in the same column order and reduced by
// warp_reduce_scatter8, so the results are the shared-memory path's bits (the padding past the
// slice's rows and columns is 0·0 added to a sum).
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

  // This lane's weights from the shared-memory slice `ws` [rows, width] (0 past either end).
  __device__ __forceinline__ void load(const float* ws, int rows, int width) {
    const int lane = static_cast<int>(threadIdx.x) % kWarpSize;
    const int warp = static_cast<int>(threadIdx.x) / kWarpSize;
#pragma unroll
    for (int t = 0; t < kRegisterTilesPerWarp; ++t)
#pragma unroll
      for (int rr = 0; rr < kRegisterTileRows; ++rr) {
        const int r = (warp + t * kWarps) * kRegisterTileRows + rr;
#pragma unroll
        for (int k = 0; k < kRegisterWordsPerLane; ++k) {
          const int col = lane + k * kWarpSize;
          w[t][rr][k] = r < rows && col < width ? ws[static_cast<long long>(r) * width + col] : 0.0f;
        }
      }
  }

  // acc[r] = w[r, :] · x for r < rows (one batch row). Two changes since the H200's run 7, both
  // reversed by `tuning`'s MNEMO_PERSISTENT_TUNE_SERIAL_REGISTERS for the side-by-side timing:
  //  - a slice of at most kRegisterNarrowWidth columns holds zeros in its lanes' upper 4 column
  //    slots, and the product skips them: half the FMAs of pixel MNIST's RNN (128 × 128);
  //  - when every warp's first tile is full of rows (rows > 64), both tiles are summed before
  //    either is reduced, so the two reductions' shuffles (five dependent levels each, most of the
  //    product's latency) overlap instead of running one after the other. A second tile past the
  //    rows then sums zeros, never stored.
  // Fewer rows keep one tile per warp, which a warp skips wholly past the rows (the test is the
  // same in all its lanes, so the shuffles stay warp-wide). The sums are the same either way.
  __device__ __forceinline__ void product(const float* x, float* acc, int rows, int width, int tuning) const {
    if ((tuning & MNEMO_PERSISTENT_TUNE_SERIAL_REGISTERS) != 0) {
      tiles_one_by_one<kRegisterWordsPerLane>(x, acc, rows, width);
    } else if (width > kRegisterNarrowWidth) {
      overlapped<kRegisterWordsPerLane>(x, acc, rows, width);
    } else {
      overlapped<kRegisterNarrowWidth / kWarpSize>(x, acc, rows, width);
    }
  }

 private:
  // x's words at this lane's first kSlots column slots.
  template <int kSlots>
  static __device__ __forceinline__ void load_x(const float* x, int width, float (&xv)[kSlots]) {
    const int lane = static_cast<int>(threadIdx.x) % kWarpSize;
#pragma unroll
    for (int k = 0; k < kSlots; ++k) {
      const int col = lane + k * kWarpSize;
      xv[k] = col < width ? x[col] : 0.0f;
    }
  }

  // Tile t's 8 row sums over the first kSlots column slots (the rest hold zeros).
  template <int kSlots>
  __device__ __forceinline__ void tile_sums(int t, const float (&xv)[kSlots], float (&sum)[kTileSums]) const {
#pragma unroll
    for (int q = 0; q < kTileSums; ++q) sum[q] = 0.0f;
#pragma unroll
    for (int k = 0; k < kSlots; ++k)
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

  template <int kSlots>
  __device__ __forceinline__ void overlapped(const float* x, float* acc, int rows, int width) const {
    static_assert(kRegisterTilesPerWarp == 2, "overlapped sums two tiles per warp");
    const int lane = static_cast<int>(threadIdx.x) % kWarpSize;
    float xv[kSlots];
    load_x<kSlots>(x, width, xv);
    if (rows > kWarps * kRegisterTileRows) {  // uniform across the block
      float first[kTileSums], second[kTileSums];
      tile_sums<kSlots>(0, xv, first);
      tile_sums<kSlots>(1, xv, second);
      const float a = warp_reduce_scatter8(first, lane);
      const float b = warp_reduce_scatter8(second, lane);
      store(a, 0, acc, rows);
      store(b, 1, acc, rows);
      return;
    }
    const int warp = static_cast<int>(threadIdx.x) / kWarpSize;
    if (warp * kRegisterTileRows >= rows) return;  // the whole warp
    float sum[kTileSums];
    tile_sums<kSlots>(0, xv, sum);
    store(warp_reduce_scatter8(sum, lane), 0, acc, rows);
  }

  // The product as it ran on the H200 in run 7: every slot, one tile after the other.
  template <int kSlots>
  __device__ __forceinline__ void tiles_one_by_one(const float* x, float* acc, int rows, int width) const {
    const int lane = static_cast<int>(threadIdx.x) % kWarpSize;
    const int warp = static_cast<int>(threadIdx.x) / kWarpSize;
    float xv[kSlots];
    load_x<kSlots>(x, width, xv);
#pragma unroll
    for (int t = 0; t < kRegisterTilesPerWarp; ++t) {
      if ((warp + t * kWarps) * kRegisterTileRows >= rows) continue;
      float sum[kTileSums];
      tile_sums<kSlots>(t, xv, sum);
      store(warp_reduce_scatter8(sum, lane), t, acc, rows);
    }
  }
};

}  // namespace mnemo::persistent
