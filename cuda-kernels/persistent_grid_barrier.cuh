// persistent_grid_barrier.cuh — family "persistent": the grid-wide barrier between time steps
// (see mnemo_kernels.h, "family: persistent"). Ours rather than cooperative_groups' grid.sync(),
// so the unity fatbin needs no -rdc, and the CPU emulator can run it. Co-residency of all blocks
// is the launcher's job (cuLaunchCooperativeKernel).
#pragma once

namespace mnemo::persistent {

// How long a waiting block sleeps between polls: far below the ~1 µs a grid barrier costs, so it
// adds little latency, and it keeps 100+ spinning SMs from hammering one L2 line.
constexpr unsigned kSpinSleepNs = 32;

// Waits until every block of the grid has arrived here for the `round`-th time (round >= 1).
// barrier[0] counts arrivals over the whole launch, so no reset (and no sense flag) is needed
// between rounds. Every thread of every block must call it.
// Ordering: the writes of the block (made visible at block scope by __syncthreads) are published
// by thread 0's device-scope fence before its arrival; after the wait, its fence orders the
// block's later reads after the other blocks' arrivals. Readers must still bypass L1 (__ldcg).
__device__ __forceinline__ void grid_barrier(unsigned int* barrier, unsigned int round) {
  __syncthreads();
  if (threadIdx.x == 0) {
    const unsigned int target = round * gridDim.x;
    __threadfence();
    atomicAdd(barrier, 1u);
    while (*static_cast<volatile unsigned int*>(barrier) < target) __nanosleep(kSpinSleepNs);
    __threadfence();
  }
  __syncthreads();
}

// Called once by every block at the end: the last block to finish has seen every other block
// leave its final wait, so it can return both counters to 0 for the next launch.
__device__ __forceinline__ void grid_barrier_release(unsigned int* barrier) {
  __syncthreads();
  if (threadIdx.x == 0) {
    if (atomicAdd(barrier + 1, 1u) == gridDim.x - 1) {
      atomicExch(barrier, 0u);
      atomicExch(barrier + 1, 0u);
    }
  }
}

}  // namespace mnemo::persistent
