// check.cpp — `mnemo_harness check`: every kernel on small inputs against a host reference,
// plus guard elements past n that must stay untouched. This file: fill, axpby, clip, and the
// driver; check_cells.cpp: the recurrent cells; check_training.cpp: column sums, losses,
// optimizers. Run it under `compute-sanitizer --tool memcheck` on a GPU machine too.
// Exit 0 all passed, 1 any failed.
// Seed: MNEMO_CHECK_SEED (default below), printed first. MNEMO_CHECK_ONLY, a comma list of groups
// (basic, cells, training, memnet, persistent, eigen, dropout), runs those alone: a short GPU lease
// can put the later groups under memcheck.
#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "check_util.h"
#include "commands.h"
#include "cuda_check.h"
#include "device_buffer.h"
#include "kernel_launch.h"

namespace mnemo::harness {
namespace {

using check::at;
using check::guard_damage;
using check::kGuard;
using check::kGuardBits;

const long long kSizes[] = {0, 1, 1000, (1LL << 20) + 3, kPastOneGridPass};

bool close(float got, double want, double rel_tol) {
  return std::fabs(static_cast<double>(got) - want) <= rel_tol * std::fmax(1.0, std::fabs(want));
}

// n random values in [-1, 1], then guard values.
std::vector<float> random_with_guard(long long n, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> host(static_cast<std::size_t>(n + kGuard));
  for (long long i = 0; i < n; ++i) host[static_cast<std::size_t>(i)] = dist(rng);
  for (long long i = n; i < n + kGuard; ++i) std::memcpy(&host[i], &kGuardBits, sizeof(float));
  return host;
}

void check_fill(long long n, Tally& t) {
  DeviceBuffer x(n + kGuard);
  CHECK(cudaMemset(x.get(), 0xFF, static_cast<std::size_t>(n + kGuard) * sizeof(float)));
  launch_fill(x.get(), n, 3.25f, nullptr);
  CHECK(cudaDeviceSynchronize());
  const std::vector<float> got = x.download();
  long long wrong = 0;
  for (long long i = 0; i < n; ++i) wrong += got[static_cast<std::size_t>(i)] == 3.25f ? 0 : 1;
  t.expect(wrong == 0 && guard_damage(got, n) == 0, "fill   n=%-9lld wrong=%lld guard_damaged=%lld",
           n, wrong, guard_damage(got, n));
}

// y = alpha·x + beta·y against the host; y_init NaN when beta == 0 (must not be read).
void check_axpby_case(long long n, float alpha, float beta, bool alias, std::mt19937& rng,
                      Tally& t) {
  const std::vector<float> hx = random_with_guard(n, rng);
  std::vector<float> hy = random_with_guard(n, rng);
  if (beta == 0.0f) std::fill(hy.begin(), hy.begin() + n, std::nanf(""));
  DeviceBuffer x(n + kGuard);
  DeviceBuffer y(n + kGuard);
  x.upload(hx);
  y.upload(alias ? hx : hy);
  float* dy = alias ? x.get() : y.get();
  launch_axpby(dy, alias ? dy : x.get(), n, alpha, beta, nullptr);
  CHECK(cudaDeviceSynchronize());
  const std::vector<float> got = alias ? x.download() : y.download();
  long long wrong = 0;
  for (long long i = 0; i < n; ++i) {
    const std::size_t k = static_cast<std::size_t>(i);
    const double yi = alias ? hx[k] : hy[k];
    const double want = beta == 0.0f ? alpha * static_cast<double>(hx[k])
                                     : alpha * static_cast<double>(hx[k]) + beta * yi;
    wrong += close(got[k], want, 1e-6) ? 0 : 1;
  }
  t.expect(wrong == 0 && guard_damage(got, n) == 0,
           "axpby  n=%-9lld alpha=%g beta=%g%s wrong=%lld guard_damaged=%lld", n, alpha, beta,
           alias ? " y=x" : "", wrong, guard_damage(got, n));
}

// Both passes; maxNorm either forces clipping or is twice the norm (x must stay bit-exact).
// magnitude scales the elements: at 1e20 every square overflows float (the partials are double).
void check_clip_case(long long n, bool clipping, float magnitude, std::mt19937& rng, Tally& t) {
  std::vector<float> hx = random_with_guard(n, rng);
  for (long long i = 0; i < n; ++i) hx[at(i)] *= magnitude;
  double sumsq = 0.0;
  for (long long i = 0; i < n; ++i) sumsq += static_cast<double>(hx[at(i)]) * hx[at(i)];
  const double norm = std::sqrt(sumsq);
  const float maxNorm = clipping ? 0.5f * static_cast<float>(norm) + 1e-3f
                                 : 2.0f * static_cast<float>(norm) + 1.0f;
  const double coef = std::fmin(1.0, maxNorm / (norm + 1e-6));  // the header's rule

  const long long numPartials = clip_partials_count(n);
  const long long partialFloats = 2 * numPartials;  // doubles
  DeviceBuffer x(n + kGuard);
  DeviceBuffer partials(partialFloats + kGuard);
  DeviceBuffer normOut(1 + kGuard);
  x.upload(hx);
  CHECK(cudaMemset(partials.get(), 0xFF,
                   static_cast<std::size_t>(partialFloats + kGuard) * sizeof(float)));
  CHECK(cudaMemset(normOut.get(), 0xFF, static_cast<std::size_t>(1 + kGuard) * sizeof(float)));
  launch_clip(x.get(), n, reinterpret_cast<double*>(partials.get()), maxNorm, normOut.get(), nullptr);
  CHECK(cudaDeviceSynchronize());
  const std::vector<float> got = x.download();
  const std::vector<float> gotPartials = partials.download();
  const std::vector<float> gotNorm = normOut.download();

  long long wrong = 0;
  for (long long i = 0; i < n; ++i) {
    const std::size_t k = static_cast<std::size_t>(i);
    // The no-op case must leave x bit-exact (coef ≈ 2 there, far from the threshold).
    const bool ok = clipping ? close(got[k], hx[k] * coef, 1e-5) : got[k] == hx[k];
    wrong += ok ? 0 : 1;
  }
  const long long damaged = guard_damage(got, n) + guard_damage(gotPartials, partialFloats) +
                            guard_damage(gotNorm, 1);
  const bool normOk = close(gotNorm[0], norm, 1e-5);
  t.expect(wrong == 0 && damaged == 0 && normOk,
           "clip   n=%-9lld %-8s x%-5g partials=%lld norm=%.6g (host %.6g) wrong=%lld guard_damaged=%lld",
           n, clipping ? "clipping" : "no-op", static_cast<double>(magnitude), numPartials, gotNorm[0], norm,
           wrong, damaged);
}

// Whether MNEMO_CHECK_ONLY (unset: every group) names `group`.
bool wanted(const char* group) {
  const char* only = std::getenv("MNEMO_CHECK_ONLY");
  if (only == nullptr || *only == '\0') return true;
  const std::size_t n = std::strlen(group);
  for (const char* at = only; (at = std::strstr(at, group)) != nullptr; at += n) {
    const bool starts = at == only || at[-1] == ',';
    const bool ends = at[n] == '\0' || at[n] == ',';
    if (starts && ends) return true;
  }
  return false;
}

}  // namespace

int run_check() {
  const char* seedEnv = std::getenv("MNEMO_CHECK_SEED");
  const unsigned seed = seedEnv != nullptr ? static_cast<unsigned>(std::strtoul(seedEnv, nullptr, 10))
                                           : 20261126u;
  std::printf("mnemo_harness check: seed %u (MNEMO_CHECK_SEED)\n", seed);
  std::mt19937 rng(seed);
  Tally t;
  if (const char* only = std::getenv("MNEMO_CHECK_ONLY"); only != nullptr && *only != '\0') {
    std::printf("mnemo_harness check: only %s (MNEMO_CHECK_ONLY)\n", only);
  }
  if (wanted("basic")) {
    for (long long n : kSizes) {
      check_fill(n, t);
      check_axpby_case(n, -1.25f, 0.5f, false, rng, t);
      check_axpby_case(n, 2.0f, 0.0f, false, rng, t);
      check_axpby_case(n, 0.75f, -0.5f, true, rng, t);
      check_clip_case(n, true, 1.0f, rng, t);
      check_clip_case(n, false, 1.0f, rng, t);
      if (n > 0 && n <= (1LL << 20) + 3) check_clip_case(n, true, 1e20f, rng, t);  // float squares overflow
    }
  }
  if (wanted("cells")) check_cells(rng, t);
  if (wanted("training")) check_training(rng, t);
  if (wanted("memnet")) {
    check_memnet(rng, t);
    std::mt19937 fork = rng;  // a copy: the groups after memnet keep the inputs they had before
    check_memnet_sequence(fork, t);
    check_memnet_stream(fork, t);
  }
  if (wanted("persistent")) check_persistent(rng, t);
  if (wanted("eigen")) check_eigen(rng, t);
  if (wanted("dropout")) check_dropout_scatter(rng, t);
  if (wanted("input")) check_input(rng, t);
  std::printf("%d passed, %d failed\n", t.passed(), t.failed());
  if (t.passed() + t.failed() == 0) {
    std::printf("mnemo_harness check: no check ran: MNEMO_CHECK_ONLY names none of basic, cells, training, "
                "memnet, persistent, eigen, dropout, input\n");
    return 1;
  }
  return t.failed() == 0 ? 0 : 1;
}

}  // namespace mnemo::harness
