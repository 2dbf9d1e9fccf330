// memory.cpp — device memory as host memory. Allocations are tracked, so a copy or memset that
// leaves its allocation, or a free of something never allocated, fails like on a GPU instead of
// corrupting the JVM's heap. Fresh allocations are filled with NaN bytes (0xFF), so reading memory
// nobody wrote shows up in results instead of passing as zeros.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <map>
#include <memory>
#include <vector>

#include "state.h"

namespace {
struct Allocation {
  size_t bytes;
  CUcontext context;  // current when it was allocated
};
std::map<CUdeviceptr, Allocation> g_allocations;  // start → allocation
size_t g_live_bytes[mnemo_emu::kMaxDevices] = {};  // per device, what its allocations hold

size_t& live_bytes(CUcontext ctx) {
  const int device = mnemo_emu::context_device(ctx);
  return g_live_bytes[device < 0 ? 0 : device];
}

// The allocation holding `ptr`, or end().
std::map<CUdeviceptr, Allocation>::iterator containing(CUdeviceptr ptr) {
  auto it = g_allocations.upper_bound(ptr);
  if (it == g_allocations.begin()) return g_allocations.end();
  --it;
  return ptr < it->first + it->second.bytes ? it : g_allocations.end();
}

CUresult check_host(const void* p, size_t bytes) {
  return p == nullptr && bytes > 0 ? CUDA_ERROR_INVALID_VALUE : CUDA_SUCCESS;
}

// CUDA_SUCCESS when [ptr, ptr + bytes) lies inside one allocation made in `ctx`: a peer copy names
// each side's context, and the driver looks each pointer up there.
CUresult check_context_range(CUdeviceptr ptr, size_t bytes, CUcontext ctx) {
  auto it = containing(ptr);
  if (it == g_allocations.end() || it->second.context != ctx) return CUDA_ERROR_INVALID_VALUE;
  return bytes <= it->first + it->second.bytes - ptr ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}
}  // namespace

namespace mnemo_emu {
CUresult check_device_range(CUdeviceptr ptr, size_t bytes) {
  auto it = g_allocations.upper_bound(ptr);
  if (it == g_allocations.begin()) return CUDA_ERROR_INVALID_VALUE;
  --it;
  const CUdeviceptr end = it->first + it->second.bytes;
  return ptr >= it->first && ptr <= end && bytes <= end - ptr ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

void free_context_allocations(CUcontext ctx) {
  for (auto it = g_allocations.begin(); it != g_allocations.end();) {
    if (it->second.context == ctx) {
      std::free(reinterpret_cast<void*>(it->first));
      live_bytes(ctx) -= it->second.bytes;
      it = g_allocations.erase(it);
    } else {
      ++it;
    }
  }
}
}  // namespace mnemo_emu

using namespace mnemo_emu;

extern "C" {

CUresult cuMemAlloc_v2(CUdeviceptr* out, size_t bytes) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  if (CUresult r = check_not_capturing()) return r;
  if (out == nullptr || bytes == 0) return CUDA_ERROR_INVALID_VALUE;
  size_t& live = live_bytes(current_context());
  if (bytes > kDeviceMemoryBytes - live) return CUDA_ERROR_OUT_OF_MEMORY;  // the device is full
  // 256-byte alignment, as cuMemAlloc guarantees; vector loads in the kernels rely on it.
  void* p = std::aligned_alloc(256, (bytes + 255) / 256 * 256);
  if (p == nullptr) return CUDA_ERROR_OUT_OF_MEMORY;
  std::memset(p, 0xFF, bytes);
  *out = reinterpret_cast<CUdeviceptr>(p);
  g_allocations[*out] = Allocation{bytes, current_context()};
  live += bytes;
  return CUDA_SUCCESS;
}

CUresult cuMemFree_v2(CUdeviceptr ptr) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  if (CUresult r = check_not_capturing()) return r;
  auto it = g_allocations.find(ptr);
  if (it == g_allocations.end()) return CUDA_ERROR_INVALID_VALUE;
  context_sync();  // cuMemFree waits for the device: queued work may still use the memory
  std::free(reinterpret_cast<void*>(ptr));
  live_bytes(it->second.context) -= it->second.bytes;
  g_allocations.erase(it);
  return CUDA_SUCCESS;
}

CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void* src, size_t bytes) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  if (CUresult r = check_not_capturing()) return r;
  if (CUresult r = check_device_range(dst, bytes)) return r;
  if (CUresult r = check_host(src, bytes)) return r;
  legacy_sync();  // a synchronous copy runs on the legacy stream, after the blocking streams' work
  if (bytes > 0) std::memcpy(reinterpret_cast<void*>(dst), src, bytes);
  return CUDA_SUCCESS;
}

CUresult cuMemcpyDtoH_v2(void* dst, CUdeviceptr src, size_t bytes) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  if (CUresult r = check_not_capturing()) return r;
  if (CUresult r = check_device_range(src, bytes)) return r;
  if (CUresult r = check_host(dst, bytes)) return r;
  legacy_sync();  // a synchronous copy runs on the legacy stream, after the blocking streams' work
  if (bytes > 0) std::memcpy(dst, reinterpret_cast<const void*>(src), bytes);
  return CUDA_SUCCESS;
}

CUresult cuMemcpyDtoD_v2(CUdeviceptr dst, CUdeviceptr src, size_t bytes) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  if (CUresult r = check_not_capturing()) return r;
  if (CUresult r = check_device_range(dst, bytes)) return r;
  if (CUresult r = check_device_range(src, bytes)) return r;
  legacy_sync();  // a synchronous copy runs on the legacy stream, after the blocking streams' work
  if (bytes > 0) std::memmove(reinterpret_cast<void*>(dst), reinterpret_cast<const void*>(src), bytes);
  return CUDA_SUCCESS;
}

CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void* src, size_t bytes, CUstream stream) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  if (CUresult r = check_device_range(dst, bytes)) return r;
  if (CUresult r = check_host(src, bytes)) return r;
  if (!deferred_streams() || is_capturing(stream)) {  // runs at once, or a replay reads the host memory again
    return submit(stream, [dst, src, bytes] {
      if (bytes > 0) std::memcpy(reinterpret_cast<void*>(dst), src, bytes);
    });
  }
  // pageable host memory: the driver copies it to a staging buffer before returning
  auto staged = std::make_shared<std::vector<unsigned char>>(static_cast<const unsigned char*>(src),
                                                             static_cast<const unsigned char*>(src) + bytes);
  return submit(stream, [dst, staged, bytes] {
    if (bytes > 0) std::memcpy(reinterpret_cast<void*>(dst), staged->data(), bytes);
  });
}

CUresult cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr src, size_t bytes, CUstream stream) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  if (CUresult r = check_device_range(src, bytes)) return r;
  if (CUresult r = check_host(dst, bytes)) return r;
  if (CUresult r = submit(stream, [dst, src, bytes] {
        if (bytes > 0) std::memcpy(dst, reinterpret_cast<const void*>(src), bytes);
      })) {
    return r;
  }
  stream_sync(stream);  // into pageable host memory the call returns once the copy is done
  return CUDA_SUCCESS;
}

CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream stream) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  if (CUresult r = check_device_range(dst, bytes)) return r;
  if (CUresult r = check_device_range(src, bytes)) return r;
  return submit(stream, [dst, src, bytes] {
    if (bytes > 0) std::memmove(reinterpret_cast<void*>(dst), reinterpret_cast<const void*>(src), bytes);
  });
}

CUresult cuMemcpyPeerAsync(CUdeviceptr dst, CUcontext dstContext, CUdeviceptr src, CUcontext srcContext,
                           size_t bytes, CUstream stream) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  if (context_device(dstContext) < 0 || context_device(srcContext) < 0) return CUDA_ERROR_INVALID_CONTEXT;
  if (bytes == 0) return CUDA_SUCCESS;
  if (CUresult r = check_context_range(dst, bytes, dstContext)) return r;
  if (CUresult r = check_context_range(src, bytes, srcContext)) return r;
  return submit(stream, [dst, src, bytes] {
    std::memmove(reinterpret_cast<void*>(dst), reinterpret_cast<const void*>(src), bytes);
  });
}

namespace {
void fill32(CUdeviceptr dst, unsigned int value, size_t count) {
  unsigned int* p = reinterpret_cast<unsigned int*>(dst);
  std::fill(p, p + count, value);
}
CUresult check_memset32(CUdeviceptr dst, size_t count) {
  if (dst % 4 != 0) return CUDA_ERROR_INVALID_VALUE;
  return check_device_range(dst, count * 4);
}
}  // namespace

CUresult cuMemsetD32_v2(CUdeviceptr dst, unsigned int value, size_t count) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  if (CUresult r = check_not_capturing()) return r;
  if (CUresult r = check_memset32(dst, count)) return r;
  legacy_sync();
  fill32(dst, value, count);
  return CUDA_SUCCESS;
}

CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned int value, size_t count, CUstream stream) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  if (CUresult r = check_memset32(dst, count)) return r;
  return submit(stream, [dst, value, count] { fill32(dst, value, count); });
}

// What interop code asks of a device pointer (JCuda's adapter checks where a buffer came from).
CUresult cuMemGetAddressRange_v2(CUdeviceptr* base, size_t* size, CUdeviceptr ptr) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  auto it = containing(ptr);
  if (it == g_allocations.end()) return CUDA_ERROR_NOT_FOUND;
  if (base != nullptr) *base = it->first;
  if (size != nullptr) *size = it->second.bytes;
  return CUDA_SUCCESS;
}

CUresult cuPointerGetAttribute(void* data, CUpointer_attribute attribute, CUdeviceptr ptr) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  if (data == nullptr) return CUDA_ERROR_INVALID_VALUE;
  auto it = containing(ptr);
  if (it == g_allocations.end()) return CUDA_ERROR_INVALID_VALUE;  // not memory the driver allocated
  switch (attribute) {
    case CU_POINTER_ATTRIBUTE_CONTEXT: *static_cast<CUcontext*>(data) = it->second.context; break;
    case CU_POINTER_ATTRIBUTE_MEMORY_TYPE: *static_cast<unsigned int*>(data) = CU_MEMORYTYPE_DEVICE; break;
    case CU_POINTER_ATTRIBUTE_DEVICE_POINTER: *static_cast<CUdeviceptr*>(data) = ptr; break;
    case CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL: *static_cast<int*>(data) = context_device(it->second.context); break;
    case CU_POINTER_ATTRIBUTE_RANGE_START_ADDR: *static_cast<CUdeviceptr*>(data) = it->first; break;
    case CU_POINTER_ATTRIBUTE_RANGE_SIZE: *static_cast<size_t*>(data) = it->second.bytes; break;
    default:
      std::fprintf(stderr, "mnemo emu-cuda: cuPointerGetAttribute(%d) is not emulated\n", static_cast<int>(attribute));
      return CUDA_ERROR_NOT_SUPPORTED;
  }
  return CUDA_SUCCESS;
}

}  // extern "C"
