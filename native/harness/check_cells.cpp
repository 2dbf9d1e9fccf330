// check_cells.cpp — `mnemo_harness check` for the recurrent cells: RNN (tanh, relu), LSTM and
// GRU pointwise forward (train and infer variants) and backward, against reference.h, on shapes
// that break tiles (B = 1, H = 1, 33, 257), with and without biases, with strided h rows, every
// combination of the optional dy / dhRec, and the aliasing the header allows (c and the gates in
// place). The backward runs on what the GPU forward saved, as in training. First, host-only: the
// reference backward against central finite differences of the reference forward.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <vector>

#include "check_util.h"
#include "cuda_check.h"
#include "device_buffer.h"
#include "kernel_launch.h"
#include "reference.h"

namespace mnemo::harness {
namespace {

using namespace check;

// float32 math against a double reference: a few ulps of O(1) intermediates.
constexpr double kRel = 1e-5;
constexpr double kAbs = 1e-6;

struct Shape {
  long long batch;
  long long hidden;
  long long ldExtra;  // ldh = H + ldExtra (and ldy, ldhPrev derived from it): 0 = dense
  bool bias;
};

const Shape kShapes[] = {
    {1, 1, 0, true},    {1, 1, 2, false},    {3, 33, 0, true},   {2, 33, 33, false},
    {1, 257, 0, true},  {5, 257, 257, true}, {64, 512, 0, true}, {7, 100, 3, false},
    {0, 17, 0, true},
};

// The four ways dh can arrive: dy and/or dhRec present.
struct DhMode {
  bool dy;
  bool rec;
};
const DhMode kDhModes[] = {{true, true}, {true, false}, {false, true}, {false, false}};

const char* dh_name(DhMode m) {
  return m.dy ? (m.rec ? "dy+dhRec" : "dy") : (m.rec ? "dhRec" : "none");
}

const float* or_null(const DeviceBuffer& b, bool present) { return present ? b.get() : nullptr; }

// dh = dy (dense view) + dhRec, each only where present.
ref::Vec dh_of(DhMode m, const std::vector<float>& dy, const std::vector<float>& rec) {
  ref::Vec dh(std::max(dy.size(), rec.size()), 0.0);
  for (std::size_t i = 0; i < dh.size(); ++i) {
    dh[i] = (m.dy ? static_cast<double>(dy[i]) : 0.0) + (m.rec ? static_cast<double>(rec[i]) : 0.0);
  }
  return dh;
}

// ───────────────────────── host-only: reference backward vs finite differences ─────────────

constexpr double kFdStep = 1e-6;
constexpr double kFdTol = 1e-7;

// max |analytic − central difference| of L over every element of x.
double fd_error(const std::function<double(const ref::Vec&)>& loss, const ref::Vec& x,
                const ref::Vec& analytic) {
  double worst = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    ref::Vec plus = x;
    ref::Vec minus = x;
    plus[i] += kFdStep;
    minus[i] -= kFdStep;
    const double fd = (loss(plus) - loss(minus)) / (2.0 * kFdStep);
    worst = std::fmax(worst, std::fabs(fd - analytic[i]));
  }
  return worst;
}

double dot(const ref::Vec& a, const ref::Vec& b) {
  double s = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

ref::Vec random_vec(std::size_t n, double lo, double hi, std::mt19937& rng) {
  std::uniform_real_distribution<double> dist(lo, hi);
  ref::Vec v(n);
  for (double& x : v) x = dist(rng);
  return v;
}

// Σ over the batch rows of a [B, W] gradient: the bias gradient.
ref::Vec row_sum(const ref::Vec& g, long long B, long long W) {
  ref::Vec s(static_cast<std::size_t>(W), 0.0);
  for (long long b = 0; b < B; ++b) {
    for (long long k = 0; k < W; ++k) s[at(k)] += g[at(b * W + k)];
  }
  return s;
}

void fd_rnn(bool relu, std::mt19937& rng, Tally& t) {
  const long long B = 2, H = 3;
  ref::Vec gx = random_vec(at(B * H), -1.5, 1.5, rng);
  const ref::Vec gh = random_vec(at(B * H), -1.5, 1.5, rng);
  const ref::Vec bIh = random_vec(at(H), -0.5, 0.5, rng);
  const ref::Vec bHh = random_vec(at(H), -0.5, 0.5, rng);
  if (relu) {  // keep pre-activations off relu's kink, where differences are meaningless
    for (long long b = 0; b < B; ++b) {
      for (long long j = 0; j < H; ++j) {
        const double pre = gx[at(b * H + j)] + bIh[at(j)] + gh[at(b * H + j)] + bHh[at(j)];
        if (std::fabs(pre) < 0.05) gx[at(b * H + j)] += 0.2;
      }
    }
  }
  const ref::Vec w = random_vec(at(B * H), -1.0, 1.0, rng);
  const ref::Vec dgates = ref::rnn_bwd(relu, w, ref::rnn_fwd(relu, gx, gh, bIh, bHh, B, H));
  const double eGx = fd_error(
      [&](const ref::Vec& v) { return dot(w, ref::rnn_fwd(relu, v, gh, bIh, bHh, B, H)); }, gx,
      dgates);
  const double eGh = fd_error(
      [&](const ref::Vec& v) { return dot(w, ref::rnn_fwd(relu, gx, v, bIh, bHh, B, H)); }, gh,
      dgates);
  const double eB = fd_error(
      [&](const ref::Vec& v) { return dot(w, ref::rnn_fwd(relu, gx, gh, v, bHh, B, H)); }, bIh,
      row_sum(dgates, B, H));
  const double e = std::fmax(eGx, std::fmax(eGh, eB));
  t.expect(e < kFdTol, "reference rnn_%s backward vs finite differences: max error %.2e",
           relu ? "relu" : "tanh", e);
}

void fd_lstm(std::mt19937& rng, Tally& t) {
  const long long B = 2, H = 3;
  const ref::Vec gx = random_vec(at(4 * B * H), -1.5, 1.5, rng);
  const ref::Vec gh = random_vec(at(4 * B * H), -1.5, 1.5, rng);
  const ref::Vec bIh = random_vec(at(4 * H), -0.5, 0.5, rng);
  const ref::Vec bHh = random_vec(at(4 * H), -0.5, 0.5, rng);
  const ref::Vec c0 = random_vec(at(B * H), -1.5, 1.5, rng);
  const ref::Vec wh = random_vec(at(B * H), -1.0, 1.0, rng);
  const ref::Vec wc = random_vec(at(B * H), -1.0, 1.0, rng);
  // L = Σ wh·h_t + Σ wc·c_t: dh = wh, dc (into the step) = wc.
  auto loss = [&](const ref::Vec& x, const ref::Vec& c) {
    const ref::LstmFwd f = ref::lstm_fwd(x, gh, bIh, bHh, c, B, H);
    return dot(wh, f.h) + dot(wc, f.c);
  };
  const ref::LstmFwd f = ref::lstm_fwd(gx, gh, bIh, bHh, c0, B, H);
  const ref::LstmBwd g = ref::lstm_bwd(wh, wc, f.gates, c0, f.c, B, H);
  const double eGx = fd_error([&](const ref::Vec& v) { return loss(v, c0); }, gx, g.dgates);
  const double eC = fd_error([&](const ref::Vec& v) { return loss(gx, v); }, c0, g.dcPrev);
  const double e = std::fmax(eGx, eC);
  t.expect(e < kFdTol, "reference lstm backward vs finite differences: max error %.2e", e);
}

void fd_gru(std::mt19937& rng, Tally& t) {
  const long long B = 2, H = 3;
  const ref::Vec gx = random_vec(at(3 * B * H), -1.5, 1.5, rng);
  const ref::Vec gh = random_vec(at(3 * B * H), -1.5, 1.5, rng);
  const ref::Vec bIh = random_vec(at(3 * H), -0.5, 0.5, rng);
  const ref::Vec bHh = random_vec(at(3 * H), -0.5, 0.5, rng);
  const ref::Vec h0 = random_vec(at(B * H), -1.0, 1.0, rng);
  const ref::Vec w = random_vec(at(B * H), -1.0, 1.0, rng);
  const ref::GruFwd f = ref::gru_fwd(gx, gh, bIh, bHh, h0, B, H);
  const ref::GruBwd g = ref::gru_bwd(w, f.gates, f.hn, h0, B, H);
  // With gh held fixed, h_{t−1} reaches h_t only through z ⊙ h: the direct part.
  const double eGx = fd_error(
      [&](const ref::Vec& v) { return dot(w, ref::gru_fwd(v, gh, bIh, bHh, h0, B, H).h); }, gx,
      g.dgx);
  const double eGh = fd_error(
      [&](const ref::Vec& v) { return dot(w, ref::gru_fwd(gx, v, bIh, bHh, h0, B, H).h); }, gh,
      g.dgh);
  const double eH = fd_error(
      [&](const ref::Vec& v) { return dot(w, ref::gru_fwd(gx, gh, bIh, bHh, v, B, H).h); }, h0,
      g.dhPrev);
  const double eBih = fd_error(
      [&](const ref::Vec& v) { return dot(w, ref::gru_fwd(gx, gh, v, bHh, h0, B, H).h); }, bIh,
      row_sum(g.dgx, B, 3 * H));
  const double eBhh = fd_error(
      [&](const ref::Vec& v) { return dot(w, ref::gru_fwd(gx, gh, bIh, v, h0, B, H).h); }, bHh,
      row_sum(g.dgh, B, 3 * H));
  const double e = std::fmax(std::fmax(eGx, eGh), std::fmax(eH, std::fmax(eBih, eBhh)));
  t.expect(e < kFdTol, "reference gru backward vs finite differences: max error %.2e", e);
}

// ───────────────────────── RNN ─────────────────────────

void check_rnn(const Shape& s, bool relu, std::mt19937& rng, Tally& t) {
  const long long B = s.batch, H = s.hidden, n = B * H;
  const long long ldh = H + s.ldExtra;
  const long long ldy = H + 2 * s.ldExtra;
  const char* act = relu ? "relu" : "tanh";
  const char* bias = s.bias ? "bias" : "no-bias";
  const std::vector<float> gx = uniform(n, -2.0f, 2.0f, rng);
  const std::vector<float> gh = uniform(n, -2.0f, 2.0f, rng);
  const std::vector<float> bIh = s.bias ? uniform(H, -1.0f, 1.0f, rng) : std::vector<float>{};
  const std::vector<float> bHh = s.bias ? uniform(H, -1.0f, 1.0f, rng) : std::vector<float>{};
  const DeviceBuffer dGx = upload_exact(gx), dGh = upload_exact(gh);
  const DeviceBuffer dBih = upload_exact(bIh), dBhh = upload_exact(bHh);

  DeviceBuffer hOut = guarded_output(B * ldh);
  launch_rnn_fwd(relu, dGx.get(), dGh.get(), or_null(dBih, s.bias), or_null(dBhh, s.bias),
                 hOut.get(), ldh, B, H, 1, 0, nullptr);
  CHECK(cudaDeviceSynchronize());
  long long damage = 0;
  const std::vector<float> h = unstride(hOut.download(), B, H, ldh, damage);
  const Compare c = compare(h, ref::rnn_fwd(relu, to_double(gx), to_double(gh), to_double(bIh),
                                            to_double(bHh), B, H),
                            kRel, kAbs);
  t.expect(c.wrong == 0 && damage == 0,
           "rnn_fwd_%s   B=%-3lld H=%-4lld ldh=%-4lld %-7s wrong=%lld worst=%.1e "
           "guard_damaged=%lld",
           act, B, H, ldh, bias, c.wrong, c.worst, damage);

  for (const DhMode m : kDhModes) {
    const std::vector<float> dy = uniform(n, -1.0f, 1.0f, rng);
    const std::vector<float> rec = uniform(n, -1.0f, 1.0f, rng);
    const DeviceBuffer dDy = upload_exact(restride(dy, B, H, ldy));
    const DeviceBuffer dRec = upload_exact(rec);
    DeviceBuffer dgates = guarded_output(n);
    // h straight from the forward's strided output, guard-filled gaps and all: a read of a gap
    // would bring a NaN into dgates.
    launch_rnn_bwd(relu, or_null(dDy, m.dy), ldy, or_null(dRec, m.rec), hOut.get(), ldh,
                   dgates.get(), B, H, nullptr);
    CHECK(cudaDeviceSynchronize());
    const std::vector<float> got = dgates.download();
    const Compare cb =
        compare(got, ref::rnn_bwd(relu, dh_of(m, dy, rec), to_double(h)), kRel, kAbs);
    const long long dmg = guard_damage(got, n);
    t.expect(cb.wrong == 0 && dmg == 0,
             "rnn_bwd_%s   B=%-3lld H=%-4lld ldy=%-4lld %-8s wrong=%lld worst=%.1e "
             "guard_damaged=%lld",
             act, B, H, ldy, dh_name(m), cb.wrong, cb.worst, dmg);
  }
}

// ───────────────────────── LSTM ─────────────────────────

void check_lstm(const Shape& s, std::mt19937& rng, Tally& t) {
  const long long B = s.batch, H = s.hidden, n = B * H;
  const long long ldh = H + s.ldExtra;
  const long long ldy = H + 2 * s.ldExtra;
  const char* bias = s.bias ? "bias" : "no-bias";
  const std::vector<float> gx = uniform(4 * n, -2.0f, 2.0f, rng);
  const std::vector<float> gh = uniform(4 * n, -2.0f, 2.0f, rng);
  const std::vector<float> bIh = s.bias ? uniform(4 * H, -1.0f, 1.0f, rng) : std::vector<float>{};
  const std::vector<float> bHh = s.bias ? uniform(4 * H, -1.0f, 1.0f, rng) : std::vector<float>{};
  const std::vector<float> cPrev = uniform(n, -2.0f, 2.0f, rng);
  const DeviceBuffer dGx = upload_exact(gx), dGh = upload_exact(gh);
  const DeviceBuffer dBih = upload_exact(bIh), dBhh = upload_exact(bHh);
  const DeviceBuffer dCprev = upload_exact(cPrev);

  // Training forward.
  DeviceBuffer hOut = guarded_output(B * ldh);
  DeviceBuffer cOut = guarded_output(n);
  DeviceBuffer gates = guarded_output(4 * n);
  mnemo_lstm_pointwise_fwd_params p{dGx.get(), dGh.get(), or_null(dBih, s.bias),
                                    or_null(dBhh, s.bias), dCprev.get(), hOut.get(), cOut.get(),
                                    gates.get(), B, H, ldh, 1, 0};
  launch_lstm_fwd(true, p, nullptr);
  CHECK(cudaDeviceSynchronize());
  long long damage = 0;
  const std::vector<float> h = unstride(hOut.download(), B, H, ldh, damage);
  const std::vector<float> cBuf = cOut.download();
  const std::vector<float> gBuf = gates.download();
  damage += guard_damage(cBuf, n) + guard_damage(gBuf, 4 * n);
  const ref::LstmFwd want = ref::lstm_fwd(to_double(gx), to_double(gh), to_double(bIh),
                                          to_double(bHh), to_double(cPrev), B, H);
  const Compare ch = compare(h, want.h, kRel, kAbs);
  const Compare cc = compare(cBuf, want.c, kRel, kAbs);
  const Compare cg = compare(gBuf, want.gates, kRel, kAbs);
  t.expect(ch.wrong + cc.wrong + cg.wrong == 0 && damage == 0,
           "lstm_fwd_train B=%-3lld H=%-4lld ldh=%-4lld %-7s wrong h=%lld c=%lld gates=%lld "
           "worst=%.1e guard_damaged=%lld",
           B, H, ldh, bias, ch.wrong, cc.wrong, cg.wrong,
           std::fmax(ch.worst, std::fmax(cc.worst, cg.worst)), damage);

  // Inference: gates NULL; h and c must be the training variant's bits. Then in place
  // (cOut = cPrev), as the header allows.
  {
    DeviceBuffer hOut2 = guarded_output(B * ldh);
    DeviceBuffer cOut2 = guarded_output(n);
    DeviceBuffer cInPlace = upload_with_guard(cPrev);
    mnemo_lstm_pointwise_fwd_params q = p;
    q.hOut = hOut2.get();
    q.cOut = cOut2.get();
    q.gates = nullptr;
    launch_lstm_fwd(false, q, nullptr);
    q.cPrev = cInPlace.get();
    q.cOut = cInPlace.get();
    launch_lstm_fwd(false, q, nullptr);  // writes the same h into hOut2 again
    CHECK(cudaDeviceSynchronize());
    long long dmg = 0;
    const std::vector<float> h2 = unstride(hOut2.download(), B, H, ldh, dmg);
    const std::vector<float> c2 = cOut2.download();
    const std::vector<float> c3 = cInPlace.download();
    dmg += guard_damage(c2, n) + guard_damage(c3, n);
    const long long diff =
        bit_differences(h2, h, n) + bit_differences(c2, cBuf, n) + bit_differences(c3, cBuf, n);
    t.expect(diff == 0 && dmg == 0,
             "lstm_fwd_infer B=%-3lld H=%-4lld ldh=%-4lld gates=NULL, c in place: bits differing "
             "from train=%lld guard_damaged=%lld",
             B, H, ldh, diff, dmg);
  }

  // Training with gates = gx (the layers overwrite the projection in place): same bits.
  {
    DeviceBuffer inPlace = upload_with_guard(gx);
    DeviceBuffer hOut3 = guarded_output(B * ldh);
    DeviceBuffer cOut3 = guarded_output(n);
    mnemo_lstm_pointwise_fwd_params q = p;
    q.gx = inPlace.get();
    q.gates = inPlace.get();
    q.hOut = hOut3.get();
    q.cOut = cOut3.get();
    launch_lstm_fwd(true, q, nullptr);
    CHECK(cudaDeviceSynchronize());
    long long dmg = 0;
    const std::vector<float> h3 = unstride(hOut3.download(), B, H, ldh, dmg);
    const std::vector<float> c3 = cOut3.download();
    const std::vector<float> g3 = inPlace.download();
    dmg += guard_damage(c3, n) + guard_damage(g3, 4 * n);
    const long long diff =
        bit_differences(h3, h, n) + bit_differences(c3, cBuf, n) + bit_differences(g3, gBuf, 4 * n);
    t.expect(diff == 0 && dmg == 0,
             "lstm_fwd_train B=%-3lld H=%-4lld gates=gx in place: bits differing from apart=%lld "
             "guard_damaged=%lld",
             B, H, diff, dmg);
  }

  // Backward from what the training forward saved.
  for (const DhMode m : kDhModes) {
    const std::vector<float> dy = uniform(n, -1.0f, 1.0f, rng);
    const std::vector<float> rec = uniform(n, -1.0f, 1.0f, rng);
    const std::vector<float> dcIn = uniform(n, -1.0f, 1.0f, rng);
    const DeviceBuffer dDy = upload_exact(restride(dy, B, H, ldy));
    const DeviceBuffer dRec = upload_exact(rec);
    DeviceBuffer dc = upload_with_guard(dcIn);
    DeviceBuffer dgates = guarded_output(4 * n);
    launch_lstm_bwd(or_null(dDy, m.dy), ldy, or_null(dRec, m.rec), dc.get(), gates.get(),
                    dCprev.get(), cOut.get(), dgates.get(), B, H, nullptr);
    CHECK(cudaDeviceSynchronize());
    const std::vector<float> gotG = dgates.download();
    const std::vector<float> gotC = dc.download();
    const ref::LstmBwd wb = ref::lstm_bwd(dh_of(m, dy, rec), to_double(dcIn), to_double(gBuf),
                                          to_double(cPrev), to_double(cBuf), B, H);
    const Compare cdg = compare(gotG, wb.dgates, kRel, kAbs);
    const Compare cdc = compare(gotC, wb.dcPrev, kRel, kAbs);
    const long long dmg = guard_damage(gotG, 4 * n) + guard_damage(gotC, n);
    t.expect(cdg.wrong + cdc.wrong == 0 && dmg == 0,
             "lstm_bwd       B=%-3lld H=%-4lld ldy=%-4lld %-8s wrong dgates=%lld dc=%lld "
             "worst=%.1e guard_damaged=%lld",
             B, H, ldy, dh_name(m), cdg.wrong, cdc.wrong, std::fmax(cdg.worst, cdc.worst), dmg);
  }
}

// ───────────────────────── GRU ─────────────────────────

void check_gru(const Shape& s, std::mt19937& rng, Tally& t) {
  const long long B = s.batch, H = s.hidden, n = B * H;
  const long long ldh = H + s.ldExtra;
  const long long ldhPrev = H + (s.ldExtra > 0 ? s.ldExtra + 1 : 0);
  const long long ldy = H + 2 * s.ldExtra;
  const char* bias = s.bias ? "bias" : "no-bias";
  const std::vector<float> gx = uniform(3 * n, -2.0f, 2.0f, rng);
  const std::vector<float> gh = uniform(3 * n, -2.0f, 2.0f, rng);
  const std::vector<float> bIh = s.bias ? uniform(3 * H, -1.0f, 1.0f, rng) : std::vector<float>{};
  const std::vector<float> bHh = s.bias ? uniform(3 * H, -1.0f, 1.0f, rng) : std::vector<float>{};
  const std::vector<float> hPrev = uniform(n, -1.0f, 1.0f, rng);
  const DeviceBuffer dGx = upload_exact(gx), dGh = upload_exact(gh);
  const DeviceBuffer dBih = upload_exact(bIh), dBhh = upload_exact(bHh);
  const DeviceBuffer dHprev = upload_exact(restride(hPrev, B, H, ldhPrev));

  DeviceBuffer hOut = guarded_output(B * ldh);
  DeviceBuffer gates = guarded_output(3 * n);
  DeviceBuffer hn = guarded_output(n);
  mnemo_gru_pointwise_fwd_params p{dGx.get(), dGh.get(), or_null(dBih, s.bias),
                                   or_null(dBhh, s.bias), dHprev.get(), hOut.get(), gates.get(),
                                   hn.get(), B, H, ldhPrev, ldh, 1, 0};
  launch_gru_fwd(true, p, nullptr);
  CHECK(cudaDeviceSynchronize());
  long long damage = 0;
  const std::vector<float> h = unstride(hOut.download(), B, H, ldh, damage);
  const std::vector<float> gBuf = gates.download();
  const std::vector<float> hnBuf = hn.download();
  damage += guard_damage(gBuf, 3 * n) + guard_damage(hnBuf, n);
  const ref::GruFwd want = ref::gru_fwd(to_double(gx), to_double(gh), to_double(bIh),
                                        to_double(bHh), to_double(hPrev), B, H);
  const Compare ch = compare(h, want.h, kRel, kAbs);
  const Compare cg = compare(gBuf, want.gates, kRel, kAbs);
  const Compare cn = compare(hnBuf, want.hn, kRel, kAbs);
  t.expect(ch.wrong + cg.wrong + cn.wrong == 0 && damage == 0,
           "gru_fwd_train  B=%-3lld H=%-4lld ldh=%-4lld ldhPrev=%-4lld %-7s wrong h=%lld "
           "gates=%lld hn=%lld worst=%.1e guard_damaged=%lld",
           B, H, ldh, ldhPrev, bias, ch.wrong, cg.wrong, cn.wrong,
           std::fmax(ch.worst, std::fmax(cg.worst, cn.worst)), damage);

  {
    DeviceBuffer hOut2 = guarded_output(B * ldh);
    mnemo_gru_pointwise_fwd_params q = p;
    q.hOut = hOut2.get();
    q.gates = nullptr;
    q.hn = nullptr;
    launch_gru_fwd(false, q, nullptr);
    CHECK(cudaDeviceSynchronize());
    long long dmg = 0;
    const std::vector<float> h2 = unstride(hOut2.download(), B, H, ldh, dmg);
    const long long diff = bit_differences(h2, h, n);
    t.expect(diff == 0 && dmg == 0,
             "gru_fwd_infer  B=%-3lld H=%-4lld gates=hn=NULL: bits differing from train=%lld "
             "guard_damaged=%lld",
             B, H, diff, dmg);
  }

  // Training with gates = gx (the layers overwrite the projection in place): same bits.
  {
    DeviceBuffer inPlace = upload_with_guard(gx);
    DeviceBuffer hOut3 = guarded_output(B * ldh);
    DeviceBuffer hn3 = guarded_output(n);
    mnemo_gru_pointwise_fwd_params q = p;
    q.gx = inPlace.get();
    q.gates = inPlace.get();
    q.hOut = hOut3.get();
    q.hn = hn3.get();
    launch_gru_fwd(true, q, nullptr);
    CHECK(cudaDeviceSynchronize());
    long long dmg = 0;
    const std::vector<float> h3 = unstride(hOut3.download(), B, H, ldh, dmg);
    const std::vector<float> g3 = inPlace.download();
    const std::vector<float> hn3v = hn3.download();
    dmg += guard_damage(g3, 3 * n) + guard_damage(hn3v, n);
    const long long diff = bit_differences(h3, h, n) + bit_differences(g3, gBuf, 3 * n) +
                           bit_differences(hn3v, hnBuf, n);
    t.expect(diff == 0 && dmg == 0,
             "gru_fwd_train  B=%-3lld H=%-4lld gates=gx in place: bits differing from apart=%lld "
             "guard_damaged=%lld",
             B, H, diff, dmg);
  }

  // Backward: every dh mode, then dhPrevDirect written over dhRec (the allowed alias).
  for (int mode = 0; mode < 5; ++mode) {
    const bool alias = mode == 4;
    const DhMode m = alias ? DhMode{true, true} : kDhModes[mode];
    const std::vector<float> dy = uniform(n, -1.0f, 1.0f, rng);
    const std::vector<float> rec = uniform(n, -1.0f, 1.0f, rng);
    const DeviceBuffer dDy = upload_exact(restride(dy, B, H, ldy));
    DeviceBuffer dRec = upload_with_guard(rec);
    DeviceBuffer dgx = guarded_output(3 * n);
    DeviceBuffer dgh = guarded_output(3 * n);
    DeviceBuffer dhPrevOwn = guarded_output(n);
    DeviceBuffer& dhPrev = alias ? dRec : dhPrevOwn;
    const mnemo_gru_pointwise_bwd_params b{or_null(dDy, m.dy), m.rec ? dRec.get() : nullptr,
                                           gates.get(), hn.get(), dHprev.get(), dgx.get(),
                                           dgh.get(), dhPrev.get(), B, H, ldy, ldhPrev};
    launch_gru_bwd(b, nullptr);
    CHECK(cudaDeviceSynchronize());
    const std::vector<float> gotX = dgx.download();
    const std::vector<float> gotH = dgh.download();
    const std::vector<float> gotP = dhPrev.download();
    const ref::GruBwd wb =
        ref::gru_bwd(dh_of(m, dy, rec), to_double(gBuf), to_double(hnBuf), to_double(hPrev), B, H);
    const Compare cx = compare(gotX, wb.dgx, kRel, kAbs);
    const Compare chh = compare(gotH, wb.dgh, kRel, kAbs);
    const Compare cp = compare(gotP, wb.dhPrev, kRel, kAbs);
    const long long dmg =
        guard_damage(gotX, 3 * n) + guard_damage(gotH, 3 * n) + guard_damage(gotP, n);
    t.expect(cx.wrong + chh.wrong + cp.wrong == 0 && dmg == 0,
             "gru_bwd        B=%-3lld H=%-4lld ldy=%-4lld %-8s%s wrong dgx=%lld dgh=%lld "
             "dhPrevDirect=%lld worst=%.1e guard_damaged=%lld",
             B, H, ldy, dh_name(m), alias ? " dhPrevDirect=dhRec" : "", cx.wrong, chh.wrong,
             cp.wrong, std::fmax(cx.worst, std::fmax(chh.worst, cp.worst)), dmg);
  }
}

}  // namespace

// ───────────────────────── the recurrent product in partials ─────────────────────────

// gh as `splits` partial products in planes `stride` apart, the gaps guard NaNs (a read of one
// shows); sum is their float total in plane order, the kernels' order, so the reference sees
// the very gh the kernels form.
struct SplitGh {
  std::vector<float> planes;
  std::vector<float> sum;
};

SplitGh split_gh(long long size, long long splits, long long stride, std::mt19937& rng) {
  SplitGh g{std::vector<float>(at((splits - 1) * stride + size), guard_value()),
            std::vector<float>(at(size), 0.0f)};
  for (long long p = 0; p < splits; ++p) {
    const std::vector<float> part = uniform(size, -1.0f, 1.0f, rng);
    for (long long i = 0; i < size; ++i) {
      g.planes[at(p * stride + i)] = part[at(i)];
      g.sum[at(i)] += part[at(i)];
    }
  }
  return g;
}

// Each cell's forward with gh in three partials against the reference on their sum.
void check_splits(const Shape& s, std::mt19937& rng, Tally& t) {
  constexpr long long kSplits = 3;
  const long long B = s.batch, H = s.hidden, n = B * H;
  const ref::Vec none;
  {
    const std::vector<float> gx = uniform(n, -2.0f, 2.0f, rng);
    const SplitGh gh = split_gh(n, kSplits, n + 7, rng);
    const DeviceBuffer dGx = upload_exact(gx), dGh = upload_exact(gh.planes);
    DeviceBuffer hOut = guarded_output(n);
    launch_rnn_fwd(false, dGx.get(), dGh.get(), nullptr, nullptr, hOut.get(), H, B, H, kSplits,
                   n + 7, nullptr);
    CHECK(cudaDeviceSynchronize());
    const std::vector<float> h = hOut.download();
    const ref::Vec want = ref::rnn_fwd(false, to_double(gx), to_double(gh.sum), none, none, B, H);
    const Compare c = compare(h, want, kRel, kAbs);
    const long long dmg = guard_damage(h, n);
    t.expect(c.wrong == 0 && dmg == 0,
             "rnn_fwd_tanh   B=%-3lld H=%-4lld gh in %lld partials: wrong=%lld worst=%.1e "
             "guard_damaged=%lld",
             B, H, kSplits, c.wrong, c.worst, dmg);
  }
  {
    const std::vector<float> gx = uniform(4 * n, -2.0f, 2.0f, rng);
    const SplitGh gh = split_gh(4 * n, kSplits, 4 * n + 3, rng);
    const std::vector<float> cPrev = uniform(n, -2.0f, 2.0f, rng);
    const DeviceBuffer dGx = upload_exact(gx), dGh = upload_exact(gh.planes);
    const DeviceBuffer dC = upload_exact(cPrev);
    DeviceBuffer hOut = guarded_output(n), cOut = guarded_output(n), gates = guarded_output(4 * n);
    const mnemo_lstm_pointwise_fwd_params p{dGx.get(), dGh.get(),  nullptr,     nullptr, dC.get(),
                                            hOut.get(), cOut.get(), gates.get(), B,       H,
                                            H,          kSplits,    4 * n + 3};
    launch_lstm_fwd(true, p, nullptr);
    CHECK(cudaDeviceSynchronize());
    const std::vector<float> h = hOut.download(), c = cOut.download(), g = gates.download();
    const ref::LstmFwd want =
        ref::lstm_fwd(to_double(gx), to_double(gh.sum), none, none, to_double(cPrev), B, H);
    const long long wrong = compare(h, want.h, kRel, kAbs).wrong +
                            compare(c, want.c, kRel, kAbs).wrong +
                            compare(g, want.gates, kRel, kAbs).wrong;
    const long long dmg = guard_damage(h, n) + guard_damage(c, n) + guard_damage(g, 4 * n);
    t.expect(wrong == 0 && dmg == 0,
             "lstm_fwd_train B=%-3lld H=%-4lld gh in %lld partials: wrong=%lld guard_damaged=%lld",
             B, H, kSplits, wrong, dmg);
  }
  {
    const std::vector<float> gx = uniform(3 * n, -2.0f, 2.0f, rng);
    const SplitGh gh = split_gh(3 * n, kSplits, 3 * n + 5, rng);
    const std::vector<float> hPrev = uniform(n, -1.0f, 1.0f, rng);
    const DeviceBuffer dGx = upload_exact(gx), dGh = upload_exact(gh.planes);
    const DeviceBuffer dH = upload_exact(hPrev);
    DeviceBuffer hOut = guarded_output(n), gates = guarded_output(3 * n), hn = guarded_output(n);
    const mnemo_gru_pointwise_fwd_params p{dGx.get(), dGh.get(),   nullptr,  nullptr, dH.get(),
                                           hOut.get(), gates.get(), hn.get(), B,       H,
                                           H,          H,           kSplits,  3 * n + 5};
    launch_gru_fwd(true, p, nullptr);
    CHECK(cudaDeviceSynchronize());
    const std::vector<float> h = hOut.download(), g = gates.download(), hnv = hn.download();
    const ref::GruFwd want =
        ref::gru_fwd(to_double(gx), to_double(gh.sum), none, none, to_double(hPrev), B, H);
    const long long wrong = compare(h, want.h, kRel, kAbs).wrong +
                            compare(g, want.gates, kRel, kAbs).wrong +
                            compare(hnv, want.hn, kRel, kAbs).wrong;
    const long long dmg = guard_damage(h, n) + guard_damage(g, 3 * n) + guard_damage(hnv, n);
    t.expect(wrong == 0 && dmg == 0,
             "gru_fwd_train  B=%-3lld H=%-4lld gh in %lld partials: wrong=%lld guard_damaged=%lld",
             B, H, kSplits, wrong, dmg);
  }
}

void check_cells(std::mt19937& rng, Tally& t) {
  fd_rnn(false, rng, t);
  fd_rnn(true, rng, t);
  fd_lstm(rng, t);
  fd_gru(rng, t);
  for (const Shape& s : kShapes) {
    check_rnn(s, false, rng, t);
    check_rnn(s, true, rng, t);
    check_lstm(s, rng, t);
    check_gru(s, rng, t);
    check_splits(s, rng, t);
  }
}

}  // namespace mnemo::harness
