// gather_rows.cu — family "gather": out[i, :] = table[rows[i], :], the counterpart of
// scatter_add_rows: embedding lookups and the row permutations of packed
// (variable-length) recurrent passes in one launch instead of one copy per run of rows; and the
// carry of a packed step's finished rows (dst[b, :] = src[b, :] where t >= lengths[b]), and the
// zeroing of a packed batch's padded steps in one launch.
// Entry points: mnemo_gather_rows_f32, mnemo_gather_carry_finished_rows_f32,
// mnemo_gather_zero_ended_steps_f32 (see mnemo_kernels.h).
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

// A packed pass's step on every row (a recorded time loop keeps one shape for any lengths): rows
// whose sequence has ended by step t take their state from the step before instead of the cell's.
extern "C" __global__ void __launch_bounds__(mnemo::gather::kBlockThreads)
    mnemo_gather_carry_finished_rows_f32(float* __restrict__ dst, const float* __restrict__ src,
                                         const float* __restrict__ lengths, long long t,
                                         long long rows, long long width) {
  const long long total = rows * width;
  const long long stride = mnemo::grid_stride();
  for (long long k = mnemo::grid_thread_index(); k < total; k += stride) {  // bounds guard
    const mnemo::RowCol rc = mnemo::row_col(k, width);
    if (static_cast<float>(t) >= lengths[rc.row]) dst[k] = src[k];
  }
}

// The padded steps of a variable-length batch set to 0: element (t, b, c) at t·stepStride +
// b·rowStride + c, for every t >= lengths[b] (time-major or batch-first, by the strides).
extern "C" __global__ void __launch_bounds__(mnemo::gather::kBlockThreads)
    mnemo_gather_zero_ended_steps_f32(float* __restrict__ x, const float* __restrict__ lengths,
                                      long long steps, long long rows, long long width,
                                      long long stepStride, long long rowStride) {
  const long long total = steps * rows * width;
  const long long stride = mnemo::grid_stride();
  for (long long k = mnemo::grid_thread_index(); k < total; k += stride) {  // bounds guard
    const mnemo::RowCol pc = mnemo::row_col(k, width);     // (t·rows + b, c)
    const mnemo::RowCol tb = mnemo::row_col(pc.row, rows);  // (t, b)
    if (static_cast<float>(tb.row) >= lengths[tb.col]) x[tb.row * stepStride + tb.col * rowStride + pc.col] = 0.0f;
  }
}
