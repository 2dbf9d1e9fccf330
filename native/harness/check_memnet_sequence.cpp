// check_memnet_sequence.cpp — `check` cases of MemNet's whole teacher-forced sequence in one
// launch (mnemo_memnet_seq_fwd_f32, mnemo_memnet_seq_bwd_f32) against a double-precision host
// reference of the header's step recurrences: the paper's cell, one step, fewer steps than
// slots, no slot at all, windows that wrap past 64 and 256 slots (the latter two split the
// read's weighted sums over groups of threads), odd widths, an even cell width (the padded weight
// stride), one batch row and an input wider than the block.
// The backward's reference reads the device forward's o, r, c, lse, so both take every dropout
// and relu decision the same way; the reference itself is first held against central finite
// differences of its own forward.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "check_util.h"
#include "kernel_launch.h"

namespace mnemo::harness {
namespace {
using namespace check;
using ref::Vec;

// float32 against double: sums of at most a few hundred O(1) terms, carried over up to 70 steps
// of a contracting recurrence (the emulator's worst error is about 5e-7 of the forward, 5e-8 of
// the backward; a GPU's expf and logf are within 2 ulp).
constexpr double kFwdRel = 1e-4, kFwdAbs = 1e-5;
constexpr double kBwdRel = 1e-4, kBwdAbs = 1e-5;

struct Case {
  const char* name;
  long long T, B, dIn, dk, dv, dOut, M;
  bool maskEmptySlots;
  double p, scale;
};

// A case's sizes with its dropout stream.
struct Seq {
  Case c;
  std::uint64_t seed, offset;
  long long S() const { return 2 * c.dk + c.dv; }
  long long W() const { return c.dIn + S() + c.dv; }
  long long rows() const { return c.T * c.B; }
  long long row(long long t, long long b) const { return t * c.B + b; }
  // The read's slots at step t: filled ones (o_{t−f} … o_{t−1}) and empty ones (score 0, value 0).
  long long filled(long long t) const { return std::min(t, c.M); }
  long long empty(long long t) const { return c.maskEmptySlots ? 0 : c.M - filled(t); }
  // The kernels round scale to float once.
  double read_scale() const { return static_cast<float>(c.scale); }
  double dropout_scale() const { return c.p > 0.0 ? 1.0 / (1.0 - c.p) : 1.0; }
  // r_t[i] of row b is relu(h_{t−1}[i]) times this: 0 dropped, 1/(1 − p) kept, 1 without dropout.
  double keep_factor(long long t, long long b, long long i) const {
    if (c.p <= 0.0) return 1.0;
    const std::uint64_t index = offset + static_cast<std::uint64_t>(row(t, b) * S() + i);
    return ref::dropout_uniform(seed, index) >= c.p ? dropout_scale() : 0.0;
  }
};

template <typename V>
struct Inputs {
  V weight, bias, h0, c0, x;    // forward: [S, W], [S], [S], [d_v], [T, B, d_in]
  V stateOut, readOut, dy;      // backward: W_s [d_out, S], W_c [d_out, d_v], [T, B, d_out]
};

struct Forward {
  Vec u, o, r, c, lse;  // [T, B, W], [T, B, S], [T, B, S], [T, B, d_v], [T, B]
};

struct Backward {
  Vec dO, dU, dh0, dc0;  // [T, B, S], [T, B, W], [B, S], [B, d_v]
};

// ───────────────────────────── host reference ─────────────────────────────

// s_m = scale·⟨k_m, q_t⟩ for slot m of row b's window at step t, k and q read from the history o.
double score(const Seq& k, const Vec& o, long long t, long long b, long long m) {
  const long long S = k.S(), slotRow = k.row(t - k.filled(t) + m, b);
  double s = 0.0;
  for (long long j = 0; j < k.c.dk; ++j) s += o[at(slotRow * S + k.c.dk + j)] * o[at(k.row(t, b) * S + j)];
  return k.read_scale() * s;
}

// c_t and lse_t of row b: softmax over the filled slots' scores and the empty slots' zeros.
void read_forward(const Seq& k, long long t, long long b, Forward& f) {
  const long long S = k.S(), dv = k.c.dv, row = k.row(t, b), filled = k.filled(t);
  const long long empty = k.empty(t);
  for (long long j = 0; j < dv; ++j) f.c[at(row * dv + j)] = 0.0;
  if (filled + empty == 0) {
    f.lse[at(row)] = -std::numeric_limits<double>::infinity();
    return;
  }
  Vec s(at(filled));
  double mx = empty > 0 ? 0.0 : -std::numeric_limits<double>::infinity();
  for (long long m = 0; m < filled; ++m) {
    s[at(m)] = score(k, f.o, t, b, m);
    mx = std::max(mx, s[at(m)]);
  }
  double sum = empty > 0 ? static_cast<double>(empty) * std::exp(-mx) : 0.0;  // 0·exp(−mx) may be 0·∞
  for (long long m = 0; m < filled; ++m) sum += std::exp(s[at(m)] - mx);
  const double lse = mx + std::log(sum);
  f.lse[at(row)] = lse;
  for (long long m = 0; m < filled; ++m) {
    const long long slotRow = k.row(t - filled + m, b);
    const double a = std::exp(s[at(m)] - lse);
    for (long long j = 0; j < dv; ++j) f.c[at(row * dv + j)] += a * f.o[at(slotRow * S + 2 * k.c.dk + j)];
  }
}

// The header's forward, step by step: u_t = [x_t, dropout(relu(h_{t−1})), c_{t−1}], o_t, read.
Forward reference_forward(const Seq& k, const Inputs<Vec>& in) {
  const long long S = k.S(), W = k.W(), dIn = k.c.dIn, dv = k.c.dv;
  Forward f;
  f.u.assign(at(k.rows() * W), 0.0);
  f.o.assign(at(k.rows() * S), 0.0);
  f.r.assign(at(k.rows() * S), 0.0);
  f.c.assign(at(k.rows() * dv), 0.0);
  f.lse.assign(at(k.rows()), 0.0);
  for (long long b = 0; b < k.c.B; ++b) {
    for (long long t = 0; t < k.c.T; ++t) {
      const long long row = k.row(t, b), prev = t > 0 ? k.row(t - 1, b) : -1;
      double* u = &f.u[at(row * W)];
      for (long long j = 0; j < dIn; ++j) u[j] = in.x[at(row * dIn + j)];
      for (long long i = 0; i < S; ++i) {
        const double h = prev < 0 ? in.h0[at(i)] : f.o[at(prev * S + i)];
        u[dIn + i] = f.r[at(row * S + i)] = std::max(h, 0.0) * k.keep_factor(t, b, i);
      }
      for (long long j = 0; j < dv; ++j) u[dIn + S + j] = prev < 0 ? in.c0[at(j)] : f.c[at(prev * dv + j)];
      for (long long i = 0; i < S; ++i) {
        double acc = in.bias[at(i)];
        for (long long j = 0; j < W; ++j) acc += in.weight[at(i * W + j)] * u[j];
        f.o[at(row * S + i)] = acc;
      }
      read_forward(k, t, b, f);
    }
  }
  return f;
}

// The read's backward at step t of row b, given dc = ∂L/∂c_t: dq into g's q columns, dK and dV
// into the k, v columns of the window rows of dO.
void read_backward(const Seq& k, const Forward& fw, long long t, long long b, const Vec& dc, Vec& g,
                   Vec& dO) {
  const long long S = k.S(), dk = k.c.dk, dv = k.c.dv, row = k.row(t, b), filled = k.filled(t);
  double cdot = 0.0;  // ⟨c_t, dc⟩
  for (long long j = 0; j < dv; ++j) cdot += fw.c[at(row * dv + j)] * dc[at(j)];
  for (long long m = 0; m < filled; ++m) {
    const long long slotRow = k.row(t - filled + m, b);
    const double a = std::exp(score(k, fw.o, t, b, m) - fw.lse[at(row)]);
    double vdot = 0.0;  // ⟨v_m, dc⟩
    for (long long j = 0; j < dv; ++j) vdot += fw.o[at(slotRow * S + 2 * dk + j)] * dc[at(j)];
    const double ds = a * (vdot - cdot);
    for (long long j = 0; j < dk; ++j) {
      g[at(j)] += k.read_scale() * ds * fw.o[at(slotRow * S + dk + j)];
      dO[at(slotRow * S + dk + j)] += k.read_scale() * ds * fw.o[at(row * S + j)];
    }
    for (long long j = 0; j < dv; ++j) dO[at(slotRow * S + 2 * dk + j)] += a * dc[at(j)];
  }
}

// The header's backward, t = T−1 … 0, over the forward tensors fw (its u is not read).
Backward reference_backward(const Seq& k, const Inputs<Vec>& in, const Forward& fw) {
  const long long S = k.S(), W = k.W(), dIn = k.c.dIn, dv = k.c.dv, dOut = k.c.dOut;
  Backward r;
  r.dO.assign(at(k.rows() * S), 0.0);
  r.dU.assign(at(k.rows() * W), 0.0);
  r.dh0.assign(at(k.c.B * S), 0.0);
  r.dc0.assign(at(k.c.B * dv), 0.0);
  for (long long b = 0; b < k.c.B; ++b) {
    Vec dh(at(S), 0.0), dc(at(dv), 0.0), g(at(S));
    for (long long t = k.c.T - 1; t >= 0; --t) {
      const long long row = k.row(t, b);
      const double* dy = &in.dy[at(row * dOut)];
      for (long long j = 0; j < dv; ++j) {
        for (long long o = 0; o < dOut; ++o) dc[at(j)] += dy[o] * in.readOut[at(o * dv + j)];
      }
      for (long long i = 0; i < S; ++i) {
        g[at(i)] = r.dO[at(row * S + i)] + dh[at(i)];
        for (long long o = 0; o < dOut; ++o) g[at(i)] += dy[o] * in.stateOut[at(o * S + i)];
      }
      read_backward(k, fw, t, b, dc, g, r.dO);
      for (long long i = 0; i < S; ++i) r.dO[at(row * S + i)] = g[at(i)];
      double* dU = &r.dU[at(row * W)];
      for (long long j = 0; j < W; ++j) {
        for (long long i = 0; i < S; ++i) dU[j] += g[at(i)] * in.weight[at(i * W + j)];
      }
      for (long long i = 0; i < S; ++i) {
        dh[at(i)] = (fw.r[at(row * S + i)] > 0.0 ? dU[dIn + i] : 0.0) * k.dropout_scale();
      }
      for (long long j = 0; j < dv; ++j) dc[at(j)] = dU[dIn + S + j];
    }
    std::copy(dh.begin(), dh.end(), r.dh0.begin() + b * S);
    std::copy(dc.begin(), dc.end(), r.dc0.begin() + b * dv);
  }
  return r;
}

// ───────────────────── host-only: reference backward vs finite differences ─────────────────────

constexpr double kFdStep = 1e-6;
constexpr double kFdTol = 1e-6;

// The loss whose gradient dy is: L = Σ_t ⟨dy_t, W_s·o_t + W_c·c_t⟩.
double reference_loss(const Seq& k, const Inputs<Vec>& in) {
  const Forward f = reference_forward(k, in);
  const long long S = k.S(), dv = k.c.dv, dOut = k.c.dOut;
  double loss = 0.0;
  for (long long row = 0; row < k.rows(); ++row) {
    for (long long o = 0; o < dOut; ++o) {
      double y = 0.0;
      for (long long i = 0; i < S; ++i) y += in.stateOut[at(o * S + i)] * f.o[at(row * S + i)];
      for (long long j = 0; j < dv; ++j) y += in.readOut[at(o * dv + j)] * f.c[at(row * dv + j)];
      loss += in.dy[at(row * dOut + o)] * y;
    }
  }
  return loss;
}

// max |analytic − central difference of L| over every element of one input.
double fd_error(const Seq& k, Inputs<Vec> in, Vec Inputs<Vec>::*field, const Vec& analytic) {
  double worst = 0.0;
  Vec& x = in.*field;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double keep = x[i];
    x[i] = keep + kFdStep;
    const double plus = reference_loss(k, in);
    x[i] = keep - kFdStep;
    const double minus = reference_loss(k, in);
    x[i] = keep;
    worst = std::max(worst, std::fabs((plus - minus) / (2.0 * kFdStep) - analytic[i]));
  }
  return worst;
}

// Σ over the batch rows of a per-row [B, n] gradient (h0 and c0 are shared by the rows).
Vec sum_rows(const Vec& g, long long rows, long long n) {
  Vec s(at(n), 0.0);
  for (long long r = 0; r < rows; ++r) {
    for (long long j = 0; j < n; ++j) s[at(j)] += g[at(r * n + j)];
  }
  return s;
}

// ∂L/∂weight = Σ_rows dO ⊗ u: the GEMM the layer runs on the backward's outputs.
Vec weight_gradient(const Seq& k, const Backward& g, const Forward& f) {
  const long long S = k.S(), W = k.W();
  Vec dw(at(S * W), 0.0);
  for (long long row = 0; row < k.rows(); ++row) {
    for (long long i = 0; i < S; ++i) {
      for (long long j = 0; j < W; ++j) dw[at(i * W + j)] += g.dO[at(row * S + i)] * f.u[at(row * W + j)];
    }
  }
  return dw;
}

// x's gradient: dU's first d_in columns.
Vec input_gradient(const Seq& k, const Backward& g) {
  Vec dx(at(k.rows() * k.c.dIn));
  for (long long row = 0; row < k.rows(); ++row) {
    for (long long j = 0; j < k.c.dIn; ++j) dx[at(row * k.c.dIn + j)] = g.dU[at(row * k.W() + j)];
  }
  return dx;
}

// ───────────────────────────── inputs ─────────────────────────────

// Weights ±1/sqrt(fan-in): the recurrence stays O(1) over every step.
Inputs<std::vector<float>> random_inputs(const Seq& k, std::mt19937& rng) {
  const long long S = k.S(), W = k.W(), dv = k.c.dv, dOut = k.c.dOut;
  const float ws = 1.0f / std::sqrt(static_cast<float>(W));
  Inputs<std::vector<float>> in;
  in.weight = uniform(S * W, -ws, ws, rng);
  in.bias = uniform(S, -0.1f, 0.1f, rng);
  in.h0 = uniform(S, -1.0f, 1.0f, rng);
  in.c0 = uniform(dv, -1.0f, 1.0f, rng);
  in.x = uniform(k.rows() * k.c.dIn, -1.0f, 1.0f, rng);
  in.stateOut = uniform(dOut * S, -1.0f / std::sqrt(float(S)), 1.0f / std::sqrt(float(S)), rng);
  in.readOut = uniform(dOut * dv, -1.0f / std::sqrt(float(dv)), 1.0f / std::sqrt(float(dv)), rng);
  in.dy = uniform(k.rows() * dOut, -1.0f, 1.0f, rng);
  return in;
}

Inputs<Vec> to_reference(const Inputs<std::vector<float>>& in) {
  return {to_double(in.weight),   to_double(in.bias),    to_double(in.h0), to_double(in.c0),
          to_double(in.x),        to_double(in.stateOut), to_double(in.readOut), to_double(in.dy)};
}

Seq make_seq(const Case& c, std::mt19937& rng) {
  const std::uint64_t high = rng();  // two statements: the draws' order is fixed
  const std::uint64_t seed = (high << 32) | rng();  // the top bit often set: the hash's wrap-around
  return {c, seed, static_cast<std::uint64_t>(rng() % 100000)};
}

void fd_case(const Case& c, std::mt19937& rng, Tally& t) {
  const Seq k = make_seq(c, rng);
  const Inputs<Vec> in = to_reference(random_inputs(k, rng));
  const Forward f = reference_forward(k, in);
  const Backward g = reference_backward(k, in, f);
  Vec dBias(at(k.S()), 0.0);
  for (long long row = 0; row < k.rows(); ++row) {
    for (long long i = 0; i < k.S(); ++i) dBias[at(i)] += g.dO[at(row * k.S() + i)];
  }
  const double e = std::max({fd_error(k, in, &Inputs<Vec>::weight, weight_gradient(k, g, f)),
                             fd_error(k, in, &Inputs<Vec>::bias, dBias),
                             fd_error(k, in, &Inputs<Vec>::h0, sum_rows(g.dh0, c.B, k.S())),
                             fd_error(k, in, &Inputs<Vec>::c0, sum_rows(g.dc0, c.B, c.dv)),
                             fd_error(k, in, &Inputs<Vec>::x, input_gradient(k, g))});
  t.expect(e < kFdTol, "reference memnet seq backward vs finite differences (%s): max error %.2e", c.name, e);
}

// ───────────────────────────── device ─────────────────────────────

// u as the layer hands it over: x in the first d_in columns, the rest guard bits the forward
// must overwrite.
std::vector<float> initial_u(const Seq& k, const std::vector<float>& x) {
  std::vector<float> u(at(k.rows() * k.W()), guard_value());
  for (long long row = 0; row < k.rows(); ++row) {
    for (long long j = 0; j < k.c.dIn; ++j) u[at(row * k.W() + j)] = x[at(row * k.c.dIn + j)];
  }
  return u;
}

struct DeviceForward {
  DeviceBuffer weight, bias, h0, c0, u, o, r, c, lse;
};

DeviceForward device_forward(const Seq& k, const Inputs<std::vector<float>>& in) {
  return {upload_exact(in.weight),         upload_exact(in.bias),
          upload_exact(in.h0),             upload_exact(in.c0),
          upload_with_guard(initial_u(k, in.x)), guarded_output(k.rows() * k.S()),
          guarded_output(k.rows() * k.S()), guarded_output(k.rows() * k.c.dv),
          guarded_output(k.rows())};
}

mnemo_memnet_seq_fwd_params forward_params(const Seq& k, const DeviceForward& d) {
  mnemo_memnet_seq_fwd_params p{};
  p.weight = d.weight.get();
  p.bias = d.bias.get();
  p.h0 = d.h0.get();
  p.c0 = d.c0.get();
  p.u = d.u.get();
  p.o = d.o.get();
  p.r = d.r.get();
  p.c = d.c.get();
  p.lse = d.lse.get();
  p.steps = k.c.T;
  p.batch = k.c.B;
  p.inputWidth = k.c.dIn;
  p.keyWidth = k.c.dk;
  p.valueWidth = k.c.dv;
  p.slots = k.c.M;
  p.maskEmptySlots = k.c.maskEmptySlots ? 1 : 0;
  p.dropoutSeed = static_cast<long long>(k.seed);
  p.dropoutOffset = static_cast<long long>(k.offset);
  p.dropoutP = k.c.p;
  p.scale = k.c.scale;
  return p;
}

// What a forward launch left in its outputs, guards included.
struct Downloaded {
  std::vector<float> u, o, r, c, lse;
};

Downloaded run_forward(const mnemo_memnet_seq_fwd_params& p, const DeviceForward& d) {
  launch_memnet_seq_fwd(p, nullptr);
  CHECK(cudaDeviceSynchronize());
  return {d.u.download(), d.o.download(), d.r.download(), d.c.download(), d.lse.download()};
}

// u's columns the forward writes must hold exactly what it wrote elsewhere (r_t, c_{t−1}, c0 at
// t = 0) and x must keep its bits: the count of elements that do not.
long long u_mismatches(const Seq& k, const Inputs<std::vector<float>>& in, const Downloaded& got) {
  const long long S = k.S(), W = k.W(), dIn = k.c.dIn, dv = k.c.dv;
  long long wrong = 0;
  for (long long t = 0; t < k.c.T; ++t) {
    for (long long b = 0; b < k.c.B; ++b) {
      const long long row = k.row(t, b);
      const float* u = &got.u[at(row * W)];
      for (long long j = 0; j < dIn; ++j) wrong += same_bits(u[j], in.x[at(row * dIn + j)]) ? 0 : 1;
      for (long long i = 0; i < S; ++i) wrong += same_bits(u[dIn + i], got.r[at(row * S + i)]) ? 0 : 1;
      for (long long j = 0; j < dv; ++j) {
        const float cPrev = t == 0 ? in.c0[at(j)] : got.c[at(k.row(t - 1, b) * dv + j)];
        wrong += same_bits(u[dIn + S + j], cPrev) ? 0 : 1;
      }
    }
  }
  return wrong;
}

// Elements of r the mask drops that are not exactly 0.
long long dropped_but_nonzero(const Seq& k, const std::vector<float>& r) {
  long long wrong = 0;
  for (long long t = 0; t < k.c.T; ++t) {
    for (long long b = 0; b < k.c.B; ++b) {
      for (long long i = 0; i < k.S(); ++i) {
        if (k.keep_factor(t, b, i) == 0.0 && r[at(k.row(t, b) * k.S() + i)] != 0.0f) ++wrong;
      }
    }
  }
  return wrong;
}

long long rerun_differences(const std::vector<float>& a, const std::vector<float>& b) {
  return bit_differences(a, b, static_cast<long long>(a.size()));
}

// The forward's outputs against the reference; returns what it downloaded (the backward's inputs).
Downloaded check_forward(const Seq& k, const Inputs<std::vector<float>>& in, const DeviceForward& d,
                         Tally& t) {
  const Forward want = reference_forward(k, to_reference(in));
  const mnemo_memnet_seq_fwd_params p = forward_params(k, d);
  const Downloaded got = run_forward(p, d);
  const Compare o = compare(got.o, want.o, kFwdRel, kFwdAbs), r = compare(got.r, want.r, kFwdRel, kFwdAbs);
  const Compare c = compare(got.c, want.c, kFwdRel, kFwdAbs), lse = compare(got.lse, want.lse, kFwdRel, kFwdAbs);
  const long long maskWrong = dropped_but_nonzero(k, got.r), uWrong = u_mismatches(k, in, got);
  const long long damaged = guard_damage(got.u, k.rows() * k.W()) + guard_damage(got.o, k.rows() * k.S()) +
                            guard_damage(got.r, k.rows() * k.S()) + guard_damage(got.c, k.rows() * k.c.dv) +
                            guard_damage(got.lse, k.rows());
  const Downloaded again = run_forward(p, d);  // u now holds the first run's r, c columns: overwritten alike
  const long long differ = rerun_differences(got.u, again.u) + rerun_differences(got.o, again.o) +
                           rerun_differences(got.r, again.r) + rerun_differences(got.c, again.c) +
                           rerun_differences(got.lse, again.lse);
  const long long wrong = o.wrong + r.wrong + c.wrong + lse.wrong;
  t.expect(wrong == 0 && maskWrong == 0 && uWrong == 0 && damaged == 0 && differ == 0,
           "memnet seq fwd %-22s T=%lld B=%lld din=%lld dk=%lld dv=%lld M=%lld%s p=%g smem=%lld "
           "max_err o=%.1e c=%.1e lse=%.1e wrong=%lld mask_wrong=%lld u_wrong=%lld guard_damaged=%lld "
           "rerun_differs=%lld",
           k.c.name, k.c.T, k.c.B, k.c.dIn, k.c.dk, k.c.dv, k.c.M, k.c.maskEmptySlots ? " masked" : "", k.c.p,
           memnet_seq_fwd_smem_bytes(p), o.worst, c.worst, lse.worst, wrong, maskWrong, uWrong, damaged, differ);
  return got;
}

// The device forward's tensors as the backward reference's input (guards dropped).
Forward as_reference(const Seq& k, const Downloaded& got) {
  auto head = [](const std::vector<float>& v, long long n) { return Vec(v.begin(), v.begin() + n); };
  return {Vec(), head(got.o, k.rows() * k.S()), head(got.r, k.rows() * k.S()),
          head(got.c, k.rows() * k.c.dv), head(got.lse, k.rows())};
}

void check_backward(const Seq& k, const Inputs<std::vector<float>>& in, const DeviceForward& fwd,
                    const Downloaded& fwdGot, Tally& t) {
  const Backward want = reference_backward(k, to_reference(in), as_reference(k, fwdGot));
  const DeviceBuffer stateOut = upload_exact(in.stateOut), readOut = upload_exact(in.readOut);
  const DeviceBuffer dy = upload_exact(in.dy);
  // NaN (guard bits) everywhere first: dO is written whole, so nothing may be read before it is.
  const DeviceBuffer dO = guarded_output(k.rows() * k.S()), dU = guarded_output(k.rows() * k.W());
  const DeviceBuffer dh0 = guarded_output(k.c.B * k.S()), dc0 = guarded_output(k.c.B * k.c.dv);
  mnemo_memnet_seq_bwd_params p{};
  p.weight = fwd.weight.get();
  p.stateOutWeight = stateOut.get();
  p.readOutWeight = readOut.get();
  p.o = fwd.o.get();
  p.r = fwd.r.get();
  p.c = fwd.c.get();
  p.lse = fwd.lse.get();
  p.dy = dy.get();
  p.dO = dO.get();
  p.dU = dU.get();
  p.dh0 = dh0.get();
  p.dc0 = dc0.get();
  p.steps = k.c.T;
  p.batch = k.c.B;
  p.inputWidth = k.c.dIn;
  p.keyWidth = k.c.dk;
  p.valueWidth = k.c.dv;
  p.outputWidth = k.c.dOut;
  p.slots = k.c.M;
  p.dropoutScale = k.dropout_scale();
  p.scale = k.c.scale;
  auto run = [&] {
    launch_memnet_seq_bwd(p, nullptr);
    CHECK(cudaDeviceSynchronize());
    return std::vector<std::vector<float>>{dO.download(), dU.download(), dh0.download(), dc0.download()};
  };
  const std::vector<std::vector<float>> got = run();
  const Vec* wants[] = {&want.dO, &want.dU, &want.dh0, &want.dc0};
  long long wrong = 0, damaged = 0, differ = 0;
  double worst[4] = {};
  for (int i = 0; i < 4; ++i) {
    const Compare cmp = compare(got[at(i)], *wants[i], kBwdRel, kBwdAbs);
    wrong += cmp.wrong;
    worst[i] = cmp.worst;
    damaged += guard_damage(got[at(i)], static_cast<long long>(wants[i]->size()));
  }
  const std::vector<std::vector<float>> again = run();
  for (int i = 0; i < 4; ++i) differ += rerun_differences(got[at(i)], again[at(i)]);
  t.expect(wrong == 0 && damaged == 0 && differ == 0,
           "memnet seq bwd %-22s T=%lld B=%lld din=%lld dk=%lld dv=%lld dout=%lld M=%lld smem=%lld "
           "max_err dO=%.1e dU=%.1e dh0=%.1e dc0=%.1e wrong=%lld guard_damaged=%lld rerun_differs=%lld",
           k.c.name, k.c.T, k.c.B, k.c.dIn, k.c.dk, k.c.dv, k.c.dOut, k.c.M, memnet_seq_bwd_smem_bytes(p),
           worst[0], worst[1], worst[2], worst[3], wrong, damaged, differ);
}

void check_case(const Case& c, std::mt19937& rng, Tally& t) {
  const Seq k = make_seq(c, rng);
  const Inputs<std::vector<float>> in = random_inputs(k, rng);
  const DeviceForward d = device_forward(k, in);
  const Downloaded fwdGot = check_forward(k, in, d, t);
  check_backward(k, in, d, fwdGot, t);
}

}  // namespace

void check_memnet_sequence(std::mt19937& rng, Tally& t) {
  const Case fdCases[] = {
      // name          T  B  dIn dk dv dOut M  mask   p    scale
      {"window",       7, 2, 2,  3, 2, 2,   3, false, 0.3, 0.7},
      {"masked",       7, 2, 2,  3, 2, 2,   3, true,  0.3, 0.7},
  };
  for (const Case& c : fdCases) fd_case(c, rng, t);
  const Case cases[] = {
      // name                    T   B  dIn  dk  dv dOut M   mask   p     scale
      {"paper cell",             20, 3, 1,   32, 32, 1, 8,  false, 0.1,  1.0},
      {"one step",               1,  2, 4,   8,  8,  3, 8,  false, 0.1,  1.0},
      {"fewer steps than slots", 5,  2, 4,   8,  6,  2, 8,  false, 0.2,  1.0},
      {"fewer steps, masked",    5,  2, 4,   8,  6,  2, 8,  true,  0.2,  1.0},
      {"no slot at all",         4,  2, 3,   4,  4,  2, 0,  true,  0.1,  1.0},
      {"window wraps, 64 slots", 70, 2, 2,   8,  8,  2, 64, false, 0.1,  0.5},  // W 34: even
      {"paper cell, 100 slots",  110, 2, 1,  32, 32, 1, 100, true, 0.1,  1.0},  // c_t in 6 groups, dq in 4
      {"the most slots, wraps",  270, 2, 1,  8,  8,  1, 256, false, 0.1, 0.5},  // 16 groups each way
      {"odd widths",             9,  3, 3,   5,  7,  2, 4,  true,  0.25, 0.5},
      {"even W, no dropout",     6,  2, 2,   4,  4,  2, 3,  false, 0.0,  1.0},  // W 18, ldw 19
      {"one row",                12, 1, 5,   16, 16, 4, 6,  false, 0.3,  0.25},
      {"input wider than block", 4,  2, 200, 32, 32, 3, 2,  false, 0.1,  0.125},  // W 328 > 256 threads
  };
  for (const Case& c : cases) check_case(c, rng, t);
}

}  // namespace mnemo::harness
