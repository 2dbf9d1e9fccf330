// memnet_read_bwd.cu — family "memnet": the backward key-value read (see mnemo_kernels.h).
// Given lse and D = ⟨c, dc⟩, every slot's gradients are independent (a = exp(s − lse) needs no
// other slot), so dK and dV are accumulated in place by the one group that owns the slot; only
// dq sums over slots: per-lane sums, then a butterfly over the warp's groups, then the warps in
// order (split path: one partial per block, merged by a block per row) — no atomics anywhere.
// Entry points: mnemo_memnet_read_bwd_small_f32, mnemo_memnet_read_bwd_split_f32,
// mnemo_memnet_read_bwd_merge_f32.
#include <cstddef>

#include "memnet_merge.cuh"
#include "memnet_read.cuh"

namespace mnemo::memnet::bwd {

static_assert(sizeof(mnemo_memnet_read_bwd_params) == 224, "header: 224 bytes");
static_assert(offsetof(mnemo_memnet_read_bwd_params, q) == 0, "header offset");
static_assert(offsetof(mnemo_memnet_read_bwd_params, keys) == 8, "header offset");
static_assert(offsetof(mnemo_memnet_read_bwd_params, values) == 16, "header offset");
static_assert(offsetof(mnemo_memnet_read_bwd_params, c) == 24, "header offset");
static_assert(offsetof(mnemo_memnet_read_bwd_params, lse) == 32, "header offset");
static_assert(offsetof(mnemo_memnet_read_bwd_params, dc) == 40, "header offset");
static_assert(offsetof(mnemo_memnet_read_bwd_params, dq) == 48, "header offset");
static_assert(offsetof(mnemo_memnet_read_bwd_params, dKeys) == 56, "header offset");
static_assert(offsetof(mnemo_memnet_read_bwd_params, dValues) == 64, "header offset");
static_assert(offsetof(mnemo_memnet_read_bwd_params, partials) == 72, "header offset");
static_assert(offsetof(mnemo_memnet_read_bwd_params, batch) == 80, "header offset");
static_assert(offsetof(mnemo_memnet_read_bwd_params, slots) == 88, "header offset");
static_assert(offsetof(mnemo_memnet_read_bwd_params, keyWidth) == 96, "header offset");
static_assert(offsetof(mnemo_memnet_read_bwd_params, valueWidth) == 104, "header offset");
static_assert(offsetof(mnemo_memnet_read_bwd_params, qBatchStride) == 112, "header offset");
static_assert(offsetof(mnemo_memnet_read_bwd_params, keyBatchStride) == 120, "header offset");
static_assert(offsetof(mnemo_memnet_read_bwd_params, keySlotStride) == 128, "header offset");
static_assert(offsetof(mnemo_memnet_read_bwd_params, valueBatchStride) == 136, "header offset");
static_assert(offsetof(mnemo_memnet_read_bwd_params, valueSlotStride) == 144, "header offset");
static_assert(offsetof(mnemo_memnet_read_bwd_params, dqBatchStride) == 152, "header offset");
static_assert(offsetof(mnemo_memnet_read_bwd_params, dKeyBatchStride) == 160, "header offset");
static_assert(offsetof(mnemo_memnet_read_bwd_params, dKeySlotStride) == 168, "header offset");
static_assert(offsetof(mnemo_memnet_read_bwd_params, dValueBatchStride) == 176, "header offset");
static_assert(offsetof(mnemo_memnet_read_bwd_params, dValueSlotStride) == 184, "header offset");
static_assert(offsetof(mnemo_memnet_read_bwd_params, slotsPerSplit) == 192, "header offset");
static_assert(offsetof(mnemo_memnet_read_bwd_params, splits) == 200, "header offset");
static_assert(offsetof(mnemo_memnet_read_bwd_params, scale) == 208, "header offset");
static_assert(offsetof(mnemo_memnet_read_bwd_params, counters) == 216, "header offset");

// Floats of the split kernel's shared memory: per warp its dq partial row.
constexpr int kSmemFloats = kWarps * kMaxWidth;

__device__ __forceinline__ Layout layout_of(const mnemo_memnet_read_bwd_params& p) {
  constexpr long long v = kVecOf<float>;
  const bool vector =
      vector_ok(v, p.keyWidth, p.valueWidth, p.keyBatchStride, p.keySlotStride,
                p.valueBatchStride, p.valueSlotStride) &&
      vector_ok(v, p.keyWidth, p.valueWidth, p.dKeyBatchStride, p.dKeySlotStride,
                p.dValueBatchStride, p.dValueSlotStride) &&
      aligned16(p.keys) && aligned16(p.values) && aligned16(p.dKeys) && aligned16(p.dValues);
  return {vector, lanes_for(p.keyWidth, p.valueWidth, vector ? static_cast<int>(v) : 1)};
}

// This lane's elements of x[0 .. width) (0 past width).
template <int VEC, int G>
__device__ __forceinline__ void load_lane(const float* __restrict__ x, long long width,
                                          int laneInGroup, float (&out)[kVectorsPerLane<VEC, G>][VEC]) {
#pragma unroll
  for (int r = 0; r < kVectorsPerLane<VEC, G>; ++r)
#pragma unroll
    for (int i = 0; i < VEC; ++i) {
      const int e = element_of<VEC, G>(r, laneInGroup) + i;
      out[r][i] = e < width ? x[e] : 0.0f;
    }
}

// D = ⟨c[b, :], dc[b, :]⟩ by the warp (lanes stride the row, then a butterfly: every lane, and
// every block of the row, gets the same bits).
__device__ __forceinline__ float row_dot(const float* __restrict__ c, const float* __restrict__ dc,
                                         long long width, int lane) {
  float d = 0.0f;
  for (long long j = lane; j < width; j += kWarpSize) d = fmaf(c[j], dc[j], d);
  return warp_sum(d);
}

// One row's operands and the per-row scalars of the backward loop.
struct BwdRow {
  const float* keys;
  const float* values;
  float* dKeys;
  float* dValues;
  long long keySlotStride;
  long long valueSlotStride;
  long long dKeySlotStride;
  long long dValueSlotStride;
  int keyWidth;
  int valueWidth;
  float scale;
  float lse;
  float d;  // D = ⟨c, dc⟩
};

__device__ __forceinline__ BwdRow row_of(const mnemo_memnet_read_bwd_params& p, long long b,
                                         int lane) {
  return {p.keys + b * p.keyBatchStride,
          p.values + b * p.valueBatchStride,
          p.dKeys + b * p.dKeyBatchStride,
          p.dValues + b * p.dValueBatchStride,
          p.keySlotStride,
          p.valueSlotStride,
          p.dKeySlotStride,
          p.dValueSlotStride,
          static_cast<int>(p.keyWidth),
          static_cast<int>(p.valueWidth),
          static_cast<float>(p.scale),
          p.lse[b],
          row_dot(p.c + b * p.valueWidth, p.dc + b * p.valueWidth, p.valueWidth, lane)};
}

// Slots [begin, end) in fold_slots' interleaving: accumulates dK, dV in place and this lane's
// Σ ds·K into dqAcc. All 32 lanes run the same iterations (they shuffle).
template <int VEC, int G>
__device__ __forceinline__ void backward_slots(const BwdRow& row,
                                               const float (&qv)[kVectorsPerLane<VEC, G>][VEC],
                                               const float (&dcv)[kVectorsPerLane<VEC, G>][VEC],
                                               long long begin, long long end, int groups,
                                               int group, int laneInGroup,
                                               float (&dqAcc)[kVectorsPerLane<VEC, G>][VEC]) {
  constexpr int R = kVectorsPerLane<VEC, G>;
  constexpr int kUnroll = kUnrollOf<VEC, R>;
  for (long long base = begin; base < end; base += static_cast<long long>(kUnroll) * groups) {
    float kv[kUnroll][R][VEC];
    float vv[kUnroll][R][VEC];
    long long slot[kUnroll];
    bool valid[kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      slot[u] = base + static_cast<long long>(u) * groups + group;
      valid[u] = slot[u] < end;
#pragma unroll
      for (int r = 0; r < R; ++r) {
        const int e = element_of<VEC, G>(r, laneInGroup);
        if (valid[u] && e < row.keyWidth) {
          load_vec<VEC>(row.keys + slot[u] * row.keySlotStride + e, kv[u][r]);
        } else {
#pragma unroll
          for (int i = 0; i < VEC; ++i) kv[u][r][i] = 0.0f;
        }
        if (valid[u] && e < row.valueWidth) {
          load_vec<VEC>(row.values + slot[u] * row.valueSlotStride + e, vv[u][r]);
        } else {
#pragma unroll
          for (int i = 0; i < VEC; ++i) vv[u][r][i] = 0.0f;
        }
      }
    }
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      float sdot = 0.0f;
      float vdot = 0.0f;
#pragma unroll
      for (int r = 0; r < R; ++r)
#pragma unroll
        for (int i = 0; i < VEC; ++i) {
          sdot = fmaf(kv[u][r][i], qv[r][i], sdot);
          vdot = fmaf(vv[u][r][i], dcv[r][i], vdot);
        }
      sdot = group_sum<G>(sdot);
      vdot = group_sum<G>(vdot);
      if (!valid[u]) continue;  // after the shuffles: every lane took part in them
      const float a = expf(finite_score(sdot * row.scale) - row.lse);   // the forward's score
      const float ds = a * (vdot - row.d);
      const float fk = row.scale * ds;
#pragma unroll
      for (int r = 0; r < R; ++r) {
        const int e = element_of<VEC, G>(r, laneInGroup);
        if (e < row.keyWidth) {
          float add[VEC];
#pragma unroll
          for (int i = 0; i < VEC; ++i) {
            add[i] = fk * qv[r][i];
            dqAcc[r][i] = fmaf(ds, kv[u][r][i], dqAcc[r][i]);
          }
          add_vec<VEC>(row.dKeys + slot[u] * row.dKeySlotStride + e, add);
        }
        if (e < row.valueWidth) {
          float add[VEC];
#pragma unroll
          for (int i = 0; i < VEC; ++i) add[i] = a * dcv[r][i];
          add_vec<VEC>(row.dValues + slot[u] * row.dValueSlotStride + e, add);
        }
      }
    }
  }
}

// Butterfly sum of dqAcc over the warp's groups (xor offsets G .. 16).
template <int VEC, int G>
__device__ __forceinline__ void warp_sum_groups(float (&x)[kVectorsPerLane<VEC, G>][VEC]) {
#pragma unroll
  for (int offset = G; offset < kWarpSize; offset <<= 1)
#pragma unroll
    for (int r = 0; r < kVectorsPerLane<VEC, G>; ++r)
#pragma unroll
      for (int i = 0; i < VEC; ++i) x[r][i] += __shfl_xor_sync(kFullWarpMask, x[r][i], offset);
}

// Small path: warp w of block x handles row b = 8x + w: dK, dV in place, dq overwritten.
struct Small {
  template <int VEC, int G>
  static __device__ __forceinline__ void run(const mnemo_memnet_read_bwd_params& p, float*) {
    constexpr int R = kVectorsPerLane<VEC, G>;
    const int lane = static_cast<int>(threadIdx.x) % kWarpSize;
    const long long b = static_cast<long long>(blockIdx.x) * kWarps + threadIdx.x / kWarpSize;
    if (b >= p.batch) return;  // the whole warp: no block barrier in this kernel
    const int laneInGroup = lane % G;
    const BwdRow row = row_of(p, b, lane);
    float qv[R][VEC];
    float dcv[R][VEC];
    float dqAcc[R][VEC] = {};
    load_lane<VEC, G>(p.q + b * p.qBatchStride, p.keyWidth, laneInGroup, qv);
    load_lane<VEC, G>(p.dc + b * p.valueWidth, p.valueWidth, laneInGroup, dcv);
    backward_slots<VEC, G>(row, qv, dcv, 0, p.slots, kWarpSize / G, lane / G, laneInGroup, dqAcc);
    warp_sum_groups<VEC, G>(dqAcc);
    if (lane < G) {
      float* dq = p.dq + b * p.dqBatchStride;
#pragma unroll
      for (int r = 0; r < R; ++r)
#pragma unroll
        for (int i = 0; i < VEC; ++i) {
          const int e = element_of<VEC, G>(r, laneInGroup) + i;
          if (e < p.keyWidth) dq[e] = row.scale * dqAcc[r][i];
        }
    }
  }
};

// Row b's dq, a block (memnet_merge.cuh): dq[b, j] = scale · Σ_s partials[b, s, j], the partials
// read from L2 (__ldcg: the split kernel's last block of a row reads what other blocks wrote).
// red: kBlockThreads floats of shared memory; BATCH as the forward's.
template <int BATCH = merge::kFoldBatch>
__device__ __forceinline__ void merge_row(const mnemo_memnet_read_bwd_params& p, long long b, float* red) {
  const float* part = p.partials + b * p.splits * p.keyWidth;
  const merge::Groups g = merge::groups_of(p.keyWidth);
  float sum = 0.0f;
  if (g.active()) {
    float v[BATCH];  // as the forward's merge: a batch of splits' loads in flight, the sum in order
    merge::fold_splits<BATCH>(
        g, p.splits, [&](int i, long long s) { v[i] = __ldcg(part + s * p.keyWidth + g.column); },
        [&](int i, long long) { sum += v[i]; });
  }
  sum = merge::sum_over_groups(sum, g, red);
  if (g.first()) p.dq[b * p.dqBatchStride + g.column] = static_cast<float>(p.scale) * sum;
}

// Split path: block (b, s) handles its chunk; its warps' dq sums are added in warp order into
// partials[b, s, :], or with one split into dq itself.
struct Split {
  template <int VEC, int G>
  static __device__ __forceinline__ void run(const mnemo_memnet_read_bwd_params& p, float* smem) {
    constexpr int R = kVectorsPerLane<VEC, G>;
    constexpr int kGroupsPerWarp = kWarpSize / G;
    const long long block = blockIdx.x;
    const long long b = block / p.splits;
    const long long s = block - b * p.splits;
    if (b >= p.batch) return;  // the whole block, before any barrier
    const int lane = static_cast<int>(threadIdx.x) % kWarpSize;
    const int warp = static_cast<int>(threadIdx.x) / kWarpSize;
    const int laneInGroup = lane % G;
    const long long begin = s * p.slotsPerSplit;
    const long long end = begin + p.slotsPerSplit < p.slots ? begin + p.slotsPerSplit : p.slots;
    const BwdRow row = row_of(p, b, lane);
    float qv[R][VEC];
    float dcv[R][VEC];
    float dqAcc[R][VEC] = {};
    load_lane<VEC, G>(p.q + b * p.qBatchStride, p.keyWidth, laneInGroup, qv);
    load_lane<VEC, G>(p.dc + b * p.valueWidth, p.valueWidth, laneInGroup, dcv);
    backward_slots<VEC, G>(row, qv, dcv, begin, end, kWarps * kGroupsPerWarp,
                           warp * kGroupsPerWarp + lane / G, laneInGroup, dqAcc);
    warp_sum_groups<VEC, G>(dqAcc);
    if (lane < G) {
#pragma unroll
      for (int r = 0; r < R; ++r)
#pragma unroll
        for (int i = 0; i < VEC; ++i) {
          const int e = element_of<VEC, G>(r, laneInGroup) + i;
          if (e < p.keyWidth) smem[warp * kMaxWidth + e] = dqAcc[r][i];
        }
    }
    __syncthreads();
    // One split: dq is this sum, scaled as the merge would (the merge's single term has the same
    // bits), which saves the merge's launch. B >= 128 rows plan one split.
    float* out = p.partials + block * p.keyWidth;
    float* dq = p.dq + b * p.dqBatchStride;
    for (int j = static_cast<int>(threadIdx.x); j < p.keyWidth; j += kBlockThreads) {
      float sum = 0.0f;
      for (int w = 0; w < kWarps; ++w) sum += smem[w * kMaxWidth + j];
      if (p.splits == 1) {
        dq[j] = static_cast<float>(p.scale) * sum;
      } else {
        out[j] = sum;
      }
    }
  }
};

}  // namespace mnemo::memnet::bwd

extern "C" __global__ void __launch_bounds__(mnemo::memnet::kBlockThreads)
    mnemo_memnet_read_bwd_small_f32(mnemo_memnet_read_bwd_params p) {
  using namespace mnemo::memnet;
  dispatch<float, bwd::Small>(bwd::layout_of(p), p, nullptr);
}

extern "C" __global__ void __launch_bounds__(mnemo::memnet::kBlockThreads)
    mnemo_memnet_read_bwd_split_f32(mnemo_memnet_read_bwd_params p) {
  using namespace mnemo::memnet;
  __shared__ float smem[bwd::kSmemFloats];
  dispatch<float, bwd::Split>(bwd::layout_of(p), p, smem);
  merge::merge_if_last(p, smem, [&](long long b) { bwd::merge_row<merge::kFusedFoldBatch>(p, b, smem); });
}

// A block per row (merge_row): nothing when the split kernel finished the rows (one split) or summed
// them itself (counters given).
extern "C" __global__ void __launch_bounds__(mnemo::memnet::kBlockThreads)
    mnemo_memnet_read_bwd_merge_f32(mnemo_memnet_read_bwd_params p) {
  using namespace mnemo::memnet;
  __shared__ float red[kBlockThreads];
  const long long b = blockIdx.x;
  // The whole block, before any barrier: past the rows, or a row the split kernel finished.
  if (b >= p.batch || p.splits == 1 || p.counters != nullptr) return;
  bwd::merge_row(p, b, red);
}
