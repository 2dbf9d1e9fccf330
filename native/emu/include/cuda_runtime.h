// cuda_runtime.h of the CPU emulator (native/emu): just enough of CUDA for the kernels in
// cuda-kernels/ and the harness checks to compile as C++ and run on emu.cpp's coroutine threads.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <tuple>
#include <utility>
#include <algorithm>

// CUDA's device math is global; <cmath> puts the classification functions in std.
using std::isfinite;
using std::isinf;
using std::isnan;

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static
#define __launch_bounds__(...)

struct uint3 { unsigned x, y, z; };
struct alignas(16) float4 { float x, y, z, w; };
struct alignas(16) uint4 { unsigned x, y, z, w; };
inline float __uint_as_float(unsigned u) { float f; std::memcpy(&f, &u, sizeof f); return f; }
// A float product rounded once, never fused into a later addition: volatile keeps the compiler from
// contracting it where the target has FMA (as the device intrinsic promises).
inline float __fmul_rn(float a, float b) { volatile float p = a * b; return p; }
inline unsigned __float_as_uint(float f) { unsigned u; std::memcpy(&u, &f, sizeof u); return u; }
struct dim3 {
  unsigned x, y, z;
  dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};
extern uint3 threadIdx, blockIdx;
extern dim3 blockDim, gridDim;

typedef enum cudaError { cudaSuccess = 0, cudaErrorInvalidValue = 1, cudaErrorMemoryAllocation = 2 } cudaError_t;
typedef struct CUstream_st* cudaStream_t;
typedef struct CUevent_st* cudaEvent_t;
enum cudaMemcpyKind { cudaMemcpyHostToDevice = 1, cudaMemcpyDeviceToHost = 2, cudaMemcpyDeviceToDevice = 3 };

cudaError_t cudaMallocBytes(void** p, size_t n);
template <typename T> cudaError_t cudaMalloc(T** p, size_t n) { return cudaMallocBytes(reinterpret_cast<void**>(p), n); }
cudaError_t cudaFree(void* p);
cudaError_t cudaMemcpy(void* d, const void* s, size_t n, cudaMemcpyKind);
cudaError_t cudaMemset(void* d, int v, size_t n);
cudaError_t cudaMemsetAsync(void* d, int v, size_t n, cudaStream_t = nullptr);
cudaError_t cudaDeviceSynchronize();
cudaError_t cudaGetLastError();
const char* cudaGetErrorName(cudaError_t);
const char* cudaGetErrorString(cudaError_t);

void __syncthreads();
void __nanosleep(unsigned ns);
inline void __threadfence() {}
inline unsigned atomicAdd(unsigned* a, unsigned v) { const unsigned old = *a; *a = old + v; return old; }
inline unsigned atomicExch(unsigned* a, unsigned v) { const unsigned old = *a; *a = v; return old; }
template <typename T> T __ldcg(const T* p) { return *p; }
inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }
enum cudaFuncAttribute { cudaFuncAttributeMaxDynamicSharedMemorySize = 8, cudaFuncAttributeNonPortableClusterSizeAllowed = 12 };
enum cudaDeviceAttr { cudaDevAttrComputeCapabilityMajor = 75, cudaDevAttrMaxSharedMemoryPerBlockOptin = 97 };
// The emulator behaves like a compute capability 9.0 device (clusters available) with sm_90's
// opt-in shared memory per block, 227 KiB.
constexpr int kEmuSmemOptin = 227 * 1024;
inline cudaError_t cudaDeviceGetAttribute(int* value, cudaDeviceAttr attr, int) {
  *value = attr == cudaDevAttrMaxSharedMemoryPerBlockOptin ? kEmuSmemOptin : 9;
  return cudaSuccess;
}
inline void __trap() { std::abort(); }
// A cycle counter that only moves forward (one tick per read): enough for the phase counters'
// arithmetic (cuda-kernels/persistent_phases.cuh), not a time.
inline long long clock64() {
  static long long ticks = 0;
  return ++ticks;
}
template <typename T> cudaError_t cudaMemcpyToSymbol(T& symbol, const void* src, size_t n) {
  std::memcpy(&symbol, src, n);
  return cudaSuccess;
}
template <typename T> cudaError_t cudaMemcpyFromSymbol(void* dst, const T& symbol, size_t n) {
  std::memcpy(dst, &symbol, n);
  return cudaSuccess;
}
// As on the device: asking for more dynamic shared memory than a block may have fails, so a launch
// the GPU would refuse fails here too (run 6 found one in the check that only the H200 refused).
template <typename F> cudaError_t cudaFuncSetAttribute(F, cudaFuncAttribute attr, int value) {
  return attr == cudaFuncAttributeMaxDynamicSharedMemorySize && value > kEmuSmemOptin ? cudaErrorInvalidValue
                                                                                        : cudaSuccess;
}

unsigned long long emu_shfl_xor(unsigned mask, unsigned long long bits, int laneMask);
template <typename T> T __shfl_xor_sync(unsigned mask, T v, int laneMask) {
  static_assert(sizeof(T) <= 8, "shfl");
  unsigned long long b = 0;
  std::memcpy(&b, &v, sizeof(T));
  b = emu_shfl_xor(mask, b, laneMask);
  T r;
  std::memcpy(&r, &b, sizeof(T));
  return r;
}

// Thread-block clusters (1-D): rank and size, a peer block's copy of a dynamic shared-memory
// address, and the cluster barrier (arrive, then wait until every thread of the cluster arrived).
unsigned __clusterRelativeBlockRank();
unsigned __clusterSizeInBlocks();
void* __cluster_map_shared_rank(const void* ptr, unsigned rank);
void __cluster_barrier_arrive();
// No memory model here: relaxed and release arrive are the same.
inline void __cluster_barrier_arrive_relaxed() { __cluster_barrier_arrive(); }
void __cluster_barrier_wait();

namespace emu {
// One block after another, each with `smemBytes` of dynamic shared memory (dynamic_shared()).
void run_grid(dim3 grid, dim3 block, size_t smemBytes, void (*body)(void*), void* arg);
// A 1-D grid in clusters of `clusterSize` consecutive blocks: the blocks of one cluster live at once,
// one cluster after another.
void run_grid_clusters(dim3 grid, dim3 block, unsigned clusterSize, size_t smemBytes, void (*body)(void*), void* arg);
void* dynamic_shared();
// Every block of a 1-D grid live at once (a cooperative launch), at most kMaxLiveBlocks of them:
// 1024 covers the grids planned for 132 SMs; each block is up to 1024 coroutines.
constexpr unsigned kMaxLiveBlocks = 1024;
void run_grid_cooperative(dim3 grid, dim3 block, size_t smemBytes, void (*body)(void*), void* arg);
template <typename... K>
struct Launcher {
  void (*k)(K...);
  dim3 grid, block;
  size_t smem;
  template <typename... A>
  void operator()(A&&... a) {
    struct Pack { void (*k)(K...); std::tuple<K...> args; };
    Pack pack{k, std::tuple<K...>(std::forward<A>(a)...)};
    run_grid(grid, block, smem, [](void* p) { auto* pk = static_cast<Pack*>(p); std::apply(pk->k, pk->args); }, &pack);
  }
};
template <typename... K>
Launcher<K...> launch(void (*k)(K...), dim3 grid, dim3 block, size_t smem = 0, cudaStream_t = nullptr) {
  return Launcher<K...>{k, grid, block, smem};
}
}  // namespace emu

// The runtime's templated cudaLaunchCooperativeKernel, for kernels of one by-value parameter.
template <typename P>
cudaError_t cudaLaunchCooperativeKernel(void (*k)(P), dim3 grid, dim3 block, void** args, size_t smem = 0,
                                        cudaStream_t = nullptr) {
  struct Pack { void (*k)(P); P p; };
  Pack pack{k, *static_cast<P*>(args[0])};
  ::emu::run_grid_cooperative(grid, block, smem, [](void* a) { auto* pk = static_cast<Pack*>(a); pk->k(pk->p); }, &pack);
  return cudaSuccess;
}

// The runtime's cudaLaunchKernelEx with one launch attribute kind: the cluster dimension.
enum cudaLaunchAttributeID { cudaLaunchAttributeClusterDimension = 4 };
struct cudaLaunchAttributeValue { struct { unsigned x, y, z; } clusterDim; };
struct cudaLaunchAttribute { cudaLaunchAttributeID id; cudaLaunchAttributeValue val; };
struct cudaLaunchConfig_t {
  dim3 gridDim, blockDim;
  size_t dynamicSmemBytes;
  cudaStream_t stream;
  cudaLaunchAttribute* attrs;
  unsigned numAttrs;
};
template <typename... P, typename... A>
cudaError_t cudaLaunchKernelEx(const cudaLaunchConfig_t* config, void (*k)(P...), A... args) {
  unsigned clusterSize = 1;
  for (unsigned i = 0; i < config->numAttrs; ++i) {
    if (config->attrs[i].id == cudaLaunchAttributeClusterDimension) {
      const auto& d = config->attrs[i].val.clusterDim;
      if (d.y != 1 || d.z != 1) std::abort();  // 1-D clusters only
      clusterSize = d.x;
    }
  }
  struct Pack { void (*k)(P...); std::tuple<P...> args; };
  Pack pack{k, std::tuple<P...>(args...)};
  ::emu::run_grid_clusters(config->gridDim, config->blockDim, clusterSize, config->dynamicSmemBytes,
                           [](void* a) { auto* pk = static_cast<Pack*>(a); std::apply(pk->k, pk->args); }, &pack);
  return cudaSuccess;
}
