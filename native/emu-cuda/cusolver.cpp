// cusolver.cpp — the emulated cuSOLVER dense entry points that Mnemo binds (java-bindings
// Cusolver.java): handles and params, cusolverDnXgeev (general eigenproblem) and
// cusolverDnXsyevd (symmetric eigenproblem), computed by the system LAPACK, loaded at run time.
//
// Arguments, the valid data-type combinations and the meaning of `info` follow the cuSOLVER
// documentation of the 64-bit API: for real A, Xgeev computes right eigenvectors only (jobvl must
// be NOVECTOR) and returns VR real in LAPACK's packed form (a complex pair λ_j, λ_j+1 = conj λ_j
// has v_j = VR(:,j) + i·VR(:,j+1)), W either real (2n entries: n real parts, then n imaginary
// parts) or complex (n interleaved (re, im) pairs); info > 0 is LAPACK's convergence failure.
// float32 runs sgeev_/ssyevd_ and float64 dgeev_/dsyevd_, so precision is that of the data type.
//
// The caller's workspaces are used for real: Xgeev keeps LAPACK's work array in the host workspace
// (cuSOLVER's geev is a hybrid CPU-GPU routine) and stages the eigenvalues in the device one;
// Xsyevd keeps work and iwork in the device workspace and asks for no host workspace.
#include <dlfcn.h>
#include <library_types.h>

#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "emu_cuda.h"

// The opaque types of cusolverDn.h; the handle only remembers its stream, params hold nothing
// (only the default algorithm exists for Xgeev and Xsyevd).
struct cusolverDnContext {
  CUstream stream = nullptr;
};
typedef cusolverDnContext* cusolverDnHandle_t;
struct cusolverDnParams {};
typedef cusolverDnParams* cusolverDnParams_t;

// cusolver_common.h / cublas_api.h enums with their documented values; a fixed underlying type
// keeps any int a caller passes a valid value, so an out-of-range one can be rejected.
enum cusolverStatus_t : int {
  CUSOLVER_STATUS_SUCCESS = 0,
  CUSOLVER_STATUS_NOT_INITIALIZED = 1,
  CUSOLVER_STATUS_INVALID_VALUE = 3,
  CUSOLVER_STATUS_EXECUTION_FAILED = 6,
  CUSOLVER_STATUS_INTERNAL_ERROR = 7,
  CUSOLVER_STATUS_NOT_SUPPORTED = 9,
};
enum cusolverEigMode_t : int { CUSOLVER_EIG_MODE_NOVECTOR = 0, CUSOLVER_EIG_MODE_VECTOR = 1 };
enum cublasFillMode_t : int { CUBLAS_FILL_MODE_LOWER = 0, CUBLAS_FILL_MODE_UPPER = 1 };

#define MNEMO_CUSOLVER_API extern "C" __attribute__((visibility("default")))

namespace {

// What this library reports: cuSOLVER 12.0.0 (the libcusolver.so.12 of CUDA 13), encoded as
// CUSOLVER_VERSION is: major·1000 + minor·100 + patch.
constexpr int kVersion = 12 * 1000 + 0 * 100 + 0;

// ───────────────────────────── LAPACK, loaded at run time ─────────────────────────────

// Fortran ABI: every argument by reference, then the hidden lengths of the character arguments.
template <typename T>
using GeevFn = void (*)(const char* jobvl, const char* jobvr, const int* n, T* a, const int* lda, T* wr, T* wi,
                        T* vl, const int* ldvl, T* vr, const int* ldvr, T* work, const int* lwork, int* info,
                        size_t jobvlLen, size_t jobvrLen);
template <typename T>
using SyevdFn = void (*)(const char* jobz, const char* uplo, const int* n, T* a, const int* lda, T* w, T* work,
                         const int* lwork, int* iwork, const int* liwork, int* info, size_t jobzLen,
                         size_t uploLen);

struct Lapack {
  GeevFn<float> sgeev = nullptr;
  GeevFn<double> dgeev = nullptr;
  SyevdFn<float> ssyevd = nullptr;
  SyevdFn<double> dsyevd = nullptr;
  std::string why;  // empty once loaded

  template <typename T> GeevFn<T> geev() const {
    if constexpr (std::is_same<T, float>::value) return sgeev; else return dgeev;
  }
  template <typename T> SyevdFn<T> syevd() const {
    if constexpr (std::is_same<T, float>::value) return ssyevd; else return dsyevd;
  }
};

Lapack load_lapack() {
  Lapack l;
  for (const char* name : {"liblapack.so.3", "libopenblas.so.0"}) {
    void* lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      const char* e = dlerror();
      l.why += std::string(l.why.empty() ? "" : "; ") + (e ? e : name);
      continue;
    }
    l.sgeev = reinterpret_cast<GeevFn<float>>(dlsym(lib, "sgeev_"));
    l.dgeev = reinterpret_cast<GeevFn<double>>(dlsym(lib, "dgeev_"));
    l.ssyevd = reinterpret_cast<SyevdFn<float>>(dlsym(lib, "ssyevd_"));
    l.dsyevd = reinterpret_cast<SyevdFn<double>>(dlsym(lib, "dsyevd_"));
    if (l.sgeev && l.dgeev && l.ssyevd && l.dsyevd) {
      l.why.clear();
      return l;
    }
    l.why += std::string(l.why.empty() ? "" : "; ") + name + " lacks sgeev_/dgeev_/ssyevd_/dsyevd_";
    dlclose(lib);
  }
  return l;
}

const Lapack& lapack() {
  static const Lapack l = load_lapack();
  return l;
}

// NOT_SUPPORTED for something cuSOLVER accepts but this emulation cannot do, said on stderr so a
// skipped or failed test names the emulator, not the caller.
cusolverStatus_t not_emulated(const char* call, const std::string& why) {
  std::fprintf(stderr, "mnemo emulated cuSOLVER: %s: %s -> CUSOLVER_STATUS_NOT_SUPPORTED\n", call, why.c_str());
  return CUSOLVER_STATUS_NOT_SUPPORTED;
}

// ───────────────────────────── handles and shared checks ─────────────────────────────

std::set<cusolverDnHandle_t>& live_handles() {
  static std::set<cusolverDnHandle_t> handles;
  return handles;
}

std::set<cusolverDnParams_t>& live_params() {
  static std::set<cusolverDnParams_t> params;
  return params;
}

// A stale or never-created handle is NOT_INITIALIZED; null params mean the defaults, stale ones
// are an invalid value (both are undefined behaviour on a GPU; here they are loud).
cusolverStatus_t check_handles(cusolverDnHandle_t h, cusolverDnParams_t p) {
  if (h == nullptr || live_handles().count(h) == 0) return CUSOLVER_STATUS_NOT_INITIALIZED;
  if (p != nullptr && live_params().count(p) == 0) return CUSOLVER_STATUS_INVALID_VALUE;
  return CUSOLVER_STATUS_SUCCESS;
}

bool valid_mode(int mode) { return mode == CUSOLVER_EIG_MODE_NOVECTOR || mode == CUSOLVER_EIG_MODE_VECTOR; }

int64_t at_least_one(int64_t v) { return v < 1 ? 1 : v; }

bool fits_int(int64_t v) { return v <= INT_MAX; }

// LAPACK's workspace queries answer in the working precision: round a float answer up with some
// room, as a float cannot hold every large integer.
template <typename T>
int64_t query_count(T answer) {
  double v = static_cast<double>(answer);
  if (std::is_same<T, float>::value) v *= 1.0 + 1e-6;
  return static_cast<int64_t>(std::ceil(v));
}

cusolverStatus_t queued(CUresult r) {
  return r == CUDA_SUCCESS ? CUSOLVER_STATUS_SUCCESS : CUSOLVER_STATUS_EXECUTION_FAILED;
}

// The caller must pass at least what the _bufferSize query returned (cuSOLVER documents the
// sizes as "returned by ..._bufferSize"; less is treated as an invalid value here).
bool workspace_ok(const void* buffer, size_t have, size_t need) {
  return have >= need && (need == 0 || buffer != nullptr);
}

// ───────────────────────────── Xgeev ─────────────────────────────

struct GeevPlan {
  bool isDouble = false;
  bool complexW = false;
  bool vectors = false;
  int n = 0, lda = 1, ldvl = 1, ldvr = 1;
  int lwork = 0;
  size_t elem = 0;
  size_t deviceBytes = 0;  // wr, wi staging: 2n elements
  size_t hostBytes = 0;    // LAPACK work: lwork elements
};

template <typename T>
cusolverStatus_t query_geev(GeevPlan& p) {
  if (p.n == 0) return CUSOLVER_STATUS_SUCCESS;
  T a = 0, w = 0, v = 0, work = 0;
  const int query = -1;
  int info = 0;
  lapack().geev<T>()("N", p.vectors ? "V" : "N", &p.n, &a, &p.lda, &w, &w, &v, &p.ldvl, &v, &p.ldvr, &work, &query,
                     &info, 1, 1);
  const int64_t lwork = query_count(work);
  if (info != 0 || lwork < 1 || !fits_int(lwork)) return CUSOLVER_STATUS_INTERNAL_ERROR;
  p.lwork = static_cast<int>(lwork);
  p.deviceBytes = 2 * static_cast<size_t>(p.n) * p.elem;
  p.hostBytes = static_cast<size_t>(p.lwork) * p.elem;
  return CUSOLVER_STATUS_SUCCESS;
}

// The checks cuSOLVER documents (INVALID_VALUE for bad modes, sizes, leading dimensions and data
// types outside its table), then the workspace sizes for this emulation.
cusolverStatus_t plan_geev(cusolverDnHandle_t handle, cusolverDnParams_t params, int jobvl, int jobvr, int64_t n,
                           int typeA, int64_t lda, int typeW, int typeVL, int64_t ldvl, int typeVR, int64_t ldvr,
                           int computeType, GeevPlan& p) {
  const char* call = "cusolverDnXgeev";
  if (cusolverStatus_t s = check_handles(handle, params)) return s;
  if (!valid_mode(jobvl) || !valid_mode(jobvr)) return CUSOLVER_STATUS_INVALID_VALUE;
  if (n < 0 || lda < at_least_one(n)) return CUSOLVER_STATUS_INVALID_VALUE;
  if (ldvl < 1 || (jobvl == CUSOLVER_EIG_MODE_VECTOR && ldvl < n)) return CUSOLVER_STATUS_INVALID_VALUE;
  if (ldvr < 1 || (jobvr == CUSOLVER_EIG_MODE_VECTOR && ldvr < n)) return CUSOLVER_STATUS_INVALID_VALUE;
  // Valid combinations: real A with the same real VL, VR and compute type, W that real type
  // (2n entries) or its complex type (n entries); complex A with everything that complex type.
  const bool real32 = typeA == CUDA_R_32F && typeVL == CUDA_R_32F && typeVR == CUDA_R_32F && computeType == CUDA_R_32F &&
                      (typeW == CUDA_R_32F || typeW == CUDA_C_32F);
  const bool real64 = typeA == CUDA_R_64F && typeVL == CUDA_R_64F && typeVR == CUDA_R_64F && computeType == CUDA_R_64F &&
                      (typeW == CUDA_R_64F || typeW == CUDA_C_64F);
  const bool complex32 = typeA == CUDA_C_32F && typeW == CUDA_C_32F && typeVL == CUDA_C_32F && typeVR == CUDA_C_32F &&
                         computeType == CUDA_C_32F;
  const bool complex64 = typeA == CUDA_C_64F && typeW == CUDA_C_64F && typeVL == CUDA_C_64F && typeVR == CUDA_C_64F &&
                         computeType == CUDA_C_64F;
  if (!real32 && !real64 && !complex32 && !complex64) return CUSOLVER_STATUS_INVALID_VALUE;
  // "geev only supports the computation of right eigenvectors": a valid mode, but unsupported.
  if (jobvl == CUSOLVER_EIG_MODE_VECTOR) return CUSOLVER_STATUS_NOT_SUPPORTED;
  if (complex32 || complex64) return not_emulated(call, "complex A (CGEEV/ZGEEV) is not emulated");
  if (!lapack().why.empty()) return not_emulated(call, "no LAPACK could be loaded (" + lapack().why + ")");
  if (!fits_int(lda) || !fits_int(ldvl) || !fits_int(ldvr)) {
    return not_emulated(call, "sizes beyond LAPACK's 32-bit integers");
  }
  p.isDouble = real64;
  p.complexW = typeW == CUDA_C_32F || typeW == CUDA_C_64F;
  p.vectors = jobvr == CUSOLVER_EIG_MODE_VECTOR;
  p.n = static_cast<int>(n);
  p.lda = static_cast<int>(lda);
  p.ldvl = static_cast<int>(ldvl);
  p.ldvr = static_cast<int>(ldvr);
  p.elem = real64 ? sizeof(double) : sizeof(float);
  return p.isDouble ? query_geev<double>(p) : query_geev<float>(p);
}

// Whether the n×n column-major A (leading dimension lda) holds an infinity or a NaN. LAPACK must not
// see one: ?gebal then reports a NaN norm (INFO = −3), ?geev goes on with ILO and IHI never set, and
// the routines after it wrote outside A and the workspace (a float32 Xgeev of a matrix of order 1e40,
// whose elements round to ∞, corrupted the process's heap). What the emulation answers instead is
// NaN eigenvalues with info 0, which is what a solver that propagates the NaN would return.
template <typename T>
bool has_non_finite(const T* A, int n, int lda) {
  for (int j = 0; j < n; ++j) {
    for (int i = 0; i < n; ++i) {
      if (!std::isfinite(A[static_cast<size_t>(j) * lda + i])) return true;
    }
  }
  return false;
}

// Runs on the stream: LAPACK overwrites A, writes VR (same column-major layout and ldvr as
// cuSOLVER's), and the eigenvalues are copied from the staging area into W in W's format.
template <typename T>
void run_geev(const GeevPlan& p, T* A, void* W, T* VR, T* stage, T* work, int* info) {
  if (p.n == 0) {
    *info = 0;
    return;
  }
  T* wr = stage;
  T* wi = stage + p.n;
  if (has_non_finite(A, p.n, p.lda)) {
    const T nan = std::numeric_limits<T>::quiet_NaN();
    T* w = static_cast<T*>(W);
    for (int j = 0; j < 2 * p.n; ++j) w[j] = nan;   // n complex or 2n real entries: 2n values either way
    if (p.vectors) {
      for (int j = 0; j < p.n; ++j) {
        for (int i = 0; i < p.n; ++i) VR[static_cast<size_t>(j) * p.ldvr + i] = nan;
      }
    }
    *info = 0;
    return;
  }
  T unused = 0;
  int lapackInfo = 0;
  lapack().geev<T>()("N", p.vectors ? "V" : "N", &p.n, A, &p.lda, wr, wi, &unused, &p.ldvl,
                     p.vectors ? VR : &unused, &p.ldvr, work, &p.lwork, &lapackInfo, 1, 1);
  if (lapackInfo < 0) {  // an argument this emulation passed wrongly, not the caller's
    std::fprintf(stderr, "mnemo emulated cuSOLVER: ?geev_ rejected argument %d\n", -lapackInfo);
  }
  // info = i > 0: the QR algorithm failed; entries i+1..n of W hold the converged eigenvalues.
  T* w = static_cast<T*>(W);
  for (int j = 0; j < p.n; ++j) {
    if (p.complexW) {
      w[2 * j] = wr[j];
      w[2 * j + 1] = wi[j];
    } else {
      w[j] = wr[j];
      w[p.n + j] = wi[j];
    }
  }
  *info = lapackInfo;
}

// ───────────────────────────── Xsyevd ─────────────────────────────

struct SyevdPlan {
  bool isDouble = false;
  bool vectors = false;
  bool upper = false;
  int n = 0, lda = 1;
  int lwork = 0, liwork = 0;
  size_t elem = 0;
  size_t deviceBytes = 0;  // LAPACK work (lwork elements), then iwork (liwork ints)
};

template <typename T>
cusolverStatus_t query_syevd(SyevdPlan& p) {
  if (p.n == 0) return CUSOLVER_STATUS_SUCCESS;
  T a = 0, w = 0, work = 0;
  int iwork = 0, info = 0;
  const int query = -1;
  lapack().syevd<T>()(p.vectors ? "V" : "N", p.upper ? "U" : "L", &p.n, &a, &p.lda, &w, &work, &query, &iwork,
                      &query, &info, 1, 1);
  const int64_t lwork = query_count(work);
  if (info != 0 || lwork < 1 || iwork < 1 || !fits_int(lwork)) return CUSOLVER_STATUS_INTERNAL_ERROR;
  p.lwork = static_cast<int>(lwork);
  p.liwork = iwork;
  p.deviceBytes = static_cast<size_t>(p.lwork) * p.elem + static_cast<size_t>(p.liwork) * sizeof(int);
  return CUSOLVER_STATUS_SUCCESS;
}

cusolverStatus_t plan_syevd(cusolverDnHandle_t handle, cusolverDnParams_t params, int jobz, int uplo, int64_t n,
                            int typeA, int64_t lda, int typeW, int computeType, SyevdPlan& p) {
  const char* call = "cusolverDnXsyevd";
  if (cusolverStatus_t s = check_handles(handle, params)) return s;
  if (!valid_mode(jobz)) return CUSOLVER_STATUS_INVALID_VALUE;
  if (uplo != CUBLAS_FILL_MODE_LOWER && uplo != CUBLAS_FILL_MODE_UPPER) return CUSOLVER_STATUS_INVALID_VALUE;
  if (n < 0 || lda < at_least_one(n)) return CUSOLVER_STATUS_INVALID_VALUE;
  // Valid: SSYEVD, DSYEVD, and CHEEVD/ZHEEVD (complex A, real W), which are not emulated.
  const bool real32 = typeA == CUDA_R_32F && typeW == CUDA_R_32F && computeType == CUDA_R_32F;
  const bool real64 = typeA == CUDA_R_64F && typeW == CUDA_R_64F && computeType == CUDA_R_64F;
  const bool complex32 = typeA == CUDA_C_32F && typeW == CUDA_R_32F && computeType == CUDA_C_32F;
  const bool complex64 = typeA == CUDA_C_64F && typeW == CUDA_R_64F && computeType == CUDA_C_64F;
  if (!real32 && !real64 && !complex32 && !complex64) return CUSOLVER_STATUS_INVALID_VALUE;
  if (complex32 || complex64) return not_emulated(call, "Hermitian A (CHEEVD/ZHEEVD) is not emulated");
  if (!lapack().why.empty()) return not_emulated(call, "no LAPACK could be loaded (" + lapack().why + ")");
  if (!fits_int(lda)) return not_emulated(call, "sizes beyond LAPACK's 32-bit integers");
  p.isDouble = real64;
  p.vectors = jobz == CUSOLVER_EIG_MODE_VECTOR;
  p.upper = uplo == CUBLAS_FILL_MODE_UPPER;
  p.n = static_cast<int>(n);
  p.lda = static_cast<int>(lda);
  p.elem = real64 ? sizeof(double) : sizeof(float);
  return p.isDouble ? query_syevd<double>(p) : query_syevd<float>(p);
}

// Runs on the stream: ascending eigenvalues into W and, with vectors, orthonormal eigenvectors
// over A (column j = v_j); without, A is destroyed, as cuSOLVER documents.
template <typename T>
void run_syevd(const SyevdPlan& p, T* A, T* W, void* workspace, int* info) {
  if (p.n == 0) {
    *info = 0;
    return;
  }
  if (has_non_finite(A, p.n, p.lda)) {   // as in run_geev: NaN eigenvalues, LAPACK never sees it
    const T nan = std::numeric_limits<T>::quiet_NaN();
    for (int j = 0; j < p.n; ++j) W[j] = nan;
    if (p.vectors) {
      for (int j = 0; j < p.n; ++j) {
        for (int i = 0; i < p.n; ++i) A[static_cast<size_t>(j) * p.lda + i] = nan;
      }
    }
    *info = 0;
    return;
  }
  T* work = static_cast<T*>(workspace);
  int* iwork = reinterpret_cast<int*>(static_cast<char*>(workspace) + static_cast<size_t>(p.lwork) * p.elem);
  int lapackInfo = 0;
  lapack().syevd<T>()(p.vectors ? "V" : "N", p.upper ? "U" : "L", &p.n, A, &p.lda, W, work, &p.lwork, iwork,
                      &p.liwork, &lapackInfo, 1, 1);
  if (lapackInfo < 0) {
    std::fprintf(stderr, "mnemo emulated cuSOLVER: ?syevd_ rejected argument %d\n", -lapackInfo);
  }
  *info = lapackInfo;  // i > 0: i off-diagonal elements of the tridiagonal form did not converge
}

}  // namespace

MNEMO_CUSOLVER_API cusolverStatus_t cusolverGetVersion(int* version) {
  MNEMO_EMU_ENTRY;
  if (version == nullptr) return CUSOLVER_STATUS_INVALID_VALUE;
  *version = kVersion;
  return CUSOLVER_STATUS_SUCCESS;
}

MNEMO_CUSOLVER_API cusolverStatus_t cusolverDnCreate(cusolverDnHandle_t* handle) {
  MNEMO_EMU_ENTRY;
  if (handle == nullptr) return CUSOLVER_STATUS_INVALID_VALUE;
  *handle = new cusolverDnContext();
  live_handles().insert(*handle);
  return CUSOLVER_STATUS_SUCCESS;
}

MNEMO_CUSOLVER_API cusolverStatus_t cusolverDnDestroy(cusolverDnHandle_t handle) {
  MNEMO_EMU_ENTRY;
  if (handle == nullptr || live_handles().count(handle) == 0) return CUSOLVER_STATUS_NOT_INITIALIZED;
  live_handles().erase(handle);
  delete handle;
  return CUSOLVER_STATUS_SUCCESS;
}

// Any stream value is kept; an invalid one fails when work is queued (EXECUTION_FAILED).
MNEMO_CUSOLVER_API cusolverStatus_t cusolverDnSetStream(cusolverDnHandle_t handle, CUstream stream) {
  MNEMO_EMU_ENTRY;
  if (handle == nullptr || live_handles().count(handle) == 0) return CUSOLVER_STATUS_NOT_INITIALIZED;
  handle->stream = stream;
  return CUSOLVER_STATUS_SUCCESS;
}

MNEMO_CUSOLVER_API cusolverStatus_t cusolverDnCreateParams(cusolverDnParams_t* params) {
  MNEMO_EMU_ENTRY;
  if (params == nullptr) return CUSOLVER_STATUS_INVALID_VALUE;
  *params = new cusolverDnParams();
  live_params().insert(*params);
  return CUSOLVER_STATUS_SUCCESS;
}

MNEMO_CUSOLVER_API cusolverStatus_t cusolverDnDestroyParams(cusolverDnParams_t params) {
  MNEMO_EMU_ENTRY;
  if (params == nullptr || live_params().count(params) == 0) return CUSOLVER_STATUS_INVALID_VALUE;
  live_params().erase(params);
  delete params;
  return CUSOLVER_STATUS_SUCCESS;
}

MNEMO_CUSOLVER_API cusolverStatus_t cusolverDnXgeev_bufferSize(
    cusolverDnHandle_t handle, cusolverDnParams_t params, cusolverEigMode_t jobvl, cusolverEigMode_t jobvr, int64_t n,
    int dataTypeA, const void*, int64_t lda, int dataTypeW, const void*, int dataTypeVL, const void*, int64_t ldvl,
    int dataTypeVR, const void*, int64_t ldvr, int computeType, size_t* workspaceInBytesOnDevice,
    size_t* workspaceInBytesOnHost) {
  MNEMO_EMU_ENTRY;
  GeevPlan p;
  if (cusolverStatus_t s = plan_geev(handle, params, jobvl, jobvr, n, dataTypeA, lda, dataTypeW, dataTypeVL, ldvl,
                                     dataTypeVR, ldvr, computeType, p)) {
    return s;
  }
  if (workspaceInBytesOnDevice == nullptr || workspaceInBytesOnHost == nullptr) return CUSOLVER_STATUS_INVALID_VALUE;
  *workspaceInBytesOnDevice = p.deviceBytes;
  *workspaceInBytesOnHost = p.hostBytes;
  return CUSOLVER_STATUS_SUCCESS;
}

MNEMO_CUSOLVER_API cusolverStatus_t cusolverDnXgeev(
    cusolverDnHandle_t handle, cusolverDnParams_t params, cusolverEigMode_t jobvl, cusolverEigMode_t jobvr, int64_t n,
    int dataTypeA, void* A, int64_t lda, int dataTypeW, void* W, int dataTypeVL, void*, int64_t ldvl, int dataTypeVR,
    void* VR, int64_t ldvr, int computeType, void* bufferOnDevice, size_t workspaceInBytesOnDevice,
    void* bufferOnHost, size_t workspaceInBytesOnHost, int* info) {
  MNEMO_EMU_ENTRY;
  GeevPlan p;
  if (cusolverStatus_t s = plan_geev(handle, params, jobvl, jobvr, n, dataTypeA, lda, dataTypeW, dataTypeVL, ldvl,
                                     dataTypeVR, ldvr, computeType, p)) {
    return s;
  }
  if (info == nullptr) return CUSOLVER_STATUS_INVALID_VALUE;
  if (p.n > 0 && (A == nullptr || W == nullptr || (p.vectors && VR == nullptr))) return CUSOLVER_STATUS_INVALID_VALUE;
  if (!workspace_ok(bufferOnDevice, workspaceInBytesOnDevice, p.deviceBytes) ||
      !workspace_ok(bufferOnHost, workspaceInBytesOnHost, p.hostBytes)) {
    return CUSOLVER_STATUS_INVALID_VALUE;
  }
  cusolverStatus_t s = queued(mnemo_emu::submit(handle->stream, [=] {
    if (p.isDouble) {
      run_geev<double>(p, static_cast<double*>(A), W, static_cast<double*>(VR), static_cast<double*>(bufferOnDevice),
                       static_cast<double*>(bufferOnHost), info);
    } else {
      run_geev<float>(p, static_cast<float*>(A), W, static_cast<float*>(VR), static_cast<float*>(bufferOnDevice),
                      static_cast<float*>(bufferOnHost), info);
    }
  }));
  // The host workspace is the caller's until the call returns: geev works on it before returning.
  if (s == CUSOLVER_STATUS_SUCCESS) mnemo_emu::stream_sync(handle->stream);
  return s;
}

MNEMO_CUSOLVER_API cusolverStatus_t cusolverDnXsyevd_bufferSize(
    cusolverDnHandle_t handle, cusolverDnParams_t params, cusolverEigMode_t jobz, cublasFillMode_t uplo, int64_t n,
    int dataTypeA, const void*, int64_t lda, int dataTypeW, const void*, int computeType,
    size_t* workspaceInBytesOnDevice, size_t* workspaceInBytesOnHost) {
  MNEMO_EMU_ENTRY;
  SyevdPlan p;
  if (cusolverStatus_t s = plan_syevd(handle, params, jobz, uplo, n, dataTypeA, lda, dataTypeW, computeType, p)) {
    return s;
  }
  if (workspaceInBytesOnDevice == nullptr || workspaceInBytesOnHost == nullptr) return CUSOLVER_STATUS_INVALID_VALUE;
  *workspaceInBytesOnDevice = p.deviceBytes;
  *workspaceInBytesOnHost = 0;
  return CUSOLVER_STATUS_SUCCESS;
}

MNEMO_CUSOLVER_API cusolverStatus_t cusolverDnXsyevd(
    cusolverDnHandle_t handle, cusolverDnParams_t params, cusolverEigMode_t jobz, cublasFillMode_t uplo, int64_t n,
    int dataTypeA, void* A, int64_t lda, int dataTypeW, void* W, int computeType, void* bufferOnDevice,
    size_t workspaceInBytesOnDevice, void*, size_t, int* info) {
  MNEMO_EMU_ENTRY;
  SyevdPlan p;
  if (cusolverStatus_t s = plan_syevd(handle, params, jobz, uplo, n, dataTypeA, lda, dataTypeW, computeType, p)) {
    return s;
  }
  if (info == nullptr) return CUSOLVER_STATUS_INVALID_VALUE;
  if (p.n > 0 && (A == nullptr || W == nullptr)) return CUSOLVER_STATUS_INVALID_VALUE;
  if (!workspace_ok(bufferOnDevice, workspaceInBytesOnDevice, p.deviceBytes)) return CUSOLVER_STATUS_INVALID_VALUE;
  return queued(mnemo_emu::submit(handle->stream, [=] {
    if (p.isDouble) {
      run_syevd<double>(p, static_cast<double*>(A), static_cast<double*>(W), bufferOnDevice, info);
    } else {
      run_syevd<float>(p, static_cast<float*>(A), static_cast<float*>(W), bufferOnDevice, info);
    }
  }));
}
