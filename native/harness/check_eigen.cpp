// check_eigen.cpp — the batched eigenvalue kernels (family "eigen") on matrices whose spectrum is
// known (diagonal, companion matrices of chosen roots, rotation blocks and triangular matrices
// hidden by an orthogonal similarity, a Jordan block) and on random matrices, where each computed
// λ must make A − λI numerically singular (checked in double with a complex LU) and the power
// sums Σλᵏ must equal tr(Aᵏ), k = 1..3. Both dtypes, strided batches with junk between the
// matrices, guards after every output, the status codes (cap reached, non-finite input).
#include <algorithm>
#include <cmath>
#include <complex>
#include <random>
#include <vector>

#include "check_util.h"
#include "kernel_launch.h"

namespace mnemo::harness {
namespace {

using cplx = std::complex<double>;
using Spectrum = std::vector<cplx>;

// Row-major n×n matrices in double on the host.
struct Matrix {
  int n;
  std::vector<double> a;
  double& at(int i, int j) { return a[static_cast<std::size_t>(i * n + j)]; }
  double at(int i, int j) const { return a[static_cast<std::size_t>(i * n + j)]; }
};

Matrix zeros(int n) { return Matrix{n, std::vector<double>(static_cast<std::size_t>(n * n), 0.0)}; }

Matrix multiply(const Matrix& x, const Matrix& y) {
  Matrix z = zeros(x.n);
  for (int i = 0; i < x.n; ++i)
    for (int k = 0; k < x.n; ++k)
      for (int j = 0; j < x.n; ++j) z.at(i, j) += x.at(i, k) * y.at(k, j);
  return z;
}

Matrix transpose(const Matrix& x) {
  Matrix t = zeros(x.n);
  for (int i = 0; i < x.n; ++i)
    for (int j = 0; j < x.n; ++j) t.at(j, i) = x.at(i, j);
  return t;
}

// A random orthogonal Q: Gram–Schmidt (twice) of a Gaussian matrix's columns.
Matrix random_orthogonal(int n, std::mt19937& rng) {
  std::normal_distribution<double> g(0.0, 1.0);
  Matrix q = zeros(n);
  for (double& v : q.a) v = g(rng);
  for (int c = 0; c < n; ++c) {
    for (int pass = 0; pass < 2; ++pass) {
      for (int p = 0; p < c; ++p) {
        double dot = 0;
        for (int i = 0; i < n; ++i) dot += q.at(i, p) * q.at(i, c);
        for (int i = 0; i < n; ++i) q.at(i, c) -= dot * q.at(i, p);
      }
    }
    double norm = 0;
    for (int i = 0; i < n; ++i) norm += q.at(i, c) * q.at(i, c);
    norm = std::sqrt(norm);
    for (int i = 0; i < n; ++i) q.at(i, c) /= norm;
  }
  return q;
}

Matrix similar(const Matrix& t, std::mt19937& rng) {
  const Matrix q = random_orthogonal(t.n, rng);
  return multiply(multiply(q, t), transpose(q));
}

// Block diagonal of r·[[cos θ, −sin θ], [sin θ, cos θ]] (+ one real r when n is odd).
Matrix rotation_blocks(int n, std::mt19937& rng, Spectrum& known) {
  std::uniform_real_distribution<double> radius(0.2, 1.5), angle(0.1, 3.0);
  Matrix t = zeros(n);
  known.clear();
  for (int k = 0; k + 1 < n; k += 2) {
    const double r = radius(rng), th = angle(rng);
    t.at(k, k) = r * std::cos(th);
    t.at(k, k + 1) = -r * std::sin(th);
    t.at(k + 1, k) = r * std::sin(th);
    t.at(k + 1, k + 1) = r * std::cos(th);
    known.push_back(std::polar(r, th));
    known.push_back(std::polar(r, -th));
  }
  if (n % 2 == 1) {
    t.at(n - 1, n - 1) = -0.7;
    known.push_back(-0.7);
  }
  return t;
}

// The companion matrix of Π (x − root): first row −c_{n−1} … −c_0, ones below the diagonal.
Matrix companion(const Spectrum& roots) {
  const int n = static_cast<int>(roots.size());
  std::vector<cplx> c{1.0};  // coefficients, highest power first
  for (const cplx& r : roots) {
    std::vector<cplx> next(c.size() + 1, 0.0);
    for (std::size_t i = 0; i < c.size(); ++i) {
      next[i] += c[i];
      next[i + 1] -= r * c[i];
    }
    c = next;
  }
  Matrix m = zeros(n);
  for (int j = 0; j < n; ++j) m.at(0, j) = -c[static_cast<std::size_t>(j + 1)].real();
  for (int i = 1; i < n; ++i) m.at(i, i - 1) = 1.0;
  return m;
}

double frobenius(const Matrix& m) {
  double s = 0;
  for (double v : m.a) s += v * v;
  return std::sqrt(s);
}

// σ_min(A − λI), near 0 exactly when λ is an eigenvalue: the backward error of λ. Inverse
// iteration on M·Mᴴ (M = A − λI; solves with M, then Mᴴ, through one LU with partial pivoting),
// ‖x‖ / ‖(M·Mᴴ)⁻¹x‖ converging to σ_min² from above; in long double. Inverse iteration on M alone
// converges to |λ − λ_true| instead, the forward error, which a nearly defective pair makes far
// larger: a float64 λ with |Im λ| = 0.002 measured 18–49 n·u·‖A‖ that way (and failed the H200
// run 7's check), against a true σ_min of 0.14 n·u·‖A‖ (mpmath).
double singularity(const Matrix& m, cplx lambda) {
  using wide = std::complex<long double>;
  const int n = m.n;
  const auto sz = [](int i) { return static_cast<std::size_t>(i); };
  const wide l(lambda.real(), lambda.imag());
  std::vector<wide> lu(sz(n * n));
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) lu[sz(i * n + j)] = static_cast<long double>(m.at(i, j)) - (i == j ? l : wide(0));
  auto L = [&](int i, int j) -> wide& { return lu[sz(i * n + j)]; };
  std::vector<int> pivot(sz(n));
  for (int k = 0; k < n; ++k) {
    int p = k;
    for (int i = k + 1; i < n; ++i)
      if (std::abs(L(i, k)) > std::abs(L(p, k))) p = i;
    pivot[sz(k)] = p;
    if (p != k)
      for (int j = 0; j < n; ++j) std::swap(L(k, j), L(p, j));
    if (L(k, k) == wide(0)) return 0.0;  // exactly singular
    for (int i = k + 1; i < n; ++i) {
      L(i, k) /= L(k, k);
      for (int j = k + 1; j < n; ++j) L(i, j) -= L(i, k) * L(k, j);
    }
  }
  auto norm2 = [](const std::vector<wide>& v) {
    long double s = 0;
    for (const wide& c : v) s += std::norm(c);
    return std::sqrt(s);
  };
  std::vector<wide> x(sz(n));
  for (int i = 0; i < n; ++i) x[sz(i)] = std::cos(1.0L + 0.7L * i);
  long double ratio = 0;
  for (int step = 0; step < 3; ++step) {
    const long double before = norm2(x);
    // M y = x: P·M = L·U, the row swaps in order, then L (unit lower) and U.
    for (int k = 0; k < n; ++k) std::swap(x[sz(k)], x[sz(pivot[sz(k)])]);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < i; ++j) x[sz(i)] -= L(i, j) * x[sz(j)];
    for (int i = n - 1; i >= 0; --i) {
      for (int j = i + 1; j < n; ++j) x[sz(i)] -= L(i, j) * x[sz(j)];
      x[sz(i)] /= L(i, i);
    }
    // Mᴴ z = y: Mᴴ = Uᴴ·Lᴴ·P, so Uᴴ (lower), Lᴴ (unit upper), then the swaps in reverse.
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < i; ++j) x[sz(i)] -= std::conj(L(j, i)) * x[sz(j)];
      x[sz(i)] /= std::conj(L(i, i));
    }
    for (int i = n - 1; i >= 0; --i)
      for (int j = i + 1; j < n; ++j) x[sz(i)] -= std::conj(L(j, i)) * x[sz(j)];
    for (int k = n - 1; k >= 0; --k) std::swap(x[sz(k)], x[sz(pivot[sz(k)])]);
    const long double after = norm2(x);
    ratio = std::sqrt(before / after);
    for (wide& c : x) c /= after;
  }
  return static_cast<double>(ratio);
}

// Largest |Σλᵏ − tr(Aᵏ)| / Σ|λ|ᵏ·… over k = 1..3, relative to n·‖A‖ᵏ.
double power_sum_error(const Matrix& m, const Spectrum& s) {
  Matrix p = m;
  double worst = 0;
  const double scale = std::max(frobenius(m), 1e-300);
  for (int k = 1; k <= 3; ++k) {
    double trace = 0;
    for (int i = 0; i < m.n; ++i) trace += p.at(i, i);
    cplx sum = 0;
    for (const cplx& l : s) sum += std::pow(l, k);
    worst = std::max(worst, std::abs(sum - trace) / (m.n * std::pow(scale, k)));
    p = multiply(p, m);
  }
  return worst;
}

// Greedy match of two spectra: the largest distance from a computed λ to its known partner.
double match_distance(Spectrum got, Spectrum want) {
  double worst = 0;
  for (const cplx& w : want) {
    auto best = std::min_element(got.begin(), got.end(), [&](const cplx& x, const cplx& y) {
      return std::abs(x - w) < std::abs(y - w);
    });
    worst = std::max(worst, std::abs(*best - w));
    got.erase(best);
  }
  return worst;
}

// Pairs are adjacent and exactly conjugate (+Im first); real ones have wi = 0 exactly.
bool conjugate_pairs(const Spectrum& s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i].imag() == 0) continue;
    if (s[i].imag() < 0 || i + 1 == s.size() || s[i + 1] != std::conj(s[i])) return false;
    ++i;
  }
  return true;
}

template <typename T>
struct Batch {
  std::vector<Spectrum> spectra;
  std::vector<int> status;
  long long damaged = 0;  // guard elements overwritten after wr, wi, status
};

// Runs one launch on `mats` (all of order n) laid out with matrixStride, junk in the gaps.
template <typename T>
Batch<T> run(const std::vector<Matrix>& mats, int n, long long stride, int maxIterations) {
  const int count = static_cast<int>(mats.size());
  std::vector<T> host(static_cast<std::size_t>(std::max<long long>(1, (count - 1) * stride + n * n)),
                      T(1e6));
  for (int m = 0; m < count; ++m)
    for (int k = 0; k < n * n; ++k) host[static_cast<std::size_t>(m * stride + k)] = static_cast<T>(mats[static_cast<std::size_t>(m)].a[static_cast<std::size_t>(k)]);
  const long long outs = static_cast<long long>(count) * n;
  DeviceArray<T> a(static_cast<long long>(host.size())), wr(outs + check::kGuard), wi(outs + check::kGuard);
  DeviceArray<int> status(count + check::kGuard);
  a.upload(host);
  CHECK(cudaMemset(wr.get(), 0xFF, static_cast<std::size_t>(outs + check::kGuard) * sizeof(T)));
  CHECK(cudaMemset(wi.get(), 0xFF, static_cast<std::size_t>(outs + check::kGuard) * sizeof(T)));
  CHECK(cudaMemset(status.get(), 0xFF, static_cast<std::size_t>(count + check::kGuard) * sizeof(int)));
  launch_eigen_hqr(a.get(), stride, n, count, maxIterations, wr.get(), wi.get(), status.get(), nullptr);
  CHECK(cudaDeviceSynchronize());
  const std::vector<T> r = wr.download(), i = wi.download();
  const std::vector<int> st = status.download();
  Batch<T> out;
  for (int m = 0; m < count; ++m) {
    Spectrum s;
    for (int k = 0; k < n; ++k) {
      const std::size_t at = static_cast<std::size_t>(m * n + k);
      s.emplace_back(static_cast<double>(r[at]), static_cast<double>(i[at]));
    }
    out.spectra.push_back(s);
    out.status.push_back(st[static_cast<std::size_t>(m)]);
  }
  auto allOnes = [](const void* p, std::size_t bytes) {
    const unsigned char* c = static_cast<const unsigned char*>(p);
    return std::all_of(c, c + bytes, [](unsigned char b) { return b == 0xFF; });
  };
  for (long long g = 0; g < check::kGuard; ++g) {
    out.damaged += allOnes(&r[static_cast<std::size_t>(outs + g)], sizeof(T)) ? 0 : 1;
    out.damaged += allOnes(&i[static_cast<std::size_t>(outs + g)], sizeof(T)) ? 0 : 1;
    out.damaged += allOnes(&st[static_cast<std::size_t>(count + g)], sizeof(int)) ? 0 : 1;
  }
  return out;
}

template <typename T>
constexpr double unit_roundoff() {
  return sizeof(T) == 4 ? 0x1p-24 : 0x1p-53;
}

template <typename T>
const char* dtype() {
  return sizeof(T) == 4 ? "f32" : "f64";
}

// Every λ makes A − λI singular to within c·n·u·‖A‖, the power sums match, pairs are conjugate.
template <typename T>
void expect_eigenvalues(const char* what, const std::vector<Matrix>& mats, const Batch<T>& b,
                        Tally& t) {
  const double u = unit_roundoff<T>();
  double worstSing = 0, worstPower = 0;
  int badStatus = 0, badPairs = 0, maxIts = 0;
  for (std::size_t m = 0; m < mats.size(); ++m) {
    const Matrix& a = mats[m];
    const double scale = std::max(frobenius(a), 1e-300);
    if (b.status[m] < 0) ++badStatus;
    maxIts = std::max(maxIts, b.status[m]);
    badPairs += conjugate_pairs(b.spectra[m]) ? 0 : 1;
    for (const cplx& l : b.spectra[m]) worstSing = std::max(worstSing, singularity(a, l) / (a.n * u * scale));
    worstPower = std::max(worstPower, power_sum_error(a, b.spectra[m]) / u);
  }
  t.expect(badStatus == 0 && badPairs == 0 && worstSing < 20 && worstPower < 20 && b.damaged == 0,
           "eigen_hqr_%s %-30s count=%zu n=%d: status<0 %d, unpaired %d, max iterations %d, "
           "sigma_min(A-lI)/(n u |A|) <= %.2f, power sums/u <= %.2f, damaged guards %lld",
           dtype<T>(), what, mats.size(), mats.empty() ? 0 : mats[0].n, badStatus, badPairs, maxIts,
           worstSing, worstPower, b.damaged);
}

// Spectra known in advance: the distance to them, relative to ‖A‖, within c·u (well conditioned).
template <typename T>
void expect_known(const char* what, const Matrix& a, const Spectrum& known, double tol, Tally& t) {
  const Batch<T> b = run<T>({a}, a.n, static_cast<long long>(a.n) * a.n, 0);
  const double d = match_distance(b.spectra[0], known) / std::max(frobenius(a), 1e-300);
  t.expect(b.status[0] >= 0 && d <= tol && conjugate_pairs(b.spectra[0]) && b.damaged == 0,
           "eigen_hqr_%s %-30s n=%d: status %d, max |l - known| / |A| = %.3g (tol %.3g)", dtype<T>(),
           what, a.n, b.status[0], d, tol);
}

Matrix random_matrix(int n, std::mt19937& rng) {
  std::normal_distribution<double> g(0.0, 1.0 / std::sqrt(static_cast<double>(n)));
  Matrix m = zeros(n);
  for (double& v : m.a) v = g(rng);
  return m;
}

template <typename T>
void check_dtype(std::mt19937& rng, Tally& t) {
  const double u = unit_roundoff<T>();
  // known spectra
  for (int n : {1, 2, 5, 16}) {
    Matrix d = zeros(n);
    Spectrum known;
    for (int i = 0; i < n; ++i) {
      d.at(i, i) = 0.5 * i - 1.25;
      known.push_back(d.at(i, i));
    }
    expect_known<T>("diagonal", d, known, 4 * u, t);
  }
  {
    Matrix r = zeros(2);
    r.at(0, 1) = -1;
    r.at(1, 0) = 1;
    expect_known<T>("rotation by 90 degrees", r, {cplx(0, 1), cplx(0, -1)}, 4 * u, t);
    expect_known<T>("zero 3x3", zeros(3), {0.0, 0.0, 0.0}, 0, t);
  }
  for (int n : {7, 16, 33, 64}) {
    Spectrum known;
    const Matrix blocks = rotation_blocks(n, rng, known);
    expect_known<T>("rotation blocks, Q B Q^T", similar(blocks, rng), known, 64 * n * u, t);
  }
  {
    const Spectrum roots{2.0, -1.5, cplx(0.5, 0.8), cplx(0.5, -0.8), -0.25, cplx(-0.9, 0.3),
                         cplx(-0.9, -0.3), 1.25};
    const Matrix c = companion(roots);
    expect_known<T>("companion, 8 known roots", c, roots, 2e4 * u, t);
  }
  {
    Matrix tri = zeros(12);  // non-normal: triangular with distinct diagonal, hidden by Q
    std::uniform_real_distribution<double> off(-0.5, 0.5);
    Spectrum known;
    for (int i = 0; i < 12; ++i) {
      tri.at(i, i) = 1.0 - 0.15 * i;
      known.push_back(tri.at(i, i));
      for (int j = i + 1; j < 12; ++j) tri.at(i, j) = off(rng);
    }
    expect_known<T>("triangular, Q T Q^T", similar(tri, rng), known, 1e4 * u, t);
  }
  {
    Matrix jordan = zeros(4);  // defective: λ = 2 four times; computed to about u^(1/4)
    for (int i = 0; i < 4; ++i) {
      jordan.at(i, i) = 2;
      if (i + 1 < 4) jordan.at(i, i + 1) = 1;
    }
    expect_known<T>("Jordan block J4(2), Q J Q^T", similar(jordan, rng), {2.0, 2.0, 2.0, 2.0},
                    4 * std::pow(u, 0.25), t);
  }
  // random matrices: one launch per order, strided with junk in the gaps
  for (int n : {1, 2, 3, 7, 16, 31, 33, 64}) {
    const int count = n <= 16 ? 40 : 6;
    std::vector<Matrix> mats;
    for (int m = 0; m < count; ++m) mats.push_back(random_matrix(n, rng));
    const long long stride = static_cast<long long>(n) * n + 3;
    expect_eigenvalues<T>("random, strided", mats, run<T>(mats, n, stride, 0), t);
  }
  {
    std::vector<Matrix> mats;  // scaled far from 1 either way: the deflation tests are relative
    for (double s : {1e-20, 1e-3, 1e3, 1e20}) {
      Matrix m = random_matrix(10, rng);
      for (double& v : m.a) v *= sizeof(T) == 4 ? std::pow(s, 0.4) : s;
      mats.push_back(m);
    }
    expect_eigenvalues<T>("random, scaled", mats, run<T>(mats, 10, 100, 0), t);
  }
  // status: the cap, and a non-finite input beside a good matrix
  {
    std::vector<Matrix> mats{random_matrix(16, rng)};
    const Batch<T> b = run<T>(mats, 16, 256, 1);
    int nans = 0;
    for (const cplx& l : b.spectra[0]) nans += std::isnan(l.real()) ? 1 : 0;
    t.expect(b.status[0] == MNEMO_EIGEN_NO_CONVERGENCE && nans > 0 && b.damaged == 0,
             "eigen_hqr_%s cap of 1 iteration on a random 16x16: status %d, %d NaN eigenvalues",
             dtype<T>(), b.status[0], nans);
  }
  {
    std::vector<Matrix> mats{random_matrix(5, rng), random_matrix(5, rng)};
    mats[0].at(2, 3) = std::nan("");
    const Batch<T> b = run<T>(mats, 5, 25, 0);
    bool allNan = true;
    for (const cplx& l : b.spectra[0]) allNan = allNan && std::isnan(l.real()) && std::isnan(l.imag());
    t.expect(b.status[0] == MNEMO_EIGEN_NOT_FINITE && allNan && b.status[1] >= 0,
             "eigen_hqr_%s NaN input: status %d (all NaN %d), its neighbour %d", dtype<T>(),
             b.status[0], allNan ? 1 : 0, b.status[1]);
  }
}

}  // namespace

void check_eigen(std::mt19937& rng, Tally& t) {
  check_dtype<float>(rng, t);
  check_dtype<double>(rng, t);
}

}  // namespace mnemo::harness
