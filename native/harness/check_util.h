// check_util.h — what the `check` files share: the pass/fail tally, guard-filled buffers (a
// write past an output, or into the gaps of a strided one, shows as a damaged guard), random
// inputs, and tolerant comparison against a double reference.
//
// Buffers: inputs are allocated exactly (no slack), so compute-sanitizer memcheck reports any
// read past them; outputs get kGuard extra floats of guard bits after them.
#pragma once

#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "cuda_check.h"
#include "device_buffer.h"
#include "reference.h"

namespace mnemo::harness {

class Tally {
 public:
  void expect(bool ok, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    std::printf("%s ", ok ? "ok  " : "FAIL");
    std::vprintf(fmt, args);
    std::printf("\n");
    va_end(args);
    (ok ? passed_ : failed_) += 1;
  }
  int passed() const { return passed_; }
  int failed() const { return failed_; }

 private:
  int passed_ = 0;
  int failed_ = 0;
};

// The groups of cases beyond fill/axpby/clip (check_cells.cpp, check_training.cpp).
void check_cells(std::mt19937& rng, Tally& t);
void check_training(std::mt19937& rng, Tally& t);
void check_memnet(std::mt19937& rng, Tally& t);  // check_memnet.cpp
void check_memnet_sequence(std::mt19937& rng, Tally& t);  // check_memnet_sequence.cpp
void check_memnet_stream(std::mt19937& rng, Tally& t);  // check_memnet_stream.cpp
void check_persistent(std::mt19937& rng, Tally& t);
void check_eigen(std::mt19937& rng, Tally& t);  // check_eigen.cpp
void check_dropout_scatter(std::mt19937& rng, Tally& t);  // check_dropout_scatter.cpp
void check_input(std::mt19937& rng, Tally& t);  // check_input.cpp

namespace check {

constexpr long long kGuard = 64;  // floats past an output that must not change
constexpr std::uint32_t kGuardBits = 0xFFFFFFFFu;  // a NaN: cudaMemset(0xFF) writes it

inline bool is_guard(float v) {
  std::uint32_t bits = 0;
  std::memcpy(&bits, &v, sizeof bits);
  return bits == kGuardBits;
}

inline float guard_value() {
  float v = 0.0f;
  std::memcpy(&v, &kGuardBits, sizeof v);
  return v;
}

inline bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

inline std::size_t at(long long i) { return static_cast<std::size_t>(i); }

// Count of guard floats in [from, host.size()) that were overwritten.
inline long long guard_damage(const std::vector<float>& host, long long from) {
  long long damaged = 0;
  for (std::size_t i = at(from); i < host.size(); ++i) damaged += is_guard(host[i]) ? 0 : 1;
  return damaged;
}

// n values uniform in [lo, hi].
inline std::vector<float> uniform(long long n, float lo, float hi, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(at(n));
  for (float& x : v) x = dist(rng);
  return v;
}

// n small integers in [-k, k] (sums of them are exact in float while below 2^24).
inline std::vector<float> small_integers(long long n, int k, std::mt19937& rng) {
  std::uniform_int_distribution<int> dist(-k, k);
  std::vector<float> v(at(n));
  for (float& x : v) x = static_cast<float>(dist(rng));
  return v;
}

inline ref::Vec to_double(const std::vector<float>& v) { return ref::Vec(v.begin(), v.end()); }

// An input on the device, exactly host.size() floats (at least one allocated for empty).
inline DeviceBuffer upload_exact(const std::vector<float>& host) {
  DeviceBuffer d(static_cast<long long>(host.size()));
  if (!host.empty()) d.upload(host);
  return d;
}

// An output on the device: n floats + kGuard, every one guard bits.
inline DeviceBuffer guarded_output(long long n) {
  DeviceBuffer d(n + kGuard);
  CHECK(cudaMemset(d.get(), 0xFF, at(n + kGuard) * sizeof(float)));
  return d;
}

// An in-out buffer: host's values, then kGuard guard floats.
inline DeviceBuffer upload_with_guard(const std::vector<float>& host) {
  const long long n = static_cast<long long>(host.size());
  DeviceBuffer d = guarded_output(n);
  if (n > 0) d.upload(host);
  return d;
}

// The dense [rows, cols] matrix inside a [rows, ld] buffer (+ tail guard); damage counts the
// floats in the gaps (columns cols..ld) and the tail that are no longer guard bits.
inline std::vector<float> unstride(const std::vector<float>& buf, long long rows, long long cols,
                                   long long ld, long long& damage) {
  std::vector<float> dense(at(rows * cols));
  damage = 0;
  for (long long r = 0; r < rows; ++r) {
    for (long long c = 0; c < ld; ++c) {
      const float v = buf[at(r * ld + c)];
      if (c < cols) {
        dense[at(r * cols + c)] = v;
      } else {
        damage += is_guard(v) ? 0 : 1;
      }
    }
  }
  damage += guard_damage(buf, rows * ld);
  return dense;
}

// The [rows, ld] layout of a dense [rows, cols] input, gaps filled with junk the kernel must
// ignore (finite, so a stray read shows as a wrong value rather than a NaN).
inline std::vector<float> restride(const std::vector<float>& dense, long long rows,
                                   long long cols, long long ld) {
  std::vector<float> buf(at(rows * ld), 1.0e6f);
  for (long long r = 0; r < rows; ++r) {
    for (long long c = 0; c < cols; ++c) buf[at(r * ld + c)] = dense[at(r * cols + c)];
  }
  return buf;
}

// got vs want: NaN must meet NaN, ±inf the same inf, else |got − want| <= abs + rel·|want|.
inline bool near(float got, double want, double rel, double abs) {
  if (std::isnan(want)) return std::isnan(got);
  if (std::isinf(want)) return static_cast<double>(got) == want;
  return std::fabs(static_cast<double>(got) - want) <= abs + rel * std::fabs(want);
}

// Comparison of a whole array: how many elements are off, and the worst |got − want|.
struct Compare {
  long long wrong = 0;
  double worst = 0.0;
  long long firstWrong = -1;
};

inline Compare compare(const std::vector<float>& got, const ref::Vec& want, double rel,
                       double abs) {
  Compare c;
  for (std::size_t i = 0; i < want.size(); ++i) {
    const bool ok = near(got[i], want[i], rel, abs);
    if (!ok) {
      if (c.firstWrong < 0) c.firstWrong = static_cast<long long>(i);
      ++c.wrong;
    }
    if (std::isfinite(want[i]) && std::isfinite(got[i])) {
      c.worst = std::fmax(c.worst, std::fabs(static_cast<double>(got[i]) - want[i]));
    }
  }
  if (c.firstWrong >= 0) {
    const std::size_t i = at(c.firstWrong);
    std::printf("       first mismatch at %lld: got %.9g want %.9g\n", c.firstWrong,
                static_cast<double>(got[i]), want[i]);
  }
  return c;
}

// Bit-for-bit equality of the first n floats (determinism, variants that must agree).
inline long long bit_differences(const std::vector<float>& a, const std::vector<float>& b,
                                 long long n) {
  long long d = 0;
  for (long long i = 0; i < n; ++i) d += same_bits(a[at(i)], b[at(i)]) ? 0 : 1;
  return d;
}

}  // namespace check
}  // namespace mnemo::harness
