// persistent_row_product.cuh — family "persistent": the cluster forward's product with one slice
// row per thread, held in registers for the whole sequence, for several batch rows per cluster: at
// most kRowSliceWidth columns (a multiple of 4), between half and all of kBlockThreads rows,
// float32 weights. pixel MNIST's LSTM (B = 128, H = 128) plans two-block clusters of 256 rows and
// two batch rows each, which this covers.
//
// Why: tiled_product reads the slice from shared memory every step and reduces each tile across
// its warp. At 256 rows × 2 batch rows that is 16 tiles per warp, each 24 shared loads and 9
// shuffles for 32 FMAs: about 4000 issue slots of the shared-memory pipe per step. Here a thread
// owns its row: per batch row, 32 broadcast float4 loads of h_{t−1} feed its 128 FMAs, and nothing
// crosses lanes. Not yet timed on a GPU (see persistent_phases.cuh for how to place the time).
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
  // (h rows and the slice start 16-byte aligned) up to kRowSliceWidth, and more than half the block's
  // threads busy (fewer rows keep the tiled product, whose warps share the work).
  static __device__ __forceinline__ bool fits(int rows, int width) {
    return width <= kRowSliceWidth && width % 4 == 0 && rows > kBlockThreads / 2 && rows <= kBlockThreads;
  }

  // This thread's row from the shared-memory slice `ws` [rows, width].
  __device__ __forceinline__ void load(const float* ws, int rows, int width) {
    const int r = static_cast<int>(threadIdx.x);
#pragma unroll
    for (int k = 0; k < kRowSliceWidth; ++k) {
      w[k] = r < rows && k < width ? ws[static_cast<long long>(r) * width + k] : 0.0f;
    }
  }

  // acc[b·rows + r] = w[r, :] · x[b, :] for b < batch and this thread's row r < rows; x [batch, width]
  // in shared memory, 16-byte aligned rows. Every lane of a warp reads the same x words (broadcast).
  __device__ __forceinline__ void product(const float* x, float* acc, int rows, int batch, int width) const {
    const int r = static_cast<int>(threadIdx.x);
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
    }
  }
};

}  // namespace mnemo::persistent
