// mnemo_math.cuh — device math shared by every kernel family: 64-bit grid-stride indexing,
// deterministic warp/block sums, and overflow-free activations for the cell kernels.
// Header-only, __forceinline__: the unity build (mnemo_kernels.cu) sees one copy.
#pragma once

namespace mnemo {

constexpr int kWarpSize = 32;
constexpr int kMaxBlockThreads = 1024;
constexpr unsigned kFullWarpMask = 0xffffffffu;

// ───────────────────────────── indexing ─────────────────────────────

// 64-bit from the first multiply: blockIdx.x · blockDim.x overflows int past 2^31 elements.
__device__ __forceinline__ long long grid_thread_index() {
  return static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
}

// Grids are capped (65535 blocks), so one thread walks n in steps of the whole grid.
__device__ __forceinline__ long long grid_stride() {
  return static_cast<long long>(gridDim.x) * blockDim.x;
}

// (row, col) of flat index i >= 0 in a row-major [rows, cols] matrix. A 64-bit division is a
// long software routine on the GPU; while i and cols fit in 32 bits (every per-step cell launch
// in practice) the 32-bit hardware path is taken.
struct RowCol {
  long long row;
  long long col;
};
__device__ __forceinline__ RowCol row_col(long long i, long long cols) {
  if (static_cast<unsigned long long>(i | cols) <= 0xFFFFFFFFull) {
    const unsigned ui = static_cast<unsigned>(i);
    const unsigned uc = static_cast<unsigned>(cols);
    const unsigned r = ui / uc;
    return {static_cast<long long>(r), static_cast<long long>(ui - r * uc)};
  }
  const long long r = i / cols;
  return {r, i - r * cols};
}

// p[i], or 0 where the optional array p is null (bias=False). The test is uniform per launch.
__device__ __forceinline__ float load_or_zero(const float* __restrict__ p, long long i) {
  return p != nullptr ? p[i] : 0.0f;
}

// The recurrent product gh[i] when the host split its GEMM over K into `splits` partial products,
// partial s at gh + s·stride: summed in order s = 0, 1, ..., so the bits are fixed for a given
// split (one split reads gh[i] alone, as before splits existed).
__device__ __forceinline__ float split_sum(const float* __restrict__ gh, long long i,
                                           long long splits, long long stride) {
  float sum = gh[i];
  for (long long s = 1; s < splits; ++s) sum += gh[s * stride + i];
  return sum;
}

// ───────────────────────────── reductions ─────────────────────────────

// Butterfly (xor) sum: every lane ends with the warp total. Each level adds the same two
// values in every lane (a+b == b+a), so all lanes hold identical bits and the result does
// not depend on scheduling: reductions built on it are deterministic run to run.
// All 32 lanes must be active.
template <typename T>
__device__ __forceinline__ T warp_sum(T v) {
#pragma unroll
  for (int offset = kWarpSize / 2; offset > 0; offset >>= 1) {
    v += __shfl_xor_sync(kFullWarpMask, v, offset);
  }
  return v;
}

// Sum of v over the block, returned to every thread. blockDim.x must be a multiple of 32
// (at most 1024) and every thread of the block must call it (it holds two barriers), so
// kernels that use it never return early: out-of-range threads contribute 0 instead.
// Every thread adds the warp totals in the same order, so all threads (and all blocks with
// the same inputs) get the same bits. Safe to call more than once per kernel.
template <typename T>
__device__ __forceinline__ T block_sum(T v) {
  __shared__ T warp_totals[kMaxBlockThreads / kWarpSize];
  const int lane = static_cast<int>(threadIdx.x) % kWarpSize;
  const int warp = static_cast<int>(threadIdx.x) / kWarpSize;
  v = warp_sum(v);
  if (lane == 0) warp_totals[warp] = v;
  __syncthreads();
  T total = T(0);
  const int warps = static_cast<int>(blockDim.x) / kWarpSize;
  for (int w = 0; w < warps; ++w) total += warp_totals[w];
  __syncthreads();  // no warp may overwrite warp_totals (next call) before all have read it
  return total;
}

// torch.lerp's float formula (the optimizers' moving averages): start + w·(end − start) for
// |w| < 0.5, else end − (end − start)·(1 − w), which is exact at w = 1.
__device__ __forceinline__ float torch_lerp(float start, float end, float w) {
  return fabsf(w) < 0.5f ? fmaf(w, end - start, start) : end - (end - start) * (1.0f - w);
}

// ───────────────────────────── activations ─────────────────────────────

// σ(x) with exp of a non-positive argument only, so it never overflows:
// x ≥ 0: 1/(1+e^-x); x < 0: e^x/(1+e^x). Branch-free; NaN in, NaN out.
__device__ __forceinline__ float stable_sigmoid(float x) {
  const float e = expf(-fabsf(x));
  const float r = 1.0f / (1.0f + e);
  return x >= 0.0f ? r : e * r;
}

// tanh via the CUDA math library (≤ 2 ulp, saturates to ±1). The textbook
// (e^2x − 1)/(e^2x + 1) gives inf/inf = NaN once e^2x overflows (x > ~44).
__device__ __forceinline__ float stable_tanh(float x) { return tanhf(x); }

// max(x, 0) with NaN passed through, as torch.relu (fmaxf would turn NaN into 0).
__device__ __forceinline__ float relu(float x) { return x < 0.0f ? 0.0f : x; }

// An attention score kept inside float's range, NaN kept: scale·⟨k, q⟩ past 3.4e38 rounds to ±∞, and a max
// of +∞ made every weight exp(∞ − ∞) = NaN (MemNet's read, whose log-sum-exp is finite for every finite score).
// Clamped, the largest score takes the weight, as its exact value would.
__device__ __forceinline__ float finite_score(float s) {
  return s > 3.402823466e38f ? 3.402823466e38f : (s < -3.402823466e38f ? -3.402823466e38f : s);
}

// Derivatives from the forward output y, as the backward kernels have y saved.
__device__ __forceinline__ float sigmoid_grad_from_output(float y) { return y * (1.0f - y); }
__device__ __forceinline__ float tanh_grad_from_output(float y) { return 1.0f - y * y; }
// The gradient through relu: dh where y > 0, else 0 (0 at 0, as PyTorch's threshold_backward). A
// select, not dh · [y > 0]: a NaN or ∞ dh at a dead unit gives 0 there, as in PyTorch, not NaN.
__device__ __forceinline__ float relu_backward(float dh, float y) { return y > 0.0f ? dh : 0.0f; }

// bfloat16 as the upper 16 bits of a float32 (torch.bfloat16's bits), two to a 32-bit word, the
// lower column in the lower half (little endian: the lower address).
__device__ __forceinline__ float bf16_low(unsigned w) { return __uint_as_float(w << 16); }
__device__ __forceinline__ float bf16_high(unsigned w) { return __uint_as_float(w & 0xFFFF0000u); }

// The bfloat16 bits nearest to x, ties to even (what __float2bfloat16_rn gives; written out so the
// host emulator and the harness reference round the same way). NaN stays a quiet NaN.
__device__ __forceinline__ unsigned bf16_bits_rn(float x) {
  const unsigned u = __float_as_uint(x);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) return (u >> 16) | 0x0040u;
  return (u + 0x7FFFu + ((u >> 16) & 1u)) >> 16;
}

__device__ __forceinline__ unsigned bf16_pack_rn(float low, float high) {
  return bf16_bits_rn(low) | (bf16_bits_rn(high) << 16);
}

// The block's dynamic shared memory as floats (the emulator keeps one array per live block).
__device__ __forceinline__ float* dynamic_shared_floats() {
#ifdef MNEMO_EMULATOR
  return static_cast<float*>(::emu::dynamic_shared());  // native/emu: one array per live block
#else
  extern __shared__ float smem[];
  return smem;
#endif
}

}  // namespace mnemo
