// persistent_row_product.cuh — family "persistent": the cluster forward's product with one slice
// row per thread, held in registers for the whole sequence, for several batch rows per cluster: at
// most kRowSliceWidth columns (a multiple of 4), between half the block's threads and twice as
// many rows, float32 weights. A slice with more rows than threads keeps the rest in shared
// memory, one more row for each of the first threads; only those rows take shared memory, so
// pixel MNIST's plans (B = 128, H = 128) are one-block clusters of one batch row: LSTM 512 rows
// (128 KiB of them in shared memory), GRU 384.
//
// Why: tiled_product reads the slice from shared memory every step and reduces each tile across
// its warp. At 256 rows × 2 batch rows that is 16 tiles per warp, each 24 shared loads and 9
// shuffles for 32 FMAs: about 4000 issue slots of the shared-memory pipe per step. Here a thread
// owns its row: per batch row, 32 broadcast float4 loads of h_{t−1} feed its 128 FMAs, and nothing
// crosses lanes. The rows past the threads cost one shared load per FMA, from a transposed copy in
// which a warp's lanes read consecutive words. On the H200 the GRU pixel MNIST forward ran 1.94x
// faster than with tiled_product (runs 6 and 7, mnemo_harness persistent_ab).
//
// The sum of a row runs over four interleaved partials (columns ≡ 0, 1, 2, 3 mod 4), added
// (0 + 1) + (2 + 3) at the end: other bits than tiled_product's order, the same within float32
// rounding.
#pragma once

#include "mnemo_kernels.h"
#include "persistent_common.cuh"

namespace mnemo::persistent {

constexpr int kRowSliceWidth = 128;
// The host sizes shared memory by MNEMO_PERSISTENT_CLUSTER_ROW_SLICE, which spells out `fits`.
static_assert(kRowSliceWidth == 128 && kBlockThreads == MNEMO_PERSISTENT_BLOCK_THREADS,
              "RowSlice::fits and MNEMO_PERSISTENT_CLUSTER_ROW_SLICE must agree");

// w · x for a row held in registers (0 past `width`) and x in shared memory, 16-byte aligned:
// broadcast float4 loads, four interleaved partials added (0 + 1) + (2 + 3) at the end. kGuarded:
// each float4 chunk past `width` is skipped, behind a test that keeps the compiler from issuing
// the later loads early; unguarded (the wide-block kernels at H = 128): every chunk, the same sums
// in the same order.
template <bool kGuarded>
__device__ __forceinline__ float register_row_dot_chunks(const float (&w)[kRowSliceWidth], const float4* x,
                                                         int width) {
  float s[4] = {0.0f, 0.0f, 0.0f, 0.0f};
#pragma unroll
  for (int q = 0; q < kRowSliceWidth / 4; ++q) {
    if (!kGuarded || 4 * q < width) {  // uniform across the block
      const float4 v = x[q];
      s[0] = fmaf(w[4 * q], v.x, s[0]);
      s[1] = fmaf(w[4 * q + 1], v.y, s[1]);
      s[2] = fmaf(w[4 * q + 2], v.z, s[2]);
      s[3] = fmaf(w[4 * q + 3], v.w, s[3]);
    }
  }
  return (s[0] + s[1]) + (s[2] + s[3]);
}

// The cluster row slice's product (guarded at every width).
__device__ __forceinline__ float register_row_dot(const float (&w)[kRowSliceWidth], const float4* x, int width) {
  return register_row_dot_chunks<true>(w, x, width);
}

// The wide-block kernels' product: unguarded when `width` is the whole row (uniform across the block).
__device__ __forceinline__ float register_row_dot_any(const float (&w)[kRowSliceWidth], const float4* x, int width) {
  return width == kRowSliceWidth ? register_row_dot_chunks<false>(w, x, width)
                                 : register_row_dot_chunks<true>(w, x, width);
}

struct RowSlice {
  float w[kRowSliceWidth];  // row threadIdx.x of the slice, 0 past its width or past the rows

  // Whether a slice of `rows` rows of `width` columns takes this product: width a multiple of 4
  // (h rows and the slice start 16-byte aligned) up to kRowSliceWidth, more than half the block's
  // threads busy (fewer rows keep the tiled product, whose warps share the work) and at most two
  // rows per thread.
  static __device__ __forceinline__ bool fits(int rows, int width) {
    return width <= kRowSliceWidth && width % 4 == 0 && rows > kBlockThreads / 2 && rows <= 2 * kBlockThreads;
  }

  // Rows past the threads: rows − kBlockThreads, or 0.
  static __device__ __forceinline__ int extra_rows(int rows) { return rows > kBlockThreads ? rows - kBlockThreads : 0; }

  // The block's slice straight from W_hh in global memory (row r: gate r / J, unit j0 + r % J;
  // zeros past `owned` units and past the width): this thread's row into registers, and the rows
  // past the threads transposed, [width, extra_rows], into `spill`, the only slice words in shared
  // memory (MNEMO_PERSISTENT_CLUSTER_SMEM_SLICE_ROWS). The caller's block barrier must follow
  // before `product` reads spill.
  __device__ __forceinline__ void load(const float* wHh, float* spill, int rows, int unitsPerBlock, int owned,
                                       int j0, int width) {
    const auto weight = [&](int row, int col) {
      const int gate = row / unitsPerBlock;
      const int jj = row - gate * unitsPerBlock;
      return jj < owned ? wHh[(static_cast<long long>(gate) * width + j0 + jj) * width + col] : 0.0f;
    };
    const int r = static_cast<int>(threadIdx.x);
#pragma unroll
    for (int k = 0; k < kRowSliceWidth; ++k) {
      w[k] = r < rows && k < width ? weight(r, k) : 0.0f;
    }
    const int extra = extra_rows(rows);
    for (int i = r; i < extra * width; i += kBlockThreads) {
      const int k = i / extra;
      spill[i] = weight(kBlockThreads + (i - k * extra), k);
    }
  }

  // acc[b·rows + r] = w[r, :] · x[b, :] for b < batch and this thread's rows r < rows; x [batch,
  // width] in shared memory, 16-byte aligned rows, and `spill` what load left at the slice's start.
  // Every lane of a warp reads the same x words (broadcast). A thread's spilled row runs after its
  // register row, in a loop of its own. Feeding both from the same x loads in one unrolled loop (a
  // sixth fewer shared loads per step) ran slower on the H200: 2.45 against 2.15 µs per step on
  // pixel MNIST's LSTM, 2.44 against 1.83 on its GRU (runs 8 and 7, persistent_ab).
  __device__ __forceinline__ void product(const float* x, float* acc, int rows, int batch, int width,
                                          const float* spill) const {
    const int r = static_cast<int>(threadIdx.x);
    const int extra = extra_rows(rows);
    for (int b = 0; b < batch; ++b) {
      const float4* xb = reinterpret_cast<const float4*>(x + static_cast<long long>(b) * width);
      if (r < rows) acc[b * rows + r] = register_row_dot(w, xb, width);
      if (r < extra) acc[b * rows + kBlockThreads + r] = spilled_row(spill, extra, xb, width);
    }
  }

  // Row kBlockThreads + threadIdx.x of the slice times the batch row xb, in the same order.
  static __device__ __forceinline__ float spilled_row(const float* spill, int extra, const float4* xb, int width) {
    const int r = static_cast<int>(threadIdx.x);
    const float* col = spill + r;
    float s[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    for (int q = 0; q < width / 4; ++q) {
      const float4 v = xb[q];
      s[0] = fmaf(col[0], v.x, s[0]);
      s[1] = fmaf(col[extra], v.y, s[1]);
      s[2] = fmaf(col[2 * extra], v.z, s[2]);
      s[3] = fmaf(col[3 * extra], v.w, s[3]);
      col += 4 * extra;
    }
    return (s[0] + s[1]) + (s[2] + s[3]);
  }
};

}  // namespace mnemo::persistent
