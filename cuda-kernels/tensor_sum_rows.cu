// tensor_sum_rows.cu — family "tensor": deterministic column sums of a row-major matrix, in one
// pass or split over rows in two (see mnemo_kernels.h). Entry points: mnemo_tensor_sum_rows_f32,
// mnemo_tensor_sum_rows_partial_f32.
#include "mnemo_kernels.h"
#include "mnemo_math.cuh"

namespace mnemo::tensor::sum_rows {
constexpr int kBlockThreads = 256;  // the header's launch contract
// A block owns 32 adjacent columns: each warp reads one 128-byte row segment per load
// (coalesced), and the block's 8 warps ("row lanes") take every 8th row.
constexpr int kColsPerBlock = kWarpSize;
constexpr int kRowLanes = kBlockThreads / kColsPerBlock;
constexpr int kUnroll = 4;  // loads in flight per thread before the adds

// Σ in[r, col] over r in [rowBegin, rowEnd) for this thread's column, returned to the threads
// of row lane 0 (other threads get 0). Order: each row lane adds its rows in increasing order,
// then lane 0 adds the 8 row-lane totals in increasing order — fixed for a given range, so the
// result is deterministic. Every thread of the block must call it (one barrier).
__device__ __forceinline__ float column_sum(const float* __restrict__ in, long long rowBegin,
                                            long long rowEnd, long long cols, long long col,
                                            bool colValid) {
  __shared__ float laneTotals[kRowLanes][kColsPerBlock];
  const int lane = static_cast<int>(threadIdx.x) % kColsPerBlock;
  const int rowLane = static_cast<int>(threadIdx.x) / kColsPerBlock;
  float sum = 0.0f;
  if (colValid) {
    long long r = rowBegin + rowLane;
    // Unrolled: kUnroll independent loads, then added in row order (same order as the tail).
    for (; r + (kUnroll - 1) * kRowLanes < rowEnd; r += kUnroll * kRowLanes) {
      float v[kUnroll];
#pragma unroll
      for (int u = 0; u < kUnroll; ++u) v[u] = in[(r + u * kRowLanes) * cols + col];
#pragma unroll
      for (int u = 0; u < kUnroll; ++u) sum += v[u];
    }
    for (; r < rowEnd; r += kRowLanes) sum += in[r * cols + col];
  }
  laneTotals[rowLane][lane] = sum;
  __syncthreads();
  float total = 0.0f;
  if (rowLane == 0) {
#pragma unroll
    for (int k = 0; k < kRowLanes; ++k) total += laneTotals[k][lane];
  }
  return total;
}
}  // namespace mnemo::tensor::sum_rows

// No early return: every thread reaches column_sum's barrier; columns past cols sum nothing and
// write nothing.
extern "C" __global__ void __launch_bounds__(mnemo::tensor::sum_rows::kBlockThreads)
    mnemo_tensor_sum_rows_f32(float* __restrict__ out, const float* __restrict__ in,
                              long long rows, long long cols, float beta) {
  using namespace mnemo::tensor::sum_rows;
  const long long col = static_cast<long long>(blockIdx.x) * kColsPerBlock +
                        static_cast<long long>(threadIdx.x) % kColsPerBlock;
  const bool colValid = col < cols;  // bounds guard (see above)
  const float total = column_sum(in, 0, rows, cols, col, colValid);
  if (threadIdx.x < kColsPerBlock && colValid) {
    // beta = 0 must not read out (it may be uninitialised or NaN).
    out[col] = beta == 0.0f ? total : fmaf(beta, out[col], total);
  }
}

extern "C" __global__ void __launch_bounds__(mnemo::tensor::sum_rows::kBlockThreads)
    mnemo_tensor_sum_rows_partial_f32(float* __restrict__ partials, const float* __restrict__ in,
                                      long long rows, long long cols, long long rowsPerSplit) {
  using namespace mnemo::tensor::sum_rows;
  const long long col = static_cast<long long>(blockIdx.x) * kColsPerBlock +
                        static_cast<long long>(threadIdx.x) % kColsPerBlock;
  const bool colValid = col < cols;  // bounds guard (see mnemo_tensor_sum_rows_f32)
  const long long split = blockIdx.y;
  const long long rowBegin = split * rowsPerSplit;
  const long long rowEnd = rowBegin + rowsPerSplit < rows ? rowBegin + rowsPerSplit : rows;
  const float total = column_sum(in, rowBegin, rowEnd, cols, col, colValid);
  if (threadIdx.x < kColsPerBlock && colValid) partials[split * cols + col] = total;
}
