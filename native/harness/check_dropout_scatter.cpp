// check_dropout_scatter.cpp — `check` cases of the dropout and scatter families: the device
// dropout hash against values computed by the Java contract (CpuBackend.dropoutUniform), mask and
// y bit for bit against a host twin, the grouped scatter-add bit for bit against the
// sequential in-order loop, and the row gather against the host loop.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "check_util.h"
#include "kernel_launch.h"

namespace mnemo::harness {
namespace {

using check::at;
using check::bit_differences;
using check::guard_damage;
using check::guarded_output;
using check::kGuard;

// ───────────────────────────── dropout ─────────────────────────────

// The host twin of the Java hash (the header's formula; reference.h, shared with the MemNet loop's check).
using ref::dropout_uniform;

long long as_signed(std::uint64_t bits) {
  long long v = 0;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

double as_double(std::uint64_t bits) {
  double v = 0;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

// CpuBackend.dropoutUniform(seed, index) as printed by the Java code (bits of the double), for
// seeds and indices that exercise the wrap-around of Java's long arithmetic.
struct JavaDraw {
  std::uint64_t seed;
  std::uint64_t index;
  std::uint64_t uniformBits;
};
const JavaDraw kJavaDraws[] = {
    {0x0000000000000000ull, 0x0000000000000000ull, 0x3fec4415072f63b9ull},  // 0, 0
    {0x0000000000000000ull, 0x0000000000000001ull, 0x3fdb9e279aa86e58ull},  // 0, 1
    {0x000000000000002aull, 0x0000000000000000ull, 0x3fe31367e26140c7ull},  // 42, 0
    {0x000000000000002aull, 0x0000000000000007ull, 0x3fc392025051c930ull},  // 42, 7
    {0xffffffffffffffffull, 0x00000000075bcd15ull, 0x3fe576c1248cbe09ull},  // -1, 123456789
    {0x0123456789abcdefull, 0x0000010000000000ull, 0x3fe0cc5b8c7ae544ull},  // .., 2^40
    {0x8000000000000000ull, 0xfffffffffffffffbull, 0x3fe4cf740572507eull},  // MIN_VALUE, -5
    {0x0000000000000007ull, 0x7fffffffffffffffull, 0x3fdea72697a72338ull},  // 7, MAX_VALUE
    {0x0000000001352906ull, 0x00000000000003e7ull, 0x3fec6b9cd3d313a2ull},  // 20261126, 999
};

// One element drawn at stream index `index` with p = u (kept: u >= p) and p = next double above
// u (dropped): the device's draw equals the Java value exactly.
void check_dropout_java_values(Tally& t) {
  long long hostWrong = 0;
  long long deviceWrong = 0;
  DeviceBuffer x = check::upload_exact({1.5f});
  for (const JavaDraw& d : kJavaDraws) {
    const double u = as_double(d.uniformBits);
    hostWrong += dropout_uniform(d.seed, d.index) == u ? 0 : 1;
    for (int dropped = 0; dropped < 2; ++dropped) {
      const double p = dropped ? std::nextafter(u, 2.0) : u;
      DeviceBuffer mask = guarded_output(1);
      DeviceBuffer y = guarded_output(1);
      launch_dropout(x.get(), mask.get(), y.get(), 1, as_signed(d.seed), as_signed(d.index), p,
                     nullptr);
      CHECK(cudaDeviceSynchronize());
      const std::vector<float> m = mask.download();
      const std::vector<float> yy = y.download();
      const double scale = 1.0 / (1.0 - p);
      const float wantMask = dropped ? 0.0f : static_cast<float>(scale);
      const float wantY = static_cast<float>(1.5 * (dropped ? 0.0 : scale));
      const bool ok = check::same_bits(m[0], wantMask) && check::same_bits(yy[0], wantY) &&
                      guard_damage(m, 1) == 0 && guard_damage(yy, 1) == 0;
      deviceWrong += ok ? 0 : 1;
    }
  }
  t.expect(hostWrong == 0 && deviceWrong == 0,
           "dropout  hash vs Java values: %zu draws, host twin wrong=%lld, device keep/drop at "
           "p = u and next(u) wrong=%lld",
           sizeof kJavaDraws / sizeof kJavaDraws[0], hostWrong, deviceWrong);
}

// mask and y bit for bit against the host twin; y may alias x. `atPosition`: the kernel that reads
// the stream position from device memory, given position offset + 2^40 + 3 and offset −(2^40 + 3),
// whose wrapping sum is `offset`.
void check_dropout_case(long long n, std::uint64_t seed, std::uint64_t offset, double p,
                        bool alias, std::mt19937& rng, Tally& t, bool atPosition = false) {
  std::vector<float> hx = check::uniform(n, -4.0f, 4.0f, rng);
  if (n > 3) {  // specials travel through the product as on the CPU
    hx[0] = INFINITY;
    hx[1] = -0.0f;
    hx[2] = std::nanf("");
  }
  const double scale = 1.0 / (1.0 - p);
  std::vector<float> wantMask(at(n));
  std::vector<float> wantY(at(n));
  long long kept = 0;
  for (long long i = 0; i < n; ++i) {
    const bool keep = dropout_uniform(seed, offset + static_cast<std::uint64_t>(i)) >= p;
    kept += keep ? 1 : 0;
    wantMask[at(i)] = keep ? static_cast<float>(scale) : 0.0f;
    wantY[at(i)] = static_cast<float>(static_cast<double>(hx[at(i)]) * (keep ? scale : 0.0));
  }
  DeviceBuffer x = alias ? check::upload_with_guard(hx) : check::upload_exact(hx);
  DeviceBuffer mask = guarded_output(n);
  DeviceBuffer y = guarded_output(n);
  float* yPtr = alias ? x.get() : y.get();
  DeviceArray<long long> position(1);
  if (atPosition) {
    const std::uint64_t shift = (std::uint64_t{1} << 40) + 3;
    position.upload({as_signed(offset + shift)});
    launch_dropout_at(x.get(), mask.get(), yPtr, n, as_signed(seed), position.get(), as_signed(0 - shift), p,
                      nullptr);
  } else {
    launch_dropout(x.get(), mask.get(), yPtr, n, as_signed(seed), as_signed(offset), p, nullptr);
  }
  CHECK(cudaDeviceSynchronize());
  const std::vector<float> gotMask = mask.download();
  const std::vector<float> gotY = alias ? x.download() : y.download();
  const long long maskDiff = bit_differences(gotMask, wantMask, n);
  const long long yDiff = bit_differences(gotY, wantY, n);
  const long long damaged = guard_damage(gotMask, n) + guard_damage(gotY, n);
  // The draws are uniform: the kept fraction is 1 − p within 6 standard deviations.
  const double keptFraction = n > 0 ? static_cast<double>(kept) / static_cast<double>(n) : 1.0 - p;
  const double sd = n > 0 ? std::sqrt(p * (1.0 - p) / static_cast<double>(n)) : 0.0;
  const bool rateOk = std::fabs(keptFraction - (1.0 - p)) <= 6.0 * sd + 1e-12;
  t.expect(maskDiff == 0 && yDiff == 0 && damaged == 0 && rateOk,
           "dropout%s n=%-9lld p=%-4g seed=%016llx offset=%016llx%s mask_bits_off=%lld "
           "y_bits_off=%lld kept=%.4f guard_damaged=%lld",
           atPosition ? " at" : "", n, p, static_cast<unsigned long long>(seed),
           static_cast<unsigned long long>(offset), alias ? " y=x" : "", maskDiff, yDiff, keptFraction, damaged);
}

// ───────────────────────────── scatter ─────────────────────────────

// The grouping the header asks the host for (what the Java launcher builds too).
struct ScatterPlan {
  std::vector<int> order;
  std::vector<int> segStart;
  std::vector<int> segRow;
};

ScatterPlan plan_scatter(const std::vector<int>& rows) {
  ScatterPlan plan;
  plan.order.resize(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) plan.order[i] = static_cast<int>(i);
  std::stable_sort(plan.order.begin(), plan.order.end(),
                   [&](int a, int b) { return rows[at(a)] < rows[at(b)]; });
  for (std::size_t k = 0; k < plan.order.size(); ++k) {
    const int row = rows[at(plan.order[k])];
    if (k == 0 || row != plan.segRow.back()) {
      plan.segStart.push_back(static_cast<int>(k));
      plan.segRow.push_back(row);
    }
  }
  plan.segStart.push_back(static_cast<int>(plan.order.size()));
  return plan;
}

DeviceArray<int> upload_ints(const std::vector<int>& host) {
  DeviceArray<int> d(static_cast<long long>(host.size()));
  if (!host.empty()) d.upload(host);
  return d;
}

// Values spread over six decades, so a different summation order would change the bits.
std::vector<float> spread_values(long long n, std::mt19937& rng) {
  std::uniform_real_distribution<float> mantissa(-1.0f, 1.0f);
  std::uniform_int_distribution<int> decade(-3, 3);
  std::vector<float> v(at(n));
  for (float& x : v) x = mantissa(rng) * std::pow(10.0f, static_cast<float>(decade(rng)));
  return v;
}

// rows: the scatter's row indices into a [tableRows, width] table.
void check_scatter_case(const char* what, const std::vector<int>& rows, long long tableRows,
                        long long width, std::mt19937& rng, Tally& t) {
  const long long n = static_cast<long long>(rows.size());
  const std::vector<float> table = spread_values(tableRows * width, rng);
  const std::vector<float> src = spread_values(n * width, rng);
  std::vector<float> want = table;  // the sequential loop, in order of i
  for (long long i = 0; i < n; ++i) {
    for (long long c = 0; c < width; ++c) {
      want[at(rows[at(i)] * width + c)] += src[at(i * width + c)];
    }
  }
  const ScatterPlan plan = plan_scatter(rows);
  const long long segments = static_cast<long long>(plan.segRow.size());
  DeviceBuffer dTable = check::upload_with_guard(table);
  DeviceBuffer dSrc = check::upload_exact(src);
  DeviceArray<int> order = upload_ints(plan.order);
  DeviceArray<int> segStart = upload_ints(plan.segStart);
  DeviceArray<int> segRow = upload_ints(plan.segRow);
  launch_scatter_add_rows(dTable.get(), dSrc.get(), order.get(), segStart.get(), segRow.get(),
                          segments, width, nullptr);
  CHECK(cudaDeviceSynchronize());
  const std::vector<float> got = dTable.download();
  const long long diff = bit_differences(got, want, tableRows * width);
  const long long damaged = guard_damage(got, tableRows * width);
  t.expect(diff == 0 && damaged == 0,
           "scatter  %-22s n=%-6lld rows=%-5lld width=%-4lld groups=%-5lld bits_off=%lld "
           "guard_damaged=%lld",
           what, n, tableRows, width, segments, diff, damaged);
}

// The gather, bit for bit: each output row is its table row, and nothing past out is written.
void check_gather_case(const char* what, const std::vector<int>& rows, long long tableRows,
                       long long width, std::mt19937& rng, Tally& t) {
  const long long n = static_cast<long long>(rows.size());
  const std::vector<float> table = spread_values(tableRows * width, rng);
  std::vector<float> want(at(n * width));
  for (long long i = 0; i < n; ++i) {
    for (long long c = 0; c < width; ++c) {
      want[at(i * width + c)] = table[at(rows[at(i)] * width + c)];
    }
  }
  DeviceBuffer dTable = check::upload_exact(table);
  DeviceBuffer dOut = guarded_output(n * width);
  DeviceArray<int> dRows = upload_ints(rows);
  launch_gather_rows(dTable.get(), dRows.get(), dOut.get(), n, width, nullptr);
  CHECK(cudaDeviceSynchronize());
  const std::vector<float> got = dOut.download();
  const long long diff = bit_differences(got, want, n * width);
  const long long damaged = guard_damage(got, n * width);
  t.expect(diff == 0 && damaged == 0,
           "gather   %-22s n=%-6lld rows=%-5lld width=%-4lld bits_off=%lld guard_damaged=%lld", what,
           n, tableRows, width, diff, damaged);
}

// The carry of a packed step, bit for bit: rows with t >= length take src's row, the others keep
// dst's, and nothing past dst is written.
void check_carry_case(const char* what, const std::vector<float>& lengths, long long t, long long width,
                      std::mt19937& rng, Tally& tally) {
  const long long rows = static_cast<long long>(lengths.size());
  const std::vector<float> before = spread_values(rows * width, rng);
  const std::vector<float> src = spread_values(rows * width, rng);
  std::vector<float> want = before;
  long long carried = 0;
  for (long long b = 0; b < rows; ++b) {
    if (static_cast<float>(t) < lengths[at(b)]) continue;
    ++carried;
    for (long long c = 0; c < width; ++c) want[at(b * width + c)] = src[at(b * width + c)];
  }
  DeviceBuffer dDst = check::upload_with_guard(before);
  DeviceBuffer dSrc = check::upload_exact(src);
  DeviceBuffer dLengths = check::upload_exact(lengths);
  launch_carry_finished_rows(dDst.get(), dSrc.get(), dLengths.get(), t, rows, width, nullptr);
  CHECK(cudaDeviceSynchronize());
  const std::vector<float> got = dDst.download();
  const long long diff = bit_differences(got, want, rows * width);
  const long long damaged = guard_damage(got, rows * width);
  tally.expect(diff == 0 && damaged == 0,
               "carry    %-22s rows=%-6lld t=%-5lld width=%-4lld carried=%-5lld bits_off=%lld guard_damaged=%lld",
               what, rows, t, width, carried, diff, damaged);
}

// The padded steps zeroed, bit for bit: (t, b, :) with t >= length is 0, every other element and
// the guard past x keep their values; time-major and batch-first strides.
void check_zero_ended_case(const char* what, const std::vector<float>& lengths, long long steps,
                           long long width, bool batchFirst, std::mt19937& rng, Tally& tally) {
  const long long rows = static_cast<long long>(lengths.size());
  const long long n = steps * rows * width;
  const std::vector<float> before = spread_values(n, rng);
  std::vector<float> want = before;
  const long long stepStride = batchFirst ? width : rows * width;
  const long long rowStride = batchFirst ? steps * width : width;
  long long zeroed = 0;
  for (long long t = 0; t < steps; ++t) {
    for (long long b = 0; b < rows; ++b) {
      if (static_cast<float>(t) < lengths[at(b)]) continue;
      for (long long c = 0; c < width; ++c) want[at(t * stepStride + b * rowStride + c)] = 0.0f;
      zeroed += width;
    }
  }
  DeviceBuffer dX = check::upload_with_guard(before);
  DeviceBuffer dLengths = check::upload_exact(lengths);
  launch_zero_ended_steps(dX.get(), dLengths.get(), steps, rows, width, stepStride, rowStride, nullptr);
  CHECK(cudaDeviceSynchronize());
  const std::vector<float> got = dX.download();
  const long long diff = bit_differences(got, want, n);
  const long long damaged = guard_damage(got, n);
  tally.expect(diff == 0 && damaged == 0,
               "zero     %-22s steps=%-5lld rows=%-5lld width=%-4lld %s zeroed=%-7lld bits_off=%lld "
               "guard_damaged=%lld",
               what, steps, rows, width, batchFirst ? "batch-first" : "time-major ", zeroed, diff, damaged);
}

std::vector<int> random_rows(long long n, int tableRows, std::mt19937& rng) {
  std::uniform_int_distribution<int> dist(0, tableRows - 1);
  std::vector<int> rows(at(n));
  for (int& r : rows) r = dist(rng);
  return rows;
}

}  // namespace

void check_dropout_scatter(std::mt19937& rng, Tally& t) {
  check_dropout_java_values(t);
  const long long sizes[] = {0, 1, 1000, kPastOneGridPass};
  for (long long n : sizes) {
    check_dropout_case(n, 42, 0, 0.5, false, rng, t);
    check_dropout_case(n, 0xffffffffffffffffull, 0x7ffffffffffffff0ull, 0.1, false, rng, t);
    check_dropout_case(n, 0x8000000000000000ull, 12345, 0.9, true, rng, t);
    check_dropout_case(n, 7, 3, 0.0, false, rng, t);
    check_dropout_case(n, 9, 77, 1.0, false, rng, t);  // p = 1 keeps nothing: mask 0, y = x·0
    check_dropout_case(n, 0xffffffffffffffffull, 0x7ffffffffffffff0ull, 0.1, false, rng, t, true);
    check_dropout_case(n, 0x8000000000000000ull, 12345, 0.9, true, rng, t, true);
  }

  check_scatter_case("empty", {}, 4, 8, rng, t);
  check_scatter_case("width 0", {1, 2, 1}, 4, 0, rng, t);
  check_scatter_case("distinct", {3, 0, 2}, 5, 37, rng, t);
  check_scatter_case("random repeats", random_rows(2000, 50, rng), 50, 33, rng, t);
  check_scatter_case("random, wide", random_rows(300, 1000, rng), 1000, 300, rng, t);
  std::vector<int> one(5000, 6);  // one row, many repeats: a long in-order chain
  check_scatter_case("one row x5000", one, 9, 5, rng, t);
  std::vector<int> mixed = random_rows(kPastOneGridPass / 64, 40, rng);
  for (std::size_t i = 0; i < mixed.size(); i += 3) mixed[i] = 0;  // a hot row among others
  check_scatter_case("hot row, past one grid", mixed, 40, 64, rng, t);

  check_gather_case("empty", {}, 4, 8, rng, t);
  check_gather_case("width 0", {1, 2, 1}, 4, 0, rng, t);
  check_gather_case("permutation", {3, 0, 4, 2, 1}, 5, 37, rng, t);
  check_gather_case("random repeats", random_rows(2000, 50, rng), 50, 33, rng, t);
  check_gather_case("past one grid", random_rows(kPastOneGridPass / 64 + 3, 700, rng), 700, 64, rng,
                    t);

  check_carry_case("empty", {}, 0, 8, rng, t);
  check_carry_case("none ended", {5, 4, 3}, 2, 37, rng, t);
  check_carry_case("some ended", {5, 4, 3, 3, 1}, 3, 37, rng, t);
  check_carry_case("all ended", {2, 1}, 2, 16, rng, t);
  std::vector<float> many(at(kPastOneGridPass / 64 + 3));
  for (std::size_t i = 0; i < many.size(); ++i) many[i] = static_cast<float>(1 + (i * 7) % 200);
  check_carry_case("past one grid", many, 100, 64, rng, t);

  for (bool batchFirst : {false, true}) {
    check_zero_ended_case("empty", {}, 4, 8, batchFirst, rng, t);
    check_zero_ended_case("none padded", {3, 3}, 3, 5, batchFirst, rng, t);
    check_zero_ended_case("mixed", {5, 1, 3, 5, 2}, 5, 37, batchFirst, rng, t);
    std::vector<float> wide(at(300));
    for (std::size_t i = 0; i < wide.size(); ++i) wide[i] = static_cast<float>(1 + (i * 11) % 40);
    check_zero_ended_case("300 rows", wide, 40, 64, batchFirst, rng, t);
  }
}

}  // namespace mnemo::harness
