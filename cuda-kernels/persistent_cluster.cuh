// persistent_cluster.cuh — family "persistent": the thread-block-cluster primitives the cluster
// kernels use (see mnemo_kernels.h, "Cluster variants"): rank and size of the cluster, a peer
// block's copy of a shared-memory address (distributed shared memory), and the cluster barrier.
// Hopper (sm_90) and newer; compiled for older architectures too (the unity fatbin covers sm_80),
// where every primitive traps, because the host never launches the cluster kernels there.
#pragma once

#include "mnemo_kernels.h"
#include "mnemo_math.cuh"
#include "persistent_common.cuh"

#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ < 900
#define MNEMO_CLUSTER_UNSUPPORTED 1
#endif

namespace mnemo::persistent {

// This block's rank in its cluster, 0 .. cluster_size() − 1.
__device__ __forceinline__ unsigned cluster_rank() {
#ifdef MNEMO_CLUSTER_UNSUPPORTED
  __trap();
  return 0;
#else
  return __clusterRelativeBlockRank();
#endif
}

// Blocks per cluster.
__device__ __forceinline__ unsigned cluster_size() {
#ifdef MNEMO_CLUSTER_UNSUPPORTED
  __trap();
  return 1;
#else
  return __clusterSizeInBlocks();
#endif
}

// The address in block `rank`'s shared memory of what `local` is in this block's: stores through
// it land in the peer's shared memory (the same dynamic-shared layout in every block).
__device__ __forceinline__ float* cluster_peer(float* local, unsigned rank) {
#ifdef MNEMO_CLUSTER_UNSUPPORTED
  __trap();
  return local;
#else
  return static_cast<float*>(__cluster_map_shared_rank(local, rank));
#endif
}

// Every thread of every block of the cluster meets here. Arrive has release and wait acquire
// semantics, so the stores a thread made (local or into peers) before it are visible to every
// thread of the cluster after it. Also a __syncthreads for the block.
__device__ __forceinline__ void cluster_sync() {
#ifdef MNEMO_CLUSTER_UNSUPPORTED
  __trap();
#else
  __cluster_barrier_arrive();
  __cluster_barrier_wait();
#endif
}

// cluster_sync in two halves, so that work no other thread waits for (a step's output stores,
// the next step's input loads) runs while the slowest block arrives. Arrive releases this thread's
// earlier stores; wait returns once every thread of the cluster has arrived, with acquire
// semantics. Between them a thread must not touch what the other blocks read or write this step.
__device__ __forceinline__ void cluster_arrive() {
#ifdef MNEMO_CLUSTER_UNSUPPORTED
  __trap();
#else
  __cluster_barrier_arrive();
#endif
}

// cluster_arrive without the release: this thread's earlier memory accesses are not ordered before
// the barrier, so arriving does not wait for its loads and stores in flight. For threads whose
// accesses no other block reads this step (see the courier warp in persistent_cluster_fwd.cu).
__device__ __forceinline__ void cluster_arrive_relaxed() {
#ifdef MNEMO_CLUSTER_UNSUPPORTED
  __trap();
#else
  __cluster_barrier_arrive_relaxed();
#endif
}

// The courier warp's arrive (persistent_cluster_fwd.cu): the release by the thread that carried
// the block's share to the peers, relaxed by every other thread.
__device__ __forceinline__ void cluster_arrive_releasing(bool releases) {
  if (releases) {
    cluster_arrive();
  } else {
    cluster_arrive_relaxed();
  }
}

// The courier warp's copy of this block's share of a buffer that every block of the cluster holds
// at the same offsets: for `rows` rows (stride rowStride) and `groups` groups (stride groupStride),
// the `owned` floats at first .. first + owned − 1, from this block's copy into every peer's. The
// lanes of the warp split the floats.
__device__ __forceinline__ void carry_share_to_peers(float* buf, int rows, int rowStride, int groups,
                                                     int groupStride, int first, int owned, int lane,
                                                     int clusterSize, int rank) {
  for (int i = lane; i < rows * groups * owned; i += kWarpSize) {
    const int row = i / (groups * owned);
    const int rest = i - row * groups * owned;
    const int group = rest / owned;
    const int at = row * rowStride + group * groupStride + first + (rest - group * owned);
    const float v = buf[at];
    for (int peer = 0; peer < clusterSize; ++peer) {
      if (peer != rank) cluster_peer(buf + at, peer)[0] = v;
    }
  }
}

__device__ __forceinline__ void cluster_wait() {
#ifdef MNEMO_CLUSTER_UNSUPPORTED
  __trap();
#else
  __cluster_barrier_wait();
#endif
}

// The step's meeting point: the cluster barrier, split (arrive, then wait), or for a cluster of
// one block only a block barrier at the wait. A block alone has no peer to wait for, and its
// shared memory needs only the block barrier's ordering, without the cluster arrive's release,
// which waits for the thread's earlier memory accesses still in flight.
struct StepBarrier {
  bool solo;

  // One block and the tuning word (mnemo_kernels.h, MNEMO_PERSISTENT_TUNE_*) lets it go alone.
  static __device__ __forceinline__ StepBarrier of(int clusterSize, int tuning) {
    return {clusterSize == 1 && (tuning & MNEMO_PERSISTENT_TUNE_CLUSTER_BARRIER) == 0};
  }

  __device__ __forceinline__ void arrive(bool releases) const {
    if (!solo) cluster_arrive_releasing(releases);
  }

  __device__ __forceinline__ void wait() const {
    if (solo) {
      __syncthreads();
    } else {
      cluster_wait();
    }
  }

  __device__ __forceinline__ void sync() const {
    arrive(true);
    wait();
  }
};

// How a block with one (b, j) cell per thread hands its step's values (h_t, dRh) to the cluster
// (persistent_cluster_fwd.cu): each cell writes to every block itself, or, when the tuning word
// asks for it (it timed slower), the last warp holds no cell and the block has peers, through the
// courier warp.
struct Handoff {
  bool courier;  // the last warp copies the block's share to the peers after a block barrier
  bool carrier;  // this thread is in that warp
  bool local;    // the cells write to their own block only (a courier, or no peers)

  static __device__ __forceinline__ Handoff of(int items, const StepBarrier& barrier, int tuning) {
    const bool courier =
        items <= kBlockThreads - kWarpSize && !barrier.solo && (tuning & MNEMO_PERSISTENT_TUNE_COURIER) != 0;
    const bool carrier = courier && static_cast<int>(threadIdx.x) >= kBlockThreads - kWarpSize;
    return {courier, carrier, courier || barrier.solo};
  }

  // Whether this thread's arrive releases: every thread's without a courier, else the carrier's only.
  __device__ __forceinline__ bool releases() const { return !courier || carrier; }
};

}  // namespace mnemo::persistent
