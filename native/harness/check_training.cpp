// check_training.cpp — `mnemo_harness check` for the training kernels: column sums (one pass,
// split, the recommended schedule; exact on integer data, determinism), softmax cross-entropy
// (warp and block paths, ignore index, invalid targets, large offsets, −inf logits, any grid,
// the allowed alias), MSE, and several steps of SGD, Adam/AdamW and RMSprop against
// reference.h.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
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

// ───────────────────────── column sums ─────────────────────────

struct SumCase {
  long long rows;
  long long cols;
};
const SumCase kSumCases[] = {{0, 5},         {1, 1},          {7, 33},     {300, 1},
                             {1000, 257},    {4096, 4096},    {100000, 512},
                             {1000003, 1},   {(1 << 20) + 7, 3}};

// Float sums of up to a few thousand O(1) terms per thread, then short trees: far inside
// 1e-6 of Σ|x| (the sum's own condition scale).
constexpr double kSumRel = 1e-6;

long long sum_wrong(const std::vector<float>& got, const ref::Vec& want, const ref::Vec& scale,
                    bool exact) {
  long long wrong = 0;
  for (std::size_t c = 0; c < want.size(); ++c) {
    const double err = std::fabs(static_cast<double>(got[c]) - want[c]);
    wrong += (exact ? err == 0.0 : err <= kSumRel * scale[c] + 1e-6) ? 0 : 1;
  }
  return wrong;
}

void check_sum_rows(const SumCase& k, std::mt19937& rng, Tally& t) {
  const long long R = k.rows, C = k.cols;
  const long long S = sum_rows_splits(R, C);
  const long long scratch = sum_rows_scratch_count(R, C);

  // 1. Integer data: every order of summation is exact, so the recommended schedule must give
  //    the double reference bit for bit (a dropped or doubled row cannot hide), beta = 0 over a
  //    NaN-filled out; then the same again must give the same bits.
  {
    const std::vector<float> in = small_integers(R * C, 8, rng);
    const DeviceBuffer dIn = upload_exact(in);
    DeviceBuffer out = guarded_output(C);
    DeviceBuffer out2 = guarded_output(C);
    DeviceBuffer partials = guarded_output(scratch);
    launch_sum_rows(out.get(), dIn.get(), R, C, 0.0f, partials.get(), nullptr);
    launch_sum_rows(out2.get(), dIn.get(), R, C, 0.0f, partials.get(), nullptr);
    CHECK(cudaDeviceSynchronize());
    const std::vector<float> got = out.download();
    const std::vector<float> got2 = out2.download();
    const std::vector<float> gotP = partials.download();
    ref::Vec want, scale;
    ref::column_sums(in, R, C, want, scale);
    const long long wrong = sum_wrong(got, want, scale, true);
    const long long dmg = guard_damage(got, C) + guard_damage(gotP, scratch);
    const long long nondet = bit_differences(got, got2, C);
    t.expect(wrong == 0 && dmg == 0 && nondet == 0,
             "sum_rows rows=%-8lld cols=%-5lld splits=%-5lld integers exact, beta=0: wrong=%lld "
             "rerun_bits_differing=%lld guard_damaged=%lld",
             R, C, S, wrong, nondet, dmg);
  }

  // 2. Real data, beta = 1 (accumulate into out), three schedules: recommended, one pass,
  //    split with an odd rowsPerSplit (37: splits end mid-way through the 8 row lanes).
  const std::vector<float> in = uniform(R * C, -1.0f, 1.0f, rng);
  const std::vector<float> out0 = uniform(C, -1.0f, 1.0f, rng);
  const DeviceBuffer dIn = upload_exact(in);
  ref::Vec want, scale;
  ref::column_sums(in, R, C, want, scale);
  for (std::size_t c = 0; c < want.size(); ++c) {
    want[c] += out0[c];
    scale[c] += std::fabs(out0[c]);
  }
  for (int schedule = 0; schedule < 3; ++schedule) {
    const long long rowsPerSplit = 37;
    const long long splitsBy37 = (R + rowsPerSplit - 1) / rowsPerSplit;
    const bool splitFits = R >= 1 && splitsBy37 <= MNEMO_SUM_ROWS_MAX_SPLITS;
    if (schedule == 2 && !splitFits) continue;
    const long long splits = schedule == 2 ? splitsBy37 : 0;
    DeviceBuffer out = upload_with_guard(out0);
    DeviceBuffer partials = guarded_output(schedule == 0 ? scratch : splits * C);
    if (schedule == 0) {
      launch_sum_rows(out.get(), dIn.get(), R, C, 1.0f, partials.get(), nullptr);
    } else if (schedule == 1) {
      launch_sum_rows_one_pass(out.get(), dIn.get(), R, C, 1.0f, nullptr);
    } else {
      launch_sum_rows_partial(partials.get(), dIn.get(), R, C, rowsPerSplit, nullptr);
      launch_sum_rows_one_pass(out.get(), partials.get(), splits, C, 1.0f, nullptr);
    }
    CHECK(cudaDeviceSynchronize());
    const std::vector<float> got = out.download();
    const std::vector<float> gotP = partials.download();
    const long long wrong = sum_wrong(got, want, scale, false);
    const long long dmg = guard_damage(got, C) + guard_damage(gotP, partials.count() - kGuard);
    const char* names[] = {"recommended", "one pass", "split by 37"};
    t.expect(wrong == 0 && dmg == 0,
             "sum_rows rows=%-8lld cols=%-5lld %-11s real, beta=1: wrong=%lld guard_damaged=%lld",
             R, C, names[schedule], wrong, dmg);
  }
}

// ───────────────────────── softmax cross-entropy ─────────────────────────

struct XentCase {
  long long rows;
  long long classes;
  float offset;       // added to every logit (max-subtraction must absorb it)
  bool masked;        // ~10% of the non-target logits are −inf
  bool invalid;       // rows 1 and 2 get the invalid targets C and −2
  bool stats;         // false: forward only, stats NULL
};
const XentCase kXentCases[] = {
    {0, 5, 0.0f, false, false, true},      {1, 1, 0.0f, false, false, true},
    {5, 2, 0.0f, false, false, true},      {37, 33, 0.0f, false, true, true},
    {64, 1024, 0.0f, false, false, true},  {9, 1025, 0.0f, false, true, true},
    {3, 50257, 0.0f, false, false, true},  {1000, 7, 0.0f, false, false, false},
    {130, 4000, 1000.0f, false, false, true}, {50, 100, -50.0f, true, false, true},
    {20, 3000, 0.0f, true, false, true},
    {400, 50257, 0.0f, false, true, true},  // R·C > 65535·256: the backward's grid-stride loop
};

void check_xent(const XentCase& k, std::mt19937& rng, Tally& t) {
  const long long R = k.rows, C = k.classes;
  std::vector<float> logits = uniform(R * C, -4.0f, 4.0f, rng);
  std::vector<int> targets(at(R));
  std::uniform_int_distribution<long long> cls(0, C - 1);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  long long counted = 0;
  for (long long r = 0; r < R; ++r) {
    targets[at(r)] = u(rng) < 0.15f ? -1 : static_cast<int>(cls(rng));
    if (k.invalid && r == 1) targets[at(r)] = static_cast<int>(C);
    if (k.invalid && r == 2) targets[at(r)] = -2;
    counted += targets[at(r)] >= 0 && targets[at(r)] < C ? 1 : 0;
  }
  for (long long r = 0; r < R; ++r) {
    for (long long c = 0; c < C; ++c) {
      float& x = logits[at(r * C + c)];
      x += k.offset;
      if (k.masked && c != targets[at(r)] && u(rng) < 0.1f) {
        x = -std::numeric_limits<float>::infinity();
      }
    }
  }
  const DeviceBuffer dLogits = upload_exact(logits);
  DeviceArray<int> dTargets(R);
  if (R > 0) dTargets.upload(targets);
  const ref::Vec xd = to_double(logits);
  const ref::XentFwd want = ref::xent_fwd(xd, targets, R, C);

  DeviceBuffer loss = guarded_output(R);
  DeviceBuffer stats = guarded_output(2 * R);
  float* statsPtr = k.stats ? stats.get() : nullptr;
  launch_xent_fwd(dLogits.get(), dTargets.get(), loss.get(), statsPtr, R, C, nullptr);
  CHECK(cudaDeviceSynchronize());
  const std::vector<float> gotLoss = loss.download();
  const std::vector<float> gotStats = stats.download();
  const Compare cl = compare(gotLoss, want.loss, 1e-5, 1e-5);
  long long statsWrong = 0;
  if (k.stats) {
    for (long long r = 0; r < R; ++r) {
      statsWrong += static_cast<double>(gotStats[at(2 * r)]) == want.rowMax[at(r)] ? 0 : 1;
      statsWrong += near(gotStats[at(2 * r + 1)], want.logSum[at(r)], 1e-5, 1e-6) ? 0 : 1;
    }
  }
  const long long dmg = guard_damage(gotLoss, R) + guard_damage(gotStats, k.stats ? 2 * R : 0);

  // Any grid gives the same bits (rows are walked grid-stride).
  long long gridDiff = 0;
  for (unsigned grid : {1u, 7u}) {
    DeviceBuffer loss2 = guarded_output(R);
    DeviceBuffer stats2 = guarded_output(2 * R);
    launch_xent_fwd_with_grid(grid, dLogits.get(), dTargets.get(), loss2.get(),
                              k.stats ? stats2.get() : nullptr, R, C, nullptr);
    CHECK(cudaDeviceSynchronize());
    gridDiff += bit_differences(loss2.download(), gotLoss, R);
    if (k.stats) gridDiff += bit_differences(stats2.download(), gotStats, 2 * R);
  }
  t.expect(cl.wrong == 0 && statsWrong == 0 && dmg == 0 && gridDiff == 0,
           "xent_fwd R=%-5lld C=%-6lld %s%s%s%s wrong loss=%lld stats=%lld worst=%.1e "
           "grid1/7_bits_differing=%lld guard_damaged=%lld",
           R, C, C <= MNEMO_LOSS_XENT_WARP_MAX_CLASSES ? "warp/row" : "block/row",
           k.offset != 0.0f ? " offset" : "", k.masked ? " -inf" : "",
           k.invalid ? " invalid-targets" : "", cl.wrong, statsWrong, cl.worst, gridDiff, dmg);
  if (!k.stats) return;

  // Backward, scale = 1 / (non-ignored rows): against softmax from the logits in double; then
  // in place over a copy of the logits (the allowed alias) must give the same bits.
  const float scale = 1.0f / static_cast<float>(std::max(counted, 1LL));
  DeviceBuffer dl = guarded_output(R * C);
  launch_xent_bwd(dl.get(), dLogits.get(), dTargets.get(), stats.get(), R, C, scale, nullptr);
  DeviceBuffer inPlace = upload_with_guard(logits);
  launch_xent_bwd(inPlace.get(), inPlace.get(), dTargets.get(), stats.get(), R, C, scale, nullptr);
  CHECK(cudaDeviceSynchronize());
  const std::vector<float> got = dl.download();
  const std::vector<float> got2 = inPlace.download();
  const Compare cb = compare(got, ref::xent_bwd(xd, targets, R, C, scale), 1e-5, 1e-6 * scale);
  const long long aliasDiff = bit_differences(got2, got, R * C);
  const long long dmgB = guard_damage(got, R * C) + guard_damage(got2, R * C);
  t.expect(cb.wrong == 0 && aliasDiff == 0 && dmgB == 0,
           "xent_bwd R=%-5lld C=%-6lld scale=1/%lld wrong=%lld worst=%.1e "
           "in-place_bits_differing=%lld guard_damaged=%lld",
           R, C, std::max(counted, 1LL), cb.wrong, cb.worst, aliasDiff, dmgB);
}

// Host-only: the reference gradient against central differences of Σ scale·loss.
void fd_xent(std::mt19937& rng, Tally& t) {
  const long long R = 4, C = 5;
  std::uniform_real_distribution<double> dist(-3.0, 3.0);
  ref::Vec x(at(R * C));
  for (double& v : x) v = dist(rng);
  const std::vector<int> targets = {2, -1, 0, 4};
  const double scale = 1.0 / 3.0;
  auto loss = [&](const ref::Vec& v) {
    const ref::XentFwd f = ref::xent_fwd(v, targets, R, C);
    double s = 0.0;
    for (double l : f.loss) s += scale * l;
    return s;
  };
  const ref::Vec g = ref::xent_bwd(x, targets, R, C, scale);
  double worst = 0.0;
  const double h = 1e-6;
  for (std::size_t i = 0; i < x.size(); ++i) {
    ref::Vec p = x, m = x;
    p[i] += h;
    m[i] -= h;
    worst = std::fmax(worst, std::fabs((loss(p) - loss(m)) / (2.0 * h) - g[i]));
  }
  t.expect(worst < 1e-7, "reference xent backward vs finite differences: max error %.2e", worst);
}

// ───────────────────────── MSE ─────────────────────────

const long long kMseSizes[] = {0, 1, 1000, (1LL << 20) + 3, kPastOneGridPass};

void check_mse(long long n, std::mt19937& rng, Tally& t) {
  // Forward on integers: every partial is exact, so compare bit for bit with the host's
  // partials for the same grid-stride assignment (element i belongs to block (i / 256) mod G).
  {
    const std::vector<float> pred = small_integers(n, 8, rng);
    const std::vector<float> target = small_integers(n, 8, rng);
    const long long G = mse_partials_count(n);
    const DeviceBuffer dp = upload_exact(pred), dt = upload_exact(target);
    DeviceBuffer partials = guarded_output(2 * G);  // G doubles, then the guard
    launch_mse_fwd(dp.get(), dt.get(), n, reinterpret_cast<double*>(partials.get()), nullptr);
    CHECK(cudaDeviceSynchronize());
    const std::vector<float> raw = partials.download();
    std::vector<double> got(at(G));
    std::memcpy(got.data(), raw.data(), at(G) * sizeof(double));
    ref::Vec want(at(G), 0.0);
    double total = 0.0;
    for (long long i = 0; i < n; ++i) {
      const double d = static_cast<double>(pred[at(i)]) - target[at(i)];
      want[at((i / 256) % G)] += d * d;
      total += d * d;
    }
    long long wrong = 0;
    double gotTotal = 0.0;
    for (long long b = 0; b < G; ++b) {
      wrong += got[at(b)] == want[at(b)] ? 0 : 1;
      gotTotal += got[at(b)];
    }
    const long long dmg = guard_damage(raw, 2 * G);
    t.expect(wrong == 0 && dmg == 0 && gotTotal == total,
             "mse_fwd  n=%-9lld partials=%-4lld integers exact: wrong=%lld sum=%.17g (host %.17g) "
             "guard_damaged=%lld",
             n, G, wrong, gotTotal, total, dmg);
  }
  // Differences of 1e20 and more: every square overflows float, not the double partials.
  if (n > 0 && n <= (1LL << 20) + 3) {
    std::vector<float> pred = uniform(n, -2.0f, 2.0f, rng);
    const std::vector<float> target = uniform(n, -2.0f, 2.0f, rng);
    for (float& v : pred) v *= 1e20f;
    const long long G = mse_partials_count(n);
    const DeviceBuffer dp = upload_exact(pred), dt = upload_exact(target);
    DeviceArray<double> partials(G);
    launch_mse_fwd(dp.get(), dt.get(), n, partials.get(), nullptr);
    CHECK(cudaDeviceSynchronize());
    const std::vector<double> got = partials.download();
    double total = 0.0, gotTotal = 0.0;
    for (long long i = 0; i < n; ++i) {
      const double d = static_cast<double>(pred[at(i)]) - target[at(i)];
      total += d * d;
    }
    for (double v : got) gotTotal += v;
    t.expect(std::isfinite(gotTotal) && std::fabs(gotTotal - total) <= 1e-12 * total,
             "mse_fwd  n=%-9lld partials=%-4lld x1e20: sum=%.17g (host %.17g)", n, G, gotTotal, total);
  }
  // Backward, scale = 1/n, then in place over pred (the allowed alias).
  const std::vector<float> pred = uniform(n, -2.0f, 2.0f, rng);
  const std::vector<float> target = uniform(n, -2.0f, 2.0f, rng);
  const float scale = 1.0f / static_cast<float>(std::max(n, 1LL));
  const DeviceBuffer dp = upload_exact(pred), dt = upload_exact(target);
  DeviceBuffer dpred = guarded_output(n);
  DeviceBuffer inPlace = upload_with_guard(pred);
  launch_mse_bwd(dpred.get(), dp.get(), dt.get(), n, scale, nullptr);
  launch_mse_bwd(inPlace.get(), inPlace.get(), dt.get(), n, scale, nullptr);
  CHECK(cudaDeviceSynchronize());
  const std::vector<float> got = dpred.download();
  const std::vector<float> got2 = inPlace.download();
  ref::Vec want(at(n));
  for (long long i = 0; i < n; ++i) {
    want[at(i)] = 2.0 * (static_cast<double>(pred[at(i)]) - target[at(i)]) * scale;
  }
  const Compare c = compare(got, want, 1e-6, 0.0);
  const long long aliasDiff = bit_differences(got2, got, n);
  const long long dmg = guard_damage(got, n) + guard_damage(got2, n);
  t.expect(c.wrong == 0 && aliasDiff == 0 && dmg == 0,
           "mse_bwd  n=%-9lld wrong=%lld worst=%.1e in-place_bits_differing=%lld "
           "guard_damaged=%lld",
           n, c.wrong, c.worst, aliasDiff, dmg);
}

// ───────────────────────── optimizers ─────────────────────────

const long long kOptimSizes[] = {0, 1, 1000, (1LL << 20) + 3};
// Past 65535·256 threads every thread loops more than once: one configuration each.
constexpr long long kOptimLargeSize = kPastOneGridPass;
constexpr int kOptimSteps = 5;
// float32 updates against double: a few ulps per step of p (|p| ~ 1) and of the state; the
// absolute part is scaled by each buffer's largest value (see tally_buffer).
constexpr double kOptimRel = 1e-5;
constexpr double kOptimAbs = 1e-6;

// Gradients in [-1, 1] with |grad + weightDecay·p| >= 0.01. A smaller effective gradient is
// ill-conditioned in float32 (PyTorch's too): grad + wd·p cancels, and where g is near eps
// RMSprop's and Adam's first step g / (c·|g| + eps) turns that rounding into a relative error
// far past any fixed tolerance. Such elements test the rounding, not the kernel.
std::vector<float> gradients(const ref::Vec& p, double weightDecay, std::mt19937& rng) {
  std::vector<float> g = uniform(static_cast<long long>(p.size()), -1.0f, 1.0f, rng);
  for (std::size_t i = 0; i < g.size(); ++i) {
    const double effective = g[i] + weightDecay * p[i];
    if (std::fabs(effective) < 0.01) g[i] += effective < 0.0 ? -0.05f : 0.05f;
  }
  return g;
}

// Compares a device buffer (n + guard) with the reference; adds to wrong and damage. The
// absolute part of the tolerance scales with the buffer's largest value: a momentum buffer is a
// sum of terms up to ~1/sqrt(1 − alpha) that may cancel to near 0, leaving an absolute error of
// that terms' ulps (float32 rounding, PyTorch's too), not of the small result.
void tally_buffer(const DeviceBuffer& d, const ref::Vec& want, long long n, long long& wrong,
                  long long& damage, double& worst) {
  const std::vector<float> got = d.download();
  double largest = 1.0;
  for (double w : want) largest = std::fmax(largest, std::fabs(w));
  const Compare c = compare(got, want, kOptimRel, kOptimAbs * largest);
  wrong += c.wrong;
  worst = std::fmax(worst, c.worst);
  damage += guard_damage(got, n);
}

void check_sgd(long long n, const ref::SgdConfig& cfg, std::mt19937& rng, Tally& t) {
  const std::vector<float> p0 = uniform(n, -1.0f, 1.0f, rng);
  DeviceBuffer param = upload_with_guard(p0);
  // The first step must overwrite the buffer without reading it: start it as NaN (guard bits).
  DeviceBuffer buf = guarded_output(n);
  ref::Vec p = to_double(p0), b(at(n), 0.0);
  const bool momentum = cfg.momentum != 0.0;
  long long wrong = 0, damage = 0;
  double worst = 0.0;
  for (int step = 1; step <= kOptimSteps; ++step) {
    const std::vector<float> g = gradients(p, cfg.weightDecay, rng);
    const DeviceBuffer dg = upload_exact(g);
    const mnemo_optim_sgd_params hp{cfg.lr, cfg.momentum, cfg.dampening, cfg.weightDecay,
                                    cfg.nesterov ? 1 : 0, step == 1 ? 1 : 0};
    launch_sgd(param.get(), dg.get(), momentum ? buf.get() : nullptr, n, hp, nullptr);
    CHECK(cudaDeviceSynchronize());
    ref::sgd_step(p, to_double(g), b, step == 1, cfg);
    tally_buffer(param, p, n, wrong, damage, worst);
    if (momentum) {
      tally_buffer(buf, b, n, wrong, damage, worst);
    } else {
      damage += guard_damage(buf.download(), 0);  // never touched: still all guard bits
    }
  }
  t.expect(wrong == 0 && damage == 0,
           "sgd      n=%-8lld lr=%g momentum=%g dampening=%g wd=%g nesterov=%d, %d steps: "
           "wrong=%lld worst=%.1e guard_damaged=%lld",
           n, cfg.lr, cfg.momentum, cfg.dampening, cfg.weightDecay, cfg.nesterov ? 1 : 0,
           kOptimSteps, wrong, worst, damage);
}

void check_adam(long long n, const ref::AdamConfig& cfg, std::mt19937& rng, Tally& t) {
  const std::vector<float> p0 = uniform(n, -1.0f, 1.0f, rng);
  DeviceBuffer param = upload_with_guard(p0);
  DeviceBuffer m = upload_with_guard(std::vector<float>(at(n), 0.0f));
  DeviceBuffer v = upload_with_guard(std::vector<float>(at(n), 0.0f));
  ref::Vec p = to_double(p0), rm(at(n), 0.0), rv(at(n), 0.0);
  long long wrong = 0, damage = 0;
  double worst = 0.0;
  for (int step = 1; step <= kOptimSteps; ++step) {
    const std::vector<float> g = gradients(p, cfg.decoupled ? 0.0 : cfg.weightDecay, rng);
    const DeviceBuffer dg = upload_exact(g);
    const mnemo_optim_adam_params hp{cfg.lr,          cfg.beta1, cfg.beta2, cfg.eps,
                                     cfg.weightDecay, step,      cfg.decoupled ? 1 : 0};
    launch_adam(param.get(), dg.get(), m.get(), v.get(), n, hp, nullptr);
    CHECK(cudaDeviceSynchronize());
    ref::adam_step(p, to_double(g), rm, rv, step, cfg);
    tally_buffer(param, p, n, wrong, damage, worst);
    tally_buffer(m, rm, n, wrong, damage, worst);
    tally_buffer(v, rv, n, wrong, damage, worst);
  }
  t.expect(wrong == 0 && damage == 0,
           "%-8s n=%-8lld lr=%g betas=(%g, %g) eps=%g wd=%g, %d steps: wrong=%lld worst=%.1e "
           "guard_damaged=%lld",
           cfg.decoupled ? "adamw" : "adam", n, cfg.lr, cfg.beta1, cfg.beta2, cfg.eps,
           cfg.weightDecay, kOptimSteps, wrong, worst, damage);
}

void check_rmsprop(long long n, const ref::RmspropConfig& cfg, std::mt19937& rng, Tally& t) {
  const std::vector<float> p0 = uniform(n, -1.0f, 1.0f, rng);
  const std::vector<float> zeros(at(n), 0.0f);
  DeviceBuffer param = upload_with_guard(p0);
  DeviceBuffer sq = upload_with_guard(zeros);
  const bool momentum = cfg.momentum > 0.0;
  // Buffers the configuration does not use are passed as NULL; the ones it does start at 0.
  DeviceBuffer buf = upload_with_guard(zeros);
  DeviceBuffer ga = upload_with_guard(zeros);
  ref::Vec p = to_double(p0), rsq(at(n), 0.0), rbuf(at(n), 0.0), rga(at(n), 0.0);
  long long wrong = 0, damage = 0;
  double worst = 0.0;
  for (int step = 1; step <= kOptimSteps; ++step) {
    const std::vector<float> g = gradients(p, cfg.weightDecay, rng);
    const DeviceBuffer dg = upload_exact(g);
    const mnemo_optim_rmsprop_params hp{cfg.lr,       cfg.alpha,   cfg.eps, cfg.weightDecay,
                                        cfg.momentum, cfg.centered ? 1 : 0};
    launch_rmsprop(param.get(), dg.get(), sq.get(), momentum ? buf.get() : nullptr,
                   cfg.centered ? ga.get() : nullptr, n, hp, nullptr);
    CHECK(cudaDeviceSynchronize());
    ref::rmsprop_step(p, to_double(g), rsq, rbuf, rga, cfg);
    tally_buffer(param, p, n, wrong, damage, worst);
    tally_buffer(sq, rsq, n, wrong, damage, worst);
    tally_buffer(buf, rbuf, n, wrong, damage, worst);  // stays 0 when unused
    tally_buffer(ga, rga, n, wrong, damage, worst);    // stays 0 when unused
  }
  t.expect(wrong == 0 && damage == 0,
           "rmsprop  n=%-8lld lr=%g alpha=%g eps=%g wd=%g momentum=%g centered=%d, %d steps: "
           "wrong=%lld worst=%.1e guard_damaged=%lld",
           n, cfg.lr, cfg.alpha, cfg.eps, cfg.weightDecay, cfg.momentum, cfg.centered ? 1 : 0,
           kOptimSteps, wrong, worst, damage);
}

const ref::SgdConfig kSgdConfigs[] = {
    {0.1, 0.0, 0.0, 0.0, false},
    {0.1, 0.9, 0.0, 0.0, false},
    {0.05, 0.9, 0.1, 0.01, false},
    {0.05, 0.9, 0.0, 1e-3, true},
};
const ref::AdamConfig kAdamConfigs[] = {
    {1e-3, 0.9, 0.999, 1e-8, 0.0, false},   // torch.optim.Adam defaults
    {0.1, 0.9, 0.999, 1e-8, 0.1, false},    // L2 weight decay
    {0.05, 0.8, 0.99, 1e-8, 0.1, true},     // AdamW
    {0.01, 0.9, 0.999, 1e-3, 0.0, false},   // large eps: its place in the formula matters
};
const ref::RmspropConfig kRmspropConfigs[] = {
    {0.01, 0.99, 1e-8, 0.0, 0.0, false},    // torch.optim.RMSprop defaults
    {0.01, 0.99, 1e-8, 0.0, 0.0, true},
    {0.01, 0.9, 1e-6, 0.01, 0.9, false},
    {0.005, 0.99, 1e-8, 0.01, 0.9, true},
};

}  // namespace

void check_training(std::mt19937& rng, Tally& t) {
  fd_xent(rng, t);
  for (const SumCase& k : kSumCases) check_sum_rows(k, rng, t);
  for (const XentCase& k : kXentCases) check_xent(k, rng, t);
  for (long long n : kMseSizes) check_mse(n, rng, t);
  for (long long n : kOptimSizes) {
    for (const ref::SgdConfig& c : kSgdConfigs) check_sgd(n, c, rng, t);
    for (const ref::AdamConfig& c : kAdamConfigs) check_adam(n, c, rng, t);
    for (const ref::RmspropConfig& c : kRmspropConfigs) check_rmsprop(n, c, rng, t);
  }
  check_sgd(kOptimLargeSize, kSgdConfigs[2], rng, t);
  check_adam(kOptimLargeSize, kAdamConfigs[2], rng, t);
  check_rmsprop(kOptimLargeSize, kRmspropConfigs[3], rng, t);
}

}  // namespace mnemo::harness
