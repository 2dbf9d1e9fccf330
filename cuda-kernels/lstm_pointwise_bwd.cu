// lstm_pointwise_bwd.cu — family "lstm": the fused per-step pointwise backward of an LSTM cell
// from the saved activated gates (see mnemo_kernels.h). Entry point:
// mnemo_lstm_pointwise_bwd_f32.
#include "mnemo_kernels.h"
#include "mnemo_math.cuh"

namespace mnemo::lstm::bwd {
constexpr int kBlockThreads = 256;  // the header's launch contract
constexpr int kGates = 4;
}  // namespace mnemo::lstm::bwd

// One thread per (b, j). tanh(c_t) is recomputed rather than saved (one tanhf per element
// instead of B·H more floats stored per step). dc is in-out: each thread reads its element
// before overwriting it.
extern "C" __global__ void __launch_bounds__(mnemo::lstm::bwd::kBlockThreads)
    mnemo_lstm_pointwise_bwd_f32(const float* __restrict__ dy, long long ldy,
                                 const float* __restrict__ dhRec, float* __restrict__ dc,
                                 const float* __restrict__ gates, const float* __restrict__ cPrev,
                                 const float* __restrict__ cCur, float* __restrict__ dgates,
                                 long long batch, long long hidden) {
  using namespace mnemo;
  using mnemo::lstm::bwd::kGates;
  const long long i = grid_thread_index();
  if (i >= batch * hidden) return;  // bounds guard
  const RowCol rc = row_col(i, hidden);
  const long long g0 = rc.row * kGates * hidden + rc.col;

  const float dh = (dy != nullptr ? dy[rc.row * ldy + rc.col] : 0.0f) + load_or_zero(dhRec, i);
  const float ig = gates[g0];
  const float fg = gates[g0 + hidden];
  const float cg = gates[g0 + 2 * hidden];
  const float og = gates[g0 + 3 * hidden];
  const float tc = stable_tanh(cCur[i]);
  // PyTorch's fused backward: gcx = go·o·(1 − tanh²(c)) + gcy.
  const float dcT = dh * og * tanh_grad_from_output(tc) + dc[i];

  dgates[g0] = dcT * cg * sigmoid_grad_from_output(ig);
  dgates[g0 + hidden] = dcT * cPrev[i] * sigmoid_grad_from_output(fg);
  dgates[g0 + 2 * hidden] = dcT * ig * tanh_grad_from_output(cg);
  dgates[g0 + 3 * hidden] = dh * tc * sigmoid_grad_from_output(og);
  dc[i] = dcT * fg;
}
