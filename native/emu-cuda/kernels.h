// kernels.h — the emulated driver's view of the kernels: look one up by name, bind its packed
// arguments, run it on native/emu. Neutral types only, because kernels.cpp sees the emulator's
// cuda_runtime.h and the driver sees the real cuda.h; the two must not meet in one file.
#pragma once
#include <cstddef>
#include <functional>

namespace mnemo_emu {

struct Dim { unsigned x, y, z; };

// A kernel with its arguments copied by value: calling it runs the body for the current
// emulated thread.
using BoundKernel = std::function<void()>;

struct KernelEntry {
  const char* name;
  // Reads each argument from params[i] (cuLaunchKernel's kernelParams) by the kernel's own
  // parameter type, as the real driver does from the cubin's parameter table.
  BoundKernel (*bind)(void** params);
  int registers;         // per thread on sm_90 (ptxas), or 32 when the build had no nvcc
  int staticSharedBytes;  // __shared__ arrays, from the same source
};

// nullptr when no kernel has this name.
const KernelEntry* find_kernel(const char* name);

enum class Schedule {
  kOneBlockAtATime,  // an ordinary launch: blocks run one after another
  kAllBlocksLive,    // cooperative: every block resident at once (grid barriers progress)
  kClusters,         // thread-block clusters of `clusterSize`; every block live
};

// The most blocks a kAllBlocksLive grid may have: native/emu's emu::kMaxLiveBlocks (each block is
// a set of coroutines). A larger cooperative grid is refused by the caller, not run.
unsigned long long max_live_blocks();

// Runs the grid to completion. Launch limits were checked by the caller.
void run_kernel(const BoundKernel& kernel, Dim grid, Dim block, size_t dynamicSmemBytes, Schedule schedule,
                unsigned clusterSize);

}  // namespace mnemo_emu
