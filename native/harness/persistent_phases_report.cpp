// persistent_phases_report.cpp — see persistent_phases_report.h.
#include "persistent_phases_report.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include <cuda_runtime.h>

#include "cuda_check.h"
#include "kernel_launch.h"

namespace mnemo::harness {
namespace {

// What each slot times, in the kernels' order (persistent_cluster_fwd.cu / _bwd.cu).
const char* const kForwardPhases[] = {"product", "block-sync", "cell+peers", "arrive", "stores+loads", "wait"};
const char* const kBackwardPhases[] = {"cell+peers", "arrive", "stores+loads", "wait", "product", "block-sync+dh"};
constexpr int kPhases = kPersistentPhaseSlots - 1;

}  // namespace

void print_phases(const char* cell, long long B, long long H, const char* what, const char* geometry,
                  int blocks, bool backward) {
  std::vector<unsigned long long> c(static_cast<size_t>(kPersistentPhaseBlocks) * kPersistentPhaseSlots);
  read_persistent_phases(c.data());
  double mean[kPhases] = {};
  double slowest = 0.0;
  int recorded = 0;
  for (int blk = 0; blk < std::min(blocks, kPersistentPhaseBlocks); ++blk) {
    const unsigned long long* row = &c[static_cast<size_t>(blk) * kPersistentPhaseSlots];
    const unsigned long long steps = row[kPhases];
    if (steps == 0) continue;  // a block without rows, or the slow path (several cells per thread)
    ++recorded;
    double total = 0.0;
    for (int i = 0; i < kPhases; ++i) {
      mean[i] += static_cast<double>(row[i]) / static_cast<double>(steps);
      total += static_cast<double>(row[i]) / static_cast<double>(steps);
    }
    slowest = std::max(slowest, total);
  }
  int clockKhz = 0;
  CHECK(cudaDeviceGetAttribute(&clockKhz, cudaDevAttrClockRate, 0));
  std::printf("phases %-8s B=%-3lld H=%-4lld %-9s %-34s cycles/step:", cell, B, H, what, geometry);
  if (recorded == 0) {
    std::printf(" no block recorded (the kernel took its several-cells-per-thread loop)\n");
    return;
  }
  double total = 0.0;
  const char* const* names = backward ? kBackwardPhases : kForwardPhases;
  for (int i = 0; i < kPhases; ++i) {
    mean[i] /= recorded;
    total += mean[i];
    std::printf(" %s %.0f |", names[i], mean[i]);
  }
  const double mhz = clockKhz / 1000.0;
  std::printf(" total %.0f (%.2f us at %.0f MHz), slowest block %.0f, %d blocks\n", total,
              mhz > 0 ? total / mhz : 0.0, mhz, slowest, recorded);
}

}  // namespace mnemo::harness
