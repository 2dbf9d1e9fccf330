// check_input.cpp — `check` cases of the input family: the narrow input-side backward (dIn, and
// through the column sums db_ih, db_hh and dW_ih) against a double reference. Small-integer
// inputs keep every sum exact in float, so those cases must match bit for bit whatever the
// order of the additions; one uniform case checks the tolerance path, and every case runs twice
// (the result must not change a bit).
#include <cstdio>
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
using check::upload_exact;
using check::upload_with_guard;

struct Case {
  long long rows;
  int gates;
  int inputs;
  float beta;
  bool sharedBias;         // db_hh from the same sums (RNN, LSTM)
  long long rowsPerSplit;  // 0: the header's split
  bool exact;              // small integers: bit-exact
};

struct Expected {
  ref::Vec dIn, db, dW;
};

Expected reference(const std::vector<float>& dWx, const std::vector<float>& x,
                   const std::vector<float>& w, const std::vector<float>& dIn0,
                   const std::vector<float>& db0, const std::vector<float>& dW0, const Case& c) {
  Expected e{ref::Vec(at(c.rows * c.inputs)), ref::Vec(db0.begin(), db0.end()),
             ref::Vec(dW0.begin(), dW0.end())};
  for (long long r = 0; r < c.rows; ++r) {
    for (int i = 0; i < c.inputs; ++i) {
      double dot = c.beta == 0.0f ? 0.0 : c.beta * static_cast<double>(dIn0[at(r * c.inputs + i)]);
      for (int g = 0; g < c.gates; ++g) dot += static_cast<double>(dWx[at(r * c.gates + g)]) * w[at(g * c.inputs + i)];
      e.dIn[at(r * c.inputs + i)] = dot;
    }
    for (int g = 0; g < c.gates; ++g) {
      const double v = dWx[at(r * c.gates + g)];
      e.db[at(g)] += v;
      for (int i = 0; i < c.inputs; ++i) e.dW[at(g * c.inputs + i)] += v * x[at(r * c.inputs + i)];
    }
  }
  return e;
}

struct Outputs {
  std::vector<float> dIn, dbIh, dbHh, dW;
};

Outputs run(const Case& c, long long rowsPerSplit, const DeviceBuffer& dWx, const DeviceBuffer& x,
            const DeviceBuffer& w, const std::vector<float>& dIn0, const std::vector<float>& db0,
            const std::vector<float>& dW0) {
  // beta = 0: dIn starts as guard NaNs, which must not survive.
  DeviceBuffer dIn = c.beta == 0.0f ? guarded_output(c.rows * c.inputs) : upload_with_guard(dIn0);
  DeviceBuffer partials = guarded_output(input_narrow_partials_count(c.rows, c.gates, c.inputs, rowsPerSplit));
  DeviceBuffer dbIh = upload_with_guard(db0);
  DeviceBuffer dbHh = upload_with_guard(db0);
  DeviceBuffer dW = upload_with_guard(dW0);
  launch_input_narrow_bwd(dIn.get(), partials.get(), dWx.get(), x.get(), w.get(), c.rows, c.gates,
                          c.inputs, rowsPerSplit, c.beta, dbIh.get(), c.sharedBias ? dbHh.get() : nullptr,
                          dW.get(), nullptr);
  CHECK(cudaDeviceSynchronize());
  return {dIn.download(), dbIh.download(), dbHh.download(), dW.download()};
}

void check_case(const Case& c, std::mt19937& rng, Tally& t) {
  const long long nx = c.rows * c.inputs;
  const long long nw = static_cast<long long>(c.gates) * c.inputs;
  const auto draw = [&](long long n) {
    return c.exact ? check::small_integers(n, 3, rng) : check::uniform(n, -1.0f, 1.0f, rng);
  };
  const std::vector<float> hdWx = draw(c.rows * c.gates);
  const std::vector<float> hx = draw(nx);
  const std::vector<float> hw = draw(nw);
  const std::vector<float> dIn0 = draw(nx);
  const std::vector<float> db0 = draw(c.gates);
  const std::vector<float> dW0 = draw(nw);
  const DeviceBuffer dWx = upload_exact(hdWx);
  const DeviceBuffer x = upload_exact(hx);
  const DeviceBuffer w = upload_exact(hw);
  const long long rowsPerSplit = c.rowsPerSplit > 0 ? c.rowsPerSplit : input_narrow_rows_per_split(c.rows);

  const Outputs got = run(c, rowsPerSplit, dWx, x, w, dIn0, db0, dW0);
  const Outputs again = run(c, rowsPerSplit, dWx, x, w, dIn0, db0, dW0);
  const Expected want = reference(hdWx, hx, hw, dIn0, db0, dW0, c);

  // Exact cases: every partial and total is an integer below 2^24, so any order gives the same float.
  const double rel = c.exact ? 0.0 : 1e-5;
  const double abs = c.exact ? 0.0 : 2e-6 * static_cast<double>(c.rows > c.gates ? c.rows : c.gates);
  const check::Compare dIn = check::compare(got.dIn, want.dIn, rel, abs);
  const check::Compare dbIh = check::compare(got.dbIh, want.db, rel, abs);
  const check::Compare dW = check::compare(got.dW, want.dW, rel, abs);
  // Without a shared bias db_hh must be untouched.
  const check::Compare dbHh = c.sharedBias ? check::compare(got.dbHh, want.db, rel, abs)
                                           : check::compare(got.dbHh, check::to_double(db0), 0.0, 0.0);
  const long long damaged = guard_damage(got.dIn, nx) + guard_damage(got.dbIh, c.gates) +
                            guard_damage(got.dbHh, c.gates) + guard_damage(got.dW, nw);
  const long long changed = bit_differences(got.dIn, again.dIn, nx) +
                            bit_differences(got.dbIh, again.dbIh, c.gates) +
                            bit_differences(got.dW, again.dW, nw);
  t.expect(dIn.wrong + dbIh.wrong + dbHh.wrong + dW.wrong == 0 && damaged == 0 && changed == 0,
           "input_narrow_bwd R=%-6lld G=%-4d I=%d beta=%g %s split=%-4lld %s wrong dIn/db/dbhh/dW="
           "%lld/%lld/%lld/%lld worst=%.3g guard_damaged=%lld rerun_changed=%lld",
           c.rows, c.gates, c.inputs, c.beta, c.sharedBias ? "shared-bias" : "own-bias   ",
           rowsPerSplit, c.exact ? "exact  " : "uniform", dIn.wrong, dbIh.wrong, dbHh.wrong, dW.wrong,
           dIn.worst > dW.worst ? dIn.worst : dW.worst, damaged, changed);
}

}  // namespace

void check_input(std::mt19937& rng, Tally& t) {
  const Case cases[] = {
      {1, 1, 1, 0.0f, true, 0, true},          // the smallest layer
      {5, 3, 2, 1.0f, false, 0, true},         // fewer rows than one pass
      {64, 4, 1, 0.0f, true, 0, true},         // RNN, H = 4: one split of exactly 64 rows
      {700, 128, 1, 0.0f, true, 0, true},      // RNN, H = 128: one warp a row lane, 8 row lanes
      {513, 512, 1, 1.0f, true, 0, true},      // LSTM, H = 128: 2 row lanes of 4 warps
      {300, 384, 3, 0.0f, false, 0, true},     // GRU, H = 128: a column slot past G
      {200, 1024, 4, 1.0f, true, 0, true},     // the widest: one row lane of 8 warps
      {129, 20, 4, 0.0f, true, 0, true},       // G below a warp
      {4000, 96, 2, 0.0f, true, 0, true},      // many splits of 64 rows
      {40000, 32, 1, 1.0f, true, 0, true},     // the header's target: 255 splits of 157 rows
      {257, 64, 2, 0.0f, true, 1, true},       // a split per row
      {257, 64, 2, 0.0f, true, 257, true},     // one split of every row
      {1000, 200, 1, 1.0f, false, 0, false},   // uniform values: the tolerance path
  };
  for (const Case& c : cases) check_case(c, rng, t);
}

}  // namespace mnemo::harness
