// bench_memnet.cpp — times the memnet read: per shape, the split (flash-decoding) forward with
// float and bf16 storage (eager, then inside a CUDA Graph), the host's default path (small for
// N <= 128), and the backward; on every split-path row, both at other split counts. Each split read
// of more than one split is timed twice: "split+merge" (the split kernel, then the merge kernel) and
// "split … counters" (counters given: one launch, each row merged by its last split block).
// GB/s counts the bytes the read must move: K and V once (B·N·(d_k + d_v)·element size) for the
// forward — the convention of gpu-anchors.md's torch SDPA rows — and K, V read plus dK, dV read
// and written (6 × the float K+V bytes) for the backward.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "bench_memnet.h"
#include "cuda_check.h"
#include "device_buffer.h"
#include "event_timing.h"
#include "kernel_launch.h"

namespace mnemo::harness {
namespace {

// Reads per captured graph in the "graph" rows (as the Java benchmark's graph columns).
constexpr int kGraphReads = 20;

struct Shape {
  long long batch, slots, width;
};

void report(const char* what, const Shape& s, long long splits, int iters, double us, double bytes) {
  std::printf("%-50s B=%-5lld N=%-6lld d=%-4lld splits=%-4lld iters=%-5d median_us=%-9.2f GB/s=%.1f\n",
              what, s.batch, s.slots, s.width, splits, iters, us, bytes / (us * 1e-6) / 1e9);
}

// The split read (p.counters given: one launch) eagerly, or per read inside a CUDA graph.
double time_fwd_split(const mnemo_memnet_read_fwd_params& p, bool kvBf16, bool graph, int iters, cudaStream_t s) {
  const auto read = [&] { launch_memnet_read_fwd_split(p, kvBf16, s); };
  return graph ? graph_median_us(iters, kGraphReads, s, read) : median_us(iters, s, no_setup, read);
}

// Beside a split+merge row: the same read with counters (one launch), where it has a merge to fold
// in (with one split the split kernel finishes the rows either way). counters: [B] words, all 0.
void report_fwd_counters(const char* what, const Shape& sh, mnemo_memnet_read_fwd_params p, unsigned* counters,
                         bool kvBf16, bool graph, int iters, double bytes, cudaStream_t s) {
  if (p.splits < 2) return;
  p.counters = counters;
  report(what, sh, p.splits, iters, time_fwd_split(p, kvBf16, graph, iters, s), bytes);
}

// The backward's, eager (as its split+merge rows).
void report_bwd_counters(const char* what, const Shape& sh, mnemo_memnet_read_bwd_params p, unsigned* counters,
                         int iters, double bytes, cudaStream_t s) {
  if (p.splits < 2) return;
  p.counters = counters;
  const double us = median_us(iters, s, no_setup, [&] { launch_memnet_read_bwd_split(p, s); });
  report(what, sh, p.splits, iters, us, bytes);
}

// `want` splits of n slots as the kernels need them: splits = ceil(n / slotsPerSplit).
MemnetSplitPlan plan_of(long long want, long long n) {
  const long long perSplit = (n + want - 1) / want;
  return {(n + perSplit - 1) / perSplit, perSplit};
}

// Split counts to time beside a plan's `planned` on a split-path row: B·splits at 1/4, 1/2, 1, 2,
// 4 and 6 times the SM count, and every count up to planned + 2 where the plan takes at most 16
// (run 8: 64 × 8192 read fastest at 5 splits of the swept 1, 2, 3, 5, 9, 13 and the planned 8;
// 4, 6 and 7 untimed), each once (small rows round several fractions to the same count).
std::vector<long long> sweep_counts(long long B, long long N, long long planned) {
  std::vector<long long> counts;
  int device = 0, sms = 0;
  CHECK(cudaGetDevice(&device));
  CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device));
  if (sms < 1 || memnet_small_path(N)) return counts;
  const long long blocks[] = {sms / 4, sms / 2, sms, 2LL * sms, 4LL * sms, 6LL * sms};
  const auto add = [&](long long want) {
    const long long splits = plan_of(want, N).splits;
    if (splits != planned && std::find(counts.begin(), counts.end(), splits) == counts.end()) {
      counts.push_back(splits);
    }
  };
  for (long long target : blocks) add(std::max(1LL, (target + B - 1) / B));
  if (planned <= 16) {
    for (long long want = 1; want <= planned + 2; ++want) add(want);
  }
  std::sort(counts.begin(), counts.end());
  return counts;
}

// Every split-path row, forward: the split count decides how evenly the waves fill the GPU and
// how much the merge reads, so a GPU run shows which count to plan for. Run 6: B = 1,
// N = 65536 took 16.7 µs in 132 splits and 39.3 µs in 512 (hence at most 128); run 7: fewer
// splits than the old 4096-block target were faster on every row swept (hence the 128-block
// target), but 64 × 8192 was not swept.
void sweep_splits(const Shape& sh, const mnemo_memnet_read_fwd_params& f32,
                  const mnemo_memnet_read_fwd_params& bf16, unsigned* counters, int iters, cudaStream_t s) {
  const long long B = sh.batch, N = sh.slots, d = sh.width;
  const std::vector<long long> counts = sweep_counts(B, N, f32.splits);
  if (counts.empty()) return;
  const long long most = std::max(f32.splits, *std::max_element(counts.begin(), counts.end()));
  DeviceBuffer partials(B * most * (2 + d));
  const double bytes = 8.0 * B * N * d;
  for (long long want : counts) {
    const MemnetSplitPlan plan = plan_of(want, N);
    mnemo_memnet_read_fwd_params p = f32, p16 = bf16;
    p.partials = p16.partials = partials.get();
    p.slotsPerSplit = p16.slotsPerSplit = plan.slotsPerSplit;
    p.splits = p16.splits = plan.splits;
    double us = graph_median_us(iters, kGraphReads, s, [&] { launch_memnet_read_fwd_split(p, false, s); });
    report("sweep split+merge_f32 graph", sh, plan.splits, iters, us, bytes);
    report_fwd_counters("sweep split_f32 counters graph", sh, p, counters, false, true, iters, bytes, s);
    us = graph_median_us(iters, kGraphReads, s, [&] { launch_memnet_read_fwd_split(p16, true, s); });
    report("sweep split+merge_kvbf16 graph", sh, plan.splits, iters, us, bytes / 2);
    report_fwd_counters("sweep split_kvbf16 counters graph", sh, p16, counters, true, true, iters, bytes / 2, s);
  }
}

// The same for the backward (run 8's sweep moved its plan from 4096 blocks to 128).
void sweep_bwd_splits(const Shape& sh, const mnemo_memnet_read_bwd_params& planned, unsigned* counters, int iters,
                      cudaStream_t s) {
  const long long B = sh.batch, N = sh.slots, d = sh.width;
  const std::vector<long long> counts = sweep_counts(B, N, planned.splits);
  if (counts.empty()) return;
  const long long most = std::max(planned.splits, *std::max_element(counts.begin(), counts.end()));
  DeviceBuffer partials(B * most * d);
  for (long long want : counts) {
    const MemnetSplitPlan plan = plan_of(want, N);
    mnemo_memnet_read_bwd_params p = planned;
    p.partials = partials.get();
    p.slotsPerSplit = plan.slotsPerSplit;
    p.splits = plan.splits;
    const double us = median_us(iters, s, no_setup, [&] { launch_memnet_read_bwd_split(p, s); });
    report("sweep bwd split+merge_f32", sh, plan.splits, iters, us, 3.0 * 8.0 * B * N * d);
    report_bwd_counters("sweep bwd split_f32 counters", sh, p, counters, iters, 3.0 * 8.0 * B * N * d, s);
  }
}

// The small path's kernels are timed beside the split read up to twice the host's limit
// (MNEMO_MEMNET_SMALL_MAX_SLOTS), so that a run shows the choice on both sides of it.
constexpr long long kSmallTimedSlots = 2 * MNEMO_MEMNET_SMALL_MAX_SLOTS;

void bench_shape(const Shape& sh, int iters, cudaStream_t s) {
  const long long B = sh.batch, N = sh.slots, d = sh.width;
  const long long kv = B * N * d;
  DeviceBuffer q(B * d), keys(kv), values(kv), c(B * d), lse(B), dc(B * d), dq(B * d);
  DeviceArray<std::uint16_t> keys16(kv), values16(kv);
  launch_fill(q.get(), B * d, 0.01f, s);
  launch_fill(keys.get(), kv, 0.5f, s);
  launch_fill(values.get(), kv, 0.25f, s);
  launch_fill(dc.get(), B * d, 1.0f, s);
  CHECK(cudaMemsetAsync(keys16.get(), 0x3F, static_cast<std::size_t>(kv) * 2, s));  // ≈ 0.75
  CHECK(cudaMemsetAsync(values16.get(), 0x3E, static_cast<std::size_t>(kv) * 2, s));
  const MemnetSplitPlan plan = memnet_split_plan(B, N);
  DeviceBuffer partials(B * plan.splits * (2 + d));
  // One counters buffer for every read with counters of this shape: the kernels leave it all 0.
  DeviceArray<unsigned> counters(B);
  CHECK(cudaMemsetAsync(counters.get(), 0, static_cast<std::size_t>(B) * sizeof(unsigned), s));
  mnemo_memnet_read_fwd_params p{};
  p.q = q.get();
  p.keys = keys.get();
  p.values = values.get();
  p.c = c.get();
  p.lse = lse.get();
  p.partials = partials.get();
  p.batch = B;
  p.slots = N;
  p.keyWidth = d;
  p.valueWidth = d;
  p.qBatchStride = d;
  p.keyBatchStride = N * d;
  p.keySlotStride = d;
  p.valueBatchStride = N * d;
  p.valueSlotStride = d;
  p.slotsPerSplit = plan.slotsPerSplit;
  p.splits = plan.splits;
  p.scale = 0.125;
  const double bytes = 8.0 * kv;  // K + V, float
  double us = median_us(iters, s, no_setup, [&] { launch_memnet_read_fwd_split(p, false, s); });
  report("mnemo_memnet_read_fwd_split+merge_f32", sh, plan.splits, iters, us, bytes);
  report_fwd_counters("mnemo_memnet_read_fwd_split_f32 counters", sh, p, counters.get(), false, false, iters,
                      bytes, s);
  if (N <= kSmallTimedSlots) {
    us = median_us(iters, s, no_setup, [&] { launch_memnet_read_fwd_small(p, s); });
    report("mnemo_memnet_read_fwd_small_f32", sh, 1, iters, us, bytes);
    us = graph_median_us(iters, kGraphReads, s, [&] { launch_memnet_read_fwd_small(p, s); });
    report("mnemo_memnet_read_fwd_small_f32 graph", sh, 1, iters, us, bytes);
  }
  mnemo_memnet_read_fwd_params p16 = p;
  p16.keys = keys16.get();
  p16.values = values16.get();
  us = median_us(iters, s, no_setup, [&] { launch_memnet_read_fwd_split(p16, true, s); });
  report("mnemo_memnet_read_fwd_split+merge_kvbf16", sh, plan.splits, iters, us, bytes / 2);
  report_fwd_counters("mnemo_memnet_read_fwd_split_kvbf16 counters", sh, p16, counters.get(), true, false, iters,
                      bytes / 2, s);
  // The same two reads, kernels alone: what a CUDA-Graph caller (Mnemo's default) pays.
  us = graph_median_us(iters, kGraphReads, s, [&] { launch_memnet_read_fwd_split(p, false, s); });
  report("mnemo_memnet_read_fwd_split+merge_f32 graph", sh, plan.splits, iters, us, bytes);
  report_fwd_counters("mnemo_memnet_read_fwd_split_f32 counters graph", sh, p, counters.get(), false, true, iters,
                      bytes, s);
  us = graph_median_us(iters, kGraphReads, s, [&] { launch_memnet_read_fwd_split(p16, true, s); });
  report("mnemo_memnet_read_fwd_split+merge_kvbf16 graph", sh, plan.splits, iters, us, bytes / 2);
  report_fwd_counters("mnemo_memnet_read_fwd_split_kvbf16 counters graph", sh, p16, counters.get(), true, true,
                      iters, bytes / 2, s);
  if (plan.splits > 1) {
    // The merge alone (its partials are the read's above), GB/s of the partials it reads: what is left
    // of a many-split row's merge since its loads go out in batches (B = 1 grew 48 ns per split in run 8).
    us = graph_median_us(iters, kGraphReads, s, [&] { launch_memnet_read_fwd_merge(p, s); });
    report("mnemo_memnet_read_fwd_merge_f32 graph (alone)", sh, plan.splits, iters, us,
           4.0 * B * plan.splits * (2 + d));
  }
  sweep_splits(sh, p, p16, counters.get(), iters, s);

  // Backward: dK, dV accumulate across the timed calls (finite: the inputs are constant).
  const MemnetSplitPlan bplan = memnet_bwd_split_plan(B, N);
  DeviceBuffer dK(kv), dV(kv), bpart(B * bplan.splits * d);
  launch_fill(dK.get(), kv, 0.0f, s);
  launch_fill(dV.get(), kv, 0.0f, s);
  launch_memnet_read_fwd_split(p, false, s);  // c, lse for the backward
  mnemo_memnet_read_bwd_params b{};
  b.q = q.get();
  b.keys = keys.get();
  b.values = values.get();
  b.c = c.get();
  b.lse = lse.get();
  b.dc = dc.get();
  b.dq = dq.get();
  b.dKeys = dK.get();
  b.dValues = dV.get();
  b.partials = bpart.get();
  b.batch = B;
  b.slots = N;
  b.keyWidth = d;
  b.valueWidth = d;
  b.qBatchStride = d;
  b.keyBatchStride = N * d;
  b.keySlotStride = d;
  b.valueBatchStride = N * d;
  b.valueSlotStride = d;
  b.dqBatchStride = d;
  b.dKeyBatchStride = N * d;
  b.dKeySlotStride = d;
  b.dValueBatchStride = N * d;
  b.dValueSlotStride = d;
  b.slotsPerSplit = bplan.slotsPerSplit;
  b.splits = bplan.splits;
  b.scale = 0.125;
  // The planned backward (launch_memnet_read_bwd picks the path), and near the small path's limit
  // the other path too.
  us = median_us(iters, s, no_setup, [&] { launch_memnet_read_bwd(b, s); });
  report(memnet_small_path(N) ? "mnemo_memnet_read_bwd_small_f32" : "mnemo_memnet_read_bwd_split+merge_f32",
         sh, memnet_small_path(N) ? 1 : bplan.splits, iters, us, 3.0 * bytes);
  if (!memnet_small_path(N)) {
    report_bwd_counters("mnemo_memnet_read_bwd_split_f32 counters", sh, b, counters.get(), iters, 3.0 * bytes, s);
  }
  // (the backward's split read below runs where the small path is planned, N <= 64: one split, no
  // counters row)
  if (N <= kSmallTimedSlots) {
    const bool split = memnet_small_path(N);  // the one not planned
    us = median_us(iters, s, no_setup, [&] {
      if (split) {
        launch_memnet_read_bwd_split(b, s);
      } else {
        launch_memnet_read_bwd_small(b, s);
      }
    });
    report(split ? "mnemo_memnet_read_bwd_split+merge_f32" : "mnemo_memnet_read_bwd_small_f32", sh,
           split ? bplan.splits : 1, iters, us, 3.0 * bytes);
  }
  if (!memnet_small_path(N)) sweep_bwd_splits(sh, b, counters.get(), iters, s);
}

}  // namespace

void bench_memnet(long long n, int iters, cudaStream_t s) {
  if (n > 0) {
    bench_shape({64, n, 64}, iters, s);
    return;
  }
  // the gpu-anchors shapes, then either side of the small path's limit: at it (64 slots) and a
  // large batch past it, where a warp per row fills the SMs too
  const Shape shapes[] = {{64, 128, 64}, {64, 1024, 64}, {256, 1024, 64}, {64, 8192, 64},
                          {1024, 256, 32}, {1, 65536, 64}, {64, 64, 64}, {1024, 128, 64}};
  for (const Shape& sh : shapes) bench_shape(sh, iters, s);
}

}  // namespace mnemo::harness
