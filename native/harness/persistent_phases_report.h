// persistent_phases_report.h — prints what the cluster kernels' phase counters
// (cuda-kernels/persistent_phases.cuh) measured over one launch: the mean cycles per step of each
// phase over the blocks that recorded, and the slowest block's total.
#pragma once

#include "kernel_launch.h"

namespace mnemo::harness {

// Reads the counters and prints one line for (cell, B, H, what, geometry); `blocks` = the launch's grid.
void print_phases(const char* cell, long long B, long long H, const char* what, const char* geometry,
                  int blocks, bool backward);

// After a warm-up, one call of `launch` (which must synchronize) between a reset and a read of the
// counters.
template <typename Launch>
void report_phases(const char* cell, long long B, long long H, const char* what, const char* geometry,
                   int blocks, bool backward, Launch launch) {
  launch();
  launch();
  reset_persistent_phases();
  launch();
  print_phases(cell, B, H, what, geometry, blocks, backward);
}

}  // namespace mnemo::harness
