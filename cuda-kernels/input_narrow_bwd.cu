// input_narrow_bwd.cu — family "input": a recurrent layer's input-side gradients for few inputs
// (I <= 4) in one read of dWx (see mnemo_kernels.h). Entry point: mnemo_input_narrow_bwd_f32.
//
// Layout of a block: C "column threads" (a power of two >= 32, so a warp never straddles two
// row lanes) each own up to kColsPerThread columns g = c, c + C, ..., and the block's 256 / C
// "row lanes" take kRowsPerPass adjacent rows each per pass. A thread's column sums and dW
// partials stay in registers for the whole split; a row's dIn is a warp butterfly plus, when a
// row lane has several warps, one shared-memory sum.
//
// For one or two inputs a pass's loads are issued before the pass ahead of it is added (two sets
// of registers). Without that, each pass waited out its loads' latency and then its barrier with
// nothing in flight: pixel MNIST's LSTM read dWx at 1.8 TB/s on the H200 (run 11, `inputgrads`),
// under half the copy's. Written without a GPU; `GpuBenchmarkRunner inputgrads` times it.
#include "mnemo_kernels.h"
#include "mnemo_math.cuh"

namespace mnemo::input::narrow {
constexpr int kBlockThreads = 256;  // the header's launch contract
constexpr int kColsPerThread = MNEMO_INPUT_NARROW_MAX_GATES / kBlockThreads;
constexpr int kRowsPerPass = 4;  // rows a thread loads before it adds: 16 loads in flight
constexpr int kWarps = kBlockThreads / kWarpSize;
constexpr unsigned kFullMask = 0xFFFFFFFFu;
static_assert(kColsPerThread * kBlockThreads == MNEMO_INPUT_NARROW_MAX_GATES,
              "the widest layer fills every column slot of a block");

// The smallest power of two C >= 32 with C·kColsPerThread >= gates (at most kBlockThreads).
__device__ __forceinline__ int column_threads(int gates) {
  int c = kWarpSize;
  while (c * kColsPerThread < gates) c *= 2;
  return c;
}

// Shared memory of a block: each pass's per-warp row dots (two buffers, so one barrier a pass
// suffices), then the row lanes' column totals at the end.
struct Shared {
  float rowDots[2][kWarps][kRowsPerPass][MNEMO_INPUT_NARROW_MAX_INPUTS];
  float laneTotals[kBlockThreads * kColsPerThread];
};

// Whether a pass's loads are issued while the pass before it is added (two register sets): for one
// or two inputs, the recurrent layers' narrow inputs (pixel MNIST's 1). Three and four inputs would
// need more than the 128 registers a thread has at two blocks an SM, and spill.
template <int kInputs>
constexpr bool kPrefetches = kInputs <= 2;

// One pass's loads: kRowsPerPass rows of this thread's columns of dWx, and their x.
template <int kInputs>
struct PassData {
  float v[kRowsPerPass][kColsPerThread];
  float x[kRowsPerPass][kInputs];
};

template <int kInputs>
__device__ __forceinline__ void narrow_bwd(Shared& sh, float* __restrict__ dIn,
                                           float* __restrict__ partials,
                                           const float* __restrict__ dWx,
                                           const float* __restrict__ x,
                                           const float* __restrict__ wIh, long long rows, int gates,
                                           long long rowsPerSplit, float beta) {
  const int tid = static_cast<int>(threadIdx.x);
  const int colThreads = column_threads(gates);
  const int rowLanes = kBlockThreads / colThreads;
  const int warpsPerLane = colThreads / kWarpSize;
  const int colThread = tid % colThreads;
  const int rowLane = tid / colThreads;
  const int warp = tid / kWarpSize;
  const int lane = tid % kWarpSize;
  const long long split = blockIdx.x;
  const long long begin = split * rowsPerSplit;
  const long long end = begin + rowsPerSplit < rows ? begin + rowsPerSplit : rows;

  int col[kColsPerThread];
  bool colValid[kColsPerThread];
  float w[kColsPerThread][kInputs];
#pragma unroll
  for (int k = 0; k < kColsPerThread; ++k) {
    col[k] = colThread + k * colThreads;
    colValid[k] = col[k] < gates;
#pragma unroll
    for (int i = 0; i < kInputs; ++i) w[k][i] = colValid[k] ? wIh[col[k] * kInputs + i] : 0.0f;
  }
  float colSum[kColsPerThread] = {};
  float colDw[kColsPerThread][kInputs] = {};

  const long long rowsPerPass = static_cast<long long>(rowLanes) * kRowsPerPass;
  const long long passes = (end - begin + rowsPerPass - 1) / rowsPerPass;  // the same for all threads
  // A pass's loads into `d` (zeros past the rows or the columns).
  const auto load = [&](long long p, PassData<kInputs>& d) {
    const long long first = begin + p * rowsPerPass + static_cast<long long>(rowLane) * kRowsPerPass;
#pragma unroll
    for (int u = 0; u < kRowsPerPass; ++u) {
      const long long r = first + u;
      const bool rowValid = r < end;
#pragma unroll
      for (int k = 0; k < kColsPerThread; ++k) {
        d.v[u][k] = rowValid && colValid[k] ? dWx[r * gates + col[k]] : 0.0f;
      }
#pragma unroll
      for (int i = 0; i < kInputs; ++i) d.x[u][i] = rowValid ? x[r * kInputs + i] : 0.0f;
    }
  };
  // A loaded pass into the column totals and dIn.
  const auto add = [&](long long p, const PassData<kInputs>& d) {
    // Rows in increasing order into the column totals; columns in increasing k into the row dots.
    float dot[kRowsPerPass][kInputs];
#pragma unroll
    for (int u = 0; u < kRowsPerPass; ++u) {
#pragma unroll
      for (int i = 0; i < kInputs; ++i) dot[u][i] = 0.0f;
#pragma unroll
      for (int k = 0; k < kColsPerThread; ++k) {
        colSum[k] += d.v[u][k];
#pragma unroll
        for (int i = 0; i < kInputs; ++i) {
          colDw[k][i] = fmaf(d.v[u][k], d.x[u][i], colDw[k][i]);
          dot[u][i] = fmaf(d.v[u][k], w[k][i], dot[u][i]);
        }
      }
    }
#pragma unroll
    for (int u = 0; u < kRowsPerPass; ++u) {
#pragma unroll
      for (int i = 0; i < kInputs; ++i) {
#pragma unroll
        for (int offset = kWarpSize / 2; offset > 0; offset >>= 1) {
          dot[u][i] += __shfl_xor_sync(kFullMask, dot[u][i], offset);
        }
      }
    }
    const int buf = static_cast<int>(p & 1);
    if (lane == 0) {
#pragma unroll
      for (int u = 0; u < kRowsPerPass; ++u) {
#pragma unroll
        for (int i = 0; i < kInputs; ++i) sh.rowDots[buf][warp][u][i] = dot[u][i];
      }
    }
    // One barrier a pass: a buffer is rewritten two passes later, after every reader of it has
    // passed the next pass's barrier.
    __syncthreads();
    if (tid < rowLanes * kRowsPerPass * kInputs) {
      const int l = tid / (kRowsPerPass * kInputs);
      const int u = tid / kInputs % kRowsPerPass;
      const int i = tid % kInputs;
      const long long r = begin + p * rowsPerPass + static_cast<long long>(l) * kRowsPerPass + u;
      if (r < end) {
        float total = 0.0f;
        for (int wl = 0; wl < warpsPerLane; ++wl) total += sh.rowDots[buf][l * warpsPerLane + wl][u][i];
        float* out = dIn + r * kInputs + i;
        *out = beta == 0.0f ? total : fmaf(beta, *out, total);  // beta = 0 must not read dIn
      }
    }
  };
  if constexpr (kPrefetches<kInputs>) {
    // Each pass's loads are in flight while the pass before it is added and meets at its barrier:
    // two register sets, taken in turn (a copy from one to the other would wait for the loads).
    PassData<kInputs> even, odd;
    if (passes > 0) load(0, even);
    for (long long p = 0; p < passes; p += 2) {
      if (p + 1 < passes) load(p + 1, odd);
      add(p, even);
      if (p + 1 < passes) {
        if (p + 2 < passes) load(p + 2, even);
        add(p + 1, odd);
      }
    }
  } else {
    for (long long p = 0; p < passes; ++p) {
      PassData<kInputs> d;
      load(p, d);
      add(p, d);
    }
  }

  // The row lanes' totals, summed in lane order by lane 0: quantity 0 is the column sum,
  // quantity 1 + i the dW_ih column i.
  const long long splits = gridDim.x;
  float* sums = partials + split * gates;
  float* dws = partials + splits * gates + split * gates * kInputs;
#pragma unroll
  for (int q = 0; q <= kInputs; ++q) {
    __syncthreads();  // the previous quantity's (or the last pass's) readers are done
#pragma unroll
    for (int k = 0; k < kColsPerThread; ++k) {
      sh.laneTotals[(rowLane * kColsPerThread + k) * colThreads + colThread] =
          q == 0 ? colSum[k] : colDw[k][q == 0 ? 0 : q - 1];
    }
    __syncthreads();
    if (rowLane == 0) {
#pragma unroll
      for (int k = 0; k < kColsPerThread; ++k) {
        if (!colValid[k]) continue;
        float total = 0.0f;
        for (int l = 0; l < rowLanes; ++l) {
          total += sh.laneTotals[(l * kColsPerThread + k) * colThreads + colThread];
        }
        if (q == 0) {
          sums[col[k]] = total;
        } else {
          dws[col[k] * kInputs + (q - 1)] = total;
        }
      }
    }
  }
}
}  // namespace mnemo::input::narrow

// Every thread reaches every barrier: passes is the same for the whole block, and threads past
// the columns or rows load zeros and write nothing. Two blocks an SM: at most 128 registers.
extern "C" __global__ void __launch_bounds__(mnemo::input::narrow::kBlockThreads, 2)
    mnemo_input_narrow_bwd_f32(float* __restrict__ dIn, float* __restrict__ partials,
                               const float* __restrict__ dWx, const float* __restrict__ x,
                               const float* __restrict__ wIh, long long rows, int gates,
                               int inputs, long long rowsPerSplit, float beta) {
  using namespace mnemo::input::narrow;
  static_assert(MNEMO_INPUT_NARROW_MAX_INPUTS == 4, "one instance per input width below");
  __shared__ Shared sh;
  switch (inputs) {
    case 1: narrow_bwd<1>(sh, dIn, partials, dWx, x, wIh, rows, gates, rowsPerSplit, beta); break;
    case 2: narrow_bwd<2>(sh, dIn, partials, dWx, x, wIh, rows, gates, rowsPerSplit, beta); break;
    case 3: narrow_bwd<3>(sh, dIn, partials, dWx, x, wIh, rows, gates, rowsPerSplit, beta); break;
    case 4: narrow_bwd<4>(sh, dIn, partials, dWx, x, wIh, rows, gates, rowsPerSplit, beta); break;
    default: break;  // the launcher rejects any other width
  }
}
