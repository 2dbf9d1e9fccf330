// reference.h — host references for `mnemo_harness check`: every new kernel's math written
// straight from its definition (PyTorch's formulas), in double, on dense std::vector<double>.
// Deliberately independent of the device code (no shared helpers), and self-checked against
// central finite differences (check_cells.cpp, check_training.cpp), so a sign or term error in
// a derivation shows up even where kernel and reference agree.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace mnemo::harness::ref {

using Vec = std::vector<double>;

inline double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
// Element i of an optional array (empty = absent = 0).
inline double opt(const Vec& v, long long i) {
  return v.empty() ? 0.0 : v[static_cast<std::size_t>(i)];
}
inline std::size_t at(long long i) { return static_cast<std::size_t>(i); }

// ── recurrent cells (dense [B, ·] layouts; strides are the checks' business) ──

// h' = act(gx + b_ih + gh + b_hh); gx, gh [B, H], biases [H] or empty.
inline Vec rnn_fwd(bool relu, const Vec& gx, const Vec& gh, const Vec& bIh, const Vec& bHh,
                   long long B, long long H) {
  Vec h(at(B * H));
  for (long long b = 0; b < B; ++b) {
    for (long long j = 0; j < H; ++j) {
      const long long i = b * H + j;
      const double pre = gx[at(i)] + opt(bIh, j) + gh[at(i)] + opt(bHh, j);
      h[at(i)] = relu ? (pre > 0.0 ? pre : 0.0) : std::tanh(pre);
    }
  }
  return h;
}

// dgates = dh ⊙ act'(pre), act' from the output h; dh [B, H] already dy + dhRec.
inline Vec rnn_bwd(bool relu, const Vec& dh, const Vec& h) {
  Vec d(dh.size());
  for (std::size_t i = 0; i < dh.size(); ++i) {
    d[i] = dh[i] * (relu ? (h[i] > 0.0 ? 1.0 : 0.0) : 1.0 - h[i] * h[i]);
  }
  return d;
}

struct LstmFwd {
  Vec h, c, gates;  // [B, H], [B, H], [B, 4H] activated i|f|g|o
};

inline LstmFwd lstm_fwd(const Vec& gx, const Vec& gh, const Vec& bIh, const Vec& bHh,
                        const Vec& cPrev, long long B, long long H) {
  LstmFwd out{Vec(at(B * H)), Vec(at(B * H)), Vec(at(4 * B * H))};
  for (long long b = 0; b < B; ++b) {
    for (long long j = 0; j < H; ++j) {
      double a[4];
      for (long long k = 0; k < 4; ++k) {
        const long long gi = b * 4 * H + k * H + j;
        const double pre = gx[at(gi)] + gh[at(gi)] + opt(bIh, k * H + j) + opt(bHh, k * H + j);
        a[k] = k == 2 ? std::tanh(pre) : sigmoid(pre);
        out.gates[at(gi)] = a[k];
      }
      const long long i = b * H + j;
      const double c = a[1] * cPrev[at(i)] + a[0] * a[2];
      out.c[at(i)] = c;
      out.h[at(i)] = a[3] * std::tanh(c);
    }
  }
  return out;
}

struct LstmBwd {
  Vec dgates;  // [B, 4H]
  Vec dcPrev;  // [B, H]
};

// dh = dy + dhRec, dc = ∂L/∂c_t; gates, cPrev, cCur as the forward produced them.
inline LstmBwd lstm_bwd(const Vec& dh, const Vec& dc, const Vec& gates, const Vec& cPrev,
                        const Vec& cCur, long long B, long long H) {
  LstmBwd out{Vec(at(4 * B * H)), Vec(at(B * H))};
  for (long long b = 0; b < B; ++b) {
    for (long long j = 0; j < H; ++j) {
      const long long i = b * H + j;
      const long long g0 = b * 4 * H + j;
      const double ig = gates[at(g0)], fg = gates[at(g0 + H)], cg = gates[at(g0 + 2 * H)],
                   og = gates[at(g0 + 3 * H)];
      const double tc = std::tanh(cCur[at(i)]);
      // ∂L/∂c_t in total: through h_t = o·tanh(c_t), plus what arrives directly.
      const double dct = dc[at(i)] + dh[at(i)] * og * (1.0 - tc * tc);
      out.dgates[at(g0)] = dct * cg * ig * (1.0 - ig);                   // ∂/∂pre_i
      out.dgates[at(g0 + H)] = dct * cPrev[at(i)] * fg * (1.0 - fg);     // ∂/∂pre_f
      out.dgates[at(g0 + 2 * H)] = dct * ig * (1.0 - cg * cg);           // ∂/∂pre_g
      out.dgates[at(g0 + 3 * H)] = dh[at(i)] * tc * og * (1.0 - og);     // ∂/∂pre_o
      out.dcPrev[at(i)] = dct * fg;
    }
  }
  return out;
}

struct GruFwd {
  Vec h;      // [B, H]
  Vec gates;  // [B, 3H] activated r|z|n
  Vec hn;     // [B, H] gh_n + b_hn
};

// (1 − z)·n + z·h written in the textbook form (the kernel uses PyTorch's n + z·(h − n)).
inline GruFwd gru_fwd(const Vec& gx, const Vec& gh, const Vec& bIh, const Vec& bHh,
                      const Vec& hPrev, long long B, long long H) {
  GruFwd out{Vec(at(B * H)), Vec(at(3 * B * H)), Vec(at(B * H))};
  for (long long b = 0; b < B; ++b) {
    for (long long j = 0; j < H; ++j) {
      const long long i = b * H + j;
      const long long g0 = b * 3 * H + j;
      const double r = sigmoid(gx[at(g0)] + opt(bIh, j) + gh[at(g0)] + opt(bHh, j));
      const double z = sigmoid(gx[at(g0 + H)] + opt(bIh, H + j) + gh[at(g0 + H)] + opt(bHh, H + j));
      const double hn = gh[at(g0 + 2 * H)] + opt(bHh, 2 * H + j);
      const double n = std::tanh(gx[at(g0 + 2 * H)] + opt(bIh, 2 * H + j) + r * hn);
      out.h[at(i)] = (1.0 - z) * n + z * hPrev[at(i)];
      out.gates[at(g0)] = r;
      out.gates[at(g0 + H)] = z;
      out.gates[at(g0 + 2 * H)] = n;
      out.hn[at(i)] = hn;
    }
  }
  return out;
}

struct GruBwd {
  Vec dgx, dgh;  // [B, 3H]
  Vec dhPrev;    // [B, H]: the direct part dh ⊙ z
};

inline GruBwd gru_bwd(const Vec& dh, const Vec& gates, const Vec& hn, const Vec& hPrev,
                      long long B, long long H) {
  GruBwd out{Vec(at(3 * B * H)), Vec(at(3 * B * H)), Vec(at(B * H))};
  for (long long b = 0; b < B; ++b) {
    for (long long j = 0; j < H; ++j) {
      const long long i = b * H + j;
      const long long g0 = b * 3 * H + j;
      const double r = gates[at(g0)], z = gates[at(g0 + H)], n = gates[at(g0 + 2 * H)];
      const double g = dh[at(i)];
      const double dnPre = g * (1.0 - z) * (1.0 - n * n);
      const double dzPre = g * (hPrev[at(i)] - n) * z * (1.0 - z);
      const double drPre = dnPre * hn[at(i)] * r * (1.0 - r);
      out.dgx[at(g0)] = drPre;
      out.dgx[at(g0 + H)] = dzPre;
      out.dgx[at(g0 + 2 * H)] = dnPre;
      out.dgh[at(g0)] = drPre;
      out.dgh[at(g0 + H)] = dzPre;
      out.dgh[at(g0 + 2 * H)] = dnPre * r;
      out.dhPrev[at(i)] = g * z;
    }
  }
  return out;
}

// ── reductions and losses ──

// Σ over rows of a [rows, cols] matrix, and Σ |x| per column (the sum's condition scale).
inline void column_sums(const std::vector<float>& in, long long rows, long long cols, Vec& sum,
                        Vec& absSum) {
  sum.assign(at(cols), 0.0);
  absSum.assign(at(cols), 0.0);
  for (long long r = 0; r < rows; ++r) {
    for (long long c = 0; c < cols; ++c) {
      const double v = in[at(r * cols + c)];
      sum[at(c)] += v;
      absSum[at(c)] += std::fabs(v);
    }
  }
}

struct XentFwd {
  Vec loss;     // [R]
  Vec rowMax;   // [R]
  Vec logSum;   // [R] log Σ exp(x − max)
};

// targets −1: loss 0; outside [0, C) otherwise: NaN.
inline XentFwd xent_fwd(const Vec& logits, const std::vector<int>& targets, long long R,
                        long long C) {
  XentFwd out{Vec(at(R)), Vec(at(R)), Vec(at(R))};
  for (long long r = 0; r < R; ++r) {
    double m = -std::numeric_limits<double>::infinity();
    for (long long c = 0; c < C; ++c) m = std::fmax(m, logits[at(r * C + c)]);
    double s = 0.0;
    for (long long c = 0; c < C; ++c) {
      const double x = logits[at(r * C + c)];
      if (x != -std::numeric_limits<double>::infinity()) s += std::exp(x - m);
    }
    const int t = targets[at(r)];
    out.rowMax[at(r)] = m;
    out.logSum[at(r)] = std::log(s);
    if (t == -1) {
      out.loss[at(r)] = 0.0;
    } else if (t < 0 || t >= C) {
      out.loss[at(r)] = std::numeric_limits<double>::quiet_NaN();
    } else {
      out.loss[at(r)] = std::log(s) + m - logits[at(r * C + t)];
    }
  }
  return out;
}

// (softmax − onehot)·scale, softmax from the logits alone (not from saved stats).
inline Vec xent_bwd(const Vec& logits, const std::vector<int>& targets, long long R, long long C,
                    double scale) {
  const XentFwd f = xent_fwd(logits, targets, R, C);
  Vec d(at(R * C));
  for (long long r = 0; r < R; ++r) {
    const int t = targets[at(r)];
    for (long long c = 0; c < C; ++c) {
      double g;
      if (t == -1) {
        g = 0.0;
      } else if (t < 0 || t >= C) {
        g = std::numeric_limits<double>::quiet_NaN();
      } else {
        const double p = std::exp(logits[at(r * C + c)] - f.rowMax[at(r)] - f.logSum[at(r)]);
        g = (p - (c == t ? 1.0 : 0.0)) * scale;
      }
      d[at(r * C + c)] = g;
    }
  }
  return d;
}

// ── optimizers: PyTorch's update rules in double ──

struct SgdConfig {
  double lr, momentum, dampening, weightDecay;
  bool nesterov;
};

inline void sgd_step(Vec& p, const Vec& grad, Vec& buf, bool firstStep, const SgdConfig& c) {
  for (std::size_t i = 0; i < p.size(); ++i) {
    double g = grad[i];
    if (c.weightDecay != 0.0) g += c.weightDecay * p[i];
    if (c.momentum != 0.0) {
      buf[i] = firstStep ? g : c.momentum * buf[i] + (1.0 - c.dampening) * g;
      g = c.nesterov ? g + c.momentum * buf[i] : buf[i];
    }
    p[i] -= c.lr * g;
  }
}

struct AdamConfig {
  double lr, beta1, beta2, eps, weightDecay;
  bool decoupled;
};

// The textbook form: m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t), p −= lr·m̂ / (sqrt(v̂) + eps).
inline void adam_step(Vec& p, const Vec& grad, Vec& m, Vec& v, int step, const AdamConfig& c) {
  const double bc1 = 1.0 - std::pow(c.beta1, step);
  const double bc2 = 1.0 - std::pow(c.beta2, step);
  for (std::size_t i = 0; i < p.size(); ++i) {
    double g = grad[i];
    if (c.weightDecay != 0.0) {
      if (c.decoupled) {
        p[i] *= 1.0 - c.lr * c.weightDecay;
      } else {
        g += c.weightDecay * p[i];
      }
    }
    m[i] = c.beta1 * m[i] + (1.0 - c.beta1) * g;
    v[i] = c.beta2 * v[i] + (1.0 - c.beta2) * g * g;
    const double mHat = m[i] / bc1;
    const double vHat = v[i] / bc2;
    p[i] -= c.lr * mHat / (std::sqrt(vHat) + c.eps);
  }
}

struct RmspropConfig {
  double lr, alpha, eps, weightDecay, momentum;
  bool centered;
};

inline void rmsprop_step(Vec& p, const Vec& grad, Vec& sq, Vec& buf, Vec& ga,
                         const RmspropConfig& c) {
  for (std::size_t i = 0; i < p.size(); ++i) {
    double g = grad[i];
    if (c.weightDecay != 0.0) g += c.weightDecay * p[i];
    sq[i] = c.alpha * sq[i] + (1.0 - c.alpha) * g * g;
    double avg;
    if (c.centered) {
      ga[i] = c.alpha * ga[i] + (1.0 - c.alpha) * g;
      avg = std::sqrt(sq[i] - ga[i] * ga[i]) + c.eps;
    } else {
      avg = std::sqrt(sq[i]) + c.eps;
    }
    if (c.momentum > 0.0) {
      buf[i] = c.momentum * buf[i] + g / avg;
      p[i] -= c.lr * buf[i];
    } else {
      p[i] -= c.lr * g / avg;
    }
  }
}

// ── dropout: the counter hash of the header's "family: dropout" ──

// SplitMix64's finaliser, unsigned 64-bit arithmetic (wrapping, as Java's long).
inline std::uint64_t dropout_mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// u(seed, index) in [0, 1): element `index` of stream `seed` is kept when u >= p.
inline double dropout_uniform(std::uint64_t seed, std::uint64_t index) {
  const std::uint64_t z = dropout_mix64(dropout_mix64(seed) + (index + 1) * 0x9E3779B97F4A7C15ull);
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

}  // namespace mnemo::harness::ref
