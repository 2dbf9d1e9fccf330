// device_model.cpp — the emulated device's limits and the occupancy rule built on them.
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "state.h"

namespace mnemo_emu {

const DeviceModel& device_model() {
  static const DeviceModel model = [] {
    DeviceModel m;
    const char* sms = std::getenv("MNEMO_EMU_SM_COUNT");
    m.smCount = sms != nullptr ? std::max(1, std::atoi(sms)) : 16;
    const char* devices = std::getenv("MNEMO_EMU_DEVICE_COUNT");
    m.deviceCount = devices != nullptr ? std::clamp(std::atoi(devices), 1, kMaxDevices) : 1;
    const char* arch = std::getenv("MNEMO_EMU_ARCH");
    const int a = arch != nullptr ? std::atoi(arch) : 90;
    switch (a) {
      case 90: break;
      case 80:  // A100
        m.computeMajor = 8;
        m.sharedPerBlockOptin = 163 * 1024;
        m.sharedPerSm = 164 * 1024;
        break;
      case 86:  // RTX 30xx, A10, A40
      case 89:  // RTX 40xx, L4, L40
        m.computeMajor = 8;
        m.computeMinor = a % 10;
        m.sharedPerBlockOptin = 99 * 1024;
        m.sharedPerSm = 100 * 1024;
        m.maxThreadsPerSm = 1536;
        m.maxBlocksPerSm = a == 86 ? 16 : 24;
        break;
      default:
        std::fprintf(stderr, "mnemo emu-cuda: MNEMO_EMU_ARCH=%s is not one of 80, 86, 89, 90\n", arch);
        std::abort();
    }
    if (!m.clusters()) m.maxPortableCluster = m.maxNonPortableCluster = 0;
    return m;
  }();
  return model;
}

namespace {
int& gpc_sms_setting() {
  static int sms = [] {
    const char* v = std::getenv("MNEMO_EMU_GPC_SMS");
    return v != nullptr ? std::max(0, std::atoi(v)) : 0;
  }();
  return sms;
}
}  // namespace

int gpc_sms() { return gpc_sms_setting(); }
void set_gpc_sms(int sms) { gpc_sms_setting() = std::max(0, sms); }

bool cluster_fits_gpc(unsigned cluster, int perSm) {
  const int gpc = gpc_sms();
  return gpc == 0 || static_cast<long long>(cluster) <= static_cast<long long>(gpc) * perSm;
}

namespace {
// Registers are allocated per thread in units of 8 and per warp in units of 256.
int registers_per_warp(const KernelResources& k) {
  const int perThread = (std::max(k.registersPerThread, 1) + 7) / 8 * 8;
  return (perThread * 32 + 255) / 256 * 256;
}
}  // namespace

int max_threads_per_block(const KernelResources& k) {
  const DeviceModel& m = device_model();
  return std::min(m.maxThreadsPerBlock, m.registersPerSm / registers_per_warp(k) * 32);
}

int blocks_per_sm(const KernelResources& k, int threads, size_t dynamicSmem) {
  const DeviceModel& m = device_model();
  if (threads <= 0 || threads > max_threads_per_block(k)) return 0;
  const size_t smem = dynamicSmem + static_cast<size_t>(k.staticSharedBytes);
  if (smem > static_cast<size_t>(m.sharedPerBlockOptin)) return 0;
  const int warps = (threads + 31) / 32;
  int blocks = std::min(m.maxBlocksPerSm, m.maxThreadsPerSm / (warps * 32));
  blocks = std::min(blocks, m.registersPerSm / registers_per_warp(k) / warps);
  const size_t smemPerBlock = smem + static_cast<size_t>(m.sharedReservedPerBlock);
  blocks = std::min(blocks, static_cast<int>(static_cast<size_t>(m.sharedPerSm) / smemPerBlock));
  return std::max(blocks, 0);
}

}  // namespace mnemo_emu
