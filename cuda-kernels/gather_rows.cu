// gather_rows.cu — family "gather": out[i, :] = table[rows[i], :], the counterpart of
// scatter_add_rows: embedding lookups and the row permutations of packed
// (variable-length) recurrent passes in one launch instead of one copy per run of rows.
// Entry point: mnemo_gather_rows_f32 (see mnemo_kernels.h).
#include "mnemo_kernels.h"
#include "mnemo_math.cuh"

namespace mnemo::gather {
constexpr int kBlockThreads = 256;  // the header's launch contract
}

extern "C" __global__ void __launch_bounds__(mnemo::gather::kBlockThreads)
    mnemo_gather_rows_f32(const float* __restrict__ table, const int* __restrict__ rows,
                          float* __restrict__ out, long long n, long long width) {
  const long long total = n * width;
  const long long stride = mnemo::grid_stride();
  // Columns fastest: a warp reads (and writes) adjacent floats of one row.
  for (long long k = mnemo::grid_thread_index(); k < total; k += stride) {  // bounds guard
    const mnemo::RowCol ic = mnemo::row_col(k, width);
    out[k] = table[static_cast<long long>(rows[ic.row]) * width + ic.col];
  }
}
