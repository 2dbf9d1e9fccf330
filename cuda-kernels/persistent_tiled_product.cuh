// persistent_tiled_product.cuh — family "persistent": the cluster kernels' matrix product against
// the block's W_hh slice in shared memory, acc[b, r] = w[r, :] · x[b, :], with one warp reducing
// eight dot products at once.
//
// Why not one warp per row (persistent_common.cuh's recurrent_product): a cluster block owns
// ~16× the rows of a cooperative block, and summing each row across 32 lanes costs five dependent
// shuffles per row. Here a warp takes a tile of kTileRows rows × kTileBatch batch rows (8 sums),
// each lane accumulates its columns of all 8 (independent FMAs), then a reduce-scatter halves the
// values each level — 4 + 2 + 1 shuffles, then 2 more — and lane ℓ ends with one full sum.
#pragma once

#include "mnemo_math.cuh"
#include "persistent_common.cuh"

namespace mnemo::persistent {

// Sums v[q] over the warp for all q < P (P = 8) and returns, in every lane, the total of
// q = tile_slot(lane): each level, lanes whose `offset` bit is set keep the upper half of their
// values and send the lower half to their partner, who keeps the lower half.
constexpr int kTileSums = 8;

__device__ __forceinline__ int tile_slot(int lane) {
  return ((lane >> 4) & 1) * 4 + ((lane >> 3) & 1) * 2 + ((lane >> 2) & 1);
}

__device__ __forceinline__ float warp_reduce_scatter8(float (&v)[kTileSums], int lane) {
#pragma unroll
  for (int level = 0; level < 3; ++level) {
    const int offset = 16 >> level;
    const int half = kTileSums >> (level + 1);
    const bool upper = (lane & offset) != 0;
#pragma unroll
    for (int i = 0; i < half; ++i) {
      const float send = upper ? v[i] : v[i + half];
      const float keep = upper ? v[i + half] : v[i];
      v[i] = keep + __shfl_xor_sync(0xffffffffu, send, offset);
    }
  }
  float total = v[0];
  total += __shfl_xor_sync(0xffffffffu, total, 2);
  total += __shfl_xor_sync(0xffffffffu, total, 1);
  return total;
}

// acc[b·rows + r] = Σ_col w[r·width + col] · x[b·width + col] for r < rows, b < batch. Rows and
// batch rows past the end of a tile are computed on clamped indices and never stored, so every
// lane of a warp takes part in every shuffle. kBf16: w holds bfloat16 pairs (slice_words), each
// lane takes a word (two columns) per pass, so a weight load feeds twice the FMAs.
template <int kTileRows, bool kBf16>
__device__ __forceinline__ void tiled_product(const float* w, const float* x, float* acc, int rows,
                                              int batch, int width) {
  constexpr int kTileBatch = kTileSums / kTileRows;
  const int lane = static_cast<int>(threadIdx.x) % kWarpSize;
  const int warp = static_cast<int>(threadIdx.x) / kWarpSize;
  const int words = slice_words<kBf16>(width);
  const int rowTiles = (rows + kTileRows - 1) / kTileRows;
  const int batchTiles = (batch + kTileBatch - 1) / kTileBatch;
  for (int tile = warp; tile < rowTiles * batchTiles; tile += kWarps) {
    const int r0 = (tile % rowTiles) * kTileRows;
    const int b0 = (tile / rowTiles) * kTileBatch;
    const float* wr[kTileRows];
    const float* xb[kTileBatch];
#pragma unroll
    for (int rr = 0; rr < kTileRows; ++rr) wr[rr] = w + static_cast<long long>(min(r0 + rr, rows - 1)) * words;
#pragma unroll
    for (int bb = 0; bb < kTileBatch; ++bb) xb[bb] = x + static_cast<long long>(min(b0 + bb, batch - 1)) * width;
    float sum[kTileSums];
#pragma unroll
    for (int q = 0; q < kTileSums; ++q) sum[q] = 0.0f;
    for (int word = lane; word < words; word += kWarpSize) {
      if constexpr (kBf16) {
        const int col = 2 * word;
        const bool pair = col + 1 < width;  // false only in an odd width's last word (weight 0 there)
        float x0[kTileBatch], x1[kTileBatch];
#pragma unroll
        for (int bb = 0; bb < kTileBatch; ++bb) {
          x0[bb] = xb[bb][col];
          x1[bb] = pair ? xb[bb][col + 1] : 0.0f;
        }
#pragma unroll
        for (int rr = 0; rr < kTileRows; ++rr) {
          const unsigned wv = reinterpret_cast<const unsigned*>(wr[rr])[word];
          const float w0 = bf16_low(wv);
          const float w1 = bf16_high(wv);
#pragma unroll
          for (int bb = 0; bb < kTileBatch; ++bb) {
            float& s = sum[rr * kTileBatch + bb];
            s = fmaf(w1, x1[bb], fmaf(w0, x0[bb], s));
          }
        }
      } else {
        float xv[kTileBatch];
#pragma unroll
        for (int bb = 0; bb < kTileBatch; ++bb) xv[bb] = xb[bb][word];
#pragma unroll
        for (int rr = 0; rr < kTileRows; ++rr) {
          const float wv = wr[rr][word];
#pragma unroll
          for (int bb = 0; bb < kTileBatch; ++bb) sum[rr * kTileBatch + bb] = fmaf(wv, xv[bb], sum[rr * kTileBatch + bb]);
        }
      }
    }
    const float total = warp_reduce_scatter8(sum, lane);
    const int q = tile_slot(lane);
    const int r = r0 + q / kTileBatch;
    const int b = b0 + q % kTileBatch;
    if ((lane & 3) == 0 && r < rows && b < batch) acc[b * rows + r] = total;
  }
}

// The tile shape for a batch: 8 rows × 1 batch row when B = 1 (each weight feeds one FMA, but no
// lane idles), else 2 rows × 4 batch rows (each shared-memory weight load feeds four FMAs).
template <bool kBf16 = false>
__device__ __forceinline__ void block_product(const float* w, const float* x, float* acc, int rows,
                                              int batch, int width) {
  if (batch == 1) {
    tiled_product<8, kBf16>(w, x, acc, rows, batch, width);
  } else {
    tiled_product<2, kBf16>(w, x, acc, rows, batch, width);
  }
}

}  // namespace mnemo::persistent
