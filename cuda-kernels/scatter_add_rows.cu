// scatter_add_rows.cu — family "scatter": table[rows[i], :] += src[i, :] with repeated rows
// accumulated in order of i, deterministically (no atomics). The host groups the i's by row; one
// thread per (group, column) walks its group in increasing i. Entry point:
// mnemo_scatter_add_rows_f32 (see mnemo_kernels.h).
#include "mnemo_kernels.h"
#include "mnemo_math.cuh"

namespace mnemo::scatter {
constexpr int kBlockThreads = 256;  // the header's launch contract
}

extern "C" __global__ void __launch_bounds__(mnemo::scatter::kBlockThreads)
    mnemo_scatter_add_rows_f32(float* __restrict__ table, const float* __restrict__ src,
                               const int* __restrict__ order, const int* __restrict__ segStart,
                               const int* __restrict__ segRow, long long segments,
                               long long width) {
  const long long total = segments * width;
  const long long stride = mnemo::grid_stride();
  // Columns fastest: the threads of a warp read adjacent floats of one source row.
  for (long long k = mnemo::grid_thread_index(); k < total; k += stride) {  // bounds guard
    const mnemo::RowCol sc = mnemo::row_col(k, width);
    const long long seg = sc.row;
    const long long col = sc.col;
    float* const cell = table + static_cast<long long>(segRow[seg]) * width + col;
    // Start from the table value and add one source row at a time, in increasing i: the same
    // float additions, in the same order, as the sequential loop (bit for bit).
    float acc = *cell;
    const int end = segStart[seg + 1];
    for (int j = segStart[seg]; j < end; ++j) {
      acc += src[static_cast<long long>(order[j]) * width + col];
    }
    *cell = acc;
  }
}
