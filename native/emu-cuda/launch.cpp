// launch.cpp — modules, functions and kernel launches. cuModuleLoadData accepts only a fatbin (the
// jar's), cuModuleGetFunction finds the kernel by name in kernels.cpp's table, and every launch
// is checked against the limits a real driver enforces before it runs on the emulator: block
// size, dynamic shared memory above 48 KiB without cuFuncSetAttribute, cooperative grids larger
// than what is co-resident, cluster sizes, and kernel arguments that were never passed.
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "kernels.h"
#include "state.h"

namespace {
using namespace mnemo_emu;

struct Function {
  const KernelEntry* kernel;
  int maxDynamicSmem;
  bool nonPortableClusterAllowed = false;

  KernelResources resources() const { return {kernel->registers, kernel->staticSharedBytes}; }
};

struct Module {
  std::map<std::string, std::unique_ptr<Function>> functions;
};

std::set<Module*> g_modules;
std::set<Function*> g_functions;

constexpr uint32_t kFatbinMagic = 0xBA55ED50u;  // the first word of every fatbin

Function* resolve(CUfunction f) {
  Function* fn = reinterpret_cast<Function*>(f);
  return g_functions.count(fn) ? fn : nullptr;
}

CUresult check_block(const Function& fn, Dim grid, Dim block) {
  const DeviceModel& m = device_model();
  if (block.x == 0 || block.y == 0 || block.z == 0 || grid.x == 0 || grid.y == 0 || grid.z == 0) {
    return CUDA_ERROR_INVALID_VALUE;
  }
  if (block.x > 1024 || block.y > 1024 || block.z > 64 || grid.y > 65535 || grid.z > 65535) {
    return CUDA_ERROR_INVALID_VALUE;
  }
  const unsigned long long threads = 1ULL * block.x * block.y * block.z;
  if (threads > static_cast<unsigned long long>(m.maxThreadsPerBlock)) return CUDA_ERROR_INVALID_VALUE;
  // A block whose registers do not fit one SM: "too many resources requested for launch".
  if (threads > static_cast<unsigned long long>(max_threads_per_block(fn.resources()))) {
    std::fprintf(stderr, "mnemo emu-cuda: %s: %llu threads × %d registers do not fit an SM\n", fn.kernel->name, threads,
                 fn.kernel->registers);
    return CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES;
  }
  return CUDA_SUCCESS;
}

CUresult check_smem(const Function& fn, size_t smem) {
  if (smem > static_cast<size_t>(fn.maxDynamicSmem)) return CUDA_ERROR_INVALID_VALUE;
  const size_t total = smem + static_cast<size_t>(fn.kernel->staticSharedBytes);
  return total > static_cast<size_t>(device_model().sharedPerBlockOptin) ? CUDA_ERROR_INVALID_VALUE : CUDA_SUCCESS;
}

unsigned threads_of(Dim block) { return block.x * block.y * block.z; }

CUresult launch(Function& fn, Dim grid, Dim block, size_t smem, CUstream stream, void** params, void** extra,
                Schedule schedule, unsigned cluster) {
  if (params == nullptr || extra != nullptr) {
    // The Java side always passes kernelParams; CU_LAUNCH_PARAM_* buffers are not emulated.
    std::fprintf(stderr, "mnemo emu-cuda: %s launched without kernelParams (or with extra)\n", fn.kernel->name);
    return CUDA_ERROR_INVALID_VALUE;
  }
  if (CUresult r = check_block(fn, grid, block)) return r;
  if (CUresult r = check_smem(fn, smem)) return r;
  if (schedule != Schedule::kOneBlockAtATime) {
    const unsigned long long blocks = 1ULL * grid.x * grid.y * grid.z;
    const int perSm = blocks_per_sm(fn.resources(), static_cast<int>(threads_of(block)), smem);
    if (schedule == Schedule::kAllBlocksLive && blocks > 1ULL * perSm * device_model().smCount) {
      return CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE;
    }
    if (schedule == Schedule::kAllBlocksLive && blocks > max_live_blocks() && !host_only()) {
      // co-resident on the emulated device (MNEMO_EMU_SM_COUNT), but more than the emulator runs at once:
      // refused with a reason instead of aborting the process in the scheduler
      std::fprintf(stderr, "mnemo emu-cuda: %s: a cooperative grid of %llu blocks; the emulator runs at most %llu "
                   "live blocks (lower MNEMO_EMU_SM_COUNT, or use host-only mode)\n", fn.kernel->name, blocks,
                   max_live_blocks());
      return CUDA_ERROR_NOT_SUPPORTED;
    }
    if (perSm == 0) return CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES;
    if (grid.y != 1 || grid.z != 1) {
      std::fprintf(stderr, "mnemo emu-cuda: %s: the emulator runs live grids in 1-D only\n", fn.kernel->name);
      return CUDA_ERROR_NOT_SUPPORTED;
    }
  }
  count_call((std::string("launch:") + fn.kernel->name).c_str());
  // Arguments are read now, as a real launch (and a graph capture) reads them.
  BoundKernel bound = fn.kernel->bind(params);
  return submit(stream, [bound, grid, block, smem, schedule, cluster] {
    run_kernel(bound, grid, block, smem, schedule, cluster);
  });
}

CUresult check_cluster(const Function& fn, Dim grid, unsigned cluster) {
  const DeviceModel& m = device_model();
  if (!m.clusters()) return CUDA_ERROR_NOT_SUPPORTED;  // no cluster launches before compute capability 9.0
  const int limit = fn.nonPortableClusterAllowed ? m.maxNonPortableCluster : m.maxPortableCluster;
  if (cluster == 0 || cluster > static_cast<unsigned>(limit) || grid.x % cluster != 0) {
    return CUDA_ERROR_INVALID_CLUSTER_SIZE;
  }
  return CUDA_SUCCESS;
}

// The cluster dimension (0 when the config has none) and the cooperative flag of a CUlaunchConfig;
// other attributes are accepted and have no effect here.
CUresult read_attributes(const CUlaunchConfig& config, unsigned* cluster, bool* cooperative) {
  *cluster = 0;
  *cooperative = false;
  if (config.numAttrs > 0 && config.attrs == nullptr) return CUDA_ERROR_INVALID_VALUE;
  for (unsigned i = 0; i < config.numAttrs; ++i) {
    const CUlaunchAttribute& a = config.attrs[i];
    if (a.id == CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION) {
      if (a.value.clusterDim.y != 1 || a.value.clusterDim.z != 1) {
        std::fprintf(stderr, "mnemo emu-cuda: only 1-D clusters are emulated\n");
        return CUDA_ERROR_NOT_SUPPORTED;
      }
      *cluster = a.value.clusterDim.x;
    } else if (a.id == CU_LAUNCH_ATTRIBUTE_COOPERATIVE) {
      *cooperative = a.value.cooperative != 0;
    }
  }
  return CUDA_SUCCESS;
}

}  // namespace

extern "C" {

CUresult cuModuleLoadData(CUmodule* module, const void* image) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  if (module == nullptr || image == nullptr) return CUDA_ERROR_INVALID_VALUE;
  uint32_t magic;
  std::memcpy(&magic, image, sizeof magic);
  if (magic != kFatbinMagic) return CUDA_ERROR_INVALID_IMAGE;
  Module* m = new Module();
  g_modules.insert(m);
  *module = reinterpret_cast<CUmodule>(m);
  return CUDA_SUCCESS;
}

CUresult cuModuleUnload(CUmodule module) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  Module* m = reinterpret_cast<Module*>(module);
  if (!g_modules.erase(m)) return CUDA_ERROR_INVALID_HANDLE;
  for (auto& [name, fn] : m->functions) g_functions.erase(fn.get());
  delete m;
  return CUDA_SUCCESS;
}

CUresult cuModuleGetFunction(CUfunction* out, CUmodule module, const char* name) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  Module* m = reinterpret_cast<Module*>(module);
  if (!g_modules.count(m)) return CUDA_ERROR_INVALID_HANDLE;
  if (out == nullptr || name == nullptr) return CUDA_ERROR_INVALID_VALUE;
  auto& slot = m->functions[name];
  if (!slot) {
    const KernelEntry* k = find_kernel(name);
    if (k == nullptr) {
      m->functions.erase(name);
      return CUDA_ERROR_NOT_FOUND;
    }
    slot.reset(new Function{k, device_model().sharedPerBlockDefault});
    g_functions.insert(slot.get());
  }
  *out = reinterpret_cast<CUfunction>(slot.get());
  return CUDA_SUCCESS;
}

CUresult cuFuncGetAttribute(int* value, CUfunction_attribute attribute, CUfunction f) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  Function* fn = resolve(f);
  if (fn == nullptr) return CUDA_ERROR_INVALID_HANDLE;
  if (value == nullptr) return CUDA_ERROR_INVALID_VALUE;
  switch (attribute) {
    case CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK: *value = max_threads_per_block(fn->resources()); break;
    case CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES: *value = fn->kernel->staticSharedBytes; break;
    case CU_FUNC_ATTRIBUTE_CONST_SIZE_BYTES: *value = 0; break;
    case CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES: *value = 0; break;
    case CU_FUNC_ATTRIBUTE_NUM_REGS: *value = fn->kernel->registers; break;
    case CU_FUNC_ATTRIBUTE_PTX_VERSION: *value = 90; break;
    case CU_FUNC_ATTRIBUTE_BINARY_VERSION: *value = 90; break;
    case CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES: *value = fn->maxDynamicSmem; break;
    case CU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED: *value = fn->nonPortableClusterAllowed; break;
    default:
      std::fprintf(stderr, "mnemo emu-cuda: cuFuncGetAttribute(%d) is not emulated\n", static_cast<int>(attribute));
      return CUDA_ERROR_NOT_SUPPORTED;
  }
  return CUDA_SUCCESS;
}

CUresult cuFuncSetAttribute(CUfunction f, CUfunction_attribute attribute, int value) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  Function* fn = resolve(f);
  if (fn == nullptr) return CUDA_ERROR_INVALID_HANDLE;
  switch (attribute) {
    case CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES:
      if (value < 0 || value > device_model().sharedPerBlockOptin) return CUDA_ERROR_INVALID_VALUE;
      fn->maxDynamicSmem = value;
      return CUDA_SUCCESS;
    case CU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED:
      if (value != 0 && value != 1) return CUDA_ERROR_INVALID_VALUE;
      fn->nonPortableClusterAllowed = value == 1;
      return CUDA_SUCCESS;
    default:
      std::fprintf(stderr, "mnemo emu-cuda: cuFuncSetAttribute(%d) is not emulated\n", static_cast<int>(attribute));
      return CUDA_ERROR_NOT_SUPPORTED;
  }
}

CUresult cuOccupancyMaxActiveBlocksPerMultiprocessor(int* blocks, CUfunction f, int blockSize, size_t dynamicSmem) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  Function* fn = resolve(f);
  if (fn == nullptr) return CUDA_ERROR_INVALID_HANDLE;
  if (blocks == nullptr || blockSize <= 0) return CUDA_ERROR_INVALID_VALUE;
  *blocks = blocks_per_sm(fn->resources(), blockSize, dynamicSmem);
  return CUDA_SUCCESS;
}

CUresult cuOccupancyMaxActiveClusters(int* clusters, CUfunction f, const CUlaunchConfig* config) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  Function* fn = resolve(f);
  if (fn == nullptr) return CUDA_ERROR_INVALID_HANDLE;
  if (clusters == nullptr || config == nullptr) return CUDA_ERROR_INVALID_VALUE;
  unsigned cluster;
  bool cooperative;
  if (CUresult r = read_attributes(*config, &cluster, &cooperative)) return r;
  const Dim grid{config->gridDimX, config->gridDimY, config->gridDimZ};
  if (cluster == 0) cluster = 1;
  if (CUresult r = check_cluster(*fn, grid, cluster)) return r;
  if (CUresult r = check_smem(*fn, config->sharedMemBytes)) return r;
  const int threads = static_cast<int>(config->blockDimX * config->blockDimY * config->blockDimZ);
  // A cluster's blocks sit on the SMs of one GPC. Without GPCs modelled (gpc_sms() 0) the SMs are one pool.
  const int perSm = blocks_per_sm(fn->resources(), threads, config->sharedMemBytes);
  const int gpc = gpc_sms();
  if (gpc == 0) {
    *clusters = perSm * device_model().smCount / static_cast<int>(cluster);
  } else {
    *clusters = device_model().smCount / gpc * (perSm * gpc / static_cast<int>(cluster));
  }
  return CUDA_SUCCESS;
}

CUresult cuLaunchKernel(CUfunction f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                        unsigned smem, CUstream stream, void** params, void** extra) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  Function* fn = resolve(f);
  if (fn == nullptr) return CUDA_ERROR_INVALID_HANDLE;
  return launch(*fn, {gx, gy, gz}, {bx, by, bz}, smem, stream, params, extra, Schedule::kOneBlockAtATime, 1);
}

CUresult cuLaunchCooperativeKernel(CUfunction f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                                   unsigned bz, unsigned smem, CUstream stream, void** params) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  Function* fn = resolve(f);
  if (fn == nullptr) return CUDA_ERROR_INVALID_HANDLE;
  return launch(*fn, {gx, gy, gz}, {bx, by, bz}, smem, stream, params, nullptr, Schedule::kAllBlocksLive, 1);
}

CUresult cuLaunchKernelEx(const CUlaunchConfig* config, CUfunction f, void** params, void** extra) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  Function* fn = resolve(f);
  if (fn == nullptr) return CUDA_ERROR_INVALID_HANDLE;
  if (config == nullptr) return CUDA_ERROR_INVALID_VALUE;
  unsigned cluster;
  bool cooperative;
  if (CUresult r = read_attributes(*config, &cluster, &cooperative)) return r;
  const Dim grid{config->gridDimX, config->gridDimY, config->gridDimZ};
  const Dim block{config->blockDimX, config->blockDimY, config->blockDimZ};
  Schedule schedule = cooperative ? Schedule::kAllBlocksLive : Schedule::kOneBlockAtATime;
  if (cluster != 0) {
    if (cooperative) return CUDA_ERROR_NOT_SUPPORTED;  // not emulated: clusters and a grid barrier at once
    if (CUresult r = check_cluster(*fn, grid, cluster)) return r;
    const int threads = static_cast<int>(block.x * block.y * block.z);
    if (!cluster_fits_gpc(cluster, blocks_per_sm(fn->resources(), threads, config->sharedMemBytes))) {
      return CUDA_ERROR_INVALID_CLUSTER_SIZE;  // more blocks than one GPC holds at once
    }
    schedule = Schedule::kClusters;
  } else {
    cluster = 1;
  }
  return launch(*fn, grid, block, config->sharedMemBytes, config->hStream, params, extra, schedule, cluster);
}

}  // extern "C"
