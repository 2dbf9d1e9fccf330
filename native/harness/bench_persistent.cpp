// bench_persistent.cpp — the persistent whole-sequence forward and backward, both variants on the
// same shapes in the same run: the cooperative kernels (grid barrier, h through L2) and, on sm_90+,
// the cluster kernels (cluster barrier, h through distributed shared memory), with float32 and
// with bfloat16 weight slices ("cluster-bf16w", planned with its own smaller footprint). One line
// per (cell, shape, variant, direction): the geometry and the median µs per time step (CUDA events around
// one whole-sequence launch, so no host overhead is in it). Forward runs as inference (saveGates
// 0, so repeated launches see the same input); backward on arbitrary saved values (its cost does
// not depend on them), with dh / dc reset outside the timed region.
//
// Geometry, as the Java planner picks it (PersistentKernels, PersistentClusterPlan):
//   grid:    J = ceil(H / SMs), one block per SM;
//   cluster: S (J = ceil(H / S)) by plan_cluster below; clusters = max(1, min(B, SMs / S)),
//            Bc = ceil(B / clusters), then clusters = ceil(B / Bc) so none is left without rows.
#include "bench_persistent.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "cuda_check.h"
#include "device_buffer.h"
#include "event_timing.h"
#include "kernel_launch.h"
#include "persistent_phases_report.h"

namespace mnemo::harness {
namespace {

constexpr long long kSteps = 200;
constexpr long long kWorkPerBlock = 16384;  // PersistentClusterPlan.TARGET_WORK_PER_BLOCK

struct Device {
  int sms = 0, smemOptin = 0;
  bool clusters = false;
};

Device query_device() {
  Device d;
  CHECK(cudaDeviceGetAttribute(&d.sms, cudaDevAttrMultiProcessorCount, 0));
  CHECK(cudaDeviceGetAttribute(&d.smemOptin, cudaDevAttrMaxSharedMemoryPerBlockOptin, 0));
  d.clusters = device_has_clusters();
  return d;
}

struct ClusterPlan {
  int size = 0, units = 0, clusters = 0;  // size 0: no cluster plan fits
};

// The geometry of cluster size `size`, or size 0 when that size repeats a smaller one's J or its
// shared memory does not fit.
ClusterPlan cluster_of_size(int size, int G, long long B, long long H, const Device& d, bool backward,
                            bool bf16) {
  const int j = static_cast<int>((H + size - 1) / size);
  if ((H + j - 1) / j != size) return {};  // same J as a smaller S
  int clusters = static_cast<int>(std::max(1LL, std::min(B, static_cast<long long>(d.sms / size))));
  const long long bc = (B + clusters - 1) / clusters;
  clusters = static_cast<int>((B + bc - 1) / bc);  // none left without rows
  const long long smem = bf16 ? (backward ? MNEMO_PERSISTENT_CLUSTER_BF16W_BWD_SMEM_BYTES(G, j, bc, H)
                                          : MNEMO_PERSISTENT_CLUSTER_BF16W_SMEM_BYTES(G, j, bc, H))
                              : (backward ? MNEMO_PERSISTENT_CLUSTER_BWD_SMEM_BYTES(G, j, bc, H)
                                          : MNEMO_PERSISTENT_CLUSTER_SMEM_BYTES(G, j, bc, H));
  if (smem > d.smemOptin) return {};
  return {size, j, clusters};
}

// Rule 1 of PersistentClusterPlan: the balanced portable sizes (S·J = H, S <= 8) when any fits, else all.
std::vector<ClusterPlan> plan_pool(int G, long long B, long long H, const Device& d, bool backward, bool bf16) {
  std::vector<ClusterPlan> all, balanced;
  for (int s = 1; s <= 16; ++s) {
    const ClusterPlan p = cluster_of_size(s, G, B, H, d, backward, bf16);
    if (p.size == 0) continue;
    all.push_back(p);
    if (static_cast<long long>(p.size) * p.units == H && p.size <= 8) balanced.push_back(p);
  }
  return balanced.empty() ? all : balanced;
}

// PersistentClusterPlan's rule (see its class comment): over plan_pool, the fewest rows per cluster,
// then the smallest S with work <= kWorkPerBlock, else the least work; except that a float32 forward
// whose row slice keeps rows in shared memory at one batch row per cluster takes the smallest S
// whose row slice is wholly in registers at no more than two rows.
ClusterPlan plan_cluster(int G, long long B, long long H, const Device& d, bool backward, bool bf16) {
  const std::vector<ClusterPlan> pool = plan_pool(G, B, H, d, backward, bf16);
  if (pool.empty()) return {};
  auto rows = [B](const ClusterPlan& p) { return (B + p.clusters - 1) / p.clusters; };
  auto work = [&](const ClusterPlan& p) { return static_cast<long long>(G) * p.units * H * rows(p); };
  long long fewest = rows(pool.front());
  for (const ClusterPlan& p : pool) fewest = std::min(fewest, rows(p));
  ClusterPlan chosen;
  for (const ClusterPlan& p : pool) {
    if (rows(p) != fewest) continue;
    if (work(p) <= kWorkPerBlock) {
      chosen = p;
      break;
    }
    if (chosen.size == 0 || work(p) < work(chosen)) chosen = p;
  }
  auto rowSlice = [&](const ClusterPlan& p) { return !backward && !bf16 && MNEMO_PERSISTENT_CLUSTER_ROW_SLICE(G, p.units, H); };
  auto sharedRows = [&](const ClusterPlan& p) { return MNEMO_PERSISTENT_CLUSTER_SMEM_SLICE_ROWS(G, p.units, H); };
  if (rowSlice(chosen) && sharedRows(chosen) > 0 && rows(chosen) == 1) {
    for (const ClusterPlan& p : pool) {
      if (rowSlice(p) && sharedRows(p) == 0 && rows(p) <= 2) return p;
    }
  }
  return chosen;
}

// 0 when the cooperative kernel's shared memory does not fit.
int plan_grid(int G, long long B, long long H, const Device& d, bool backward) {
  const int j = static_cast<int>((H + d.sms - 1) / d.sms);
  const long long smem = backward ? MNEMO_PERSISTENT_BWD_SMEM_BYTES(G, j, B, H)
                                  : MNEMO_PERSISTENT_SMEM_BYTES(G, j, B, H);
  return smem <= d.smemOptin ? j : 0;
}

const char* cell_label(PersistentCell c) {
  return c == PersistentCell::kLstm ? "LSTM" : c == PersistentCell::kGru ? "GRU" : "RNN_TANH";
}

void report(PersistentCell cell, long long B, long long H, const char* variant, const char* dir,
            const char* geometry, double usPerLaunch) {
  std::printf("persistent %-8s T=%-4lld B=%-3lld H=%-5lld %-13s %-3s %-34s us/step=%.3f\n",
              cell_label(cell), kSteps, B, H, variant, dir, geometry, usPerLaunch / kSteps);
}

// One choice of the cluster kernels' default path that a p.tuning bit reverses (mnemo_kernels.h):
// a fast path it switches off, or (optIn) a path that timed slower, which it switches on.
struct FastPath {
  int bit;
  const char* name;
  bool optIn = false;
};

constexpr FastPath kFastPaths[] = {
    {MNEMO_PERSISTENT_TUNE_COURIER, "courier", true},
    {MNEMO_PERSISTENT_TUNE_NO_ROW_SLICE, "row-slice"},
    {MNEMO_PERSISTENT_TUNE_CLUSTER_BARRIER, "solo-barrier"},
    {MNEMO_PERSISTENT_TUNE_NO_BWD_REGISTERS, "bwd-registers"},
    {MNEMO_PERSISTENT_TUNE_NO_BWD_SPLIT, "bwd-split"},
    {MNEMO_PERSISTENT_TUNE_SERIAL_REGISTERS, "register-layout"},
    {MNEMO_PERSISTENT_TUNE_NARROW_SPLIT, "wide-split"},
};

// Whether the fast path `bit` is taken by the planned cluster kernel at all (so switching it off
// changes something): the kernels' own conditions, from the plan. The row slice can be switched
// off only where the whole slice fits shared memory too (not LSTM pixel MNIST's one-block plan).
bool fast_path_taken(int bit, int G, long long B, long long H, const ClusterPlan& p, bool backward,
                     const Device& d) {
  const long long rowsPerCluster = (B + p.clusters - 1) / p.clusters;
  const long long items = rowsPerCluster * std::min<long long>(p.units, H);
  switch (bit) {
    case MNEMO_PERSISTENT_TUNE_COURIER:
      return p.size > 1 && items <= MNEMO_PERSISTENT_BLOCK_THREADS - 32;
    case MNEMO_PERSISTENT_TUNE_NO_ROW_SLICE:  // RowSlice (persistent_row_product.cuh), forward only
      return !backward && MNEMO_PERSISTENT_CLUSTER_ROW_SLICE(G, p.units, H) &&
             MNEMO_PERSISTENT_CLUSTER_TILED_SMEM_BYTES(G, p.units, rowsPerCluster, H) <= d.smemOptin;
    case MNEMO_PERSISTENT_TUNE_CLUSTER_BARRIER:
      return p.size == 1;
    case MNEMO_PERSISTENT_TUNE_NO_BWD_REGISTERS:  // RegisterSlice in the backward
      return backward && rowsPerCluster == 1 && p.units <= 128 && G * H <= 256;
    case MNEMO_PERSISTENT_TUNE_NO_BWD_SPLIT:  // SplitSlice, where the whole slice fits shared memory too
      return backward && MNEMO_PERSISTENT_CLUSTER_BWD_SPLIT(G, p.units, rowsPerCluster, H) &&
             MNEMO_PERSISTENT_CLUSTER_BWD_TILED_SMEM_BYTES(G, p.units, rowsPerCluster, H) <= d.smemOptin;
    case MNEMO_PERSISTENT_TUNE_NARROW_SPLIT:  // SplitSlice's wide layout (persistent_split_product.cuh)
      return backward && MNEMO_PERSISTENT_CLUSTER_BWD_SPLIT(G, p.units, rowsPerCluster, H) && G * H >= 320;
    case MNEMO_PERSISTENT_TUNE_SERIAL_REGISTERS: {  // RegisterSlice, grouped (<= 128 columns) or two tiles
      const long long rows = backward ? p.units : G * p.units;
      const long long width = backward ? G * H : H;
      return rowsPerCluster == 1 && rows <= 128 && width <= 256 && (width <= 128 || rows > 64);
    }
  }
  return false;
}

// What bench_shape prints: the grid and planned cluster kernels; every cluster size S = 1..16
// (float32 weights) with the planner's choice marked, the data for tuning the plan on a new
// device; the planned cluster kernels' phase cycles (persistent_phases_report.h); or the planned
// cluster kernels with each fast path switched off against all on (p.tuning), at the anchors'
// sequence length so that the inputs stream from DRAM as in the layer.
enum class ShapeRun { kTable, kSweep, kPhases, kFastPaths, kProfile };

void bench_shape(PersistentCell cell, long long B, long long H, const Device& d, int iters,
                 cudaStream_t s, ShapeRun run = ShapeRun::kTable, long long T = kSteps) {
  const int G = persistent_gates(cell);
  const long long n = T * B * H;
  DeviceBuffer gates(n * G), w(static_cast<long long>(G) * H * H), bias(G * H), h0(B * H), c0(B * H);
  DeviceBuffer h(n), c(n), hn(n), dy(n), dh(B * H), dc(B * H), dWx(n * G), dRh(n * G);
  for (DeviceBuffer* b : {&gates, &w, &bias, &h0, &c0, &h, &c, &hn, &dy}) launch_fill(b->get(), b->count(), 0.01f, s);
  DeviceArray<unsigned> barrier(2);
  CHECK(cudaMemsetAsync(barrier.get(), 0, 2 * sizeof(unsigned), s));
  // one input feature and W_ih's column, for the forwards' _x1 twins (persistent_ab)
  DeviceBuffer xIn(T * B), wIn(G * H);
  launch_fill(xIn.get(), xIn.count(), 0.01f, s);
  launch_fill(wIn.get(), wIn.count(), 0.01f, s);

  mnemo_persistent_fwd_params f{};
  f.gates = gates.get();
  f.wHh = w.get();
  f.bIh = bias.get();
  f.bHh = bias.get();
  f.h0 = h0.get();
  f.c0 = c0.get();
  f.h = h.get();
  f.c = c.get();
  f.hn = hn.get();
  f.barrier = barrier.get();
  f.steps = T;
  f.batch = B;
  f.hidden = H;
  mnemo_persistent_bwd_params b{};
  b.gates = gates.get();
  b.wHh = w.get();
  b.h0 = h0.get();
  b.c0 = c0.get();
  b.h = h.get();
  b.c = c.get();
  b.hn = hn.get();
  b.dy = dy.get();
  b.dh = dh.get();
  b.dc = dc.get();
  b.dWx = dWx.get();
  b.dRh = dRh.get();
  b.barrier = barrier.get();
  b.steps = T;
  b.batch = B;
  b.hidden = H;
  const auto resetGradients = [&] {
    CHECK(cudaMemsetAsync(dh.get(), 0, static_cast<size_t>(B * H) * sizeof(float), s));
    CHECK(cudaMemsetAsync(dc.get(), 0, static_cast<size_t>(B * H) * sizeof(float), s));
  };
  char geometry[80];

  const auto runCluster = [&](const ClusterPlan& p, bool backward, bool bf16) {
    f.unitsPerBlock = b.unitsPerBlock = p.units;
    return backward ? median_us(iters, s, resetGradients,
                                [&] { launch_persistent_cluster_bwd(cell, b, p.clusters, s, bf16); })
                    : median_us(iters, s, no_setup, [&] { launch_persistent_cluster_fwd(cell, f, p.clusters, s, bf16); });
  };
  // The opt-in wide-block forward (one block per batch row, J = H), where it fits.
  // The RNN's wide-block backward too.
  const bool wide = MNEMO_PERSISTENT_WIDE_FITS(G, H) != 0;
  const bool wideBackward = MNEMO_PERSISTENT_WIDE_BWD_FITS(G, H) != 0;
  const auto runWide = [&](bool backward) {
    f.unitsPerBlock = b.unitsPerBlock = static_cast<int>(H);
    return backward ? median_us(iters, s, resetGradients, [&] { launch_persistent_wide_bwd(cell, b, s); })
                    : median_us(iters, s, no_setup, [&] { launch_persistent_wide_fwd(cell, f, s); });
  };
  // One launch of a cluster plan's kernel, or of the wide-block kernel; a backward from zeroed dh, dc.
  const auto launchCluster = [&](const ClusterPlan& p, bool backward) {
    f.unitsPerBlock = b.unitsPerBlock = p.units;
    if (backward) {
      resetGradients();
      launch_persistent_cluster_bwd(cell, b, p.clusters, s);
    } else {
      launch_persistent_cluster_fwd(cell, f, p.clusters, s);
    }
  };
  const auto launchWide = [&](bool backward) {
    f.unitsPerBlock = b.unitsPerBlock = static_cast<int>(H);
    if (backward) {
      resetGradients();
      launch_persistent_wide_bwd(cell, b, s);
    } else {
      launch_persistent_wide_fwd(cell, f, s);
    }
  };
  if (run == ShapeRun::kPhases) {
    for (int pass = 0; pass < 3; ++pass) {  // inference forward, training forward, backward
      const bool backward = pass == 2;
      const ClusterPlan p = plan_cluster(G, B, H, d, backward, false);
      if (p.size == 0) continue;
      f.unitsPerBlock = b.unitsPerBlock = p.units;
      f.saveGates = pass == 1 ? 1 : 0;
      std::snprintf(geometry, sizeof geometry, "%d clusters x %d blocks x %d units", p.clusters, p.size, p.units);
      const char* what = pass == 0 ? "fwd-infer" : pass == 1 ? "fwd-train" : "bwd";
      report_phases(cell_label(cell), B, H, what, geometry, p.clusters * p.size, backward, [&] {
        launchCluster(p, backward);
        CHECK(cudaStreamSynchronize(s));
      });
      if (backward ? wideBackward : wide) {
        std::snprintf(geometry, sizeof geometry, "wide-block: %lld blocks x %lld threads", B,
                      MNEMO_PERSISTENT_WIDE_BLOCK(G, H));
        report_phases(cell_label(cell), B, H, what, geometry, static_cast<int>(B), backward, [&] {
          launchWide(backward);
          CHECK(cudaStreamSynchronize(s));
        });
      }
    }
    f.saveGates = 0;
    return;
  }
  if (run == ShapeRun::kProfile) {
    constexpr int kLaunches = 3;  // a profiler skips the first (cold) and takes the next
    for (int pass = 0; pass < 3; ++pass) {  // inference forward, training forward, backward
      const bool backward = pass == 2;
      const ClusterPlan p = plan_cluster(G, B, H, d, backward, false);
      if (p.size == 0) continue;
      f.saveGates = pass == 1 ? 1 : 0;
      for (int i = 0; i < kLaunches; ++i) launchCluster(p, backward);
      CHECK(cudaStreamSynchronize(s));
      std::printf("persistent_profile %-8s T=%-4lld B=%-3lld H=%-4lld %-9s %d clusters x %d blocks x %d units, "
                  "%d launches\n", cell_label(cell), T, B, H, pass == 0 ? "fwd-infer" : pass == 1 ? "fwd-train" : "bwd",
                  p.clusters, p.size, p.units, kLaunches);
    }
    f.saveGates = 0;
    if (wide) {
      for (int i = 0; i < kLaunches; ++i) launchWide(false);
      CHECK(cudaStreamSynchronize(s));
      std::printf("persistent_profile %-8s T=%-4lld B=%-3lld H=%-4lld fwd-infer wide-block: %lld blocks x %lld "
                  "threads, %d launches\n", cell_label(cell), T, B, H, B, MNEMO_PERSISTENT_WIDE_BLOCK(G, H), kLaunches);
    }
    return;
  }
  if (run == ShapeRun::kFastPaths) {
    for (int pass = 0; pass < 3; ++pass) {  // inference forward, training forward, backward
      const bool backward = pass == 2;
      const ClusterPlan p = plan_cluster(G, B, H, d, backward, false);
      if (p.size == 0) continue;
      f.saveGates = pass == 1 ? 1 : 0;
      std::snprintf(geometry, sizeof geometry, "%d clusters x %d blocks x %d units", p.clusters, p.size, p.units);
      const char* what = pass == 0 ? "fwd-infer" : pass == 1 ? "fwd-train" : "bwd";
      const auto timed = [&](int tuning) {
        f.tuning = b.tuning = tuning;
        return runCluster(p, backward, false) / T;
      };
      const double all = timed(0);
      std::printf("persistent_ab %-8s T=%-4lld B=%-3lld H=%-4lld %-9s %-34s default path         us/step=%.3f\n",
                  cell_label(cell), T, B, H, what, geometry, all);
      for (const FastPath& fp : kFastPaths) {
        if (!fast_path_taken(fp.bit, G, B, H, p, backward, d)) continue;
        const double other = timed(fp.bit);
        std::printf("persistent_ab %-8s T=%-4lld B=%-3lld H=%-4lld %-9s %-34s %-7s %-13s us/step=%.3f  "
                    "default %.2fx faster\n",
                    cell_label(cell), T, B, H, what, geometry, fp.optIn ? "with" : "without", fp.name, other,
                    other / all);
      }
      if (backward ? wideBackward : wide) {
        const double other = runWide(backward) / T;
        std::printf("persistent_ab %-8s T=%-4lld B=%-3lld H=%-4lld %-9s %-34s with    wide-block    us/step=%.3f  "
                    "default %.2fx faster\n",
                    cell_label(cell), T, B, H, what, geometry, other, other / all);
      }
      // A forward planned on clusters of several blocks against one-block clusters, at the anchors'
      // length: run 9 timed pixel MNIST's two-block LSTM and GRU forwards only at T = 200 against one
      // block, and run 7's one-block GRU at T = 784 (another machine) was faster than run 9's two.
      if (!backward && p.size > 1) {
        if (const ClusterPlan one = cluster_of_size(1, G, B, H, d, false, false); one.size == 1) {
          f.tuning = 0;
          const double single = runCluster(one, false, false) / T;
          std::printf("persistent_ab %-8s T=%-4lld B=%-3lld H=%-4lld %-9s %-34s on      one-block     us/step=%.3f  "
                      "default %.2fx faster\n",
                      cell_label(cell), T, B, H, what, geometry, single, single / all);
        }
      }
      // The forwards' _x1 twins: one input feature projected in the kernel instead of gx read from
      // the T·B·G·H gates (as pixel MNIST's layer would run them).
      if (!backward) {
        f.tuning = 0;
        f.unitsPerBlock = p.units;
        const double x1 = median_us(iters, s, no_setup, [&] {
          launch_persistent_cluster_fwd_x1(cell, f, xIn.get(), wIn.get(), p.clusters, s);
        }) / T;
        std::printf("persistent_ab %-8s T=%-4lld B=%-3lld H=%-4lld %-9s %-34s with    in-kernel x   us/step=%.3f  "
                    "default %.2fx faster\n",
                    cell_label(cell), T, B, H, what, geometry, x1, x1 / all);
        if (wide) {
          f.unitsPerBlock = static_cast<int>(H);
          const double wideX1 = median_us(iters, s, no_setup, [&] {
            launch_persistent_wide_fwd_x1(cell, f, xIn.get(), wIn.get(), s);
          }) / T;
          std::printf("persistent_ab %-8s T=%-4lld B=%-3lld H=%-4lld %-9s %-34s with    wide-block+x  us/step=%.3f  "
                      "default %.2fx faster\n",
                      cell_label(cell), T, B, H, what, geometry, wideX1, wideX1 / all);
        }
      }
    }
    f.saveGates = 0;
    f.tuning = b.tuning = 0;
    return;
  }
  if (run == ShapeRun::kSweep) {
    for (int backward = 0; backward <= 1; ++backward) {
      const int planned = plan_cluster(G, B, H, d, backward != 0, false).size;
      for (int size = 1; size <= 16; ++size) {
        const ClusterPlan p = cluster_of_size(size, G, B, H, d, backward != 0, false);
        if (p.size == 0) continue;
        std::snprintf(geometry, sizeof geometry, "%d clusters x %d blocks x %d units%s", p.clusters, p.size, p.units,
                      size == planned ? " (planned)" : "");
        report(cell, B, H, "cluster", backward ? "bwd" : "fwd", geometry, runCluster(p, backward != 0, false));
      }
    }
    return;
  }
  for (int backward = 0; backward <= 1; ++backward) {
    const char* dir = backward ? "bwd" : "fwd";
    if (const int j = plan_grid(G, B, H, d, backward != 0); j > 0) {
      std::snprintf(geometry, sizeof geometry, "%lld blocks x %d units", (H + j - 1) / j, j);
      f.unitsPerBlock = b.unitsPerBlock = j;
      const double us = backward ? median_us(iters, s, resetGradients, [&] { launch_persistent_bwd(cell, b, s); })
                                 : median_us(iters, s, no_setup, [&] { launch_persistent_fwd(cell, f, s); });
      report(cell, B, H, "grid", dir, geometry, us);
    } else {
      report(cell, B, H, "grid", dir, "does not fit shared memory", 0.0);
    }
    if (!d.clusters) continue;
    for (const bool bf16 : {false, true}) {
      const char* variant = bf16 ? "cluster-bf16w" : "cluster";
      if (const ClusterPlan p = plan_cluster(G, B, H, d, backward != 0, bf16); p.size > 0) {
        std::snprintf(geometry, sizeof geometry, "%d clusters x %d blocks x %d units", p.clusters, p.size, p.units);
        report(cell, B, H, variant, dir, geometry, runCluster(p, backward != 0, bf16));
      } else {
        report(cell, B, H, variant, dir, "does not fit shared memory", 0.0);
      }
    }
  }
}

}  // namespace

void bench_persistent(long long n, int iters, cudaStream_t s) {
  const Device d = query_device();
  if (!d.clusters) std::printf("persistent: compute capability below 9.0, cluster kernels skipped\n");
  // 640: an LSTM whose float32 slice no 16-block cluster holds (H100), the bf16 one does.
  const long long hiddens[] = {128, 256, 512, 640, 1024};
  for (PersistentCell cell : {PersistentCell::kRnnTanh, PersistentCell::kLstm, PersistentCell::kGru}) {
    for (long long B : {1LL, 8LL}) {
      for (long long H : hiddens) {
        if (n > 0 && H != hiddens[0]) break;
        bench_shape(cell, B, n > 0 ? n : H, d, iters, s);
        CHECK(cudaStreamSynchronize(s));
      }
    }
  }
}

void bench_persistent_sweep(long long, int iters, cudaStream_t s) {
  const Device d = query_device();
  if (!d.clusters) {
    std::printf("persistent_sweep: compute capability below 9.0, no cluster kernels\n");
    return;
  }
  // the latency rows (B = 1, 8 at H = 256), pixel MNIST's (B = 128, H = 128), and B = 1 at H = 128,
  // where the plan's per-block work target decides S (cuDNN's small-H persistent path is there)
  const long long shapes[][2] = {{1, 256}, {8, 256}, {128, 128}, {1, 128}};
  for (PersistentCell cell : {PersistentCell::kRnnTanh, PersistentCell::kLstm, PersistentCell::kGru}) {
    for (const auto& bh : shapes) {
      bench_shape(cell, bh[0], bh[1], d, iters, s, ShapeRun::kSweep);
      CHECK(cudaStreamSynchronize(s));
    }
  }
}

void bench_persistent_ab(long long, int iters, cudaStream_t s) {
  const Device d = query_device();
  if (!d.clusters) {
    std::printf("persistent_ab: compute capability below 9.0, no cluster kernels\n");
    return;
  }
  // the anchors' pixel MNIST, latency_b1 and small rows (T, B, H), on the planned clusters
  const long long shapes[][3] = {{784, 128, 128}, {1000, 1, 256}, {100, 64, 256}};
  for (PersistentCell cell : {PersistentCell::kRnnTanh, PersistentCell::kLstm, PersistentCell::kGru}) {
    for (const auto& tbh : shapes) {
      bench_shape(cell, tbh[1], tbh[2], d, iters, s, ShapeRun::kFastPaths, tbh[0]);
      CHECK(cudaStreamSynchronize(s));
    }
  }
}

void bench_persistent_profile(long long, int, cudaStream_t s) {
  const Device d = query_device();
  if (!d.clusters) {
    std::printf("persistent_profile: compute capability below 9.0, no cluster kernels\n");
    return;
  }
  for (PersistentCell cell : {PersistentCell::kRnnTanh, PersistentCell::kLstm, PersistentCell::kGru}) {
    bench_shape(cell, 128, 128, d, 1, s, ShapeRun::kProfile, 784);
  }
}

void bench_persistent_phases(long long, int, cudaStream_t s) {
  if (!persistent_phases_built()) {
    std::printf("persistent_phases: this harness has no phase counters; run mnemo_harness_phases "
                "(built with -DMNEMO_PERSISTENT_PHASES)\n");
    return;
  }
  const Device d = query_device();
  if (!d.clusters) {
    std::printf("persistent_phases: compute capability below 9.0, no cluster kernels\n");
    return;
  }
  // pixel MNIST's (B = 128, H = 128) and the latency rows' (B = 1, H = 256), on the planned clusters
  const long long shapes[][2] = {{128, 128}, {1, 256}};
  for (PersistentCell cell : {PersistentCell::kRnnTanh, PersistentCell::kLstm, PersistentCell::kGru}) {
    for (const auto& bh : shapes) {
      bench_shape(cell, bh[0], bh[1], d, 1, s, ShapeRun::kPhases);
    }
  }
}

}  // namespace mnemo::harness
