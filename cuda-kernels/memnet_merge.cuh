// memnet_merge.cuh — family "memnet": how the merge kernels fold a row's split partials (see
// mnemo_kernels.h). A block of 256 threads merges one batch row. Columns (of c or dq) are
// `width` wide; the block is cut into count = 256 / width groups of `width` threads, thread
// `column` of a group owns that column, and group k folds splits k, k + count, … in order.
// Thread `column` of group 0 then adds the groups' sums in group order. Every sum's order is
// fixed by (splits, width), so the bits repeat. Why a block: a B = 1 read over 65536 slots has
// 512 splits, and the warp-per-row merge before this folded them one split at a time per lane —
// about 80 of the read's ~92 µs on an H200 (0.36 TB/s effective).
#pragma once

#include "memnet_read.cuh"

namespace mnemo::memnet::merge {

// This thread's place in the block for a row of `width` columns (1 .. kMaxWidth).
struct Groups {
  int width;   // threads per group = columns
  int count;   // groups per block, >= 1
  int group;   // this thread's group (>= count: idle)
  int column;  // this thread's column within its group
  __device__ __forceinline__ bool active() const { return group < count; }
  __device__ __forceinline__ bool first() const { return group == 0; }
};

__device__ __forceinline__ Groups groups_of(long long width) {
  const int w = static_cast<int>(width);
  const int t = static_cast<int>(threadIdx.x);
  return {w, kBlockThreads / w, t / w, t % w};
}

// Splits a group folds per batch: all their loads are issued before any is used. The split kernels'
// own merges (counters given) keep fewer in flight: with 16 the forward split kernels spilled past
// their register cap (80); with 4 neither spills.
constexpr int kFoldBatch = 16;
constexpr int kFusedFoldBatch = 4;

// For each batch of up to kFoldBatch of this group's splits (s = group, group + count, … < splits):
// load(i, s) for every one, then use(i, s) for each in split order. A loop over the splits, unrolled,
// would leave the loop after each split whose bound test fails: nvcc unrolled it so, and no load
// went ahead of the previous split's exit test, so each split waited for its own trip to L2 (the H200
// runs timed about one L2 latency per split: B = 1, N = 65536 grew 48 ns per added split). Here the
// bound test only predicates each load, so a batch's loads go out together, and a short row (2
// splits) loads no more than it uses.
template <int BATCH = kFoldBatch, typename Load, typename Use>
__device__ __forceinline__ void fold_splits(const Groups& g, long long splits, Load load, Use use) {
  for (long long s0 = g.group; s0 < splits; s0 += static_cast<long long>(BATCH) * g.count) {
#pragma unroll
    for (int i = 0; i < BATCH; ++i) {
      const long long s = s0 + static_cast<long long>(i) * g.count;
      if (s < splits) load(i, s);
    }
#pragma unroll
    for (int i = 0; i < BATCH; ++i) {
      const long long s = s0 + static_cast<long long>(i) * g.count;
      if (s < splits) use(i, s);
    }
  }
}

// The block's nan_max of one value per thread, in every thread. red: kBlockThreads floats of
// shared memory, free again on return. All threads of the block must call it.
__device__ __forceinline__ float block_max(float v, float* red) {
  red[threadIdx.x] = v;
  __syncthreads();
  for (int stride = kBlockThreads / 2; stride > 0; stride >>= 1) {
    if (static_cast<int>(threadIdx.x) < stride) red[threadIdx.x] = nan_max(red[threadIdx.x], red[threadIdx.x + stride]);
    __syncthreads();
  }
  const float r = red[0];
  __syncthreads();
  return r;
}

// Σ over groups, in group order, of each group's `mine` for this thread's column; meaningful in
// the threads of group 0. red: kBlockThreads floats, free again on return. All threads call it.
__device__ __forceinline__ float sum_over_groups(float mine, const Groups& g, float* red) {
  if (g.active()) red[g.group * g.width + g.column] = mine;
  __syncthreads();
  float total = 0.0f;
  if (g.first())
    for (int k = 0; k < g.count; ++k) total += red[k * g.width + g.column];
  __syncthreads();
  return total;
}

// Whether this block is the last of row b's `splits` blocks to finish (counters given): each block
// fences its partial, then counts itself on counters[b], and the block that brings the count to
// `splits` merges the row (in split order, as the merge kernel; which block is last changes no bit)
// and sets the count back to 0 for the next call. The fences around the count (each block's before
// it, the last block's after it) are what let the last block read the others' partials; it reads
// them from L2 (__ldcg: none is in its L1). red: a float of shared memory, free again on return.
// All threads of the block must call it.
__device__ __forceinline__ bool last_of_row(unsigned* counters, long long b, long long splits, float* red) {
  __threadfence();
  __syncthreads();  // every thread's partial fenced (and red free)
  if (threadIdx.x == 0) {
    const bool last = atomicAdd(counters + b, 1u) + 1u == static_cast<unsigned>(splits);
    __threadfence();  // the acquire side: the count seen before the partials are read
    red[0] = last ? 1.0f : 0.0f;
  }
  __syncthreads();
  const bool last = red[0] != 0.0f;
  __syncthreads();  // red free again
  return last;
}

// With counters, row b's last split block merges it after its own partial (merge_row(b), then the count
// back to 0): no merge launch, and no wait for every row. The split kernels call it after their
// layout's Split::run, so the merge is compiled once per kernel rather than once per layout; smem's
// partial sums have been read by then (the barrier in last_of_row comes first).
template <typename P, typename MergeRow>
__device__ __forceinline__ void merge_if_last(const P& p, float* smem, MergeRow merge_row) {
  const long long b = static_cast<long long>(blockIdx.x) / p.splits;
  if (p.splits == 1 || p.counters == nullptr || b >= p.batch) return;  // the whole block
  if (last_of_row(p.counters, b, p.splits, smem)) {
    merge_row(b);
    if (threadIdx.x == 0) p.counters[b] = 0u;
  }
}

}  // namespace mnemo::memnet::merge
