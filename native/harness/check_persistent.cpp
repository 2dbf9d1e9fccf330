// check_persistent.cpp — `mnemo_harness check` for the persistent whole-sequence forward (RNN
// tanh / relu, LSTM, GRU): one cooperative launch against a double host reference that runs the
// per-step recurrence (gh = W_hh h_{t−1}, then reference.h's cell), on shapes with odd H, B = 1,
// T = 1, a tail block (H not a multiple of J), both directions, with and without biases. Checks
// h, c, the gates saved in place and hn, that the barrier counters are back to 0, and that no
// output writes past its end; and that inference (saveGates = 0) computes the same h, leaves the
// projection in place and keeps c as one running [B, H]. Then the persistent backward on what the
// device forward saved, against a double reference of the per-step backward (cell backward, then
// dRh · W_hh per step).
// The same cases run through the cluster kernels (one or more clusters, a cluster left without
// rows, the 16-block non-portable cluster) where the device has clusters (sm_90+; the emulator
// says it has), and through their bf16-weight twins against a reference whose W_hh is rounded to
// bfloat16 the same way (nearest, ties to even).
// Ragged cases give every batch row its own length (the params' `lengths`): past its end a row
// carries h and c, writes neither gates nor hn, and its backward passes ∂L/∂h and ∂L/∂c on with
// zero pre-activation gradients; the backward reads the forward's unwritten hn there (guard NaNs).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "check_util.h"
#include "cuda_check.h"
#include "device_buffer.h"
#include "kernel_launch.h"
#include "reference.h"

namespace mnemo::harness {
namespace {

using namespace check;

// float32 against double over T chained steps: rounding grows with T, slowly (contractive cells).
constexpr double kTol = 5e-5;

struct Case {
  PersistentCell cell;
  long long steps, batch, hidden;
  int unitsPerBlock;
  bool reverse, bias;
  int clusters;  // 0: the cooperative kernels; >= 1: the cluster kernels with this many clusters
  bool bf16Weights = false;  // cluster kernels only: the _bf16w_f32 entry points
  int tuning = 0;            // cluster kernels only: MNEMO_PERSISTENT_TUNE_* bits (off the default path)
  bool ragged = false;       // each batch row runs its own number of steps (p.lengths)
  bool wide = false;         // the wide-block forward (J = H), and for RNN the wide-block backward; LSTM's
                             // and GRU's backward on B one-block clusters
  bool x1 = false;           // one input feature: the forward's _x1 twin too, which projects it itself
};

std::string variant(const Case& c, int units) {
  const std::string kernel = c.clusters == 0 ? std::string("grid")
                                             : "cluster " + std::to_string(c.clusters) + "x" +
                                                   std::to_string((c.hidden + units - 1) / units) +
                                                   (c.bf16Weights ? " bf16w" : "") +
                                                   (c.tuning != 0 ? " tuning " + std::to_string(c.tuning) : "");
  const std::string ragged = c.ragged ? " ragged" : "";
  if (!c.wide) return kernel + ragged;
  // RNN: the wide-block backward too; LSTM and GRU: the backward on the cluster kernel
  return (persistent_gates(c.cell) == 1 ? std::string("wide-block forward and backward")
                                        : "wide-block forward, backward " + kernel) + ragged;
}

// Whether step t lies past row b's end (never without lengths).
bool past_end(const std::vector<int>& lengths, long long b, long long t) {
  return !lengths.empty() && t >= lengths[ref::at(b)];
}

// x rounded to bfloat16, nearest with ties to even (mnemo_math.cuh's bf16_bits_rn, on the host).
float round_to_bf16(float x) {
  std::uint32_t u = 0;
  std::memcpy(&u, &x, sizeof u);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) return x;
  u = ((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16) << 16;
  float r = 0.0f;
  std::memcpy(&r, &u, sizeof r);
  return r;
}

const char* cell_name(PersistentCell c) {
  switch (c) {
    case PersistentCell::kRnnTanh: return "rnn_tanh";
    case PersistentCell::kRnnRelu: return "rnn_relu";
    case PersistentCell::kLstm: return "lstm";
    case PersistentCell::kGru: return "gru";
  }
  return "?";
}

ref::Vec to_double(const std::vector<float>& v) { return ref::Vec(v.begin(), v.end()); }

ref::Vec slice(const ref::Vec& v, long long start, long long n) {
  return ref::Vec(v.begin() + start, v.begin() + start + n);
}

// Largest |got − want| / (1 + |want|) over the first want.size() elements of got.
double worst(const std::vector<float>& got, const ref::Vec& want) {
  double w = 0.0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    const double e = std::fabs(static_cast<double>(got[i]) - want[i]) / (1.0 + std::fabs(want[i]));
    w = std::isnan(e) ? INFINITY : std::max(w, e);
  }
  return w;
}

DeviceBuffer guarded_output(long long n) {
  DeviceBuffer b(n + kGuard);
  CHECK(cudaMemset(b.get(), 0xFF, static_cast<std::size_t>(n + kGuard) * sizeof(float)));
  return b;
}

// The forward's inputs and the device forward's outputs, on the host.
struct Saved {
  std::vector<float> wHh, h0, c0, gates, h, c, hn;
  std::vector<int> lengths;  // empty: every row runs all steps
};

// The backward's units per block. Cluster cases take the forward's, halved until the backward's
// slice fits a block's shared memory, as the planner picks each pass apart: LSTM's 512 rows of
// H = 128 with two batch rows per cluster run forward in one block, but the backward's whole slice
// needs 267 KB there, so two (one batch row splits it: MNEMO_PERSISTENT_CLUSTER_BWD_SPLIT).
int backward_units(const Case& c) {
  if (c.clusters == 0) return c.unitsPerBlock;
  int optin = 0;
  CHECK(cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, 0));
  const int G = persistent_gates(c.cell);
  const long long rows = (c.batch + c.clusters - 1) / c.clusters;
  const auto bytes = [&](int J) {
    return c.bf16Weights ? MNEMO_PERSISTENT_CLUSTER_BF16W_BWD_SMEM_BYTES(G, J, rows, c.hidden)
           : (c.tuning & MNEMO_PERSISTENT_TUNE_NO_BWD_SPLIT) != 0
               ? MNEMO_PERSISTENT_CLUSTER_BWD_TILED_SMEM_BYTES(G, J, rows, c.hidden)
               : MNEMO_PERSISTENT_CLUSTER_BWD_SMEM_BYTES(G, J, rows, c.hidden);
  };
  int J = c.unitsPerBlock;
  while (J > 1 && bytes(J) > optin) J = (J + 1) / 2;
  return J;
}

// Host reference of the whole-sequence backward in double on the saved floats: per step (reverse
// of the forward's order) the reference cell backward, then dhRec = direct + dRh · W_hh.
void check_backward(const Case& c, const Saved& sv, const DeviceBuffer& dGates, const DeviceBuffer& dW,
                    const DeviceBuffer& dH0, const DeviceBuffer& dC0, const DeviceBuffer& dH,
                    const DeviceBuffer& dC, const DeviceBuffer& dHn, std::mt19937& rng, Tally& t) {
  const long long T = c.steps, B = c.batch, H = c.hidden;
  const int G = persistent_gates(c.cell);
  const long long GH = G * H;
  const bool lstm = c.cell == PersistentCell::kLstm, gru = c.cell == PersistentCell::kGru;
  const bool withDy = (T + B + H) % 2 == 0 || T == 1;  // both branches of "dy MAY BE NULL" get used
  const std::vector<float> dy = uniform(T * B * H, -1.0f, 1.0f, rng);
  const std::vector<float> dhIn = uniform(B * H, -1.0f, 1.0f, rng);
  const std::vector<float> dcIn = uniform(B * H, -1.0f, 1.0f, rng);

  const ref::Vec W = to_double(sv.wHh);
  ref::Vec dhRec = to_double(dhIn), dc = to_double(dcIn);
  DeviceArray<int> dLengths(B);
  if (!sv.lengths.empty()) dLengths.upload(sv.lengths);
  ref::Vec dWxRef(ref::at(T * B * GH)), dRhRef(ref::at(T * B * GH));
  for (long long s = 0; s < T; ++s) {
    const long long tt = c.reverse ? s : T - 1 - s;
    const long long tPrev = c.reverse ? tt + 1 : tt - 1;
    const bool first = c.reverse ? tt == T - 1 : tt == 0;
    ref::Vec dh(ref::at(B * H));
    for (long long i = 0; i < B * H; ++i)
      dh[ref::at(i)] = (withDy ? dy[ref::at(tt * B * H + i)] : 0.0) + dhRec[ref::at(i)];
    const ref::Vec gates = to_double(std::vector<float>(sv.gates.begin() + tt * B * GH,
                                                        sv.gates.begin() + (tt + 1) * B * GH));
    const auto step = [&](const std::vector<float>& v, long long at) {
      return to_double(std::vector<float>(v.begin() + at * B * H, v.begin() + (at + 1) * B * H));
    };
    ref::Vec dx, dr, direct(ref::at(B * H), 0.0);
    const ref::Vec bwDcIn = dc;  // ∂L/∂c_t, which a carried row passes on
    if (lstm) {
      const ref::Vec cPrev = first ? to_double(sv.c0) : step(sv.c, tPrev);
      const ref::LstmBwd bw = ref::lstm_bwd(dh, dc, gates, cPrev, step(sv.c, tt), B, H);
      dx = bw.dgates;
      dr = bw.dgates;
      dc = bw.dcPrev;
    } else if (gru) {
      const ref::Vec hPrev = first ? to_double(sv.h0) : step(sv.h, tPrev);
      const ref::GruBwd bw = ref::gru_bwd(dh, gates, step(sv.hn, tt), hPrev, B, H);
      dx = bw.dgx;
      dr = bw.dgh;
      direct = bw.dhPrev;
    } else {
      dx = ref::rnn_bwd(c.cell == PersistentCell::kRnnRelu, dh, step(sv.h, tt));
      dr = dx;
    }
    for (long long b = 0; b < B; ++b) {
      if (!past_end(sv.lengths, b, tt)) continue;
      // carried: no pre-activation gradient; ∂L/∂h and ∂L/∂c pass on (the carry's identity Jacobian)
      std::fill(dx.begin() + b * GH, dx.begin() + (b + 1) * GH, 0.0);
      std::fill(dr.begin() + b * GH, dr.begin() + (b + 1) * GH, 0.0);
      for (long long k = 0; k < H; ++k) direct[ref::at(b * H + k)] = dh[ref::at(b * H + k)];
      if (lstm) std::copy(bwDcIn.begin() + b * H, bwDcIn.begin() + (b + 1) * H, dc.begin() + b * H);
    }
    std::copy(dx.begin(), dx.end(), dWxRef.begin() + tt * B * GH);
    std::copy(dr.begin(), dr.end(), dRhRef.begin() + tt * B * GH);
    for (long long b = 0; b < B; ++b)
      for (long long k = 0; k < H; ++k) {
        double sum = direct[ref::at(b * H + k)];
        for (long long r = 0; r < GH; ++r) sum += dr[ref::at(b * GH + r)] * W[ref::at(r * H + k)];
        dhRec[ref::at(b * H + k)] = sum;
      }
  }

  DeviceBuffer dDy(T * B * H), dDh = guarded_output(B * H), dDc = guarded_output(B * H);
  dDy.upload(dy);
  std::vector<float> dhHost = dhIn, dcHost = dcIn;
  dhHost.resize(ref::at(B * H + kGuard), guard_value());
  dcHost.resize(ref::at(B * H + kGuard), guard_value());
  dDh.upload(dhHost);
  dDc.upload(dcHost);
  DeviceBuffer dWx = guarded_output(T * B * GH), dRh = guarded_output(T * B * GH);
  DeviceArray<unsigned> barrier(2);
  CHECK(cudaMemset(barrier.get(), 0, 2 * sizeof(unsigned)));
  mnemo_persistent_bwd_params p{};
  p.gates = c.cell == PersistentCell::kRnnTanh || c.cell == PersistentCell::kRnnRelu ? nullptr : dGates.get();
  p.wHh = dW.get();
  p.h0 = gru ? dH0.get() : nullptr;
  p.c0 = lstm ? dC0.get() : nullptr;
  p.h = dH.get();
  p.c = lstm ? dC.get() : nullptr;
  p.hn = gru ? dHn.get() : nullptr;
  p.dy = withDy ? dDy.get() : nullptr;
  p.dh = dDh.get();
  p.dc = lstm ? dDc.get() : nullptr;
  p.dWx = dWx.get();
  p.dRh = gru ? dRh.get() : nullptr;
  p.barrier = barrier.get();
  p.steps = T;
  p.batch = B;
  p.hidden = H;
  p.unitsPerBlock = backward_units(c);
  p.reverse = c.reverse ? 1 : 0;
  p.tuning = c.tuning;
  p.lengths = sv.lengths.empty() ? nullptr : dLengths.get();
  if (c.wide && MNEMO_PERSISTENT_WIDE_BWD_FITS(G, H)) {
    launch_persistent_wide_bwd(c.cell, p, nullptr);
  } else if (c.clusters > 0) {
    launch_persistent_cluster_bwd(c.cell, p, c.clusters, nullptr, c.bf16Weights);
  } else {
    launch_persistent_bwd(c.cell, p, nullptr);
  }
  CHECK(cudaDeviceSynchronize());

  const std::vector<float> wxGot = dWx.download(), rhGot = dRh.download(), dhGot = dDh.download(),
                           dcGot = dDc.download();
  const std::vector<unsigned> bar = barrier.download();
  const double ex = worst(wxGot, dWxRef);
  const double er = gru ? worst(rhGot, dRhRef) : 0.0;
  const double eh = worst(dhGot, dhRec);
  const double ec = lstm ? worst(dcGot, dc) : 0.0;
  const long long damaged = guard_damage(wxGot, T * B * GH) + guard_damage(rhGot, gru ? T * B * GH : 0) +
                            guard_damage(dhGot, B * H) + guard_damage(dcGot, B * H) +
                            (lstm ? 0 : [&] {
                              long long changed = 0;  // dc untouched unless LSTM
                              for (long long i = 0; i < B * H; ++i)
                                changed += same_bits(dcGot[ref::at(i)], dcIn[ref::at(i)]) ? 0 : 1;
                              return changed;
                            }());
  t.expect(ex <= kTol && er <= kTol && eh <= kTol && ec <= kTol && damaged == 0 && bar[0] == 0 &&
               bar[1] == 0,
           "persistent_%s_bwd (%s) T=%lld B=%lld H=%lld J=%d%s%s: err dWx %.2e dRh %.2e dh0 %.2e "
           "dc0 %.2e, guards damaged %lld, barrier left (%u, %u)",
           cell_name(c.cell), variant(c, p.unitsPerBlock).c_str(), T, B, H, p.unitsPerBlock, c.reverse ? " reverse" : "",
           withDy ? "" : " dy=NULL", ex, er, eh, ec, damaged, bar[0], bar[1]);
}

// The _x1 twin of the forward `p` ran (cluster or wide-block), its gates holding only guard NaNs (a
// read of them would turn h into NaN): training and inference must give the twin's outputs bit for
// bit, the saved gates where the twin saved them and nothing elsewhere.
void check_projected(const Case& c, const mnemo_persistent_fwd_params& p, const std::vector<float>& xs,
                     const std::vector<float>& wIh, const std::vector<int>& lengths, const std::vector<float>& hGot,
                     const std::vector<float>& cGot, const std::vector<float>& hnGot,
                     const std::vector<float>& gGot, Tally& t) {
  const long long T = c.steps, B = c.batch, H = c.hidden;
  const long long GH = persistent_gates(c.cell) * H, n = T * B * H;
  const bool lstm = c.cell == PersistentCell::kLstm, gru = c.cell == PersistentCell::kGru;
  const DeviceBuffer dX = check::upload_exact(xs), dW = check::upload_exact(wIh);
  const auto run = [&](mnemo_persistent_fwd_params q) {
    DeviceArray<unsigned> barrier(2);
    CHECK(cudaMemset(barrier.get(), 0, 2 * sizeof(unsigned)));
    q.barrier = barrier.get();
    if (c.wide) {
      launch_persistent_wide_fwd_x1(c.cell, q, dX.get(), dW.get(), nullptr);
    } else {
      launch_persistent_cluster_fwd_x1(c.cell, q, dX.get(), dW.get(), c.clusters, nullptr);
    }
    CHECK(cudaDeviceSynchronize());
  };
  DeviceBuffer xGates = guarded_output(T * B * GH), xH = guarded_output(n), xC = guarded_output(n),
               xHn = guarded_output(n);
  mnemo_persistent_fwd_params q = p;
  q.gates = xGates.get();
  q.h = xH.get();
  q.c = lstm ? xC.get() : nullptr;
  q.hn = gru ? xHn.get() : nullptr;
  run(q);
  const std::vector<float> h = xH.download(), cs = xC.download(), hn = xHn.download(), g = xGates.download();
  // saved gates (LSTM, GRU) where the twin saved them; guards where it kept the projection
  long long gWrong = 0;
  for (long long i = 0; i < T * B * GH; ++i) {
    const long long tb = i / GH;
    const bool saved = (lstm || gru) && !past_end(lengths, tb % B, tb / B);
    gWrong += saved ? (same_bits(g[ref::at(i)], gGot[ref::at(i)]) ? 0 : 1) : (is_guard(g[ref::at(i)]) ? 0 : 1);
  }
  const long long hDiff = bit_differences(h, hGot, n);
  const long long cDiff = lstm ? bit_differences(cs, cGot, n) : 0;
  const long long hnDiff = gru ? bit_differences(hn, hnGot, n) : 0;
  const long long damaged = guard_damage(h, n) + guard_damage(g, T * B * GH) + guard_damage(cs, lstm ? n : 0) +
                            guard_damage(hn, gru ? n : 0);
  // inference: h as the training forward's, and LSTM's running c left at the last processed step's
  DeviceBuffer iH = guarded_output(n), iC = guarded_output(B * H);
  mnemo_persistent_fwd_params iq = q;
  iq.h = iH.get();
  iq.c = lstm ? iC.get() : nullptr;
  iq.hn = nullptr;
  iq.saveGates = 0;
  run(iq);
  const std::vector<float> ih = iH.download(), ic = iC.download();
  const long long lastT = c.reverse ? 0 : T - 1;
  const std::vector<float> cLast(cGot.begin() + lastT * B * H, cGot.begin() + (lastT + 1) * B * H);
  const long long ihDiff = bit_differences(ih, hGot, n);
  const long long icDiff = lstm ? bit_differences(ic, cLast, B * H) : 0;
  t.expect(hDiff + cDiff + hnDiff + gWrong + damaged + ihDiff + icDiff == 0,
           "persistent_%s_fwd_x1 (%s) T=%lld B=%lld H=%lld J=%d%s: against the twin's bits, differ h %lld c %lld "
           "hn %lld gates %lld, inference h %lld c %lld, guards damaged %lld",
           cell_name(c.cell), c.wide ? "wide-block" : "cluster", T, B, H, c.unitsPerBlock,
           c.reverse ? " reverse" : "", hDiff, cDiff, hnDiff, gWrong, ihDiff, icDiff, damaged);
}

void check_case(const Case& c, std::mt19937& rng, Tally& t) {
  const long long T = c.steps, B = c.batch, H = c.hidden;
  const int G = persistent_gates(c.cell);
  const long long GH = G * H;
  const float scale = 1.0f / std::sqrt(static_cast<float>(H));
  // x1: the projection of one input feature, gx = x_t[b]·w_ih[g] in float as the host's GEMM forms it
  const std::vector<float> xs = c.x1 ? uniform(T * B, -1.0f, 1.0f, rng) : std::vector<float>();
  const std::vector<float> wIh = c.x1 ? uniform(GH, -1.0f, 1.0f, rng) : std::vector<float>();
  std::vector<float> wx = c.x1 ? std::vector<float>(ref::at(T * B * GH)) : uniform(T * B * GH, -1.0f, 1.0f, rng);
  for (long long i = 0; c.x1 && i < T * B * GH; ++i) wx[ref::at(i)] = xs[ref::at(i / GH)] * wIh[ref::at(i % GH)];
  const std::vector<float> wHh = uniform(GH * H, -2.0f * scale, 2.0f * scale, rng);
  const std::vector<float> bIh = c.bias ? uniform(GH, -0.5f, 0.5f, rng) : std::vector<float>();
  const std::vector<float> bHh = c.bias ? uniform(GH, -0.5f, 0.5f, rng) : std::vector<float>();
  const std::vector<float> h0 = uniform(B * H, -1.0f, 1.0f, rng);
  const std::vector<float> c0 = uniform(B * H, -1.0f, 1.0f, rng);
  std::vector<int> lengths;  // ragged: 1..T per row, the first row T (a row of each kind when T > 1)
  if (c.ragged) {
    std::uniform_int_distribution<int> len(1, static_cast<int>(T));
    for (long long b = 0; b < B; ++b) lengths.push_back(b == 0 ? static_cast<int>(T) : len(rng));
    if (B > 1) lengths[ref::at(B - 1)] = 1;
  }

  // ── reference: the per-step recurrence in double (on the weights the kernel multiplies by) ──
  std::vector<float> wUsed = wHh;
  if (c.bf16Weights) std::transform(wUsed.begin(), wUsed.end(), wUsed.begin(), round_to_bf16);
  const ref::Vec W = to_double(wUsed), bi = to_double(bIh), bh = to_double(bHh);
  ref::Vec hRef(ref::at(T * B * H)), cRef(ref::at(T * B * H)), gRef = to_double(wx),
      hnRef(ref::at(T * B * H));
  ref::Vec hPrev = to_double(h0), cPrev = to_double(c0);
  for (long long s = 0; s < T; ++s) {
    const long long t = c.reverse ? T - 1 - s : s;
    ref::Vec gh(ref::at(B * GH), 0.0);
    for (long long b = 0; b < B; ++b)
      for (long long r = 0; r < GH; ++r) {
        double sum = 0.0;
        for (long long k = 0; k < H; ++k) sum += W[ref::at(r * H + k)] * hPrev[ref::at(b * H + k)];
        gh[ref::at(b * GH + r)] = sum;
      }
    const ref::Vec gx = slice(gRef, t * B * GH, B * GH);
    ref::Vec h, gates = gx, hn;
    if (c.cell == PersistentCell::kLstm) {
      const ref::LstmFwd f = ref::lstm_fwd(gx, gh, bi, bh, cPrev, B, H);
      h = f.h;
      gates = f.gates;
      std::copy(f.c.begin(), f.c.end(), cRef.begin() + t * B * H);
    } else if (c.cell == PersistentCell::kGru) {
      const ref::GruFwd f = ref::gru_fwd(gx, gh, bi, bh, hPrev, B, H);
      h = f.h;
      gates = f.gates;
      hn = f.hn;
      std::copy(hn.begin(), hn.end(), hnRef.begin() + t * B * H);
    } else {
      h = ref::rnn_fwd(c.cell == PersistentCell::kRnnRelu, gx, gh, bi, bh, B, H);
    }
    for (long long b = 0; b < B; ++b) {
      if (!past_end(lengths, b, t)) continue;
      // carried: h and c of the step before, the projection left in the gates, hn not written
      std::copy(hPrev.begin() + b * H, hPrev.begin() + (b + 1) * H, h.begin() + b * H);
      std::copy(gx.begin() + b * GH, gx.begin() + (b + 1) * GH, gates.begin() + b * GH);
      if (c.cell == PersistentCell::kLstm) {
        std::copy(cPrev.begin() + b * H, cPrev.begin() + (b + 1) * H, cRef.begin() + t * B * H + b * H);
      }
      if (c.cell == PersistentCell::kGru) {
        std::fill(hnRef.begin() + t * B * H + b * H, hnRef.begin() + t * B * H + (b + 1) * H, NAN);
      }
    }
    if (c.cell == PersistentCell::kLstm) cPrev = slice(cRef, t * B * H, B * H);
    std::copy(h.begin(), h.end(), hRef.begin() + t * B * H);
    std::copy(gates.begin(), gates.end(), gRef.begin() + t * B * GH);
    hPrev = h;
  }

  // ── device ──
  const bool lstm = c.cell == PersistentCell::kLstm, gru = c.cell == PersistentCell::kGru;
  DeviceBuffer dGates(T * B * GH + kGuard), dW(GH * H), dBih(c.bias ? GH : 0), dBhh(c.bias ? GH : 0),
      dH0(B * H), dC0(B * H);
  std::vector<float> gatesHost = wx;
  gatesHost.resize(ref::at(T * B * GH + kGuard), guard_value());
  dGates.upload(gatesHost);
  dW.upload(wHh);
  if (c.bias) {
    dBih.upload(bIh);
    dBhh.upload(bHh);
  }
  dH0.upload(h0);
  dC0.upload(c0);
  DeviceBuffer dH = guarded_output(T * B * H), dC = guarded_output(T * B * H),
               dHn = guarded_output(T * B * H);
  DeviceArray<unsigned> barrier(2);
  CHECK(cudaMemset(barrier.get(), 0, 2 * sizeof(unsigned)));
  DeviceArray<int> dLengths(B);
  if (c.ragged) dLengths.upload(lengths);

  mnemo_persistent_fwd_params p{};
  p.gates = dGates.get();
  p.wHh = dW.get();
  p.bIh = c.bias ? dBih.get() : nullptr;
  p.bHh = c.bias ? dBhh.get() : nullptr;
  p.h0 = dH0.get();
  p.c0 = lstm ? dC0.get() : nullptr;
  p.h = dH.get();
  p.c = lstm ? dC.get() : nullptr;
  p.hn = gru ? dHn.get() : nullptr;
  p.barrier = barrier.get();
  p.steps = T;
  p.batch = B;
  p.hidden = H;
  p.unitsPerBlock = c.unitsPerBlock;
  p.reverse = c.reverse ? 1 : 0;
  p.tuning = c.tuning;
  p.saveGates = 1;
  p.lengths = c.ragged ? dLengths.get() : nullptr;
  const auto launch = [&](const mnemo_persistent_fwd_params& q) {
    if (c.wide) {
      launch_persistent_wide_fwd(c.cell, q, nullptr);
    } else if (c.clusters > 0) {
      launch_persistent_cluster_fwd(c.cell, q, c.clusters, nullptr, c.bf16Weights);
    } else {
      launch_persistent_fwd(c.cell, q, nullptr);
    }
    CHECK(cudaDeviceSynchronize());
  };
  launch(p);

  const std::vector<float> hGot = dH.download(), cGot = dC.download(), hnGot = dHn.download(),
                           gGot = dGates.download();
  const std::vector<unsigned> bar = barrier.download();
  const long long n = T * B * H;
  const double eh = worst(hGot, hRef);
  const double eg = worst(gGot, gRef);
  const double ec = lstm ? worst(cGot, cRef) : 0.0;
  // hn past a row's end (NaN in the reference) must still hold the guard: not written
  long long hnWritten = 0;
  for (long long i = 0; gru && i < n; ++i) {
    if (std::isnan(hnRef[ref::at(i)])) {
      hnWritten += is_guard(hnGot[ref::at(i)]) ? 0 : 1;
      hnRef[ref::at(i)] = 0.0;  // compared above; 0 against the guard's NaN would fail below
    }
  }
  std::vector<float> hnCompared = hnGot;
  for (long long i = 0; gru && i < n; ++i) {
    if (past_end(lengths, i / H % B, i / (B * H))) hnCompared[ref::at(i)] = 0.0f;
  }
  const double en = gru ? worst(hnCompared, hnRef) : 0.0;
  const long long damaged = guard_damage(hGot, n) + guard_damage(gGot, T * B * GH) +
                            (lstm ? guard_damage(cGot, n) : guard_damage(cGot, 0)) +
                            (gru ? guard_damage(hnGot, n) : guard_damage(hnGot, 0));
  const long long grid = (H + c.unitsPerBlock - 1) / c.unitsPerBlock * std::max(1, c.clusters);
  t.expect(eh <= kTol && eg <= kTol && ec <= kTol && en <= kTol && hnWritten == 0 && damaged == 0 &&
               bar[0] == 0 && bar[1] == 0,
           "persistent_%s_fwd (%s) T=%lld B=%lld H=%lld J=%d (grid %lld)%s%s: err h %.2e gates %.2e "
           "c %.2e hn %.2e, hn written past a row's end %lld, guards damaged %lld, barrier left (%u, %u)",
           cell_name(c.cell), variant(c, c.unitsPerBlock).c_str(), T, B, H, c.unitsPerBlock, grid, c.reverse ? " reverse" : "",
           c.bias ? "" : " no-bias", eh, eg, ec, en, hnWritten, damaged, bar[0], bar[1]);

  // ── inference (saveGates = 0), on the same inputs: the same arithmetic, so h bit for bit the
  // training forward's; the gates keep the projection; LSTM's c is the running [B, H], left
  // holding the last processed step's c; hn absent ──
  {
    DeviceBuffer iGates(T * B * GH + kGuard), iH = guarded_output(n), iC = guarded_output(B * H);
    iGates.upload(gatesHost);
    DeviceArray<unsigned> iBarrier(2);
    CHECK(cudaMemset(iBarrier.get(), 0, 2 * sizeof(unsigned)));
    mnemo_persistent_fwd_params q = p;
    q.gates = iGates.get();
    q.h = iH.get();
    q.c = lstm ? iC.get() : nullptr;
    q.hn = nullptr;
    q.barrier = iBarrier.get();
    q.saveGates = 0;
    launch(q);
    const std::vector<float> ihGot = iH.download(), icGot = iC.download(), igGot = iGates.download();
    const std::vector<unsigned> ibar = iBarrier.download();
    const long long lastT = c.reverse ? 0 : T - 1;
    const std::vector<float> cLast(cGot.begin() + lastT * B * H, cGot.begin() + (lastT + 1) * B * H);
    const long long hDiff = bit_differences(ihGot, hGot, n);
    const long long gDiff = bit_differences(igGot, gatesHost, T * B * GH);
    const long long cDiff = lstm ? bit_differences(icGot, cLast, B * H) : 0;
    const long long iDamaged = guard_damage(ihGot, n) + guard_damage(igGot, T * B * GH) +
                               guard_damage(icGot, lstm ? B * H : 0);
    t.expect(hDiff == 0 && gDiff == 0 && cDiff == 0 && iDamaged == 0 && ibar[0] == 0 && ibar[1] == 0,
             "persistent_%s_fwd inference (%s) T=%lld B=%lld H=%lld%s: h differs from training in %lld, "
             "gates changed in %lld, final c differs in %lld, guards damaged %lld, barrier left (%u, %u)",
             cell_name(c.cell), variant(c, c.unitsPerBlock).c_str(), T, B, H, c.reverse ? " reverse" : "", hDiff,
             gDiff, cDiff, iDamaged, ibar[0], ibar[1]);
  }

  if (c.x1) check_projected(c, p, xs, wIh, lengths, hGot, cGot, hnGot, gGot, t);

  // ── backward, on what the device forward saved (as training does) ──
  const Saved saved{wUsed, h0, c0, gGot, hGot, cGot, hnGot, lengths};
  check_backward(c, saved, dGates, dW, dH0, dC0, dH, dC, dHn, rng, t);
}

}  // namespace

void check_persistent(std::mt19937& rng, Tally& t) {
  const PersistentCell cells[] = {PersistentCell::kRnnTanh, PersistentCell::kRnnRelu,
                                  PersistentCell::kLstm, PersistentCell::kGru};
  // (T, B, H, J, reverse, bias, clusters). Cooperative: one block; several with a tail; B = 1;
  // T = 1; B > the batch tile; more (b, j) cells in a block than threads.
  // Cluster: a cluster of one block; of 4 with a tail and B = 1; two clusters, the second with
  // fewer rows; four clusters of which the last has no rows; the 16-block (non-portable) cluster;
  // several cells per thread; batch rows past the 2×4 product tile. Up to 224 cells per block a
  // courier warp can carry h_t (dRh) to the peers (MNEMO_PERSISTENT_TUNE_COURIER); one case has 240.
  const Case shapes[] = {
      {PersistentCell::kLstm, 5, 1, 1, 1, false, true, 0},
      {PersistentCell::kLstm, 7, 1, 37, 10, false, true, 0},
      {PersistentCell::kLstm, 1, 3, 33, 8, true, false, 0},
      {PersistentCell::kLstm, 6, 6, 45, 16, true, true, 0},
      {PersistentCell::kLstm, 4, 2, 64, 64, false, true, 0},
      {PersistentCell::kLstm, 3, 9, 40, 40, true, true, 0},  // B·J > 256: several cells per thread
      {PersistentCell::kLstm, 5, 1, 1, 1, false, true, 1},
      {PersistentCell::kLstm, 7, 1, 37, 10, false, true, 1},
      {PersistentCell::kLstm, 1, 3, 33, 8, true, false, 2},
      {PersistentCell::kLstm, 6, 6, 45, 16, true, true, 4},
      {PersistentCell::kLstm, 3, 5, 64, 4, false, true, 1},
      {PersistentCell::kLstm, 3, 9, 40, 40, true, true, 1},
      {PersistentCell::kLstm, 4, 11, 24, 12, false, true, 2},
      // W_hh slice in registers (one batch row per cluster): H = 256 on 8 blocks of 32 units (128
      // LSTM rows, the limit); two clusters of one row, H = 200 (a partial last column word)
      {PersistentCell::kLstm, 4, 1, 256, 32, false, true, 1},
      {PersistentCell::kLstm, 3, 2, 200, 25, true, true, 2},
      // (with at most 128 columns, e.g. RNN pixel MNIST below, the registers' grouped layout)
      // one slice row per thread (LSTM and GRU: 129..256 rows, H a multiple of 4 up to 128): pixel
      // MNIST's geometry (H = 128 on 2 blocks, 2 batch rows per cluster); a tail block and 3 rows;
      // H = 44 (fewer columns than the registers hold)
      {PersistentCell::kLstm, 4, 4, 128, 64, false, true, 2},
      {PersistentCell::kLstm, 3, 6, 68, 36, true, true, 2},
      {PersistentCell::kLstm, 3, 3, 44, 44, false, false, 1},
      // 240 (b, j) cells per block: the last warp holds cells, so no courier warp could carry h_t
      {PersistentCell::kLstm, 3, 4, 120, 60, true, true, 1},
      // more slice rows than threads, the rest transposed in shared memory (LSTM 257..512 rows,
      // GRU too): 448 and 336 rows on two clusters; 384 and 288 rows, one row per cluster (GRU
      // pixel MNIST's 384 of 128); 400 and 300 rows (a warp half in the rest)
      {PersistentCell::kLstm, 3, 2, 112, 112, true, true, 2},
      {PersistentCell::kLstm, 4, 1, 96, 96, false, true, 1},
      {PersistentCell::kLstm, 3, 3, 100, 100, false, false, 1},
      // only those rows in shared memory, which lets the LSTM's 512 rows of H = 128 run in one block
      // (pixel MNIST's one-block clusters, one batch row each); 480 rows, 3 batch rows, reverse
      {PersistentCell::kLstm, 3, 2, 128, 128, false, true, 2},
      {PersistentCell::kLstm, 3, 3, 120, 120, true, true, 1},
      // the backward's slice split between registers and shared memory (one batch row per cluster,
      // 257..512 columns G·H): the case above (LSTM 512, GRU 384 columns on one block); 400 and 300
      // columns on two blocks of 50, reverse (uneven halves of the spilled columns for the GRU)
      {PersistentCell::kLstm, 4, 3, 100, 50, true, true, 3},
      // 320 columns (LSTM H = 80): the split's wide layout with nothing in shared memory
      {PersistentCell::kLstm, 3, 2, 80, 80, false, true, 2},
      // each p.tuning bit alone (the courier warp switched on, forward and backward, B = 1 on 8
      // blocks too; each fast path off; a one-block cluster that meets at the cluster barrier) and
      // all at once: each must agree as well
      {PersistentCell::kLstm, 4, 4, 128, 64, false, true, 2, false, MNEMO_PERSISTENT_TUNE_COURIER},
      {PersistentCell::kLstm, 4, 1, 256, 32, true, true, 1, false, MNEMO_PERSISTENT_TUNE_COURIER},
      {PersistentCell::kLstm, 4, 4, 128, 64, true, true, 2, false, MNEMO_PERSISTENT_TUNE_NO_ROW_SLICE},
      {PersistentCell::kLstm, 4, 1, 96, 96, false, true, 1, false, MNEMO_PERSISTENT_TUNE_NO_ROW_SLICE},
      {PersistentCell::kLstm, 3, 3, 44, 44, false, true, 1, false, MNEMO_PERSISTENT_TUNE_CLUSTER_BARRIER},
      {PersistentCell::kLstm, 3, 9, 40, 40, true, true, 1, false, MNEMO_PERSISTENT_TUNE_CLUSTER_BARRIER},
      {PersistentCell::kLstm, 7, 1, 37, 10, false, true, 1, false, MNEMO_PERSISTENT_TUNE_NO_BWD_REGISTERS},
      {PersistentCell::kLstm, 3, 2, 100, 100, false, true, 2, false, MNEMO_PERSISTENT_TUNE_NO_BWD_SPLIT},
      {PersistentCell::kLstm, 3, 2, 128, 128, true, true, 2, false, MNEMO_PERSISTENT_TUNE_NARROW_SPLIT},
      {PersistentCell::kLstm, 4, 3, 100, 50, false, true, 3, false, MNEMO_PERSISTENT_TUNE_NARROW_SPLIT},
      {PersistentCell::kLstm, 7, 1, 37, 10, true, true, 1, false, MNEMO_PERSISTENT_TUNE_SERIAL_REGISTERS},
      {PersistentCell::kLstm, 3, 2, 128, 128, false, true, 2, false, MNEMO_PERSISTENT_TUNE_SERIAL_REGISTERS},
      {PersistentCell::kLstm, 3, 5, 64, 16, true, true, 2, false, MNEMO_PERSISTENT_TUNE_ALL},
  };
  // bf16 weights: a cluster of one block at H = 1 (one padded word); odd H and odd G·H (padded
  // last words); two clusters; the 16-block cluster; several cells per thread.
  const Case bf16Shapes[] = {
      {PersistentCell::kLstm, 5, 1, 1, 1, false, true, 1, true},
      {PersistentCell::kLstm, 7, 1, 37, 10, false, true, 1, true},
      {PersistentCell::kLstm, 4, 3, 33, 8, true, false, 2, true},
      {PersistentCell::kLstm, 3, 5, 64, 4, false, true, 1, true},
      {PersistentCell::kLstm, 3, 9, 40, 40, true, true, 1, true},
  };
  // RNN only (an LSTM or GRU slice this wide fits no block): the split backward at 300 and 260
  // columns, three clusters of one row on 3 blocks, and one cluster of 4 blocks (J = 65); 360.
  const Case rnnShapes[] = {
      {PersistentCell::kRnnTanh, 3, 3, 300, 100, true, true, 3},
      {PersistentCell::kRnnTanh, 4, 1, 260, 65, false, false, 1},
      // the split's wide layout (from 320 columns): 360 on two clusters of 4 blocks, reverse
      {PersistentCell::kRnnTanh, 3, 2, 360, 90, true, true, 2},
  };
  // Ragged (every row its own length, the first T and the last 1): cooperative with several blocks
  // and with several cells per thread; clusters with the last one short of rows, several cells per
  // thread, one slice row per thread (pixel MNIST's geometry), one-block clusters of one row (the
  // registers, the backward's split), the split on two blocks, registers across 8 blocks, the
  // courier warp and every tuning bit; bf16 weights; the RNN's wide split.
  const Case raggedShapes[] = {
      {PersistentCell::kLstm, 6, 6, 45, 16, true, true, 0},
      {PersistentCell::kLstm, 5, 9, 40, 40, false, true, 0},
      {PersistentCell::kLstm, 6, 6, 45, 16, true, true, 4},
      {PersistentCell::kLstm, 5, 9, 40, 40, true, true, 1},
      {PersistentCell::kLstm, 4, 4, 128, 64, false, true, 2},
      {PersistentCell::kLstm, 4, 2, 128, 128, true, true, 2},
      {PersistentCell::kLstm, 4, 3, 100, 50, true, true, 3},
      {PersistentCell::kLstm, 5, 3, 256, 32, false, true, 3},
      {PersistentCell::kLstm, 4, 4, 128, 64, true, true, 2, false, MNEMO_PERSISTENT_TUNE_COURIER},
      {PersistentCell::kLstm, 4, 5, 64, 16, false, true, 2, false, MNEMO_PERSISTENT_TUNE_ALL},
      {PersistentCell::kLstm, 4, 3, 33, 8, true, false, 2, true},
      {PersistentCell::kLstm, 5, 9, 40, 40, false, true, 1, true},
  };
  const Case raggedRnnShapes[] = {
      {PersistentCell::kRnnTanh, 4, 3, 300, 100, true, true, 3},
  };
  // The wide-block forward (every cell, G·H <= 384, H a multiple of 4; the backward on one-block
  // clusters of one row, as pixel MNIST's): H = 96 (LSTM's 384 rows), T = 1 and B = 1, H = 4 with
  // no bias, H = 44 reverse; RNN and GRU: pixel MNIST's H = 128. Ragged: H = 96, reverse.
  const Case wideShapes[] = {
      {PersistentCell::kLstm, 5, 3, 96, 96, false, true, 3, false, 0, false, true},
      {PersistentCell::kLstm, 1, 1, 64, 64, false, true, 1, false, 0, false, true},
      {PersistentCell::kLstm, 4, 2, 4, 4, true, false, 2, false, 0, false, true},
      {PersistentCell::kLstm, 3, 5, 44, 44, true, true, 5, false, 0, false, true},
  };
  const Case wideH128Shapes[] = {
      {PersistentCell::kGru, 4, 3, 128, 128, false, true, 3, false, 0, false, true},
  };
  const Case raggedWideShapes[] = {
      {PersistentCell::kLstm, 5, 4, 96, 96, true, true, 4, false, 0, false, true},
  };
  // One input feature, projected in the kernel (the _x1 twins): the cluster forward in pixel MNIST's
  // geometry (one slice row per thread), with several cells per thread, the slice in registers, rows
  // in shared memory on one-block clusters; the wide-block forward at H = 96 and 44. Ragged: both.
  const Case x1Shapes[] = {
      {PersistentCell::kLstm, 4, 4, 128, 64, false, true, 2, false, 0, false, false, true},
      {PersistentCell::kLstm, 3, 9, 40, 40, true, true, 1, false, 0, false, false, true},
      {PersistentCell::kLstm, 4, 1, 256, 32, false, true, 1, false, 0, false, false, true},
      {PersistentCell::kLstm, 3, 2, 128, 128, true, true, 2, false, 0, false, false, true},
      {PersistentCell::kLstm, 5, 3, 96, 96, false, true, 3, false, 0, false, true, true},
      {PersistentCell::kLstm, 3, 5, 44, 44, true, false, 5, false, 0, false, true, true},
  };
  const Case raggedX1Shapes[] = {
      {PersistentCell::kLstm, 5, 4, 128, 64, true, true, 2, false, 0, false, false, true},
      {PersistentCell::kLstm, 5, 4, 96, 96, true, true, 4, false, 0, false, true, true},
  };
  const bool clusters = device_has_clusters();
  if (!clusters) std::printf("SKIP persistent cluster kernels: compute capability below 9.0\n");
  const auto isRnn = [](PersistentCell cell) {
    return cell == PersistentCell::kRnnTanh || cell == PersistentCell::kRnnRelu;
  };
  // Every case of `cases` for `cell` that this device can run (the cluster kernels need sm_90).
  const auto run = [&](const auto& cases, PersistentCell cell, bool ragged) {
    for (Case c : cases) {
      if (c.clusters > 0 && !clusters) continue;
      c.cell = cell;
      c.ragged = ragged;
      check_case(c, rng, t);
    }
  };
  for (PersistentCell cell : cells) {
    run(shapes, cell, false);
    if (isRnn(cell)) run(rnnShapes, cell, false);
    run(bf16Shapes, cell, false);
    run(raggedShapes, cell, true);
    if (isRnn(cell)) run(raggedRnnShapes, cell, true);
    run(wideShapes, cell, false);
    run(raggedWideShapes, cell, true);
    if (cell != PersistentCell::kLstm) run(wideH128Shapes, cell, false);
    run(x1Shapes, cell, false);
    run(raggedX1Shapes, cell, true);
  }
}

}  // namespace mnemo::harness
