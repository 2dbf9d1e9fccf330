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

  // acc[r] = w[r, :] · x for r < rows (one batch row). A warp skips a tile wholly past the rows
  // (the test is the same in all its lanes, so the shuffles stay warp-wide). A slice of at most
  // kRegisterNarrowWidth columns holds zeros in its lanes' upper column slots; `narrow` skips them,
  // half the FMAs (pixel MNIST's RNN, 128 × 128, forward and backward) — unless `tuning` has
  // MNEMO_PERSISTENT_TUNE_WIDE_REGISTERS, for the side-by-side timing.
  __device__ __forceinline__ void product(const float* x, float* acc, int rows, int width, int tuning) const {
    if (width <= kRegisterNarrowWidth && (tuning & MNEMO_PERSISTENT_TUNE_WIDE_REGISTERS) == 0) {
      columns<kRegisterNarrowWidth / kWarpSize>(x, acc, rows, width);
    } else {
      columns<kRegisterWordsPerLane>(x, acc, rows, width);
    }
  }

 private:
  // The product over this lane's first kSlots column slots (the rest hold zeros).
  template <int kSlots>
  __device__ __forceinline__ void columns(const float* x, float* acc, int rows, int width) const {
    const int lane = static_cast<int>(threadIdx.x) % kWarpSize;
    const int warp = static_cast<int>(threadIdx.x) / kWarpSize;
    float xv[kSlots];
#pragma unroll
    for (int k = 0; k < kSlots; ++k) {
      const int col = lane + k * kWarpSize;
      xv[k] = col < width ? x[col] : 0.0f;
    }
#pragma unroll
    for (int t = 0; t < kRegisterTilesPerWarp; ++t) {
      const int r0 = (warp + t * kWarps) * kRegisterTileRows;
      if (r0 >= rows) continue;
      float sum[kTileSums];
#pragma unroll
      for (int q = 0; q < kTileSums; ++q) sum[q] = 0.0f;
#pragma unroll
      for (int k = 0; k < kSlots; ++k)
#pragma unroll
        for (int rr = 0; rr < kRegisterTileRows; ++rr) sum[rr] = fmaf(w[t][rr][k], xv[k], sum[rr]);
      const float total = warp_reduce_scatter8(sum, lane);
      const int r = r0 + tile_slot(lane);
      if ((lane & 3) == 0 && r < rows) acc[r] = total;
    }
  }
};

}  // namespace mnemo::persistent
