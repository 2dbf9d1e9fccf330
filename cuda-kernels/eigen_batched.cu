// eigen_batched.cu — family "eigen": eigenvalues of many small real matrices, one block per
// matrix in shared memory: Householder reduction to upper Hessenberg form (EISPACK orthes), then
// Francis double-shift QR (EISPACK hqr), values only (see mnemo_kernels.h). Entry points:
// mnemo_eigen_hqr_f32, mnemo_eigen_hqr_f64.
//
// Parallel shape: the O(n²) work of each step (a Householder reflector applied to rows or
// columns) is split over the block's threads, one row or column each. The O(n) scalar work
// (scales, shifts, the deflation search) is done redundantly by every thread from the same
// shared data, so every thread takes the same branches and no broadcast is needed; only writes
// to shared memory are partitioned, each fenced by __syncthreads.
#include "mnemo_kernels.h"
#include "mnemo_math.cuh"

namespace mnemo::eigen {
constexpr int kMaxOrder = MNEMO_EIGEN_MAX_ORDER;

template <typename T>
struct Workspace {
  T h[kMaxOrder * kMaxOrder];  // the matrix, row-major with row stride n
  T ort[kMaxOrder];            // the Householder vector of the current reduction step
  T wr[kMaxOrder];             // eigenvalues found so far
  T wi[kMaxOrder];
  int notFinite;
};

__device__ __forceinline__ float root(float x) { return sqrtf(x); }
__device__ __forceinline__ double root(double x) { return sqrt(x); }
__device__ __forceinline__ float largest(float) { return 3.402823466e+38f; }
__device__ __forceinline__ double largest(double) { return 1.7976931348623157e+308; }

template <typename T>
__device__ __forceinline__ T magnitude(T x) {
  return x < T(0) ? -x : x;
}

// Fortran's SIGN(a, b): |a| with the sign of b (b = 0 counts as positive).
template <typename T>
__device__ __forceinline__ T with_sign(T a, T b) {
  return b >= T(0) ? magnitude(a) : -magnitude(a);
}

template <typename T>
__device__ __forceinline__ bool finite_value(T x) {
  return x == x && magnitude(x) <= largest(x);
}

// EISPACK orthes without accumulating the transformations: for each column c = m − 1, a
// reflector I − u·uᵀ/hh zeroes h[m+1.., c], applied from the left (columns split over threads)
// and from the right (rows split over threads). Scaling by the column's 1-norm avoids overflow.
template <typename T>
__device__ void reduce_to_hessenberg(Workspace<T>& w, int n) {
  T* h = w.h;
  const int tid = static_cast<int>(threadIdx.x);
  const int threads = static_cast<int>(blockDim.x);
  for (int m = 1; m < n - 1; ++m) {
    T scale = T(0);
    for (int i = m; i < n; ++i) scale += magnitude(h[i * n + m - 1]);
    if (scale == T(0)) continue;  // the column is already reduced (same for every thread)
    for (int i = m + tid; i < n; i += threads) w.ort[i] = h[i * n + m - 1] / scale;
    __syncthreads();
    T hh = T(0);
    for (int i = m; i < n; ++i) hh += w.ort[i] * w.ort[i];
    const T g = -with_sign(root(hh), w.ort[m]);
    hh -= w.ort[m] * g;
    __syncthreads();  // every thread has read ort[m]
    if (tid == 0) w.ort[m] -= g;
    __syncthreads();
    for (int j = m + tid; j < n; j += threads) {  // h = (I − u·uᵀ/hh)·h
      T f = T(0);
      for (int i = m; i < n; ++i) f += w.ort[i] * h[i * n + j];
      f /= hh;
      for (int i = m; i < n; ++i) h[i * n + j] -= f * w.ort[i];
    }
    __syncthreads();
    for (int i = tid; i < n; i += threads) {  // h = h·(I − u·uᵀ/hh)
      T f = T(0);
      for (int j = m; j < n; ++j) f += w.ort[j] * h[i * n + j];
      f /= hh;
      for (int j = m; j < n; ++j) h[i * n + j] -= f * w.ort[j];
    }
    __syncthreads();
    for (int i = m + tid; i < n; i += threads) h[i * n + m - 1] = i == m ? scale * g : T(0);
    __syncthreads();
  }
}

// One Francis double-shift sweep over rows l..en, starting at row m with the first column's
// scaled (p, q, r) (EISPACK hqr, labels 150–260). Each 3×3 reflector: the row update (columns
// k..en) is split over columns, then the column update (rows l..min(en, k+3)) over rows.
template <typename T>
__device__ void double_shift_sweep(T* h, int n, int l, int m, int en, T p, T q, T r) {
  const int tid = static_cast<int>(threadIdx.x);
  const int threads = static_cast<int>(blockDim.x);
  const int na = en - 1;
  for (int k = m; k <= na; ++k) {
    const bool notLast = k != na;
    T x = T(0);
    if (k != m) {
      p = h[k * n + k - 1];
      q = h[(k + 1) * n + k - 1];
      r = notLast ? h[(k + 2) * n + k - 1] : T(0);
      x = magnitude(p) + magnitude(q) + magnitude(r);
      if (x == T(0)) continue;  // nothing to chase at this k
      p /= x;
      q /= x;
      r /= x;
    }
    const T s = with_sign(root(p * p + q * q + r * r), p);
    // h[k, k−1] after the reflector (read before the barrier; k = m = l has no such element)
    const T subdiagonal = k != m ? -s * x : l != m ? -h[k * n + k - 1] : T(0);
    __syncthreads();  // every thread has read column k − 1
    if (tid == 0 && (k != m || l != m)) h[k * n + k - 1] = subdiagonal;
    p += s;
    x = p / s;
    const T y = q / s;
    const T z = r / s;
    q /= p;
    r /= p;
    for (int j = k + tid; j <= en; j += threads) {  // row modification
      T t = h[k * n + j] + q * h[(k + 1) * n + j];
      if (notLast) {
        t += r * h[(k + 2) * n + j];
        h[(k + 2) * n + j] -= t * z;
      }
      h[(k + 1) * n + j] -= t * y;
      h[k * n + j] -= t * x;
    }
    __syncthreads();
    const int last = en < k + 3 ? en : k + 3;
    for (int i = l + tid; i <= last; i += threads) {  // column modification
      T t = x * h[i * n + k] + y * h[i * n + k + 1];
      if (notLast) {
        t += z * h[i * n + k + 2];
        h[i * n + k + 2] -= t * r;
      }
      h[i * n + k + 1] -= t * q;
      h[i * n + k] -= t;
    }
    __syncthreads();
  }
}

// EISPACK hqr on the Hessenberg matrix in w.h: eigenvalues into w.wr/w.wi. Returns the QR
// iterations taken, or MNEMO_EIGEN_NO_CONVERGENCE (eigenvalues not found are NaN).
template <typename T>
__device__ int shifted_qr(Workspace<T>& w, int n, int cap) {
  T* h = w.h;
  const int tid = static_cast<int>(threadIdx.x);
  const int threads = static_cast<int>(blockDim.x);
  T norm = T(0);  // the deflation test's scale when both neighbouring diagonals are 0
  for (int i = 0; i < n; ++i) {
    for (int j = i > 0 ? i - 1 : 0; j < n; ++j) norm += magnitude(h[i * n + j]);
  }
  T shiftSum = T(0);  // exceptional shifts applied so far (EISPACK's t)
  int left = cap;
  int en = n - 1;
  while (en >= 0) {
    int its = 0;  // iterations spent on the current eigenvalue
    for (;;) {
      int l = en;  // look for a single negligible subdiagonal element
      for (; l > 0; --l) {
        T s = magnitude(h[(l - 1) * n + l - 1]) + magnitude(h[l * n + l]);
        if (s == T(0)) s = norm;
        if (s + magnitude(h[l * n + l - 1]) == s) break;
      }
      T x = h[en * n + en];
      if (l == en) {  // one real root
        if (tid == 0) {
          w.wr[en] = x + shiftSum;
          w.wi[en] = T(0);
        }
        en -= 1;
        break;
      }
      const int na = en - 1;
      T y = h[na * n + na];
      T ww = h[en * n + na] * h[na * n + en];
      if (l == na) {  // a 2×2 block: two real roots or a complex pair
        const T p = (y - x) / T(2);
        const T q = p * p + ww;
        T z = root(magnitude(q));
        x += shiftSum;
        if (tid == 0) {
          if (q >= T(0)) {
            z = p + with_sign(z, p);
            w.wr[na] = x + z;
            w.wr[en] = z != T(0) ? x - ww / z : x + z;
            w.wi[na] = T(0);
            w.wi[en] = T(0);
          } else {
            w.wr[na] = x + p;
            w.wr[en] = x + p;
            w.wi[na] = z;
            w.wi[en] = -z;
          }
        }
        en -= 2;
        break;
      }
      if (left == 0) return MNEMO_EIGEN_NO_CONVERGENCE;
      const int enm2 = na - 1;
      if (its == 10 || its == 20) {  // exceptional shift
        shiftSum += x;
        __syncthreads();  // every thread has read the diagonal
        for (int i = tid; i <= en; i += threads) h[i * n + i] -= x;
        __syncthreads();
        const T s = magnitude(h[en * n + na]) + magnitude(h[na * n + enm2]);
        x = T(0.75) * s;
        y = x;
        ww = T(-0.4375) * s * s;
      }
      its += 1;
      left -= 1;
      // look for two consecutive small subdiagonal elements: where the sweep may start
      int m = enm2;
      T p = T(0);
      T q = T(0);
      T r = T(0);
      for (;; --m) {
        const T zz = h[m * n + m];
        const T rr = x - zz;
        const T ss = y - zz;
        p = (rr * ss - ww) / h[(m + 1) * n + m] + h[m * n + m + 1];
        q = h[(m + 1) * n + m + 1] - zz - rr - ss;
        r = h[(m + 2) * n + m + 1];
        const T s = magnitude(p) + magnitude(q) + magnitude(r);
        p /= s;
        q /= s;
        r /= s;
        if (m == l) break;
        const T tst1 = magnitude(p) * (magnitude(h[(m - 1) * n + m - 1]) + magnitude(zz) +
                                       magnitude(h[(m + 1) * n + m + 1]));
        if (tst1 + magnitude(h[m * n + m - 1]) * (magnitude(q) + magnitude(r)) == tst1) break;
      }
      __syncthreads();  // every thread has finished reading before the zeroing below
      for (int i = m + 2 + tid; i <= en; i += threads) {
        h[i * n + i - 2] = T(0);
        if (i != m + 2) h[i * n + i - 3] = T(0);
      }
      __syncthreads();
      double_shift_sweep(h, n, l, m, en, p, q, r);
    }
  }
  return cap - left;
}

template <typename T>
__device__ void eigenvalues(const T* a, long long matrixStride, int n, int count,
                            int maxIterations, T* wr, T* wi, int* status) {
  __shared__ Workspace<T> w;
  const long long matrix = blockIdx.x;
  if (matrix >= count) return;  // the whole block leaves together
  const int tid = static_cast<int>(threadIdx.x);
  const int threads = static_cast<int>(blockDim.x);
  const T* src = a + matrix * matrixStride;
  if (tid == 0) w.notFinite = 0;
  __syncthreads();
  for (int k = tid; k < n * n; k += threads) {
    const T v = src[k];
    w.h[k] = v;
    if (!finite_value(v)) w.notFinite = 1;  // every writer writes the same value
  }
  for (int i = tid; i < n; i += threads) {
    w.wr[i] = root(T(-1));  // NaN until found
    w.wi[i] = root(T(-1));
  }
  __syncthreads();
  int result = MNEMO_EIGEN_NOT_FINITE;
  if (w.notFinite == 0) {
    reduce_to_hessenberg(w, n);
    result = shifted_qr(w, n, maxIterations > 0 ? maxIterations : 30 * n);
  }
  __syncthreads();
  for (int i = tid; i < n; i += threads) {
    wr[matrix * n + i] = w.wr[i];
    wi[matrix * n + i] = w.wi[i];
  }
  if (tid == 0) status[matrix] = result;
}

}  // namespace mnemo::eigen

extern "C" __global__ void mnemo_eigen_hqr_f32(const float* a, long long matrixStride, int n,
                                               int count, int maxIterations, float* wr,
                                               float* wi, int* status) {
  mnemo::eigen::eigenvalues(a, matrixStride, n, count, maxIterations, wr, wi, status);
}

extern "C" __global__ void mnemo_eigen_hqr_f64(const double* a, long long matrixStride, int n,
                                               int count, int maxIterations, double* wr,
                                               double* wi, int* status) {
  mnemo::eigen::eigenvalues(a, matrixStride, n, count, maxIterations, wr, wi, status);
}
