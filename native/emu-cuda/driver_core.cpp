// driver_core.cpp — initialization, errors, the emulated devices (one, or MNEMO_EMU_DEVICE_COUNT
// alike: a multi-GPU node for the device-choice tests), their primary contexts and contexts created
// with cuCtxCreate (JCuda users make their own). Like a real driver, nothing
// works before cuInit, and every call that needs a context fails with CUDA_ERROR_INVALID_CONTEXT on
// a thread that has not made one current: a JVM thread that frees memory or launches without
// cuCtxSetCurrent is a bug this catches.
#include <cstdio>
#include <cstring>
#include <set>

#include "state.h"

namespace {
using mnemo_emu::device_model;
using mnemo_emu::kMaxDevices;

bool g_initialized = false;
struct Context { int device; };
Context g_primary[kMaxDevices] = {{0}, {1}, {2}, {3}, {4}, {5}, {6}, {7}};  // one per device
static_assert(kMaxDevices == 8, "one primary context per device");
int g_primaryRefs[kMaxDevices] = {};
std::set<Context*> g_created;  // live cuCtxCreate contexts
thread_local CUcontext t_current = nullptr;

Context* as_context(CUcontext c) { return reinterpret_cast<Context*>(c); }
// The device whose primary context `c` is, or -1.
int primary_device(CUcontext c) {
  for (int d = 0; d < kMaxDevices; ++d) {
    if (as_context(c) == &g_primary[d]) return d;
  }
  return -1;
}
bool is_live(CUcontext c) {
  const int d = primary_device(c);
  return (d >= 0 && g_primaryRefs[d] > 0) || g_created.count(as_context(c)) > 0;
}
bool is_device(CUdevice device) { return device >= 0 && device < device_model().deviceCount; }

struct ErrorText { CUresult code; const char* name; const char* text; };
const ErrorText kErrors[] = {
    {CUDA_SUCCESS, "CUDA_SUCCESS", "no error"},
    {CUDA_ERROR_INVALID_VALUE, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {CUDA_ERROR_OUT_OF_MEMORY, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {CUDA_ERROR_NOT_INITIALIZED, "CUDA_ERROR_NOT_INITIALIZED", "initialization error"},
    {CUDA_ERROR_INVALID_DEVICE, "CUDA_ERROR_INVALID_DEVICE", "invalid device ordinal"},
    {CUDA_ERROR_INVALID_IMAGE, "CUDA_ERROR_INVALID_IMAGE", "device kernel image is invalid"},
    {CUDA_ERROR_INVALID_CONTEXT, "CUDA_ERROR_INVALID_CONTEXT", "invalid device context"},
    {CUDA_ERROR_INVALID_HANDLE, "CUDA_ERROR_INVALID_HANDLE", "invalid resource handle"},
    {CUDA_ERROR_ILLEGAL_STATE, "CUDA_ERROR_ILLEGAL_STATE", "the operation is not permitted in this state"},
    {CUDA_ERROR_NOT_FOUND, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES", "too many resources requested for launch"},
    {CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE, "CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE", "too many blocks in cooperative launch"},
    {CUDA_ERROR_NOT_SUPPORTED, "CUDA_ERROR_NOT_SUPPORTED", "operation not supported"},
    {CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED", "operation not permitted when stream is capturing"},
    {CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, "CUDA_ERROR_STREAM_CAPTURE_INVALIDATED", "operation failed due to a previous error during capture"},
    {CUDA_ERROR_STREAM_CAPTURE_IMPLICIT, "CUDA_ERROR_STREAM_CAPTURE_IMPLICIT", "operation would make the legacy stream depend on a capturing blocking stream"},
    {CUDA_ERROR_STREAM_CAPTURE_WRONG_THREAD, "CUDA_ERROR_STREAM_CAPTURE_WRONG_THREAD", "attempt to terminate a thread-local capture sequence from another thread"},
    {CUDA_ERROR_INVALID_CLUSTER_SIZE, "CUDA_ERROR_INVALID_CLUSTER_SIZE", "invalid cluster size"},
};
const ErrorText* find_error(CUresult code) {
  for (const ErrorText& e : kErrors) {
    if (e.code == code) return &e;
  }
  return nullptr;
}
}  // namespace

namespace mnemo_emu {
CUresult require_context() {
  if (!g_initialized) return CUDA_ERROR_NOT_INITIALIZED;
  return t_current != nullptr && is_live(t_current) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_CONTEXT;
}

CUcontext current_context() { return t_current; }

int context_device(CUcontext ctx) { return ctx == nullptr ? -1 : as_context(ctx)->device; }
}  // namespace mnemo_emu

using namespace mnemo_emu;

extern "C" {

CUresult cuGetErrorName(CUresult error, const char** out) {
  const ErrorText* e = find_error(error);
  if (out == nullptr || e == nullptr) return CUDA_ERROR_INVALID_VALUE;
  *out = e->name;
  return CUDA_SUCCESS;
}

CUresult cuGetErrorString(CUresult error, const char** out) {
  const ErrorText* e = find_error(error);
  if (out == nullptr || e == nullptr) return CUDA_ERROR_INVALID_VALUE;
  *out = e->text;
  return CUDA_SUCCESS;
}

CUresult cuInit(unsigned int flags) {
  MNEMO_EMU_ENTRY;
  if (flags != 0) return CUDA_ERROR_INVALID_VALUE;
  g_initialized = true;
  return CUDA_SUCCESS;
}

CUresult cuDriverGetVersion(int* version) {
  if (version == nullptr) return CUDA_ERROR_INVALID_VALUE;
  *version = CUDA_VERSION;  // the cuda.h this emulation was built against
  return CUDA_SUCCESS;
}

CUresult cuDeviceGetCount(int* count) {
  MNEMO_EMU_ENTRY;
  if (!g_initialized) return CUDA_ERROR_NOT_INITIALIZED;
  if (count == nullptr) return CUDA_ERROR_INVALID_VALUE;
  *count = device_model().deviceCount;
  return CUDA_SUCCESS;
}

CUresult cuDeviceGet(CUdevice* device, int ordinal) {
  MNEMO_EMU_ENTRY;
  if (!g_initialized) return CUDA_ERROR_NOT_INITIALIZED;
  if (device == nullptr) return CUDA_ERROR_INVALID_VALUE;
  if (!is_device(ordinal)) return CUDA_ERROR_INVALID_DEVICE;
  *device = ordinal;
  return CUDA_SUCCESS;
}

CUresult cuDeviceGetName(char* name, int len, CUdevice device) {
  MNEMO_EMU_ENTRY;
  if (!g_initialized) return CUDA_ERROR_NOT_INITIALIZED;
  if (!is_device(device)) return CUDA_ERROR_INVALID_DEVICE;
  if (name == nullptr || len <= 0) return CUDA_ERROR_INVALID_VALUE;
  const DeviceModel& m = device_model();
  std::snprintf(name, static_cast<size_t>(len), "Mnemo CPU emulation (sm_%d%d, %d SMs)", m.computeMajor,
                m.computeMinor, m.smCount);
  return CUDA_SUCCESS;
}

CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice device) {
  MNEMO_EMU_ENTRY;
  if (!g_initialized) return CUDA_ERROR_NOT_INITIALIZED;
  if (!is_device(device)) return CUDA_ERROR_INVALID_DEVICE;
  if (bytes == nullptr) return CUDA_ERROR_INVALID_VALUE;
  *bytes = kDeviceMemoryBytes;
  return CUDA_SUCCESS;
}

CUresult cuDeviceGetAttribute(int* value, CUdevice_attribute attribute, CUdevice device) {
  MNEMO_EMU_ENTRY;
  if (!g_initialized) return CUDA_ERROR_NOT_INITIALIZED;
  if (!is_device(device)) return CUDA_ERROR_INVALID_DEVICE;
  if (value == nullptr) return CUDA_ERROR_INVALID_VALUE;
  const DeviceModel& m = device_model();
  switch (attribute) {
    case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK: *value = m.maxThreadsPerBlock; break;
    case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X: *value = 1024; break;
    case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y: *value = 1024; break;
    case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z: *value = 64; break;
    case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X: *value = 2147483647; break;
    case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y: *value = 65535; break;
    case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z: *value = 65535; break;
    case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK: *value = m.sharedPerBlockDefault; break;
    case CU_DEVICE_ATTRIBUTE_WARP_SIZE: *value = 32; break;
    case CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_BLOCK: *value = m.registersPerSm; break;
    case CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT: *value = m.smCount; break;
    case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR: *value = m.computeMajor; break;
    case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR: *value = m.computeMinor; break;
    case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR: *value = m.maxThreadsPerSm; break;
    case CU_DEVICE_ATTRIBUTE_MAX_BLOCKS_PER_MULTIPROCESSOR: *value = m.maxBlocksPerSm; break;
    case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR: *value = m.sharedPerSm; break;
    case CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_MULTIPROCESSOR: *value = m.registersPerSm; break;
    case CU_DEVICE_ATTRIBUTE_COOPERATIVE_LAUNCH: *value = 1; break;
    case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN: *value = m.sharedPerBlockOptin; break;
    case CU_DEVICE_ATTRIBUTE_CLUSTER_LAUNCH: *value = m.clusters() ? 1 : 0; break;
    default:
      std::fprintf(stderr, "mnemo emu-cuda: cuDeviceGetAttribute(%d) is not emulated\n", static_cast<int>(attribute));
      return CUDA_ERROR_NOT_SUPPORTED;
  }
  return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRetain(CUcontext* ctx, CUdevice device) {
  MNEMO_EMU_ENTRY;
  if (!g_initialized) return CUDA_ERROR_NOT_INITIALIZED;
  if (!is_device(device)) return CUDA_ERROR_INVALID_DEVICE;
  if (ctx == nullptr) return CUDA_ERROR_INVALID_VALUE;
  ++g_primaryRefs[device];
  *ctx = reinterpret_cast<CUcontext>(&g_primary[device]);
  return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRelease_v2(CUdevice device) {
  MNEMO_EMU_ENTRY;
  if (!g_initialized) return CUDA_ERROR_NOT_INITIALIZED;
  if (!is_device(device)) return CUDA_ERROR_INVALID_DEVICE;
  if (g_primaryRefs[device] == 0) return CUDA_ERROR_INVALID_CONTEXT;
  --g_primaryRefs[device];
  return CUDA_SUCCESS;
}

CUresult cuCtxSetCurrent(CUcontext ctx) {
  MNEMO_EMU_ENTRY;
  if (!g_initialized) return CUDA_ERROR_NOT_INITIALIZED;
  if (ctx != nullptr && !is_live(ctx)) return CUDA_ERROR_INVALID_CONTEXT;  // destroyed, or a released primary
  t_current = ctx;
  return CUDA_SUCCESS;
}

CUresult cuCtxGetCurrent(CUcontext* ctx) {
  MNEMO_EMU_ENTRY;
  if (!g_initialized) return CUDA_ERROR_NOT_INITIALIZED;
  if (ctx == nullptr) return CUDA_ERROR_INVALID_VALUE;
  *ctx = t_current;
  return CUDA_SUCCESS;
}

// A new context, current on this thread (the real driver pushes it; one slot is enough here).
CUresult cuCtxCreate_v2(CUcontext* ctx, unsigned int, CUdevice device) {
  MNEMO_EMU_ENTRY;
  if (!g_initialized) return CUDA_ERROR_NOT_INITIALIZED;
  if (!is_device(device)) return CUDA_ERROR_INVALID_DEVICE;
  if (ctx == nullptr) return CUDA_ERROR_INVALID_VALUE;
  Context* c = new Context{device};
  g_created.insert(c);
  *ctx = reinterpret_cast<CUcontext>(c);
  t_current = *ctx;
  return CUDA_SUCCESS;
}

CUresult cuCtxDestroy_v2(CUcontext ctx) {
  MNEMO_EMU_ENTRY;
  if (!g_initialized) return CUDA_ERROR_NOT_INITIALIZED;
  Context* c = as_context(ctx);
  if (!g_created.count(c)) return CUDA_ERROR_INVALID_CONTEXT;  // the primary context is released, not destroyed
  CUcontext current = t_current;
  t_current = ctx;
  context_sync();  // its streams' queued work completes before its memory goes
  t_current = current;
  g_created.erase(c);
  free_context_allocations(ctx);
  if (t_current == ctx) t_current = nullptr;
  delete c;
  return CUDA_SUCCESS;
}

CUresult cuCtxSynchronize() {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  if (CUresult r = check_not_capturing()) return r;
  context_sync();
  return CUDA_SUCCESS;
}

}  // extern "C"
