// memnet_read.cuh — family "memnet": what the read kernels share (see mnemo_kernels.h): lane
// layout, vector loads, group sums, and the online-softmax state with its merge.
//
// Lane layout. A warp is cut into groups of G lanes (G = 4, 8, 16 or 32); a group owns one slot
// at a time and each of its lanes owns R vectors of VEC consecutive elements of the key and the
// value row (element e = (r·G + laneInGroup)·VEC + i). For d = 64 float: VEC = 4 (16-byte loads),
// G = 16, R = 1, so one warp instruction reads two whole 256-byte rows — fully coalesced. The
// slot's score is the group's sum (log2 G xor-shuffles). G is the smallest that covers the wider
// row, so narrow rows do not leave lanes idle.
//
// Bandwidth. Each group issues the K and V loads of kUnroll slots before using any of them:
// for d = 64 float, 2·4 16-byte loads in flight per lane (128 bytes per thread, 64 KB or more
// per SM) — above the ~20 KB per SM that Little's law asks of HBM3 (3.35 TB/s × ~0.7 µs / 132).
#pragma once

#include <math_constants.h>

#include "mnemo_kernels.h"
#include "mnemo_math.cuh"

namespace mnemo::memnet {
constexpr int kBlockThreads = 256;  // the header's launch contract
constexpr int kWarps = kBlockThreads / kWarpSize;
constexpr int kMaxWidth = MNEMO_MEMNET_MAX_WIDTH;
// Resident blocks per SM the split read asks ptxas for (caps registers at 80 per thread): the
// split kernels stream, so more warps in flight matter more than a few spare registers.
constexpr int kSplitMinBlocks = 3;

// bf16 storage: the upper 16 bits of a float32 (torch.bfloat16's bits).
struct Bf16 {
  unsigned short bits;
};

// Slots per group per iteration: 16 registers of each of K and V per lane as loaded, for vectors of
// WORDS 32-bit registers (d = 64: float 4 slots, 2·4 16-byte loads in flight; bfloat16, kept packed
// until used, 4 slots too), at most 4. The register arrays stay at 32 words for every layout, so no
// variant of a kernel raises the register count (and lowers occupancy) of the others — a kernel is
// allocated the registers of its hungriest instantiation.
template <int WORDS, int R>
constexpr int kUnrollOf = 16 / (R * WORDS) >= 4 ? 4 : (16 / (R * WORDS) >= 1 ? 16 / (R * WORDS) : 1);

// Elements per 16-byte load of a storage type.
template <typename S>
constexpr int kVecOf = 16 / static_cast<int>(sizeof(S));

// Vectors per lane: with G < 32 one vector covers the row (G was picked so); with G = 32 the row
// may need kMaxWidth / (32·VEC) of them.
template <int VEC, int G>
constexpr int kVectorsPerLane = G == kWarpSize ? (kMaxWidth / (kWarpSize * VEC) > 0 ? kMaxWidth / (kWarpSize * VEC) : 1) : 1;

// out[0..VEC) = p[0..VEC) as floats; p is 16-byte aligned when VEC > 1.
template <int VEC>
__device__ __forceinline__ void load_vec(const float* __restrict__ p, float (&out)[VEC]) {
  if constexpr (VEC == 4) {
    const float4 v = *reinterpret_cast<const float4*>(p);
    out[0] = v.x;
    out[1] = v.y;
    out[2] = v.z;
    out[3] = v.w;
  } else {
    static_assert(VEC == 1, "float loads: 4 or 1");
    out[0] = *p;
  }
}

// One vector of VEC elements as loaded, widened to floats where it is used: bfloat16 stays packed
// two to a register, so the forward keeps twice the slots' bytes in flight in the same registers.
template <typename S, int VEC>
struct Packed;

template <int VEC>
struct Packed<float, VEC> {
  static constexpr int kWords = VEC;
  float v[VEC];
  __device__ __forceinline__ void load(const float* __restrict__ p) { load_vec<VEC>(p, v); }
  __device__ __forceinline__ void zero() {
#pragma unroll
    for (int i = 0; i < VEC; ++i) v[i] = 0.0f;
  }
  __device__ __forceinline__ float at(int i) const { return v[i]; }
};

template <>
struct Packed<Bf16, 8> {
  static constexpr int kWords = 4;
  unsigned w[4];
  __device__ __forceinline__ void load(const Bf16* __restrict__ p) {
    const uint4 v = *reinterpret_cast<const uint4*>(p);
    w[0] = v.x;
    w[1] = v.y;
    w[2] = v.z;
    w[3] = v.w;
  }
  __device__ __forceinline__ void zero() {
#pragma unroll
    for (int i = 0; i < 4; ++i) w[i] = 0u;
  }
  // little endian: element 2k is word k's low half
  __device__ __forceinline__ float at(int i) const { return i % 2 == 0 ? bf16_low(w[i / 2]) : bf16_high(w[i / 2]); }
};

template <>
struct Packed<Bf16, 1> {
  static constexpr int kWords = 1;
  unsigned w;
  __device__ __forceinline__ void load(const Bf16* __restrict__ p) { w = p->bits; }
  __device__ __forceinline__ void zero() { w = 0u; }
  __device__ __forceinline__ float at(int) const { return __uint_as_float(w << 16); }
};

// p[0..VEC) += add[0..VEC) (accumulated gradients; float only).
template <int VEC>
__device__ __forceinline__ void add_vec(float* __restrict__ p, const float (&add)[VEC]) {
  if constexpr (VEC == 4) {
    float4 v = *reinterpret_cast<float4*>(p);
    v.x += add[0];
    v.y += add[1];
    v.z += add[2];
    v.w += add[3];
    *reinterpret_cast<float4*>(p) = v;
  } else {
    static_assert(VEC == 1, "float stores: 4 or 1");
    *p += add[0];
  }
}

// Sum over the G lanes of a group (xor offsets < G stay inside the aligned group); every lane
// of the group gets the same bits. All 32 lanes must call it.
template <int G>
__device__ __forceinline__ float group_sum(float v) {
#pragma unroll
  for (int offset = G / 2; offset > 0; offset >>= 1) v += __shfl_xor_sync(kFullWarpMask, v, offset);
  return v;
}

// max that keeps a NaN (fmaxf would drop it): a NaN score must reach c and lse, as on the CPU.
__device__ __forceinline__ float nan_max(float a, float b) { return (b > a || b != b) ? b : a; }

// Where a lane's r-th vector starts in a row, and whether it lies within `width`.
template <int VEC, int G>
__device__ __forceinline__ int element_of(int r, int laneInGroup) {
  return (r * G + laneInGroup) * VEC;
}

// A running softmax over the slots a group (then a warp, a block) has seen: max m, l = Σ exp(s −
// m), and this lane's elements of acc = Σ exp(s − m)·V. Empty: (−inf, 0, 0).
template <int VEC, int G>
struct SoftmaxState {
  static constexpr int R = kVectorsPerLane<VEC, G>;
  float m;
  float l;
  float acc[R][VEC];

  __device__ __forceinline__ void clear() {
    m = -CUDART_INF_F;
    l = 0.0f;
#pragma unroll
    for (int r = 0; r < R; ++r)
#pragma unroll
      for (int i = 0; i < VEC; ++i) acc[r][i] = 0.0f;
  }

  // Merges `o` in: symmetric bit for bit (each term is formed the same way and a + b == b + a),
  // so a butterfly leaves identical bits in both partners. A side that saw nothing adds 0.
  __device__ __forceinline__ void merge(float om, float ol, const float (&oacc)[R][VEC]) {
    const float mx = nan_max(m, om);
    if (mx == -CUDART_INF_F) return;  // both empty
    const float fa = expf(m - mx);
    const float fb = expf(om - mx);
    l = l * fa + ol * fb;
#pragma unroll
    for (int r = 0; r < R; ++r)
#pragma unroll
      for (int i = 0; i < VEC; ++i) acc[r][i] = acc[r][i] * fa + oacc[r][i] * fb;
    m = mx;
  }

  // Butterfly merge across the groups of a warp (xor offsets G .. 16): every lane ends with the
  // warp's state for its own elements. All 32 lanes must call it.
  __device__ __forceinline__ void warp_merge() {
#pragma unroll
    for (int offset = G; offset < kWarpSize; offset <<= 1) {
      const float om = __shfl_xor_sync(kFullWarpMask, m, offset);
      const float ol = __shfl_xor_sync(kFullWarpMask, l, offset);
      float oacc[R][VEC];
#pragma unroll
      for (int r = 0; r < R; ++r)
#pragma unroll
        for (int i = 0; i < VEC; ++i) oacc[r][i] = __shfl_xor_sync(kFullWarpMask, acc[r][i], offset);
      merge(om, ol, oacc);
    }
  }
};

// One batch row's operands for the forward loop.
template <typename S>
struct FwdRow {
  const S* keys;    // K[b, 0, 0]
  const S* values;  // V[b, 0, 0]
  long long keySlotStride;
  long long valueSlotStride;
  int keyWidth;
  int valueWidth;
  float scale;
};

// Folds slots [begin, end) into `st`: this group takes slots begin + it·kUnroll·groups +
// u·groups + group (groups = how many groups share the range, group = this one's index).
// The trip count depends only on (begin, end, groups), so all lanes of a warp run the same
// iterations and may shuffle. qv: this lane's elements of q (0 past keyWidth).
template <typename S, int VEC, int G>
__device__ __forceinline__ void fold_slots(const FwdRow<S>& row,
                                           const float (&qv)[kVectorsPerLane<VEC, G>][VEC],
                                           long long begin, long long end, int groups, int group,
                                           int laneInGroup, SoftmaxState<VEC, G>& st) {
  constexpr int R = kVectorsPerLane<VEC, G>;
  constexpr int kUnroll = kUnrollOf<Packed<S, VEC>::kWords, R>;
  for (long long base = begin; base < end; base += static_cast<long long>(kUnroll) * groups) {
    Packed<S, VEC> kv[kUnroll][R];
    Packed<S, VEC> vv[kUnroll][R];
    bool valid[kUnroll];
    // All loads first (bytes in flight), then the arithmetic.
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const long long m = base + static_cast<long long>(u) * groups + group;
      valid[u] = m < end;
#pragma unroll
      for (int r = 0; r < R; ++r) {
        const int e = element_of<VEC, G>(r, laneInGroup);
        if (valid[u] && e < row.keyWidth) {
          kv[u][r].load(row.keys + m * row.keySlotStride + e);
        } else {
          kv[u][r].zero();
        }
        if (valid[u] && e < row.valueWidth) {
          vv[u][r].load(row.values + m * row.valueSlotStride + e);
        } else {
          vv[u][r].zero();
        }
      }
    }
    float s[kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      float dot = 0.0f;
#pragma unroll
      for (int r = 0; r < R; ++r)
#pragma unroll
        for (int i = 0; i < VEC; ++i) dot = fmaf(kv[u][r].at(i), qv[r][i], dot);
      dot = group_sum<G>(dot);  // every lane, valid slot or not: the shuffle needs all 32
      s[u] = valid[u] ? finite_score(dot * row.scale) : -CUDART_INF_F;
    }
    float mx = st.m;
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) mx = nan_max(mx, s[u]);
    if (mx == -CUDART_INF_F) continue;  // no valid slot here for this group (uniform per group)
    const float alpha = expf(st.m - mx);  // 0 on the first slot (st.m = −inf)
    float l = st.l * alpha;
#pragma unroll
    for (int r = 0; r < R; ++r)
#pragma unroll
      for (int i = 0; i < VEC; ++i) st.acc[r][i] *= alpha;
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const float p = expf(s[u] - mx);  // 0 for an invalid slot (s = −inf)
      l += p;
#pragma unroll
      for (int r = 0; r < R; ++r)
#pragma unroll
        for (int i = 0; i < VEC; ++i) st.acc[r][i] = fmaf(p, vv[u][r].at(i), st.acc[r][i]);
    }
    st.l = l;
    st.m = mx;
  }
}

// The final (m, l) after adding `empty` zero slots (score 0, value 0), and the factor that scales
// acc into c: c = acc · factor. For no slot at all: lse −inf, factor 0.
struct Finish {
  float lse;
  float factor;
};
__device__ __forceinline__ Finish finish(float m, float l, long long empty) {
  float mx = m;
  if (empty > 0) mx = nan_max(mx, 0.0f);
  if (mx == -CUDART_INF_F) return {-CUDART_INF_F, 0.0f};
  const float fm = expf(m - mx);  // 0 when there are only empty slots
  const float total = l * fm + (empty > 0 ? static_cast<float>(empty) * expf(-mx) : 0.0f);
  return {mx + logf(total), fm / total};
}

// The lane layout chosen for a launch: VEC elements per load, G lanes per slot.
struct Layout {
  bool vector;  // VEC = kVecOf<S> (16-byte loads), else 1
  int lanes;    // G
};

__device__ __forceinline__ bool aligned16(const void* p) {
  return (reinterpret_cast<unsigned long long>(p) & 15ull) == 0;
}

// G = the smallest of 4, 8, 16, 32 lanes that covers the wider row in vectors of vec elements
// (rows wider than 32 vectors take R > 1 vectors per lane).
__device__ __forceinline__ int lanes_for(long long keyWidth, long long valueWidth, int vec) {
  const long long widest = keyWidth > valueWidth ? keyWidth : valueWidth;
  const long long vectors = (widest + vec - 1) / vec;
  return vectors <= 4 ? 4 : vectors <= 8 ? 8 : vectors <= 16 ? 16 : 32;
}

// Runs Body::run<VEC, G>(p, smem) for the layout: the one place the runtime choice becomes template
// arguments (8 instantiations per kernel). Shared memory is the kernel's (smem), not the bodies':
// a __shared__ array inside each instantiation would be allocated 8 times.
template <typename S, typename Body, typename P>
__device__ __forceinline__ void dispatch(const Layout& layout, const P& p, float* smem) {
  constexpr int V = kVecOf<S>;
  if (layout.vector) {
    switch (layout.lanes) {
      case 4: Body::template run<V, 4>(p, smem); break;
      case 8: Body::template run<V, 8>(p, smem); break;
      case 16: Body::template run<V, 16>(p, smem); break;
      default: Body::template run<V, 32>(p, smem); break;
    }
  } else {
    switch (layout.lanes) {
      case 4: Body::template run<1, 4>(p, smem); break;
      case 8: Body::template run<1, 8>(p, smem); break;
      case 16: Body::template run<1, 16>(p, smem); break;
      default: Body::template run<1, 32>(p, smem); break;
    }
  }
}

// Whether every width, stride and pointer allows vectors of `vec` elements.
__device__ __forceinline__ bool vector_ok(long long vec, long long keyWidth, long long valueWidth,
                                          long long s0, long long s1, long long s2, long long s3) {
  return keyWidth % vec == 0 && valueWidth % vec == 0 && s0 % vec == 0 && s1 % vec == 0 &&
         s2 % vec == 0 && s3 % vec == 0;
}

}  // namespace mnemo::memnet
