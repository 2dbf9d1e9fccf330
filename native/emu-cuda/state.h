// state.h — what the emulated driver's entry points share: initialization, the current context,
// live allocations and the emulated device's limits.
#pragma once
#include <cuda.h>
#include <cstddef>
#include <cstdint>

#include "emu_cuda.h"

namespace mnemo_emu {

// CUDA_SUCCESS once cuInit ran and this thread has a current context (cuCtxSetCurrent), else the
// error a real driver gives: CUDA_ERROR_NOT_INITIALIZED or CUDA_ERROR_INVALID_CONTEXT.
CUresult require_context();

// The calling thread's current context (nullptr when none).
CUcontext current_context();

// The device ordinal of a live context (primary or created), −1 for nullptr.
int context_device(CUcontext ctx);

// CUDA_SUCCESS when [ptr, ptr + bytes) lies inside one live cuMemAlloc allocation.
CUresult check_device_range(CUdeviceptr ptr, size_t bytes);

// Frees every allocation made in `ctx` (cuCtxDestroy releases a context's memory).
void free_context_allocations(CUcontext ctx);

// CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED (and the capture is invalidated) when this thread is
// capturing: the "potentially unsafe" calls — allocation, synchronous copies, synchronization.
CUresult check_not_capturing();

// The most devices the emulation plays (MNEMO_EMU_DEVICE_COUNT).
constexpr int kMaxDevices = 8;

// Each emulated device's memory (cuDeviceTotalMem): allocations past it fail with
// CUDA_ERROR_OUT_OF_MEMORY, as on a GPU, instead of asking the host for it (a 17 GB request filled
// the host's memory and the kernel's OOM killer took the JVM).
constexpr size_t kDeviceMemoryBytes = size_t{8} << 30;

// The emulated device: a Hopper-class part (compute capability 9.0) with few SMs, so persistent
// kernels launch few blocks. MNEMO_EMU_SM_COUNT overrides the SM count (default 16), and
// MNEMO_EMU_DEVICE_COUNT how many such devices there are (default 1, at most kMaxDevices): they
// share one host address space, as devices share the unified address space on a real node.
// MNEMO_EMU_ARCH plays an older architecture's limits instead: 80 (A100: 163 KiB of shared memory a
// block), 86 or 89 (Ampere and Ada workstation parts: 99 KiB, 1536 threads an SM); none of them has
// thread-block clusters, so cluster launches are refused there, as the real kernels would trap.
struct DeviceModel {
  int smCount;
  int deviceCount;
  int computeMajor = 9;
  int computeMinor = 0;
  int maxThreadsPerBlock = 1024;
  int maxThreadsPerSm = 2048;
  int maxBlocksPerSm = 32;
  int registersPerSm = 65536;
  int sharedPerBlockDefault = 48 * 1024;
  int sharedPerBlockOptin = 227 * 1024;
  int sharedPerSm = 228 * 1024;
  int sharedReservedPerBlock = 1024;  // what the driver keeps per resident block
  int maxPortableCluster = 8;
  int maxNonPortableCluster = 16;
  bool clusters() const { return computeMajor >= 9; }
};
const DeviceModel& device_model();
// SMs per GPC, which bounds a cluster (its blocks share one GPC): 0 models no GPCs, so any cluster up
// to the size limits fits. From MNEMO_EMU_GPC_SMS at first use, or mnemo_emu_set_gpc_sms, so a test
// can play a part (a MIG slice, a smaller GPU) on which the planned cluster does not fit.
int gpc_sms();
void set_gpc_sms(int sms);
// Whether one cluster of `cluster` blocks of `perSm` resident blocks per SM fits one GPC.
bool cluster_fits_gpc(unsigned cluster, int perSm);

// What a kernel uses per block, beside its launch's dynamic shared memory.
struct KernelResources {
  int registersPerThread;
  int staticSharedBytes;
};

// The most threads a block of this kernel may have: 1024, or fewer when its registers do not fit.
int max_threads_per_block(const KernelResources& k);

// Resident blocks per SM for a block of `threads` threads using `dynamicSmem` bytes (the
// occupancy calculator's rule for the model above); 0 when one block does not fit.
int blocks_per_sm(const KernelResources& k, int threads, size_t dynamicSmem);

}  // namespace mnemo_emu
