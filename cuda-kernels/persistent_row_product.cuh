// persistent_row_product.cuh — family "persistent": the cluster forward's product with one slice
// row per thread, held in registers for the whole sequence, for several batch rows per cluster: at
// most kRowSliceWidth columns (a multiple of 4), between half the block's threads and twice as
// many rows, float32 weights. A slice with more rows than threads keeps the rest in shared
// memory, one more row for each of the first threads. pixel MNIST's plans (B = 128, H = 128) take
// it: LSTM two-block clusters of 256 rows and two batch rows each, GRU one-block clusters of 384
// rows and one batch row.
//
// Why: tiled_product reads the slice from shared memory every step and reduces each tile across
// its warp. At 256 rows × 2 batch rows that is 16 tiles per warp, each 24 shared loads and 9
// shuffles for 32 FMAs: about 4000 issue slots of the shared-memory pipe per step. Here a thread
// owns its row: per batch row, 32 broadcast float4 loads of h_{t−1} feed its 128 FMAs, and nothing
// crosses lanes. The rows past the threads cost one shared load per FMA, from a transposed copy in
// which a warp's lanes read consecutive words. Not yet timed on a GPU (mnemo_harness
// persistent_ab times it against tiled_product).
//
// The sum of a row runs over four interleaved partials (columns ≡ 0, 1, 2, 3 mod 4), added
// (0 + 1) + (2 + 3) at the end: other bits than tiled_product's order, the same within float32
// rounding.
#pragma once

#include "mnemo_kernels.h"
#include "persistent_common.cuh"

namespace mnemo::persistent {

constexpr int kRowSliceWidth = 128;

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

  // This thread's row from the shared-memory slice `ws` [rows, width]. The rows past the threads
  // are copied transposed, [width, extra_rows], to the start of ws, whose rows are then in
  // registers: the product's `spill`. Every thread of the block calls it (block barriers inside
  // when there are such rows).
  __device__ __forceinline__ void load(float* ws, int rows, int width) {
    const int r = static_cast<int>(threadIdx.x);
#pragma unroll
    for (int k = 0; k < kRowSliceWidth; ++k) {
      w[k] = r < rows && k < width ? ws[static_cast<long long>(r) * width + k] : 0.0f;
    }
    const int extra = extra_rows(rows);
    if (extra == 0) return;
    __syncthreads();  // every row 0..kBlockThreads − 1 is in registers: its words are free
    // extra·width <= kBlockThreads·width: the copy ends where the rows it reads begin.
    for (int i = r; i < extra * width; i += kBlockThreads) {
      const int k = i / extra;
      const int e = i - k * extra;
      ws[i] = ws[static_cast<long long>(kBlockThreads + e) * width + k];
    }
    __syncthreads();
  }

  // acc[b·rows + r] = w[r, :] · x[b, :] for b < batch and this thread's rows r < rows; x [batch,
  // width] in shared memory, 16-byte aligned rows, and `spill` what load left at the slice's start.
  // Every lane of a warp reads the same x words (broadcast).
  __device__ __forceinline__ void product(const float* x, float* acc, int rows, int batch, int width,
                                          const float* spill) const {
    const int r = static_cast<int>(threadIdx.x);
    const int extra = extra_rows(rows);
    for (int b = 0; b < batch; ++b) {
      const float4* xb = reinterpret_cast<const float4*>(x + static_cast<long long>(b) * width);
      float s[4] = {0.0f, 0.0f, 0.0f, 0.0f};
#pragma unroll
      for (int q = 0; q < kRowSliceWidth / 4; ++q) {
        if (4 * q < width) {  // uniform across the block
          const float4 v = xb[q];
          s[0] = fmaf(w[4 * q], v.x, s[0]);
          s[1] = fmaf(w[4 * q + 1], v.y, s[1]);
          s[2] = fmaf(w[4 * q + 2], v.z, s[2]);
          s[3] = fmaf(w[4 * q + 3], v.w, s[3]);
        }
      }
      if (r < rows) acc[b * rows + r] = (s[0] + s[1]) + (s[2] + s[3]);
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
