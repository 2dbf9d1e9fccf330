// memnet_read_fwd.cu — family "memnet": the forward key-value read (see mnemo_kernels.h).
// Entry points: mnemo_memnet_read_fwd_small_f32 (a warp per row, fused), and the flash-decoding
// pair mnemo_memnet_read_fwd_split_f32 / _split_kvbf16_f32 (partials per slot chunk) +
// mnemo_memnet_read_fwd_merge_f32 (log-sum-exp merge, a block per row).
#include <cstddef>

#include "memnet_merge.cuh"
#include "memnet_read.cuh"

namespace mnemo::memnet::fwd {

static_assert(sizeof(mnemo_memnet_read_fwd_params) == 160, "header: 160 bytes");
static_assert(offsetof(mnemo_memnet_read_fwd_params, q) == 0, "header offset");
static_assert(offsetof(mnemo_memnet_read_fwd_params, keys) == 8, "header offset");
static_assert(offsetof(mnemo_memnet_read_fwd_params, values) == 16, "header offset");
static_assert(offsetof(mnemo_memnet_read_fwd_params, c) == 24, "header offset");
static_assert(offsetof(mnemo_memnet_read_fwd_params, lse) == 32, "header offset");
static_assert(offsetof(mnemo_memnet_read_fwd_params, partials) == 40, "header offset");
static_assert(offsetof(mnemo_memnet_read_fwd_params, batch) == 48, "header offset");
static_assert(offsetof(mnemo_memnet_read_fwd_params, slots) == 56, "header offset");
static_assert(offsetof(mnemo_memnet_read_fwd_params, emptySlots) == 64, "header offset");
static_assert(offsetof(mnemo_memnet_read_fwd_params, keyWidth) == 72, "header offset");
static_assert(offsetof(mnemo_memnet_read_fwd_params, valueWidth) == 80, "header offset");
static_assert(offsetof(mnemo_memnet_read_fwd_params, qBatchStride) == 88, "header offset");
static_assert(offsetof(mnemo_memnet_read_fwd_params, keyBatchStride) == 96, "header offset");
static_assert(offsetof(mnemo_memnet_read_fwd_params, keySlotStride) == 104, "header offset");
static_assert(offsetof(mnemo_memnet_read_fwd_params, valueBatchStride) == 112, "header offset");
static_assert(offsetof(mnemo_memnet_read_fwd_params, valueSlotStride) == 120, "header offset");
static_assert(offsetof(mnemo_memnet_read_fwd_params, slotsPerSplit) == 128, "header offset");
static_assert(offsetof(mnemo_memnet_read_fwd_params, splits) == 136, "header offset");
static_assert(offsetof(mnemo_memnet_read_fwd_params, counters) == 152, "header offset");
static_assert(offsetof(mnemo_memnet_read_fwd_params, scale) == 144, "header offset");

// Floats of the split kernel's shared memory: per warp (m, l) and its acc row.
constexpr int kSmemFloats = kWarps * (2 + kMaxWidth);

template <typename S>
__device__ __forceinline__ Layout layout_of(const mnemo_memnet_read_fwd_params& p) {
  constexpr long long v = kVecOf<S>;
  const bool vector = vector_ok(v, p.keyWidth, p.valueWidth, p.keyBatchStride, p.keySlotStride,
                                p.valueBatchStride, p.valueSlotStride) &&
                      aligned16(p.keys) && aligned16(p.values);
  return {vector, lanes_for(p.keyWidth, p.valueWidth, vector ? static_cast<int>(v) : 1)};
}

template <typename S>
__device__ __forceinline__ FwdRow<S> row_of(const mnemo_memnet_read_fwd_params& p, long long b) {
  return {static_cast<const S*>(p.keys) + b * p.keyBatchStride,
          static_cast<const S*>(p.values) + b * p.valueBatchStride,
          p.keySlotStride,
          p.valueSlotStride,
          static_cast<int>(p.keyWidth),
          static_cast<int>(p.valueWidth),
          static_cast<float>(p.scale)};
}

// This lane's elements of q[b, :] (0 past keyWidth). q is read once per row: scalar loads.
template <int VEC, int G>
__device__ __forceinline__ void load_q(const float* __restrict__ q, long long width, int laneInGroup,
                                       float (&qv)[kVectorsPerLane<VEC, G>][VEC]) {
#pragma unroll
  for (int r = 0; r < kVectorsPerLane<VEC, G>; ++r)
#pragma unroll
    for (int i = 0; i < VEC; ++i) {
      const int e = element_of<VEC, G>(r, laneInGroup) + i;
      qv[r][i] = e < width ? q[e] : 0.0f;
    }
}

// Small path: warp w of block x reads row b = 8x + w over all its slots, then writes c and lse.
template <typename S>
struct Small {
  template <int VEC, int G>
  static __device__ __forceinline__ void run(const mnemo_memnet_read_fwd_params& p, float*) {
    const int lane = static_cast<int>(threadIdx.x) % kWarpSize;
    const long long b = static_cast<long long>(blockIdx.x) * kWarps + threadIdx.x / kWarpSize;
    if (b >= p.batch) return;  // the whole warp: no block barrier in this kernel
    const int laneInGroup = lane % G;
    float qv[kVectorsPerLane<VEC, G>][VEC];
    load_q<VEC, G>(p.q + b * p.qBatchStride, p.keyWidth, laneInGroup, qv);
    SoftmaxState<VEC, G> st;
    st.clear();
    fold_slots<S, VEC, G>(row_of<S>(p, b), qv, 0, p.slots, kWarpSize / G, lane / G, laneInGroup, st);
    st.warp_merge();
    const Finish f = finish(st.m, st.l, p.emptySlots);
    if (lane < G) {
      float* c = p.c + b * p.valueWidth;
#pragma unroll
      for (int r = 0; r < kVectorsPerLane<VEC, G>; ++r)
#pragma unroll
        for (int i = 0; i < VEC; ++i) {
          const int e = element_of<VEC, G>(r, laneInGroup) + i;
          if (e < p.valueWidth) c[e] = st.acc[r][i] * f.factor;
        }
    }
    if (lane == 0) p.lse[b] = f.lse;
  }
};

// Row b's merge, a block (memnet_merge.cuh): the max over the row's partials (and 0 for the empty
// slots), then l = Σ l_s·exp(m_s − max) + empty·exp(−max) and c = Σ acc_s·exp(m_s − max) / l.
// Each thread of a group forms the same l bits (same splits, same order), so every column's
// thread ends with the same l. Partials are read from L2 (__ldcg): the split kernel's last block of
// a row reads what other blocks wrote. red: kBlockThreads floats of shared memory. BATCH: the splits
// whose loads a thread keeps in flight (merge::fold_splits).
template <int BATCH = merge::kFoldBatch>
__device__ __forceinline__ void merge_row(const mnemo_memnet_read_fwd_params& p, long long b, float* red) {
  const long long width = 2 + p.valueWidth;
  const float* part = p.partials + b * p.splits * width;
  float mx = -CUDART_INF_F;
  for (long long s = threadIdx.x; s < p.splits; s += kBlockThreads) mx = nan_max(mx, __ldcg(part + s * width));
  mx = merge::block_max(mx, red);
  if (p.emptySlots > 0) mx = nan_max(mx, 0.0f);
  float* c = p.c + b * p.valueWidth;
  if (mx == -CUDART_INF_F) {  // the same in every thread: no slot at all
    for (long long j = threadIdx.x; j < p.valueWidth; j += kBlockThreads) c[j] = 0.0f;
    if (threadIdx.x == 0) p.lse[b] = -CUDART_INF_F;
    return;
  }
  const merge::Groups g = merge::groups_of(p.valueWidth);
  float a = 0.0f;
  float l = 0.0f;
  if (g.active()) {
    // kFoldBatch splits' loads in flight per thread, the sums in split order: a B = 1 row over
    // 65536 slots has 128 splits, 32 for each thread at d_v = 64.
    float m[BATCH], ls[BATCH], as[BATCH];
    merge::fold_splits<BATCH>(
        g, p.splits,
        [&](int i, long long s) {
          const float* ps = part + s * width;
          m[i] = __ldcg(ps);
          ls[i] = __ldcg(ps + 1);
          as[i] = __ldcg(ps + 2 + g.column);
        },
        [&](int i, long long) {
          const float w = expf(m[i] - mx);
          l = fmaf(ls[i], w, l);
          a = fmaf(as[i], w, a);
        });
  }
  a = merge::sum_over_groups(a, g, red);
  l = merge::sum_over_groups(l, g, red);
  if (g.first()) {
    if (p.emptySlots > 0) l += static_cast<float>(p.emptySlots) * expf(-mx);
    c[g.column] = a / l;
    if (g.column == 0) p.lse[b] = mx + logf(l);
  }
}

// Split path: block (b, s) folds its chunk with all 8 warps (groups interleave over the slots),
// merges the warps in warp order through shared memory and writes partial (m, l, acc[d_v]), or
// with one split the row's c and lse.
template <typename S>
struct Split {
  template <int VEC, int G>
  static __device__ __forceinline__ void run(const mnemo_memnet_read_fwd_params& p, float* smem) {
    const long long block = blockIdx.x;
    const long long b = block / p.splits;
    const long long s = block - b * p.splits;
    if (b >= p.batch) return;  // the whole block, before any barrier
    const int lane = static_cast<int>(threadIdx.x) % kWarpSize;
    const int warp = static_cast<int>(threadIdx.x) / kWarpSize;
    const int laneInGroup = lane % G;
    constexpr int kGroupsPerWarp = kWarpSize / G;
    const long long begin = s * p.slotsPerSplit;
    const long long end = begin + p.slotsPerSplit < p.slots ? begin + p.slotsPerSplit : p.slots;
    float qv[kVectorsPerLane<VEC, G>][VEC];
    load_q<VEC, G>(p.q + b * p.qBatchStride, p.keyWidth, laneInGroup, qv);
    SoftmaxState<VEC, G> st;
    st.clear();
    fold_slots<S, VEC, G>(row_of<S>(p, b), qv, begin, end, kWarps * kGroupsPerWarp,
                          warp * kGroupsPerWarp + lane / G, laneInGroup, st);
    st.warp_merge();
    // smem: [warp][0] = m, [warp][1] = l, [warp][2 + e] = acc[e].
    float* mine = smem + warp * (2 + kMaxWidth);
    if (lane < G) {
#pragma unroll
      for (int r = 0; r < kVectorsPerLane<VEC, G>; ++r)
#pragma unroll
        for (int i = 0; i < VEC; ++i) {
          const int e = element_of<VEC, G>(r, laneInGroup) + i;
          if (e < p.valueWidth) mine[2 + e] = st.acc[r][i];
        }
    }
    if (lane == 0) {
      mine[0] = st.m;
      mine[1] = st.l;
    }
    __syncthreads();
    float mx = -CUDART_INF_F;
    for (int w = 0; w < kWarps; ++w) mx = nan_max(mx, smem[w * (2 + kMaxWidth)]);
    float l = 0.0f;
    if (mx != -CUDART_INF_F) {
      for (int w = 0; w < kWarps; ++w) {
        const float* ws = smem + w * (2 + kMaxWidth);
        l += ws[1] * expf(ws[0] - mx);
      }
    }
    const OnlyPartial only = p.splits == 1 ? OnlyPartial::of(p, mx, l) : OnlyPartial{};  // only one split uses it
    float* out = p.partials + block * (2 + p.valueWidth);
    for (int j = static_cast<int>(threadIdx.x); j < p.valueWidth; j += kBlockThreads) {
      float a = 0.0f;
      if (mx != -CUDART_INF_F) {
        for (int w = 0; w < kWarps; ++w) {
          const float* ws = smem + w * (2 + kMaxWidth);
          a += ws[2 + j] * expf(ws[0] - mx);
        }
      }
      if (p.splits == 1) {
        p.c[b * p.valueWidth + j] = only.column(a);
      } else {
        out[2 + j] = a;
      }
    }
    if (threadIdx.x == 0) {
      if (p.splits == 1) {
        p.lse[b] = only.lse;
      } else {
        out[0] = mx;
        out[1] = l;
      }
    }
  }

  // A row read in one split: the merge's arithmetic on its single partial (m, l, a) — the max
  // with 0 for the empty slots, l·w + empty·exp(−max), c = a·w / l — done here, which saves the
  // merge's launch and the partials' round trip (B >= 128 reads of up to 1024 slots take one split).
  struct OnlyPartial {
    float weight;  // exp(m − max), 0 when there is no slot at all
    float total;   // the softmax's denominator, scaled by exp(−max)
    float lse;

    static __device__ __forceinline__ OnlyPartial of(const mnemo_memnet_read_fwd_params& p, float m, float l) {
      float top = m;
      if (p.emptySlots > 0) top = nan_max(top, 0.0f);
      if (top == -CUDART_INF_F) return {0.0f, 1.0f, -CUDART_INF_F};
      const float w = expf(m - top);
      float total = l * w;
      if (p.emptySlots > 0) total += static_cast<float>(p.emptySlots) * expf(-top);
      return {w, total, top + logf(total)};
    }

    __device__ __forceinline__ float column(float a) const { return a * weight / total; }
  };
};

}  // namespace mnemo::memnet::fwd

extern "C" __global__ void __launch_bounds__(mnemo::memnet::kBlockThreads)
    mnemo_memnet_read_fwd_small_f32(mnemo_memnet_read_fwd_params p) {
  using namespace mnemo::memnet;
  dispatch<float, fwd::Small<float>>(fwd::layout_of<float>(p), p, nullptr);
}

extern "C" __global__ void __launch_bounds__(mnemo::memnet::kBlockThreads, mnemo::memnet::kSplitMinBlocks)
    mnemo_memnet_read_fwd_split_f32(mnemo_memnet_read_fwd_params p) {
  using namespace mnemo::memnet;
  __shared__ float smem[fwd::kSmemFloats];
  dispatch<float, fwd::Split<float>>(fwd::layout_of<float>(p), p, smem);
  merge::merge_if_last(p, smem, [&](long long b) { fwd::merge_row<merge::kFusedFoldBatch>(p, b, smem); });
}

extern "C" __global__ void __launch_bounds__(mnemo::memnet::kBlockThreads, mnemo::memnet::kSplitMinBlocks)
    mnemo_memnet_read_fwd_split_kvbf16_f32(mnemo_memnet_read_fwd_params p) {
  using namespace mnemo::memnet;
  __shared__ float smem[fwd::kSmemFloats];
  dispatch<Bf16, fwd::Split<Bf16>>(fwd::layout_of<Bf16>(p), p, smem);
  merge::merge_if_last(p, smem, [&](long long b) { fwd::merge_row<merge::kFusedFoldBatch>(p, b, smem); });
}

// A block per row (merge_row): nothing when the split kernel finished the rows (one split) or merged
// them itself (counters given).
extern "C" __global__ void __launch_bounds__(mnemo::memnet::kBlockThreads)
    mnemo_memnet_read_fwd_merge_f32(mnemo_memnet_read_fwd_params p) {
  using namespace mnemo::memnet;
  __shared__ float red[kBlockThreads];
  const long long b = blockIdx.x;
  // The whole block, before any barrier: past the rows, or a row the split kernel finished.
  if (b >= p.batch || p.splits == 1 || p.counters != nullptr) return;
  fwd::merge_row(p, b, red);
}
