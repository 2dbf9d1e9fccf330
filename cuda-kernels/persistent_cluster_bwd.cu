// persistent_cluster_bwd.cu — family "persistent": the whole-sequence backward of one RNN / LSTM /
// GRU layer and direction with one thread-block cluster per group of batch rows, each step's dRh
// exchanged through distributed shared memory and one cluster barrier per step (see
// mnemo_kernels.h, "Cluster variants"). Entry points: mnemo_persistent_cluster_rnn_bwd_tanh_f32,
// mnemo_persistent_cluster_rnn_bwd_relu_f32, mnemo_persistent_cluster_lstm_bwd_f32,
// mnemo_persistent_cluster_gru_bwd_f32, and their _bf16w_f32 twins (W_hh slice kept as bfloat16).
#include "mnemo_kernels.h"
#include "mnemo_math.cuh"
#include "persistent_cell_bwd.cuh"
#include "persistent_cluster.cuh"
#include "persistent_common.cuh"
#include "persistent_phases.cuh"
#include "persistent_register_product.cuh"
#include "persistent_split_product.cuh"
#include "persistent_tiled_product.cuh"

namespace mnemo::persistent {

template <Cell C, bool kBf16>
__device__ __forceinline__ void cluster_backward(const mnemo_persistent_bwd_params& p) {
  constexpr int G = kGatesOf<C>;
  const int hidden = static_cast<int>(p.hidden);
  const int batch = static_cast<int>(p.batch);
  const int gh = G * hidden;
  const int unitsPerBlock = p.unitsPerBlock;
  const int clusterSize = static_cast<int>(cluster_size());
  const int rank = static_cast<int>(cluster_rank());
  const StepBarrier barrier = StepBarrier::of(clusterSize, p.tuning);
  const int clusters = static_cast<int>(gridDim.x) / clusterSize;
  const int rowsPerCluster = (batch + clusters - 1) / clusters;  // Bc
  const int b0 = static_cast<int>(blockIdx.x) / clusterSize * rowsPerCluster;
  const int myBatch = min(rowsPerCluster, batch - b0);
  if (myBatch <= 0) return;  // the whole cluster: no barrier is left waiting
  const int j0 = rank * unitsPerBlock;
  const int owned = min(unitsPerBlock, hidden - j0);
  const int mine = rowsPerCluster * unitsPerBlock;  // [Bc, J] arrays, row stride J
  // The slice split between registers and shared memory (persistent_split_product.cuh), or whole
  // in shared memory; the host sized shared memory by the same rule (MNEMO_PERSISTENT_CLUSTER_BWD_SPLIT).
  bool split = false;
  if constexpr (!kBf16) {
    split = split_fits(unitsPerBlock, rowsPerCluster, gh) && (p.tuning & MNEMO_PERSISTENT_TUNE_NO_BWD_SPLIT) == 0;
  }
  const bool wideSplit = split && split_is_wide(gh, p.tuning);
  // the split's room is the narrow layout's (the host's rule); the wide layout fills a prefix of it
  const long long sliceWords = split ? static_cast<long long>(unitsPerBlock) * SplitSlice<kSplitNarrowColumns>::spilled_columns(gh)
                                     : static_cast<long long>(unitsPerBlock) * slice_words<kBf16>(gh);

  float* w = dynamic_shared_floats();               // [J, G·H]: row kk = column j0 + kk of W_hh (split: the spill)
  float* dbuf = w + sliceWords;                     // [2, Bc, G·H]: a step's dRh, all units
  float* acc = dbuf + 2 * rowsPerCluster * gh;      // [Bc, J]: dRh · W_hh[:, own]
  float* dhs = acc + mine;                          // [Bc, J]: ∂L/∂h arriving from the step after
  float* dcs = dhs + mine;                          // [Bc, J]: ∂L/∂c (LSTM)
  float* halves = dcs + mine;                       // split only: [2, 128], the halves' sums
  const int dStride = rowsPerCluster * gh;

  // The split slice is loaded where its product runs, below: each layout's registers live only there.
  if (!split) load_weight_columns<kBf16>(p.wHh, w, gh, unitsPerBlock, owned, j0, hidden);
  for (int i = static_cast<int>(threadIdx.x); i < myBatch * owned; i += kBlockThreads) {
    const int bl = i / owned;
    const int kk = i - bl * owned;
    const long long at = static_cast<long long>(b0 + bl) * hidden + j0 + kk;
    dhs[bl * unitsPerBlock + kk] = p.dh[at];
    dcs[bl * unitsPerBlock + kk] = C == Cell::kLstm ? p.dc[at] : 0.0f;
  }
  // Every block of the cluster has started (its shared memory exists) before anyone writes into it.
  cluster_sync();

  // The time loop, with the step's product acc = dRh · W_hh[:, own] as `product(ds)`.
  const auto stepsWith = [&](auto product) {
    const long long steps = p.steps;
    if (myBatch * owned <= kBlockThreads) {
      // One (b, j) per thread: the barrier split as in the forward (persistent_cluster_fwd.cu). The
      // step's dRh goes to the peers from registers, the thread arrives, then stores dWx (and GRU's
      // dRh) and loads saved values, two steps ahead as the forward loads gx, while the other blocks
      // arrive; ∂L/∂h and ∂L/∂c stay in registers.
      const int i = static_cast<int>(threadIdx.x);
      const bool active = i < myBatch * owned;
      // The courier warp when p.tuning asks for it, as in the forward (persistent_cluster_fwd.cu):
      // when the last warp holds no (b, j), the cells write dRh to their own block, and after a block
      // barrier the last warp copies the block's share to the peers and arrives with the release, the
      // others relaxed (slower on the H200, so off by default). A cluster
      // of one block writes dRh locally and meets at a block barrier (StepBarrier).
      const Handoff handoff = Handoff::of(myBatch * owned, barrier, p.tuning);
      const int bl = active ? i / owned : 0;
      const int kk = active ? i - bl * owned : 0;
      const int j = j0 + kk;
      const long long b = b0 + bl;
      const auto stepOf = [&](long long s) { return p.reverse ? s : steps - 1 - s; };  // last to first
      const auto prevOf = [&](long long t) { return p.reverse ? t + 1 : t - 1; };
      const auto firstOf = [&](long long t) { return p.reverse ? t == steps - 1 : t == 0; };
      float dhCarried = active ? dhs[bl * unitsPerBlock + kk] : 0.0f;
      const long long rowEnd = active && p.lengths != nullptr ? p.lengths[b] : steps;  // past it: carried
      float dcCarried = active ? dcs[bl * unitsPerBlock + kk] : 0.0f;
      BwdInputs<C> in{};
      BwdInputs<C> ahead{};  // step s + 1's
      if (active && steps > 0) load_bwd_inputs<C>(p, j, b, stepOf(0), prevOf(stepOf(0)), firstOf(stepOf(0)), in);
      if (active && steps > 1) load_bwd_inputs<C>(p, j, b, stepOf(1), prevOf(stepOf(1)), firstOf(stepOf(1)), ahead);
      // Phases (persistent_phases.cuh): 0 cell and dRh to the peers, 1 arrive, 2 output stores and
      // input loads, 3 wait, 4 product, 5 block barrier and ∂L/∂h.
      PhaseClock clock;
      for (long long s = 0; s < steps; ++s) {
        const long long t = stepOf(s);
        float* ds = dbuf + (s & 1) * dStride;
        BwdOut<C> out{};
        clock.restart();
        if (active) {
          out = t >= rowEnd ? carried_gradients<C>(in.dy + dhCarried, dcCarried)
                            : cell_backward_compute<C>(in, dhCarried, dcCarried);
          for (int k = 0; k < G; ++k) {
            const int at = bl * gh + k * hidden + j;
            if (handoff.local) {
              ds[at] = out.dRh[k];
            } else {
              for (int peer = 0; peer < clusterSize; ++peer) cluster_peer(ds + at, peer)[0] = out.dRh[k];
            }
          }
        }
        if (handoff.courier) {
          __syncthreads();  // the block's share of dRh is in its own ds
          if (handoff.carrier) {
            carry_share_to_peers(ds, myBatch, gh, G, hidden, j0, owned, i - (kBlockThreads - kWarpSize), clusterSize,
                                 rank);
          }
        }
        clock.lap(0);
        barrier.arrive(handoff.releases());
        clock.lap(1);
        if (active) {
          store_bwd<C>(p, out, j, b, t);
          if constexpr (C == Cell::kLstm) dcCarried = out.dcPrev;
          if (s + 1 < steps) {
            in = ahead;
            if (s + 2 < steps) {
              const long long tn = stepOf(s + 2);
              load_bwd_inputs<C>(p, j, b, tn, prevOf(tn), firstOf(tn), ahead);
            }
          }
        }
        clock.lap(2);
        // Step t's dRh of every unit is in every block's ds; ds is not written again until all
        // blocks have passed the next step's barrier, after their product below.
        barrier.wait();
        clock.lap(3);
        product(ds);
        clock.lap(4);
        __syncthreads();
        if (active) dhCarried = out.dhRest + acc[bl * unitsPerBlock + kk];
        clock.lap(5);
        clock.count_step();
      }
      clock.flush();
      if (active) {
        const long long at = b * hidden + j;
        p.dh[at] = dhCarried;
        if (C == Cell::kLstm) p.dc[at] = dcCarried;
      }
      return;
    }
    const float* dRh = C == Cell::kGru ? p.dRh : p.dWx;
    for (long long s = 0; s < steps; ++s) {
      // backward visits the forward's steps last to first
      const long long t = p.reverse ? s : steps - 1 - s;
      const long long tPrev = p.reverse ? t + 1 : t - 1;
      const bool first = p.reverse ? t == steps - 1 : t == 0;  // the forward's first step
      float* ds = dbuf + (s & 1) * dStride;
      for (int i = static_cast<int>(threadIdx.x); i < myBatch * owned; i += kBlockThreads) {
        const int bl = i / owned;
        const int kk = i - bl * owned;
        const int j = j0 + kk;
        cell_backward<C>(p, dhs, dcs, bl * unitsPerBlock + kk, j, b0 + bl, t, tPrev, first);
        // This thread's own stores of a moment ago: a plain load sees them.
        const long long g0 = (t * batch + b0 + bl) * gh + j;
        for (int k = 0; k < G; ++k) {
          const float d = dRh[g0 + k * hidden];
          const int at = bl * gh + k * hidden + j;
          for (int peer = 0; peer < clusterSize; ++peer) cluster_peer(ds + at, peer)[0] = d;
        }
      }
      // Step t's dRh of every unit is in every block's ds; ds is not written again until all blocks
      // have passed the next step's barrier, after their product below.
      barrier.sync();
      product(ds);
      __syncthreads();
      for (int i = static_cast<int>(threadIdx.x); i < myBatch * owned; i += kBlockThreads) {
        const int bl = i / owned;
        const int kk = i - bl * owned;
        dhs[bl * unitsPerBlock + kk] += acc[bl * unitsPerBlock + kk];
      }
    }
    for (int i = static_cast<int>(threadIdx.x); i < myBatch * owned; i += kBlockThreads) {
      const int bl = i / owned;
      const int kk = i - bl * owned;
      const long long at = static_cast<long long>(b0 + bl) * hidden + j0 + kk;
      p.dh[at] = dhs[bl * unitsPerBlock + kk];
      if (C == Cell::kLstm) p.dc[at] = dcs[bl * unitsPerBlock + kk];
    }
  };
  // One batch row per cluster and at most 128 rows (J): 257..512 columns (G·H) split between
  // registers and shared memory (LSTM and GRU pixel MNIST, persistent_split_product.cuh, in its wide
  // layout from 320 columns unless p.tuning's MNEMO_PERSISTENT_TUNE_NARROW_SPLIT); up to 256 columns, the
  // slice in registers (persistent_register_product.cuh), as the forward's: RNN's latency_b1, small
  // and pixel MNIST plans, 1.32-1.69x faster on the H200. p.tuning's MNEMO_PERSISTENT_TUNE_NO_BWD_SPLIT
  // and MNEMO_PERSISTENT_TUNE_NO_BWD_REGISTERS turn them off.
  if constexpr (!kBf16) {
    // The split's spill is written by its own block and read after the time loop's first barrier.
    if (wideSplit) {
      SplitSlice<kSplitWideColumns> slice;
      slice.load(p.wHh, w, unitsPerBlock, owned, j0, hidden, gh);
      stepsWith([&](const float* x) { slice.product(x, acc, unitsPerBlock, gh, w, halves); });
      return;
    }
    if (split) {
      SplitSlice<kSplitNarrowColumns> slice;
      slice.load(p.wHh, w, unitsPerBlock, owned, j0, hidden, gh);
      stepsWith([&](const float* x) { slice.product(x, acc, unitsPerBlock, gh, w, halves); });
      return;
    }
    if (RegisterSlice::fits(unitsPerBlock, rowsPerCluster, gh) &&
        (p.tuning & MNEMO_PERSISTENT_TUNE_NO_BWD_REGISTERS) == 0) {
      RegisterSlice slice;
      slice.load(w, unitsPerBlock, gh, p.tuning);
      stepsWith([&](const float* x) { slice.product(x, acc, unitsPerBlock, gh, p.tuning); });
      return;
    }
  }
  stepsWith([&](const float* x) { block_product<kBf16>(w, x, acc, unitsPerBlock, myBatch, gh); });
}

}  // namespace mnemo::persistent

// ── exported instantiations ──
extern "C" __global__ void __launch_bounds__(mnemo::persistent::kBlockThreads, 1)
    mnemo_persistent_cluster_rnn_bwd_tanh_f32(mnemo_persistent_bwd_params p) {
  mnemo::persistent::cluster_backward<mnemo::persistent::Cell::kRnnTanh, false>(p);
}

extern "C" __global__ void __launch_bounds__(mnemo::persistent::kBlockThreads, 1)
    mnemo_persistent_cluster_rnn_bwd_relu_f32(mnemo_persistent_bwd_params p) {
  mnemo::persistent::cluster_backward<mnemo::persistent::Cell::kRnnRelu, false>(p);
}

extern "C" __global__ void __launch_bounds__(mnemo::persistent::kBlockThreads, 1)
    mnemo_persistent_cluster_lstm_bwd_f32(mnemo_persistent_bwd_params p) {
  mnemo::persistent::cluster_backward<mnemo::persistent::Cell::kLstm, false>(p);
}

extern "C" __global__ void __launch_bounds__(mnemo::persistent::kBlockThreads, 1)
    mnemo_persistent_cluster_gru_bwd_f32(mnemo_persistent_bwd_params p) {
  mnemo::persistent::cluster_backward<mnemo::persistent::Cell::kGru, false>(p);
}

// bf16-weight variants (mnemo_kernels.h, "bf16-weight cluster variants")
extern "C" __global__ void __launch_bounds__(mnemo::persistent::kBlockThreads, 1)
    mnemo_persistent_cluster_rnn_bwd_tanh_bf16w_f32(mnemo_persistent_bwd_params p) {
  mnemo::persistent::cluster_backward<mnemo::persistent::Cell::kRnnTanh, true>(p);
}

extern "C" __global__ void __launch_bounds__(mnemo::persistent::kBlockThreads, 1)
    mnemo_persistent_cluster_rnn_bwd_relu_bf16w_f32(mnemo_persistent_bwd_params p) {
  mnemo::persistent::cluster_backward<mnemo::persistent::Cell::kRnnRelu, true>(p);
}

extern "C" __global__ void __launch_bounds__(mnemo::persistent::kBlockThreads, 1)
    mnemo_persistent_cluster_lstm_bwd_bf16w_f32(mnemo_persistent_bwd_params p) {
  mnemo::persistent::cluster_backward<mnemo::persistent::Cell::kLstm, true>(p);
}

extern "C" __global__ void __launch_bounds__(mnemo::persistent::kBlockThreads, 1)
    mnemo_persistent_cluster_gru_bwd_bf16w_f32(mnemo_persistent_bwd_params p) {
  mnemo::persistent::cluster_backward<mnemo::persistent::Cell::kGru, true>(p);
}
