// persistent_wide_bwd.cu — family "persistent": the whole-sequence backward of one RNN layer and
// direction with one block per batch row, thread j holding column j of W_hh in registers (see
// mnemo_kernels.h, "wide-block forward and backward"). Opt-in with the wide-block forward.
// Entry points: mnemo_persistent_wide_rnn_bwd_tanh_f32, mnemo_persistent_wide_rnn_bwd_relu_f32.
//
// Why: an RNN unit's ∂L/∂h_{t−1} through W_hh is column j of W_hh times the step's dRh, so the
// thread that owns unit j can hold that column and form it alone: the step writes its dRh to shared
// memory, meets the block once, and every thread sums its own column against all of it. The cluster
// kernel's backward (one-block clusters at pixel MNIST) spreads the columns over 256 threads, 8
// lanes a column, which meet in shuffles and then in shared memory behind a second block barrier.
#include "mnemo_kernels.h"
#include "mnemo_math.cuh"
#include "persistent_cell_bwd.cuh"
#include "persistent_common.cuh"
#include "persistent_phases.cuh"
#include "persistent_row_product.cuh"

namespace mnemo::persistent {

template <Cell C>
__device__ __forceinline__ void wide_backward(const mnemo_persistent_bwd_params& p) {
  static_assert(kGatesOf<C> == 1, "the wide backward holds one column of W_hh per thread: RNN only");
  const int hidden = static_cast<int>(p.hidden);
  const long long steps = p.steps;
  const long long b = blockIdx.x;
  const int j = static_cast<int>(threadIdx.x);
  const bool active = j < hidden;

  // Column j of W_hh [H, H], 0 past the width.
  float w[kRowSliceWidth];
#pragma unroll
  for (int k = 0; k < kRowSliceWidth; ++k) {
    w[k] = active && k < hidden ? p.wHh[static_cast<long long>(k) * hidden + j] : 0.0f;
  }
  float* dbuf = dynamic_shared_floats();  // [2, H]: a step's dRh, every unit

  const BwdOrder order{steps, p.reverse != 0};  // last to first
  const long long at = b * hidden + j;
  float dhCarried = active ? p.dh[at] : 0.0f;
  const long long rowEnd = active && p.lengths != nullptr ? p.lengths[b] : steps;  // past it: carried
  // The saved values two steps ahead, as the cluster backward loads them (persistent_cluster_bwd.cu).
  BwdInputs<C> in{};
  BwdInputs<C> ahead{};
  if (active) load_bwd_step<C>(p, order, j, b, 0, in);
  if (active && steps > 1) load_bwd_step<C>(p, order, j, b, 1, ahead);

  // Phases (persistent_phases.cuh), as the cluster backward numbers them: 0 cell and dRh into shared
  // memory, 2 output stores and input loads, 3 the block barrier, 4 the product and ∂L/∂h.
  PhaseClock clock;
  for (long long s = 0; s < steps; ++s) {
    const long long t = order.stepOf(s);
    float* ds = dbuf + (s & 1) * hidden;
    clock.restart();
    BwdOut<C> out{};
    if (active) {
      out = t >= rowEnd ? carried_gradients<C>(in.dy + dhCarried, 0.0f) : cell_backward_compute<C>(in, dhCarried, 0.0f);
      ds[j] = out.dRh[0];
    }
    clock.lap(0);
    if (active) advance_bwd_inputs<C>(p, order, out, j, b, s, in, ahead);
    clock.lap(2);
    // The step's dRh is whole in ds; the other buffer, which the next step writes, was last read
    // by every thread before this barrier.
    __syncthreads();
    clock.lap(3);
    if (active) dhCarried = out.dhRest + register_row_dot_any(w, reinterpret_cast<const float4*>(ds), hidden);
    clock.lap(4);
    clock.count_step();
  }
  clock.flush();
  if (active) p.dh[at] = dhCarried;
}

}  // namespace mnemo::persistent

// ── exported instantiations (a block has at most 128 threads: ptxas may use up to 255 registers) ──
extern "C" __global__ void __launch_bounds__(mnemo::persistent::kRowSliceWidth, 1)
    mnemo_persistent_wide_rnn_bwd_tanh_f32(mnemo_persistent_bwd_params p) {
  mnemo::persistent::wide_backward<mnemo::persistent::Cell::kRnnTanh>(p);
}

extern "C" __global__ void __launch_bounds__(mnemo::persistent::kRowSliceWidth, 1)
    mnemo_persistent_wide_rnn_bwd_relu_f32(mnemo_persistent_bwd_params p) {
  mnemo::persistent::wide_backward<mnemo::persistent::Cell::kRnnRelu>(p);
}
