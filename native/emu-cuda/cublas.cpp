// cublas.cpp — the emulated cuBLAS v2 entry points that Mnemo binds (java-bindings Cublas.java):
// handles, version queries, the workspace, Sgemm, SgemmStridedBatched, GemmEx,
// GemmStridedBatchedEx, Sgeam/Dgeam and Sdgmm.
//
// Semantics follow the cuBLAS documentation, not Mnemo's use of it, so that a caller's mistake
// shows up here as it would on a GPU: column-major storage, op(X) with CUBLAS_OP_N/T/C, scalars
// read from host memory at call time (the default pointer mode), beta == 0 meaning C (or, for
// geam, B) is not read, and the documented CUBLAS_STATUS_INVALID_VALUE checks (negative sizes,
// leading dimensions below max(1, rows), bad enums, null scalars, geam's in-place rules).
// Arithmetic accumulates in double and stores the output type; CUBLAS_COMPUTE_32F_FAST_TF32
// rounds A and B to TF32 first, so a TF32 tolerance is exercised, not assumed.
#include <library_types.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <set>
#include <type_traits>
#include <vector>

#include "emu_cuda.h"

// The opaque handle of cublas_api.h; here it only remembers its stream and workspace.
struct cublasContext {
  CUstream stream = nullptr;
  void* workspace = nullptr;
  size_t workspaceBytes = 0;
};
typedef cublasContext* cublasHandle_t;

// The cublas_api.h enums with their documented values. A fixed underlying type keeps any int the
// caller passes a valid value, so an out-of-range one can be rejected rather than be undefined.
enum cublasStatus_t : int {
  CUBLAS_STATUS_SUCCESS = 0,
  CUBLAS_STATUS_NOT_INITIALIZED = 1,
  CUBLAS_STATUS_INVALID_VALUE = 7,
  CUBLAS_STATUS_EXECUTION_FAILED = 13,
  CUBLAS_STATUS_NOT_SUPPORTED = 15,
};
enum cublasOperation_t : int { CUBLAS_OP_N = 0, CUBLAS_OP_T = 1, CUBLAS_OP_C = 2 };
enum cublasSideMode_t : int { CUBLAS_SIDE_LEFT = 0, CUBLAS_SIDE_RIGHT = 1 };
enum cublasComputeType_t : int {
  CUBLAS_COMPUTE_32F = 68,
  CUBLAS_COMPUTE_32F_PEDANTIC = 69,
  CUBLAS_COMPUTE_64F = 70,
  CUBLAS_COMPUTE_64F_PEDANTIC = 71,
  CUBLAS_COMPUTE_32F_FAST_16F = 74,
  CUBLAS_COMPUTE_32F_FAST_16BF = 75,
  CUBLAS_COMPUTE_32F_FAST_TF32 = 77,
};
enum cublasGemmAlgo_t : int {
  CUBLAS_GEMM_DEFAULT = -1,
  CUBLAS_GEMM_ALGO23 = 23,
  CUBLAS_GEMM_DEFAULT_TENSOR_OP = 99,
  CUBLAS_GEMM_ALGO15_TENSOR_OP = 115,
  CUBLAS_GEMM_AUTOTUNE = 999,
};

#define MNEMO_CUBLAS_API extern "C" __attribute__((visibility("default")))

namespace {

// What this library reports: cuBLAS 13.0.0, in cuBLAS's own encodings (CUBLAS_VERSION is
// major·10000 + minor·100 + patch; cublasGetProperty gives the parts).
constexpr int kMajor = 13, kMinor = 0, kPatch = 0;

std::set<cublasHandle_t>& live_handles() {
  static std::set<cublasHandle_t> handles;
  return handles;
}

// A destroyed or never-created handle is NOT_INITIALIZED, as cuBLAS documents for a missing
// cublasCreate; on a GPU a stale handle is undefined behaviour, here it is at least loud.
bool valid(cublasHandle_t h) { return h != nullptr && live_handles().count(h) != 0; }

bool valid_op(int op) { return op == CUBLAS_OP_N || op == CUBLAS_OP_T || op == CUBLAS_OP_C; }

int64_t at_least_one(int64_t v) { return v < 1 ? 1 : v; }

// Element (i, j) of op(X) for column-major X; CUBLAS_OP_C is CUBLAS_OP_T for real types.
template <typename T>
T op_at(const T* x, int op, int64_t ld, int64_t i, int64_t j) {
  return op == CUBLAS_OP_N ? x[i + j * ld] : x[j + i * ld];
}

// Rounds to `bits` explicit mantissa bits, to nearest even, as tensor cores see FP32 inputs under
// CUBLAS_COMPUTE_32F_FAST_TF32 (10 bits; cuBLAS documents round-to-nearest-even input conversion)
// or _FAST_16BF (7 bits). Both keep FP32's exponent range; Inf and NaN pass unchanged.
float round_mantissa(float x, int bits) {
  uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  if ((u & 0x7f800000u) == 0x7f800000u) return x;
  const int drop = 23 - bits;
  const uint32_t half = (1u << (drop - 1)) - 1u + ((u >> drop) & 1u);
  u = (u + half) & ~((1u << drop) - 1u);
  std::memcpy(&x, &u, sizeof x);
  return x;
}

// One column-major C = alpha·op(A)·op(B) + beta·C (m x n, k inner). op(A) and op(B) are read
// into double first (rounded to `inputBits` mantissa bits when non-zero), so products are exact
// and the sum is double; C is read only when beta != 0 and A, B only when alpha != 0 and k > 0.
template <typename T>
void gemm_host(int ta, int tb, int64_t m, int64_t n, int64_t k, double alpha, const T* A, int64_t lda,
               const T* B, int64_t ldb, double beta, T* C, int64_t ldc, int inputBits) {
  const bool product = alpha != 0 && k > 0;
  std::vector<double> a, b;  // a: row i of op(A) contiguous; b: column j of op(B) contiguous
  if (product) {
    auto load = [inputBits](T v) -> double {
      if constexpr (std::is_same<T, float>::value) {
        if (inputBits > 0) return round_mantissa(v, inputBits);
      }
      return v;
    };
    a.resize(static_cast<size_t>(m * k));
    b.resize(static_cast<size_t>(k * n));
    for (int64_t i = 0; i < m; ++i)
      for (int64_t l = 0; l < k; ++l) a[i * k + l] = load(op_at(A, ta, lda, i, l));
    for (int64_t j = 0; j < n; ++j)
      for (int64_t l = 0; l < k; ++l) b[j * k + l] = load(op_at(B, tb, ldb, l, j));
  }
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = 0; i < m; ++i) {
      double r = 0;
      if (product) {
        double acc = 0;
        const double* ai = &a[i * k];
        const double* bj = &b[j * k];
        for (int64_t l = 0; l < k; ++l) acc += ai[l] * bj[l];
        r = alpha * acc;
      }
      T& c = C[i + j * ldc];
      if (beta != 0) r = product ? r + beta * c : beta * c;
      c = static_cast<T>(r);
    }
  }
}

// The checks every gemm variant documents as CUBLAS_STATUS_INVALID_VALUE.
cublasStatus_t check_gemm(int ta, int tb, int m, int n, int k, const void* alpha, int lda, int ldb,
                          const void* beta, int ldc) {
  if (m < 0 || n < 0 || k < 0) return CUBLAS_STATUS_INVALID_VALUE;
  if (!valid_op(ta) || !valid_op(tb)) return CUBLAS_STATUS_INVALID_VALUE;
  if (lda < at_least_one(ta == CUBLAS_OP_N ? m : k)) return CUBLAS_STATUS_INVALID_VALUE;
  if (ldb < at_least_one(tb == CUBLAS_OP_N ? k : n)) return CUBLAS_STATUS_INVALID_VALUE;
  if (ldc < at_least_one(m)) return CUBLAS_STATUS_INVALID_VALUE;
  if (alpha == nullptr || beta == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t queued(CUresult r) {
  return r == CUDA_SUCCESS ? CUBLAS_STATUS_SUCCESS : CUBLAS_STATUS_EXECUTION_FAILED;
}

// C = alpha·op(A) + beta·op(B), m x n. A term whose scalar is 0 is not read (its matrix need not
// be valid), and a lone term is not added to 0, so a transpose copies -0 and NaN bit for bit.
template <typename T>
void geam_host(int ta, int tb, int64_t m, int64_t n, T alpha, const T* A, int64_t lda, T beta, const T* B,
               int64_t ldb, T* C, int64_t ldc) {
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = 0; i < m; ++i) {
      T v = 0;
      if (alpha != 0 && beta != 0) {
        v = alpha * op_at(A, ta, lda, i, j) + beta * op_at(B, tb, ldb, i, j);
      } else if (alpha != 0) {
        v = alpha * op_at(A, ta, lda, i, j);
      } else if (beta != 0) {
        v = beta * op_at(B, tb, ldb, i, j);
      }
      C[i + j * ldc] = v;
    }
  }
}

template <typename T>
cublasStatus_t geam(cublasHandle_t handle, int ta, int tb, int m, int n, const T* alpha, const T* A, int lda,
                    const T* beta, const T* B, int ldb, T* C, int ldc) {
  if (!valid(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (m < 0 || n < 0 || !valid_op(ta) || !valid_op(tb)) return CUBLAS_STATUS_INVALID_VALUE;
  if (lda < at_least_one(ta == CUBLAS_OP_N ? m : n)) return CUBLAS_STATUS_INVALID_VALUE;
  if (ldb < at_least_one(tb == CUBLAS_OP_N ? m : n)) return CUBLAS_STATUS_INVALID_VALUE;
  if (ldc < at_least_one(m)) return CUBLAS_STATUS_INVALID_VALUE;
  // In place is only C = alpha·C + beta·op(B) or alpha·op(A) + beta·C, untransposed, same ld.
  if (A == C && (ta != CUBLAS_OP_N || lda != ldc)) return CUBLAS_STATUS_INVALID_VALUE;
  if (B == C && (tb != CUBLAS_OP_N || ldb != ldc)) return CUBLAS_STATUS_INVALID_VALUE;
  if (alpha == nullptr || beta == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
  if (m == 0 || n == 0) return CUBLAS_STATUS_SUCCESS;
  const T a = *alpha, b = *beta;
  return queued(mnemo_emu::submit(handle->stream, [=] { geam_host<T>(ta, tb, m, n, a, A, lda, b, B, ldb, C, ldc); }));
}

}  // namespace

MNEMO_CUBLAS_API cublasStatus_t cublasCreate_v2(cublasHandle_t* handle) {
  MNEMO_EMU_ENTRY;
  if (handle == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
  *handle = new cublasContext();
  live_handles().insert(*handle);
  return CUBLAS_STATUS_SUCCESS;
}

MNEMO_CUBLAS_API cublasStatus_t cublasDestroy_v2(cublasHandle_t handle) {
  MNEMO_EMU_ENTRY;
  if (!valid(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
  live_handles().erase(handle);
  delete handle;
  return CUBLAS_STATUS_SUCCESS;
}

// The handle is not needed to answer, so, like cuBLAS, only a null `version` is an error.
MNEMO_CUBLAS_API cublasStatus_t cublasGetVersion_v2(cublasHandle_t, int* version) {
  MNEMO_EMU_ENTRY;
  if (version == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
  *version = kMajor * 10000 + kMinor * 100 + kPatch;
  return CUBLAS_STATUS_SUCCESS;
}

MNEMO_CUBLAS_API cublasStatus_t cublasGetProperty(int type, int* value) {
  MNEMO_EMU_ENTRY;
  if (value == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
  switch (type) {
    case MAJOR_VERSION: *value = kMajor; return CUBLAS_STATUS_SUCCESS;
    case MINOR_VERSION: *value = kMinor; return CUBLAS_STATUS_SUCCESS;
    case PATCH_LEVEL: *value = kPatch; return CUBLAS_STATUS_SUCCESS;
    default: return CUBLAS_STATUS_INVALID_VALUE;
  }
}

// Any stream value is kept; an invalid one fails when work is queued on it (EXECUTION_FAILED).
MNEMO_CUBLAS_API cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, CUstream stream) {
  MNEMO_EMU_ENTRY;
  if (!valid(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
  handle->stream = stream;
  return CUBLAS_STATUS_SUCCESS;
}

// As cuBLAS: a workspace must be 256-byte aligned; cublasSetStream_v2 would reset it (not needed here).
MNEMO_CUBLAS_API cublasStatus_t cublasSetWorkspace_v2(cublasHandle_t handle, void* workspace,
                                                      size_t workspaceSizeInBytes) {
  MNEMO_EMU_ENTRY;
  if (!valid(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (workspace == nullptr ? workspaceSizeInBytes != 0 : reinterpret_cast<uintptr_t>(workspace) % 256 != 0) {
    return CUBLAS_STATUS_INVALID_VALUE;
  }
  handle->workspace = workspace;
  handle->workspaceBytes = workspaceSizeInBytes;
  return CUBLAS_STATUS_SUCCESS;
}

MNEMO_CUBLAS_API cublasStatus_t cublasSgemm_v2(cublasHandle_t handle, cublasOperation_t transa,
                                               cublasOperation_t transb, int m, int n, int k,
                                               const float* alpha, const float* A, int lda, const float* B,
                                               int ldb, const float* beta, float* C, int ldc) {
  MNEMO_EMU_ENTRY;
  if (!valid(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (cublasStatus_t s = check_gemm(transa, transb, m, n, k, alpha, lda, ldb, beta, ldc)) return s;
  if (m == 0 || n == 0) return CUBLAS_STATUS_SUCCESS;
  const double a = *alpha, b = *beta;
  if (C == nullptr && b != 0) return CUBLAS_STATUS_INVALID_VALUE;
  const int ta = transa, tb = transb;
  return queued(mnemo_emu::submit(handle->stream, [=] {
    gemm_host<float>(ta, tb, m, n, k, a, A, lda, B, ldb, b, C, ldc, 0);
  }));
}

MNEMO_CUBLAS_API cublasStatus_t cublasSgemmStridedBatched(
    cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k,
    const float* alpha, const float* A, int lda, long long strideA, const float* B, int ldb, long long strideB,
    const float* beta, float* C, int ldc, long long strideC, int batchCount) {
  MNEMO_EMU_ENTRY;
  if (!valid(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (cublasStatus_t s = check_gemm(transa, transb, m, n, k, alpha, lda, ldb, beta, ldc)) return s;
  if (batchCount < 0) return CUBLAS_STATUS_INVALID_VALUE;
  if (m == 0 || n == 0 || batchCount == 0) return CUBLAS_STATUS_SUCCESS;
  const double a = *alpha, b = *beta;
  if (C == nullptr && b != 0) return CUBLAS_STATUS_INVALID_VALUE;
  const int ta = transa, tb = transb;
  return queued(mnemo_emu::submit(handle->stream, [=] {
    for (int64_t i = 0; i < batchCount; ++i) {
      gemm_host<float>(ta, tb, m, n, k, a, A + i * strideA, lda, B + i * strideB, ldb, b, C + i * strideC, ldc, 0);
    }
  }));
}

// The mantissa bits the inputs keep for an emulated (types, computeType, algo) of the Ex GEMMs:
// 0 exact, 10 TF32, 7 bf16; -1 when not emulated (said on stderr, as `call` would fail). Algorithms
// have no effect from sm_80 on; the *_TENSOR_OP ones (99..115) force FAST_16F for a
// single-precision GEMM, which is not emulated.
static int ex_input_bits(const char* call, int Atype, int Btype, int Ctype,
                         cublasComputeType_t computeType, cublasGemmAlgo_t algo) {
  const bool defaultAlgo = (algo >= CUBLAS_GEMM_DEFAULT && algo <= CUBLAS_GEMM_ALGO23) || algo == CUBLAS_GEMM_AUTOTUNE;
  const bool r32 = Atype == CUDA_R_32F && Btype == CUDA_R_32F && Ctype == CUDA_R_32F;
  const bool r64 = Atype == CUDA_R_64F && Btype == CUDA_R_64F && Ctype == CUDA_R_64F;
  int inputBits = -1;
  if (defaultAlgo && r32) {
    if (computeType == CUBLAS_COMPUTE_32F || computeType == CUBLAS_COMPUTE_32F_PEDANTIC) inputBits = 0;
    if (computeType == CUBLAS_COMPUTE_32F_FAST_TF32) inputBits = 10;
    if (computeType == CUBLAS_COMPUTE_32F_FAST_16BF) inputBits = 7;
  }
  if (defaultAlgo && r64 && (computeType == CUBLAS_COMPUTE_64F || computeType == CUBLAS_COMPUTE_64F_PEDANTIC)) {
    inputBits = 0;
  }
  if (inputBits < 0) {
    std::fprintf(stderr,
                 "mnemo emulated cuBLAS: %s(Atype %d, Btype %d, Ctype %d, computeType %d, algo %d) "
                 "is not emulated -> CUBLAS_STATUS_NOT_SUPPORTED\n",
                 call, Atype, Btype, Ctype, static_cast<int>(computeType), static_cast<int>(algo));
  }
  return inputBits;
}

// Emulated (Atype = Btype = Ctype, computeType) combinations, all in cuBLAS's supported table:
// R_32F with COMPUTE_32F[_PEDANTIC] (exact fp32 inputs), _FAST_TF32 or _FAST_16BF (inputs
// rounded), and R_64F with COMPUTE_64F[_PEDANTIC]. Anything else is NOT_SUPPORTED: either cuBLAS
// rejects it too, or it is a valid combination this emulation does not model (said on stderr).
MNEMO_CUBLAS_API cublasStatus_t cublasGemmEx(cublasHandle_t handle, cublasOperation_t transa,
                                             cublasOperation_t transb, int m, int n, int k, const void* alpha,
                                             const void* A, int Atype, int lda, const void* B, int Btype, int ldb,
                                             const void* beta, void* C, int Ctype, int ldc,
                                             cublasComputeType_t computeType, cublasGemmAlgo_t algo) {
  MNEMO_EMU_ENTRY;
  if (!valid(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (cublasStatus_t s = check_gemm(transa, transb, m, n, k, alpha, lda, ldb, beta, ldc)) return s;
  const bool r32 = Atype == CUDA_R_32F && Btype == CUDA_R_32F && Ctype == CUDA_R_32F;
  const int inputBits = ex_input_bits("cublasGemmEx", Atype, Btype, Ctype, computeType, algo);
  if (inputBits < 0) return CUBLAS_STATUS_NOT_SUPPORTED;
  if (m == 0 || n == 0) return CUBLAS_STATUS_SUCCESS;
  // The scale type is float for the 32F compute types and double for 64F.
  const double a = r32 ? *static_cast<const float*>(alpha) : *static_cast<const double*>(alpha);
  const double b = r32 ? *static_cast<const float*>(beta) : *static_cast<const double*>(beta);
  if (C == nullptr && b != 0) return CUBLAS_STATUS_INVALID_VALUE;
  const int ta = transa, tb = transb;
  return queued(mnemo_emu::submit(handle->stream, [=] {
    if (r32) {
      gemm_host<float>(ta, tb, m, n, k, a, static_cast<const float*>(A), lda, static_cast<const float*>(B), ldb, b,
                       static_cast<float*>(C), ldc, inputBits);
    } else {
      gemm_host<double>(ta, tb, m, n, k, a, static_cast<const double*>(A), lda, static_cast<const double*>(B), ldb,
                        b, static_cast<double*>(C), ldc, 0);
    }
  }));
}

// As cublasGemmEx for each of batchCount matrices, matrix i of each operand i·stride elements on.
MNEMO_CUBLAS_API cublasStatus_t cublasGemmStridedBatchedEx(
    cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k,
    const void* alpha, const void* A, int Atype, int lda, long long strideA, const void* B, int Btype, int ldb,
    long long strideB, const void* beta, void* C, int Ctype, int ldc, long long strideC, int batchCount,
    cublasComputeType_t computeType, cublasGemmAlgo_t algo) {
  MNEMO_EMU_ENTRY;
  if (!valid(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (cublasStatus_t s = check_gemm(transa, transb, m, n, k, alpha, lda, ldb, beta, ldc)) return s;
  if (batchCount < 0) return CUBLAS_STATUS_INVALID_VALUE;
  const bool r32 = Atype == CUDA_R_32F && Btype == CUDA_R_32F && Ctype == CUDA_R_32F;
  const int inputBits = ex_input_bits("cublasGemmStridedBatchedEx", Atype, Btype, Ctype, computeType, algo);
  if (inputBits < 0) return CUBLAS_STATUS_NOT_SUPPORTED;
  if (m == 0 || n == 0 || batchCount == 0) return CUBLAS_STATUS_SUCCESS;
  const double a = r32 ? *static_cast<const float*>(alpha) : *static_cast<const double*>(alpha);
  const double b = r32 ? *static_cast<const float*>(beta) : *static_cast<const double*>(beta);
  if (C == nullptr && b != 0) return CUBLAS_STATUS_INVALID_VALUE;
  const int ta = transa, tb = transb;
  return queued(mnemo_emu::submit(handle->stream, [=] {
    for (int64_t i = 0; i < batchCount; ++i) {
      if (r32) {
        gemm_host<float>(ta, tb, m, n, k, a, static_cast<const float*>(A) + i * strideA, lda,
                         static_cast<const float*>(B) + i * strideB, ldb, b, static_cast<float*>(C) + i * strideC,
                         ldc, inputBits);
      } else {
        gemm_host<double>(ta, tb, m, n, k, a, static_cast<const double*>(A) + i * strideA, lda,
                          static_cast<const double*>(B) + i * strideB, ldb, b,
                          static_cast<double*>(C) + i * strideC, ldc, 0);
      }
    }
  }));
}

MNEMO_CUBLAS_API cublasStatus_t cublasSgeam(cublasHandle_t handle, cublasOperation_t transa,
                                            cublasOperation_t transb, int m, int n, const float* alpha,
                                            const float* A, int lda, const float* beta, const float* B, int ldb,
                                            float* C, int ldc) {
  MNEMO_EMU_ENTRY;
  return geam<float>(handle, transa, transb, m, n, alpha, A, lda, beta, B, ldb, C, ldc);
}

MNEMO_CUBLAS_API cublasStatus_t cublasDgeam(cublasHandle_t handle, cublasOperation_t transa,
                                            cublasOperation_t transb, int m, int n, const double* alpha,
                                            const double* A, int lda, const double* beta, const double* B,
                                            int ldb, double* C, int ldc) {
  MNEMO_EMU_ENTRY;
  return geam<double>(handle, transa, transb, m, n, alpha, A, lda, beta, B, ldb, C, ldc);
}

// C = A·diag(X) (RIGHT, X has n entries) or diag(X)·A (LEFT, m entries), X gathered from x with
// stride incx: backwards from the last element when incx < 0, x[0] for every entry when 0.
MNEMO_CUBLAS_API cublasStatus_t cublasSdgmm(cublasHandle_t handle, cublasSideMode_t mode, int m, int n,
                                            const float* A, int lda, const float* x, int incx, float* C,
                                            int ldc) {
  MNEMO_EMU_ENTRY;
  if (!valid(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (m < 0 || n < 0) return CUBLAS_STATUS_INVALID_VALUE;
  if (mode != CUBLAS_SIDE_LEFT && mode != CUBLAS_SIDE_RIGHT) return CUBLAS_STATUS_INVALID_VALUE;
  if (lda < at_least_one(m) || ldc < at_least_one(m)) return CUBLAS_STATUS_INVALID_VALUE;
  if (m == 0 || n == 0) return CUBLAS_STATUS_SUCCESS;
  const bool left = mode == CUBLAS_SIDE_LEFT;
  const int64_t count = left ? m : n;
  const int64_t step = incx < 0 ? -static_cast<int64_t>(incx) : incx;
  return queued(mnemo_emu::submit(handle->stream, [=] {
    auto X = [=](int64_t e) { return incx >= 0 ? x[e * step] : x[(count - 1) * step - e * step]; };
    for (int64_t j = 0; j < n; ++j) {
      for (int64_t i = 0; i < m; ++i) C[i + j * ldc] = A[i + j * lda] * X(left ? i : j);
    }
  }));
}
