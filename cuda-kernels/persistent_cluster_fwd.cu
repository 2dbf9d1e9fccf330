// persistent_cluster_fwd.cu — family "persistent": the whole-sequence forward of one RNN / LSTM /
// GRU layer and direction with one thread-block cluster per group of batch rows, h_t exchanged
// through distributed shared memory and one cluster barrier per step (see mnemo_kernels.h,
// "Cluster variants"). Entry points: mnemo_persistent_cluster_rnn_fwd_tanh_f32,
// mnemo_persistent_cluster_rnn_fwd_relu_f32, mnemo_persistent_cluster_lstm_fwd_f32,
// mnemo_persistent_cluster_gru_fwd_f32, and their _bf16w_f32 twins (W_hh slice kept as bfloat16).
#include "mnemo_kernels.h"
#include "mnemo_math.cuh"
#include "persistent_cell_fwd.cuh"
#include "persistent_cluster.cuh"
#include "persistent_common.cuh"
#include "persistent_tiled_product.cuh"

namespace mnemo::persistent {

template <Cell C, bool kBf16>
__device__ __forceinline__ void cluster_forward(const mnemo_persistent_fwd_params& p) {
  constexpr int G = kGatesOf<C>;
  const int hidden = static_cast<int>(p.hidden);
  const int batch = static_cast<int>(p.batch);
  const int unitsPerBlock = p.unitsPerBlock;
  const int rows = G * unitsPerBlock;
  const int clusterSize = static_cast<int>(cluster_size());
  const int rank = static_cast<int>(cluster_rank());
  const int clusters = static_cast<int>(gridDim.x) / clusterSize;
  const int rowsPerCluster = (batch + clusters - 1) / clusters;  // Bc
  const int b0 = static_cast<int>(blockIdx.x) / clusterSize * rowsPerCluster;
  const int myBatch = min(rowsPerCluster, batch - b0);
  if (myBatch <= 0) return;  // the whole cluster: no barrier is left waiting
  const int j0 = rank * unitsPerBlock;
  const int owned = min(unitsPerBlock, hidden - j0);  // >= 1 when clusterSize = ceil(H / J)

  float* w = dynamic_shared_floats();                  // [G·J, H] (kBf16: bfloat16 pairs)
  float* hbuf = w + rows * slice_words<kBf16>(hidden); // [2, Bc, H]: h_{t−1} of this cluster's rows
  float* acc = hbuf + 2 * rowsPerCluster * hidden;     // [Bc, G·J]
  const int hStride = rowsPerCluster * hidden;

  load_weight_rows<kBf16>(p.wHh, w, rows, unitsPerBlock, owned, j0, hidden);
  for (int i = static_cast<int>(threadIdx.x); i < myBatch * hidden; i += kBlockThreads) {
    hbuf[i] = p.h0[static_cast<long long>(b0) * hidden + i];
  }
  // Every block of the cluster has started (its shared memory exists) before anyone writes into it.
  cluster_sync();

  const long long steps = p.steps;
  const int items = myBatch * owned;  // the block's (b, j) cells per step
  const bool onePerThread = items <= kBlockThreads;
  const int mine = static_cast<int>(threadIdx.x);
  const int myBl = onePerThread && mine < items ? mine / owned : 0;
  const int myJj = onePerThread && mine < items ? mine - myBl * owned : 0;
  StepInputs<C> next{};
  if (onePerThread && mine < items) {
    load_biases<C>(p, j0 + myJj, next);
    load_gx<C>(p, p.reverse ? steps - 1 : 0, b0 + myBl, j0 + myJj, next);
  }
  for (long long s = 0; s < steps; ++s) {
    const long long t = p.reverse ? steps - 1 - s : s;
    const long long tPrev = p.reverse ? t + 1 : t - 1;
    const bool last = s + 1 == steps;
    const float* hPrev = hbuf + (s & 1) * hStride;
    float* hNext = hbuf + ((s + 1) & 1) * hStride;
    block_product<kBf16>(w, hPrev, acc, rows, myBatch, hidden);
    __syncthreads();
    for (int i = mine; i < items; i += kBlockThreads) {
      const int bl = onePerThread ? myBl : i / owned;
      const int jj = onePerThread ? myJj : i - bl * owned;
      StepInputs<C> in;
      if (onePerThread) {
        in = next;
      } else {
        load_biases<C>(p, j0 + jj, in);
        load_gx<C>(p, t, b0 + bl, j0 + jj, in);
      }
      const float h = cell_step<C>(p, in, acc + bl * rows + jj, hPrev[bl * hidden + j0 + jj],
                                   unitsPerBlock, j0 + jj, b0 + bl, t, tPrev, s == 0);
      if (!last) {
        const int at = bl * hidden + j0 + jj;
        for (int peer = 0; peer < clusterSize; ++peer) cluster_peer(hNext + at, peer)[0] = h;
        if (onePerThread) load_gx<C>(p, p.reverse ? t - 1 : t + 1, b0 + bl, j0 + jj, next);
      }
    }
    // h_t is in every block's hNext; no block writes its hPrev again before all have read it.
    if (!last) cluster_sync();
  }
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
