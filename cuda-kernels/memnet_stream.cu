// memnet_stream.cu — family "memnet": MemNet's streaming steps in one launch
// (mnemo_memnet_stream_f32; see mnemo_kernels.h). The layer's step queues about fourteen launches
// (the cell's product, the read, the ring write, the output layers, the state copies) for a few
// hundred floats a row; here a block runs one batch row through all the call's steps — one step of
// a stream, or a prefix and a free-running continuation — with the memory a ring buffer in place.
#include <math_constants.h>

#include "memnet_cell.cuh"
#include "mnemo_kernels.h"
#include "mnemo_math.cuh"

namespace mnemo::memnet_stream {
using namespace mnemo::memnet_cell;

// y = stateOutWeight·h + readOutWeight·c + stateOutBias + readOutBias, a warp per output (the step
// loop's two GEMMs, then the two biases), into shared y and out. Ends with a barrier.
__device__ __forceinline__ void output(const mnemo_memnet_stream_params& p, long long S, const float* h,
                                       const float* c, float* y, float* out) {
  const int lane = static_cast<int>(threadIdx.x) % kWarpSize;
  const int warp = static_cast<int>(threadIdx.x) / kWarpSize;
  for (long long k = warp; k < p.outputWidth; k += kWarps) {
    float fromState = 0.0f, fromRead = 0.0f;
    for (long long i = lane; i < S; i += kWarpSize) fromState = fmaf(p.stateOutWeight[k * S + i], h[i], fromState);
    for (long long j = lane; j < p.valueWidth; j += kWarpSize) {
      fromRead = fmaf(p.readOutWeight[k * p.valueWidth + j], c[j], fromRead);
    }
    const float v = warp_sum(fromState) + warp_sum(fromRead) + p.stateOutBias[k] + p.readOutBias[k];
    if (lane == 0) {
      y[k] = v;
      out[k] = v;
    }
  }
  __syncthreads();
}
}  // namespace mnemo::memnet_stream

extern "C" __global__ void __launch_bounds__(mnemo::memnet_cell::kThreads)
    mnemo_memnet_stream_f32(mnemo_memnet_stream_params p) {
  using namespace mnemo;
  using namespace mnemo::memnet_stream;
  const long long b = blockIdx.x;
  const auto [steps, batch, dIn, dk, dv, M, S, width, ldw] = sizes_of(p);
  const int parts = parts_for(S);

  float* w = dynamic_shared_floats();  // [S, ldw]
  float* u = w + S * ldw;              // [width]  u_t
  float* h = u + width;                // [S]      h, then o_t
  float* c = h + S;                    // [d_v]    c, then the step's read
  float* partial = c + dv;             // [parts, S]
  float* prob = partial + parts * S;   // [M]
  float* stat = prob + M;              // [1]
  float* y = stat + 1;                 // [d_out]  y_{t−1}: the next x when free-running

  load_weight(p.weight, S, width, ldw, w);
  for (long long i = threadIdx.x; i < S; i += kThreads) h[i] = p.h[b * S + i];
  for (long long j = threadIdx.x; j < dv; j += kThreads) c[j] = p.c[b * dv + j];
  float* keys = p.keys + b * M * dk;
  float* values = p.values + b * M * dv;
  const float scale = static_cast<float>(p.scale);
  __syncthreads();

  for (long long t = 0; t < steps; ++t) {
    const long long n = p.stepsBefore + t;  // this step's index in the stream
    for (long long j = threadIdx.x; j < width; j += kThreads) {  // u_t = [x_t, relu(h), c]
      u[j] = j < dIn ? (t < p.prefix ? p.x[(t * batch + b) * dIn + j] : y[j])
                     : j < dIn + S ? relu(h[j - dIn]) : c[j - dIn - S];
    }
    __syncthreads();
    product(w, ldw, u, S, width, parts, p.bias, partial, h, nullptr);  // h = o_t
    const long long filled = n < M ? n : M;
    read(h, Slots{keys, dk, values, dv}, filled, p.maskEmptySlots ? 0 : M - filled, dk, dv, scale, prob, stat,
         partial, parts * S, c, nullptr);
    const long long slot = n % M;  // after the read: it sees the events up to t − 1
    for (long long j = threadIdx.x; j < dk + dv; j += kThreads) {
      if (j < dk) {
        keys[slot * dk + j] = h[dk + j];
      } else {
        values[slot * dv + (j - dk)] = h[2 * dk + (j - dk)];
      }
    }
    output(p, S, h, c, y, p.y + (t * batch + b) * p.outputWidth);
  }
  for (long long i = threadIdx.x; i < S; i += kThreads) p.h[b * S + i] = h[i];
  for (long long j = threadIdx.x; j < dv; j += kThreads) p.c[b * dv + j] = c[j];
}
