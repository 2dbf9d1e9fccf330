// memnet_ring_write.cu — family "memnet": the streaming write of k_t, v_t into slot t mod M of
// a [B, M, d] ring-buffer memory (see mnemo_kernels.h). Entry points: mnemo_memnet_ring_write_f32,
// mnemo_memnet_ring_write_at_f32.
#include "mnemo_kernels.h"
#include "mnemo_math.cuh"

namespace mnemo::memnet::ring {
constexpr int kBlockThreads = 256;  // the header's launch contract

// One thread per (b, j) of the row [k_t | v_t] (width d_k + d_v), grid-stride.
__device__ __forceinline__ void write(float* __restrict__ keys, float* __restrict__ values, const float* __restrict__ k,
                                      long long ldk, const float* __restrict__ v, long long ldv, long long batch,
                                      long long slots, long long keyWidth, long long valueWidth, long long step) {
  const long long slot = ((step % slots) + slots) % slots;  // in range even for a negative step (no stray write)
  const long long width = keyWidth + valueWidth;
  const long long n = batch * width;
  const long long stride = mnemo::grid_stride();
  for (long long i = mnemo::grid_thread_index(); i < n; i += stride) {
    const mnemo::RowCol rc = mnemo::row_col(i, width);
    const long long b = rc.row;
    const long long j = rc.col;
    if (j < keyWidth) {
      keys[(b * slots + slot) * keyWidth + j] = k[b * ldk + j];
    } else {
      const long long jv = j - keyWidth;
      values[(b * slots + slot) * valueWidth + jv] = v[b * ldv + jv];
    }
  }
}
}  // namespace mnemo::memnet::ring

extern "C" __global__ void __launch_bounds__(mnemo::memnet::ring::kBlockThreads)
    mnemo_memnet_ring_write_f32(float* __restrict__ keys, float* __restrict__ values,
                                const float* __restrict__ k, long long ldk,
                                const float* __restrict__ v, long long ldv, long long batch,
                                long long slots, long long keyWidth, long long valueWidth,
                                long long step) {
  mnemo::memnet::ring::write(keys, values, k, ldk, v, ldv, batch, slots, keyWidth, valueWidth, step);
}

// The step read from device memory when the kernel runs: a recorded streaming step writes the slot of
// the step count set before each replay.
extern "C" __global__ void __launch_bounds__(mnemo::memnet::ring::kBlockThreads)
    mnemo_memnet_ring_write_at_f32(float* __restrict__ keys, float* __restrict__ values,
                                   const float* __restrict__ k, long long ldk,
                                   const float* __restrict__ v, long long ldv, long long batch,
                                   long long slots, long long keyWidth, long long valueWidth,
                                   const long long* step) {
  mnemo::memnet::ring::write(keys, values, k, ldk, v, ldv, batch, slots, keyWidth, valueWidth, *step);
}
