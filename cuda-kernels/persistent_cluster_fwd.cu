// persistent_cluster_fwd.cu — family "persistent": the whole-sequence forward of one RNN / LSTM /
// GRU layer and direction with one thread-block cluster per group of batch rows, h_t exchanged
// through distributed shared memory and one cluster barrier per step (see mnemo_kernels.h,
// "Cluster variants"). With one batch row per cluster and a small enough slice, the float32
// kernels hold the slice in registers (persistent_register_product.cuh); with up to 128 columns
// and 129 to 512 rows, one row per thread in registers and only the rows past 256 in shared memory
// (persistent_row_product.cuh).
// Entry points: mnemo_persistent_cluster_rnn_fwd_tanh_f32, mnemo_persistent_cluster_rnn_fwd_relu_f32,
// mnemo_persistent_cluster_lstm_fwd_f32, mnemo_persistent_cluster_gru_fwd_f32, their _bf16w_f32
// twins (W_hh slice kept as bfloat16) and _x1_f32 twins (one input feature, projected here).
#include "mnemo_kernels.h"
#include "mnemo_math.cuh"
#include "persistent_cell_fwd.cuh"
#include "persistent_cluster.cuh"
#include "persistent_common.cuh"
#include "persistent_phases.cuh"
#include "persistent_register_product.cuh"
#include "persistent_row_product.cuh"
#include "persistent_tiled_product.cuh"

namespace mnemo::persistent {

// What one block of a cluster works with, fixed for the whole sequence.
struct ClusterBlock {
  int hidden, unitsPerBlock, rows, clusterSize, rank, b0, myBatch, j0, owned, hStride;
  StepBarrier barrier;
  float* hbuf;  // [2, Bc, H]: h_{t−1} of this cluster's rows
  float* acc;   // [Bc, G·J]
};

// The time loop: per step acc = W_slice · h_{t−1} (`product(hPrev, acc)`), the cell, h_t into
// every block of the cluster, one cluster barrier.
//
// With one (b, j) per thread the barrier is split: h_t goes to the peers, the thread arrives, and
// only then stores the step's outputs to global memory and loads gx, while the other blocks
// arrive. Arrive releases every earlier store of the thread, so global stores before it would hold
// it up until they complete; after it they overlap the wait. gx is loaded two steps ahead: a load
// from DRAM takes longer than a small cluster's wait, and a step later it has surely landed, so
// moving it into place (during the next wait) does not stall. That thread also carries LSTM's c in
// a register instead of reloading its own c_{t−1} from global memory.
//
// A release arrive waits for every earlier memory access of its thread, the previous step's gx
// load and output stores included. p.tuning's MNEMO_PERSISTENT_TUNE_COURIER takes them off the
// release: when the last warp holds no (b, j), the cells write h_t to their own block only, and
// after a block barrier that warp copies the block's h_t to the peers and arrives with the
// release, every other thread relaxed. Its serial copy and extra block barrier cost more than
// they saved on the H200 (run 6), so it is off by default. A cluster of one block writes h_t
// locally and meets at a block barrier (StepBarrier), 1.06x to 2.5x faster there (runs 6 and 7).
template <Cell C, bool kProjects, typename Product>
__device__ __forceinline__ void cluster_steps(const mnemo_persistent_fwd_params& p, const InputProjection& proj,
                                              const ClusterBlock& k, Product product) {
  const long long steps = p.steps;
  const int items = k.myBatch * k.owned;  // the block's (b, j) cells per step
  const int mine = static_cast<int>(threadIdx.x);
  if (items <= kBlockThreads) {
    const Handoff handoff = Handoff::of(items, k.barrier, p.tuning);
    const bool active = mine < items;
    const int bl = active ? mine / k.owned : 0;
    const int jj = active ? mine - bl * k.owned : 0;
    const long long b = k.b0 + bl;
    const long long j = k.j0 + jj;
    StepInputs<C> in{};
    typename AheadOf<C, kProjects>::type ahead = {};  // the input of step s + 1 (gx, or x)
    float c = 0.0f;
    const long long rowEnd = active && p.lengths != nullptr ? p.lengths[b] : steps;  // past it: carry the state
    if (active) {
      load_biases<C>(p, j, in);
      c = prime_inputs<C>(p, proj, b, j, in, ahead);
    }
    // Phases (persistent_phases.cuh): 0 product, 1 block barrier, 2 cell and h_t to the peers,
    // 3 arrive, 4 output stores and input loads, 5 wait.
    PhaseClock clock;
    for (long long s = 0; s < steps; ++s) {
      const long long t = p.reverse ? steps - 1 - s : s;
      const bool last = s + 1 == steps;
      const float* hPrev = k.hbuf + (s & 1) * k.hStride;
      float* hNext = k.hbuf + ((s + 1) & 1) * k.hStride;
      clock.restart();
      product(hPrev, k.acc);
      clock.lap(0);
      __syncthreads();
      clock.lap(1);
      CellOut<C> out{};
      const bool carried = t >= rowEnd;
      if (active) {
        const float hp = hPrev[bl * k.hidden + j];
        out = carried ? carried_state<C>(hp, c) : cell_compute<C>(in, k.acc + bl * k.rows + jj, hp, c, k.unitsPerBlock);
        if (!last && handoff.local) {
          hNext[bl * k.hidden + j] = out.h;
        } else if (!last) {
          for (int peer = 0; peer < k.clusterSize; ++peer) cluster_peer(hNext + bl * k.hidden + j, peer)[0] = out.h;
        }
      }
      if (!last && handoff.courier) {
        __syncthreads();  // the block's h_t is in its own hNext
        if (handoff.carrier) {
          carry_share_to_peers(hNext, k.myBatch, k.hidden, 1, 0, k.j0, k.owned, mine - (kBlockThreads - kWarpSize),
                               k.clusterSize, k.rank);
        }
      }
      clock.lap(2);
      if (!last) k.barrier.arrive(handoff.releases());
      clock.lap(3);
      if (active) advance_inputs<C>(p, proj, out, b, j, t, s, last, carried, in, ahead, c);
      clock.lap(4);
      // h_t is in every block's hNext; no block writes its hPrev again before all have read it.
      if (!last) k.barrier.wait();
      clock.lap(5);
      clock.count_step();
    }
    clock.flush();
    return;
  }
  for (long long s = 0; s < steps; ++s) {  // several (b, j) per thread: loads in the step
    const long long t = p.reverse ? steps - 1 - s : s;
    const long long tPrev = p.reverse ? t + 1 : t - 1;
    const bool last = s + 1 == steps;
    const float* hPrev = k.hbuf + (s & 1) * k.hStride;
    float* hNext = k.hbuf + ((s + 1) & 1) * k.hStride;
    product(hPrev, k.acc);
    __syncthreads();
    for (int i = mine; i < items; i += kBlockThreads) {
      const int bl = i / k.owned;
      const int jj = i - bl * k.owned;
      StepInputs<C> in;
      load_biases<C>(p, k.j0 + jj, in);
      load_step_input<C, kProjects>(p, proj, t, k.b0 + bl, k.j0 + jj, in);
      const float h = cell_step<C>(p, in, k.acc + bl * k.rows + jj, hPrev[bl * k.hidden + k.j0 + jj],
                                   k.unitsPerBlock, k.j0 + jj, k.b0 + bl, t, tPrev, s == 0);
      if (!last) {
        const int at = bl * k.hidden + k.j0 + jj;
        for (int peer = 0; peer < k.clusterSize; ++peer) cluster_peer(hNext + at, peer)[0] = h;
      }
    }
    if (!last) k.barrier.sync();
  }
}

template <Cell C, bool kBf16, bool kProjects = false>
__device__ __forceinline__ void cluster_forward(const mnemo_persistent_fwd_params& p,
                                                const InputProjection& proj = InputProjection{}) {
  constexpr int G = kGatesOf<C>;
  ClusterBlock k{};
  k.hidden = static_cast<int>(p.hidden);
  const int batch = static_cast<int>(p.batch);
  k.unitsPerBlock = p.unitsPerBlock;
  k.rows = G * k.unitsPerBlock;
  k.clusterSize = static_cast<int>(cluster_size());
  k.rank = static_cast<int>(cluster_rank());
  k.barrier = StepBarrier::of(k.clusterSize, p.tuning);
  const int clusters = static_cast<int>(gridDim.x) / k.clusterSize;
  const int rowsPerCluster = (batch + clusters - 1) / clusters;  // Bc
  k.b0 = static_cast<int>(blockIdx.x) / k.clusterSize * rowsPerCluster;
  k.myBatch = min(rowsPerCluster, batch - k.b0);
  if (k.myBatch <= 0) return;  // the whole cluster: no barrier is left waiting
  k.j0 = k.rank * k.unitsPerBlock;
  k.owned = min(k.unitsPerBlock, k.hidden - k.j0);  // >= 1 when clusterSize = ceil(H / J)

  // Shared memory: the slice's rows kept there, then h [2, Bc, H] and the products [Bc, G·J].
  float* w = dynamic_shared_floats();
  const auto place = [&](long long sliceWords) {
    k.hbuf = w + sliceWords;
    k.acc = k.hbuf + 2 * rowsPerCluster * k.hidden;
    k.hStride = rowsPerCluster * k.hidden;
    for (int i = static_cast<int>(threadIdx.x); i < k.myBatch * k.hidden; i += kBlockThreads) {
      k.hbuf[i] = p.h0[static_cast<long long>(k.b0) * k.hidden + i];
    }
  };

  // An RNN slice has no more rows (J) than columns (H): never more than 128 rows of at most 128.
  if constexpr (!kBf16 && G > 1) {
    // One slice row per thread, read from global memory: only the rows past the threads take
    // shared memory (MNEMO_PERSISTENT_CLUSTER_SMEM_SLICE_ROWS; the host sized it by the same rule).
    if (RowSlice::fits(k.rows, k.hidden) && (p.tuning & MNEMO_PERSISTENT_TUNE_NO_ROW_SLICE) == 0) {
      RowSlice slice;
      slice.load(p.wHh, w, k.rows, k.unitsPerBlock, k.owned, k.j0, k.hidden);
      place(static_cast<long long>(RowSlice::extra_rows(k.rows)) * k.hidden);
      // Every block of the cluster has started (its shared memory exists) before anyone writes
      // into it; also the block barrier before the product reads the spilled rows.
      cluster_sync();
      cluster_steps<C, kProjects>(p, proj, k, [&](const float* x, float* acc) {
        slice.product(x, acc, k.rows, k.myBatch, k.hidden, w);
      });
      return;
    }
  }

  load_weight_rows<kBf16>(p.wHh, w, k.rows, k.unitsPerBlock, k.owned, k.j0, k.hidden);  // [G·J, H]
  place(static_cast<long long>(k.rows) * slice_words<kBf16>(k.hidden));
  // As above; and the block barrier after the slice's load, which the register copy below reads.
  cluster_sync();

  if constexpr (!kBf16) {
    if (RegisterSlice::fits(k.rows, rowsPerCluster, k.hidden)) {
      RegisterSlice slice;
      slice.load(w, k.rows, k.hidden, p.tuning);
      cluster_steps<C, kProjects>(p, proj, k, [&](const float* x, float* acc) { slice.product(x, acc, k.rows, k.hidden, p.tuning); });
      return;
    }
  }
  cluster_steps<C, kProjects>(p, proj, k, [&](const float* x, float* acc) {
    block_product<kBf16>(w, x, acc, k.rows, k.myBatch, k.hidden);
  });
}

}  // namespace mnemo::persistent

// ── exported instantiations (one block per SM by design: ptxas may use the registers it wants) ──
extern "C" __global__ void __launch_bounds__(mnemo::persistent::kBlockThreads, 1)
    mnemo_persistent_cluster_rnn_fwd_tanh_f32(mnemo_persistent_fwd_params p) {
  mnemo::persistent::cluster_forward<mnemo::persistent::Cell::kRnnTanh, false>(p);
}

extern "C" __global__ void __launch_bounds__(mnemo::persistent::kBlockThreads, 1)
    mnemo_persistent_cluster_rnn_fwd_relu_f32(mnemo_persistent_fwd_params p) {
  mnemo::persistent::cluster_forward<mnemo::persistent::Cell::kRnnRelu, false>(p);
}

extern "C" __global__ void __launch_bounds__(mnemo::persistent::kBlockThreads, 1)
    mnemo_persistent_cluster_lstm_fwd_f32(mnemo_persistent_fwd_params p) {
  mnemo::persistent::cluster_forward<mnemo::persistent::Cell::kLstm, false>(p);
}

extern "C" __global__ void __launch_bounds__(mnemo::persistent::kBlockThreads, 1)
    mnemo_persistent_cluster_gru_fwd_f32(mnemo_persistent_fwd_params p) {
  mnemo::persistent::cluster_forward<mnemo::persistent::Cell::kGru, false>(p);
}

// in-kernel input projection variants (mnemo_kernels.h, "Input projection in the kernel")
extern "C" __global__ void __launch_bounds__(mnemo::persistent::kBlockThreads, 1)
    mnemo_persistent_cluster_rnn_fwd_tanh_x1_f32(mnemo_persistent_fwd_params p, const float* x,
                                              const float* wIh) {
  mnemo::persistent::cluster_forward<mnemo::persistent::Cell::kRnnTanh, false, true>(p, {x, wIh});
}

extern "C" __global__ void __launch_bounds__(mnemo::persistent::kBlockThreads, 1)
    mnemo_persistent_cluster_rnn_fwd_relu_x1_f32(mnemo_persistent_fwd_params p, const float* x,
                                              const float* wIh) {
  mnemo::persistent::cluster_forward<mnemo::persistent::Cell::kRnnRelu, false, true>(p, {x, wIh});
}

extern "C" __global__ void __launch_bounds__(mnemo::persistent::kBlockThreads, 1)
    mnemo_persistent_cluster_lstm_fwd_x1_f32(mnemo_persistent_fwd_params p, const float* x,
                                              const float* wIh) {
  mnemo::persistent::cluster_forward<mnemo::persistent::Cell::kLstm, false, true>(p, {x, wIh});
}

extern "C" __global__ void __launch_bounds__(mnemo::persistent::kBlockThreads, 1)
    mnemo_persistent_cluster_gru_fwd_x1_f32(mnemo_persistent_fwd_params p, const float* x,
                                              const float* wIh) {
  mnemo::persistent::cluster_forward<mnemo::persistent::Cell::kGru, false, true>(p, {x, wIh});
}

// bf16-weight variants (mnemo_kernels.h, "bf16-weight cluster variants")
extern "C" __global__ void __launch_bounds__(mnemo::persistent::kBlockThreads, 1)
    mnemo_persistent_cluster_rnn_fwd_tanh_bf16w_f32(mnemo_persistent_fwd_params p) {
  mnemo::persistent::cluster_forward<mnemo::persistent::Cell::kRnnTanh, true>(p);
}

extern "C" __global__ void __launch_bounds__(mnemo::persistent::kBlockThreads, 1)
    mnemo_persistent_cluster_rnn_fwd_relu_bf16w_f32(mnemo_persistent_fwd_params p) {
  mnemo::persistent::cluster_forward<mnemo::persistent::Cell::kRnnRelu, true>(p);
}

extern "C" __global__ void __launch_bounds__(mnemo::persistent::kBlockThreads, 1)
    mnemo_persistent_cluster_lstm_fwd_bf16w_f32(mnemo_persistent_fwd_params p) {
  mnemo::persistent::cluster_forward<mnemo::persistent::Cell::kLstm, true>(p);
}

extern "C" __global__ void __launch_bounds__(mnemo::persistent::kBlockThreads, 1)
    mnemo_persistent_cluster_gru_fwd_bf16w_f32(mnemo_persistent_fwd_params p) {
  mnemo::persistent::cluster_forward<mnemo::persistent::Cell::kGru, true>(p);
}
