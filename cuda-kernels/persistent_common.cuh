// persistent_common.cuh — family "persistent": what the whole-sequence forward and backward share
// (see mnemo_kernels.h, "family: persistent"): the cells, the block shape, dynamic shared memory,
// and the warp-per-row matrix-vector product against a matrix slice kept in shared memory.
#pragma once

#include "mnemo_kernels.h"
#include "mnemo_math.cuh"

namespace mnemo::persistent {
constexpr int kBlockThreads = MNEMO_PERSISTENT_BLOCK_THREADS;
constexpr int kWarps = kBlockThreads / kWarpSize;
// Batch rows one warp multiplies per pass over a W_hh row: each weight read from shared memory
// feeds this many FMAs, with as many accumulators in registers.
constexpr int kBatchTile = 4;

enum class Cell { kRnnTanh, kRnnRelu, kLstm, kGru };

// Gates per cell: G = 4 (LSTM), 3 (GRU), 1 (RNN).
template <Cell C>
constexpr int kGatesOf = C == Cell::kLstm ? 4 : C == Cell::kGru ? 3 : 1;

// Whether step t lies past batch row b's end in a variable-length batch (`lengths` non-null):
// there the row carries its state through the step (mnemo_kernels.h, the params' `lengths`).
__device__ __forceinline__ bool past_end(const int* lengths, long long b, long long t) {
  return lengths != nullptr && t >= lengths[b];
}

// 32-bit words per slice row of `width` columns: one float each, or two bfloat16 (see
// mnemo_kernels.h, "bf16-weight cluster variants").
template <bool kBf16>
__device__ __forceinline__ int slice_words(int width) {
  return kBf16 ? (width + 1) / 2 : width;
}

// Fills the block's slice w [rows, width] with value(r, col), once per launch: floats, or
// bfloat16 pairs rounded to nearest even (an odd width pads the last word with zero).
template <bool kBf16, typename ValueAt>
__device__ __forceinline__ void fill_slice(float* w, int rows, int width, ValueAt value) {
  const int words = slice_words<kBf16>(width);
  for (int i = static_cast<int>(threadIdx.x); i < rows * words; i += kBlockThreads) {
    const int r = i / words;
    const int word = i - r * words;
    if constexpr (kBf16) {
      const int col = 2 * word;
      reinterpret_cast<unsigned*>(w)[i] = bf16_pack_rn(value(r, col), col + 1 < width ? value(r, col + 1) : 0.0f);
    } else {
      w[i] = value(r, word);
    }
  }
}

// The block's forward slice of W_hh [G·H, H], once: row k·J + jj of w [G·J, H] is row k·H + j0 + jj
// of W_hh (gate k, unit j0 + jj); rows of units past `owned` (the last block's tail) are zeros.
template <bool kBf16 = false>
__device__ __forceinline__ void load_weight_rows(const float* wHh, float* w, int rows, int unitsPerBlock,
                                                 int owned, int j0, int hidden) {
  fill_slice<kBf16>(w, rows, hidden, [&](int r, int col) {
    const int k = r / unitsPerBlock;
    const int jj = r - k * unitsPerBlock;
    return jj < owned ? wHh[(static_cast<long long>(k) * hidden + j0 + jj) * hidden + col] : 0.0f;
  });
}

// The block's backward slice, once: row kk of w [J, G·H] is column j0 + kk of W_hh (zeros past
// `owned`), so the block's h-gradient is a row-times-matrix product like the forward's.
template <bool kBf16 = false>
__device__ __forceinline__ void load_weight_columns(const float* wHh, float* w, int gh, int unitsPerBlock,
                                                    int owned, int j0, int hidden) {
  fill_slice<kBf16>(w, unitsPerBlock, gh, [&](int kk, int r) {
    return kk < owned ? wHh[static_cast<long long>(r) * hidden + j0 + kk] : 0.0f;
  });
}

// acc[b, r] = W_slice[r, :] · h[b, :] for every owned row r (gate k = r / J, unit jj = r % J) and
// batch row b; rows are `hidden` long (the backward passes G·H and its column slice). One warp per row: lanes walk the columns (consecutive lanes, consecutive shared
// words: no bank conflicts), each weight feeds kBatchTile batch rows, a butterfly sums the lanes.
// Rows of units past H (the last block's tail) are skipped; the pointwise step never reads them.
__device__ __forceinline__ void recurrent_product(const float* w, const float* hs, float* acc,
                                                  int rows, int unitsPerBlock, int owned,
                                                  int batch, int hidden) {
  const int lane = static_cast<int>(threadIdx.x) % kWarpSize;
  const int warp = static_cast<int>(threadIdx.x) / kWarpSize;
  for (int r = warp; r < rows; r += kWarps) {
    if (r % unitsPerBlock >= owned) continue;  // warp-uniform
    const float* wr = w + static_cast<long long>(r) * hidden;
    for (int b0 = 0; b0 < batch; b0 += kBatchTile) {
      float sum[kBatchTile];
#pragma unroll
      for (int bb = 0; bb < kBatchTile; ++bb) sum[bb] = 0.0f;
      for (int col = lane; col < hidden; col += kWarpSize) {
        const float wv = wr[col];
#pragma unroll
        for (int bb = 0; bb < kBatchTile; ++bb) {
          if (b0 + bb < batch) sum[bb] = fmaf(wv, hs[(b0 + bb) * hidden + col], sum[bb]);
        }
      }
#pragma unroll
      for (int bb = 0; bb < kBatchTile; ++bb) {
        if (b0 + bb < batch) sum[bb] = warp_sum(sum[bb]);  // warp-uniform: B = 1 pays one sum
      }
      if (lane == 0) {
#pragma unroll
        for (int bb = 0; bb < kBatchTile; ++bb) {
          if (b0 + bb < batch) acc[(b0 + bb) * rows + r] = sum[bb];
        }
      }
    }
  }
}

}  // namespace mnemo::persistent
