// check_memnet_stream.cpp — `check` cases of MemNet's streaming steps in one launch
// (mnemo_memnet_stream_f32) against a double-precision host reference of the header's step:
// one step from an empty state, a prefix into a partly filled ring, a ring that wraps within the
// call, free-running steps (x_t = y_{t−1}), masked empty slots, the paper's cell from a full ring
// (past 48 KiB of shared memory), odd widths with n0 past M, one batch row, and unfilled slots
// holding junk the read must not look at. Every output and in-out buffer is compared whole,
// slots the call does not write must keep their bits, and a rerun from the same state must give
// the same bits.
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <utility>
#include <vector>

#include "check_util.h"
#include "kernel_launch.h"

namespace mnemo::harness {
namespace {
using namespace check;
using ref::Vec;

// float32 against double, as the sequence loop's forward (check_memnet_sequence.cpp): sums of a
// few hundred O(1) terms over at most 12 steps, free-running ones feeding float y back.
constexpr double kRel = 1e-4, kAbs = 1e-5;

struct Case {
  const char* name;
  long long T, P, B, dIn, dk, dv, dOut, M, n0;
  bool maskEmptySlots;
  bool junkUnfilled;  // unfilled slots hold large finite junk instead of the layer's zeros
  double scale;
  long long S() const { return 2 * dk + dv; }
  long long W() const { return dIn + S() + dv; }
  // The header's f at stream step n: filled slots 0 … f − 1; the rest empty (score 0) unless masked.
  long long filled(long long n) const { return std::min(n, M); }
  long long empty(long long n) const { return maskEmptySlots ? 0 : M - filled(n); }
  // The kernel rounds scale to float once.
  double read_scale() const { return static_cast<float>(scale); }
  // Whether step t of the call takes x from the x buffer (else y_{t−1}: P < T needs d_in = d_out).
  bool teacher_forced(long long t) const { return t < P; }
};

// The layer's MemNetState: h [B, S], c [B, d_v], keys [B, M, d_k], values [B, M, d_v].
template <typename V>
struct State {
  V h, c, keys, values;
};

template <typename V>
struct Weights {
  V weight, bias;                    // [S, W], [S]
  V stateOut, stateOutBias;          // W_s [d_out, S], b_s [d_out]
  V readOut, readOutBias;            // W_c [d_out, d_v], b_c [d_out]
  V x;                               // [P, B, d_in]
};

// What the call leaves: y [T, B, d_out] and the advanced state.
template <typename V>
struct Result {
  V y;
  State<V> state;
};

// ───────────────────────────── host reference ─────────────────────────────

// One row's ring: key m at keys[m·d_k], value m at values[m·d_v].
struct Ring {
  double* keys;
  double* values;
};

// c = the read of q over slots 0 … filled − 1 plus `empty` zero slots (score 0): softmax of
// scale·⟨k_m, q⟩, then Σ a_m·v_m; 0 with no slot at all.
Vec memory_read(const Case& k, const double* q, const Ring& ring, long long filled, long long empty) {
  Vec c(at(k.dv), 0.0);
  if (filled + empty == 0) return c;
  Vec s(at(filled));
  double mx = empty > 0 ? 0.0 : -std::numeric_limits<double>::infinity();
  for (long long m = 0; m < filled; ++m) {
    double dot = 0.0;
    for (long long j = 0; j < k.dk; ++j) dot += ring.keys[m * k.dk + j] * q[j];
    s[at(m)] = k.read_scale() * dot;
    mx = std::max(mx, s[at(m)]);
  }
  double sum = empty > 0 ? static_cast<double>(empty) * std::exp(-mx) : 0.0;  // 0·exp(−mx) may be 0·∞
  for (long long m = 0; m < filled; ++m) sum += std::exp(s[at(m)] - mx);
  const double lse = mx + std::log(sum);
  for (long long m = 0; m < filled; ++m) {
    const double a = std::exp(s[at(m)] - lse);
    for (long long j = 0; j < k.dv; ++j) c[at(j)] += a * ring.values[m * k.dv + j];
  }
  return c;
}

// o = weight·[x, relu(h), c] + bias.
Vec cell(const Case& k, const Weights<Vec>& w, const Vec& x, const double* h, const double* c) {
  const long long S = k.S(), W = k.W();
  Vec u(at(W));
  std::copy(x.begin(), x.end(), u.begin());
  for (long long i = 0; i < S; ++i) u[at(k.dIn + i)] = std::max(h[i], 0.0);
  for (long long j = 0; j < k.dv; ++j) u[at(k.dIn + S + j)] = c[j];
  Vec o(at(S));
  for (long long i = 0; i < S; ++i) {
    double acc = w.bias[at(i)];
    for (long long j = 0; j < W; ++j) acc += w.weight[at(i * W + j)] * u[at(j)];
    o[at(i)] = acc;
  }
  return o;
}

// y = W_s·h + b_s + W_c·c + b_c.
Vec output(const Case& k, const Weights<Vec>& w, const double* h, const double* c) {
  const long long S = k.S();
  Vec y(at(k.dOut));
  for (long long o = 0; o < k.dOut; ++o) {
    double acc = w.stateOutBias[at(o)] + w.readOutBias[at(o)];
    for (long long i = 0; i < S; ++i) acc += w.stateOut[at(o * S + i)] * h[i];
    for (long long j = 0; j < k.dv; ++j) acc += w.readOut[at(o * k.dv + j)] * c[j];
    y[at(o)] = acc;
  }
  return y;
}

// The header's steps, row by row: read before the write of slot n mod M, h = o, then y.
Result<Vec> reference(const Case& k, const Weights<Vec>& w, State<Vec> state) {
  const long long S = k.S(), dv = k.dv;
  Result<Vec> r{Vec(at(k.T * k.B * k.dOut)), {}};
  for (long long b = 0; b < k.B; ++b) {
    double* h = &state.h[at(b * S)];
    double* c = &state.c[at(b * dv)];
    const Ring ring{&state.keys[at(b * k.M * k.dk)], &state.values[at(b * k.M * dv)]};
    Vec yPrev;
    for (long long t = 0; t < k.T; ++t) {
      const long long n = k.n0 + t;
      const Vec x = k.teacher_forced(t) ? Vec(w.x.begin() + (t * k.B + b) * k.dIn,
                                              w.x.begin() + (t * k.B + b + 1) * k.dIn)
                                        : yPrev;
      const Vec o = cell(k, w, x, h, c);
      const Vec cNew = memory_read(k, o.data(), ring, k.filled(n), k.empty(n));
      const long long slot = n % k.M;
      std::copy(o.begin() + k.dk, o.begin() + 2 * k.dk, ring.keys + slot * k.dk);
      std::copy(o.begin() + 2 * k.dk, o.end(), ring.values + slot * dv);
      std::copy(o.begin(), o.end(), h);
      std::copy(cNew.begin(), cNew.end(), c);
      yPrev = output(k, w, h, c);
      std::copy(yPrev.begin(), yPrev.end(), r.y.begin() + (t * k.B + b) * k.dOut);
    }
  }
  r.state = std::move(state);
  return r;
}

// ───────────────────────────── inputs ─────────────────────────────

// Finite junk for unfilled slots: read as a key it would swamp every softmax.
constexpr float kJunk = 1.0e6f;

// Keys or values [B, M, width] after n0 steps: slots 0 … min(n0, M) − 1 random, the rest zero
// (the layer's fresh state) or junk.
std::vector<float> ring_slots(const Case& k, long long width, std::mt19937& rng) {
  std::vector<float> v = uniform(k.B * k.M * width, -1.0f, 1.0f, rng);
  const float unfilled = k.junkUnfilled ? kJunk : 0.0f;
  for (long long b = 0; b < k.B; ++b) {
    for (long long m = k.filled(k.n0); m < k.M; ++m) {
      std::fill_n(v.begin() + (b * k.M + m) * width, width, unfilled);
    }
  }
  return v;
}

State<std::vector<float>> random_state(const Case& k, std::mt19937& rng) {
  State<std::vector<float>> s;
  s.h = uniform(k.B * k.S(), -1.0f, 1.0f, rng);
  s.c = uniform(k.B * k.dv, -1.0f, 1.0f, rng);
  s.keys = ring_slots(k, k.dk, rng);
  s.values = ring_slots(k, k.dv, rng);
  return s;
}

// Weights ±1/sqrt(fan-in): h, c and y stay O(1) over every step, free-running ones included.
Weights<std::vector<float>> random_weights(const Case& k, std::mt19937& rng) {
  auto bound = [](long long fanIn) { return 1.0f / std::sqrt(static_cast<float>(fanIn)); };
  Weights<std::vector<float>> w;
  w.weight = uniform(k.S() * k.W(), -bound(k.W()), bound(k.W()), rng);
  w.bias = uniform(k.S(), -0.1f, 0.1f, rng);
  w.stateOut = uniform(k.dOut * k.S(), -bound(k.S()), bound(k.S()), rng);
  w.stateOutBias = uniform(k.dOut, -0.1f, 0.1f, rng);
  w.readOut = uniform(k.dOut * k.dv, -bound(k.dv), bound(k.dv), rng);
  w.readOutBias = uniform(k.dOut, -0.1f, 0.1f, rng);
  w.x = uniform(k.P * k.B * k.dIn, -1.0f, 1.0f, rng);
  return w;
}

Weights<Vec> to_reference(const Weights<std::vector<float>>& w) {
  return {to_double(w.weight),  to_double(w.bias),    to_double(w.stateOut), to_double(w.stateOutBias),
          to_double(w.readOut), to_double(w.readOutBias), to_double(w.x)};
}

State<Vec> to_reference(const State<std::vector<float>>& s) {
  return {to_double(s.h), to_double(s.c), to_double(s.keys), to_double(s.values)};
}

// ───────────────────────────── device ─────────────────────────────

// One launch from a fresh device copy of `state`; what it left, guards included.
Result<std::vector<float>> run_stream(const Case& k, const Weights<std::vector<float>>& w,
                                      const State<std::vector<float>>& state) {
  const DeviceBuffer weight = upload_exact(w.weight), bias = upload_exact(w.bias);
  const DeviceBuffer stateOut = upload_exact(w.stateOut), stateOutBias = upload_exact(w.stateOutBias);
  const DeviceBuffer readOut = upload_exact(w.readOut), readOutBias = upload_exact(w.readOutBias);
  const DeviceBuffer x = upload_exact(w.x), y = guarded_output(k.T * k.B * k.dOut);
  const DeviceBuffer h = upload_with_guard(state.h), c = upload_with_guard(state.c);
  const DeviceBuffer keys = upload_with_guard(state.keys), values = upload_with_guard(state.values);
  mnemo_memnet_stream_params p{};
  p.weight = weight.get();
  p.bias = bias.get();
  p.stateOutWeight = stateOut.get();
  p.stateOutBias = stateOutBias.get();
  p.readOutWeight = readOut.get();
  p.readOutBias = readOutBias.get();
  p.x = x.get();
  p.y = y.get();
  p.h = h.get();
  p.c = c.get();
  p.keys = keys.get();
  p.values = values.get();
  p.steps = k.T;
  p.prefix = k.P;
  p.batch = k.B;
  p.inputWidth = k.dIn;
  p.keyWidth = k.dk;
  p.valueWidth = k.dv;
  p.outputWidth = k.dOut;
  p.slots = k.M;
  p.stepsBefore = k.n0;
  p.maskEmptySlots = k.maskEmptySlots ? 1 : 0;
  p.scale = k.scale;
  launch_memnet_stream(p, nullptr);
  CHECK(cudaDeviceSynchronize());
  return {y.download(), {h.download(), c.download(), keys.download(), values.download()}};
}

// Whether slot m is written by one of the call's steps n0 … n0 + T − 1 (slot n mod M).
bool slot_written(const Case& k, long long m) {
  if (k.T >= k.M) return true;
  for (long long n = k.n0; n < k.n0 + k.T; ++n) {
    if (n % k.M == m) return true;
  }
  return false;
}

// Elements of the slots the call does not write whose bits changed, in keys or values.
long long unwritten_slot_changes(const Case& k, const State<std::vector<float>>& before,
                                 const State<std::vector<float>>& after) {
  long long changed = 0;
  for (long long b = 0; b < k.B; ++b) {
    for (long long m = 0; m < k.M; ++m) {
      if (slot_written(k, m)) continue;
      const long long row = b * k.M + m;
      for (long long j = 0; j < k.dk; ++j) {
        changed += same_bits(before.keys[at(row * k.dk + j)], after.keys[at(row * k.dk + j)]) ? 0 : 1;
      }
      for (long long j = 0; j < k.dv; ++j) {
        changed += same_bits(before.values[at(row * k.dv + j)], after.values[at(row * k.dv + j)]) ? 0 : 1;
      }
    }
  }
  return changed;
}

long long guard_damages(const Case& k, const Result<std::vector<float>>& got) {
  return guard_damage(got.y, k.T * k.B * k.dOut) + guard_damage(got.state.h, k.B * k.S()) +
         guard_damage(got.state.c, k.B * k.dv) + guard_damage(got.state.keys, k.B * k.M * k.dk) +
         guard_damage(got.state.values, k.B * k.M * k.dv);
}

// Bit differences between two runs, guards included.
long long rerun_differences(const Result<std::vector<float>>& a, const Result<std::vector<float>>& b) {
  auto differ = [](const std::vector<float>& u, const std::vector<float>& v) {
    return bit_differences(u, v, static_cast<long long>(u.size()));
  };
  return differ(a.y, b.y) + differ(a.state.h, b.state.h) + differ(a.state.c, b.state.c) +
         differ(a.state.keys, b.state.keys) + differ(a.state.values, b.state.values);
}

long long smem_bytes(const Case& k) {
  mnemo_memnet_stream_params p{};
  p.inputWidth = k.dIn;
  p.keyWidth = k.dk;
  p.valueWidth = k.dv;
  p.outputWidth = k.dOut;
  p.slots = k.M;
  return memnet_stream_smem_bytes(p);
}

void check_case(const Case& k, std::mt19937& rng, Tally& t) {
  const Weights<std::vector<float>> w = random_weights(k, rng);
  const State<std::vector<float>> before = random_state(k, rng);
  const Result<Vec> want = reference(k, to_reference(w), to_reference(before));
  const Result<std::vector<float>> got = run_stream(k, w, before);
  const Compare y = compare(got.y, want.y, kRel, kAbs), h = compare(got.state.h, want.state.h, kRel, kAbs);
  const Compare c = compare(got.state.c, want.state.c, kRel, kAbs);
  const Compare keys = compare(got.state.keys, want.state.keys, kRel, kAbs);
  const Compare values = compare(got.state.values, want.state.values, kRel, kAbs);
  const long long wrong = y.wrong + h.wrong + c.wrong + keys.wrong + values.wrong;
  const long long slotChanged = unwritten_slot_changes(k, before, got.state);
  const long long damaged = guard_damages(k, got);
  const long long differ = rerun_differences(got, run_stream(k, w, before));
  t.expect(wrong == 0 && slotChanged == 0 && damaged == 0 && differ == 0,
           "memnet stream %-26s T=%lld P=%lld B=%lld din=%lld dk=%lld dv=%lld dout=%lld M=%lld n0=%lld%s%s "
           "smem=%lld max_err y=%.1e h=%.1e c=%.1e keys=%.1e values=%.1e wrong=%lld unwritten_slot_changed=%lld "
           "guard_damaged=%lld rerun_differs=%lld",
           k.name, k.T, k.P, k.B, k.dIn, k.dk, k.dv, k.dOut, k.M, k.n0, k.maskEmptySlots ? " masked" : "",
           k.junkUnfilled ? " junk" : "", smem_bytes(k), y.worst, h.worst, c.worst, keys.worst, values.worst, wrong,
           slotChanged, damaged, differ);
}

}  // namespace

void check_memnet_stream(std::mt19937& rng, Tally& t) {
  const Case cases[] = {
      // name                         T   P   B  dIn dk  dv dOut M   n0  mask   junk   scale
      {"one step, empty state",       1,  1,  2, 4,  8,  8,  3, 8,  0,  false, false, 1.0},
      {"prefix, partly filled ring",  6,  6,  2, 3,  8,  6,  2, 8,  3,  false, false, 0.7},
      {"ring wraps within the call",  7,  7,  2, 2,  4,  4,  2, 4,  2,  false, false, 1.0},
      {"free-running after 3",        10, 3,  3, 2,  6,  5,  2, 8,  1,  false, false, 0.5},
      {"masked, empty state",         6,  6,  2, 3,  4,  5,  2, 4,  0,  true,  false, 0.5},
      {"paper cell, full ring",       12, 12, 5, 1,  32, 32, 1, 8,  9,  false, false, 1.0},  // smem > 48 KiB
      {"odd widths, n0 past M",       3,  3,  2, 3,  5,  7,  2, 64, 70, false, false, 0.5},
      {"the most slots, ring wraps",  12, 12, 2, 2,  8,  8,  2, 256, 250, false, false, 0.5},  // c_t in 16 groups
      {"one row, free-running",       5,  2,  1, 3,  8,  8,  3, 3,  1,  false, false, 0.25},
      {"unfilled slots hold junk",    3,  3,  2, 2,  4,  4,  2, 8,  2,  false, true,  1.0},
  };
  for (const Case& c : cases) check_case(c, rng, t);
}

}  // namespace mnemo::harness
