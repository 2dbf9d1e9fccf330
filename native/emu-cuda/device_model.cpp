// device_model.cpp — the emulated device's limits and the occupancy rule built on them.
#include <algorithm>
#include <cstdlib>

#include "state.h"

namespace mnemo_emu {

const DeviceModel& device_model() {
  static const DeviceModel model = [] {
    DeviceModel m;
    const char* sms = std::getenv("MNEMO_EMU_SM_COUNT");
    m.smCount = sms != nullptr ? std::max(1, std::atoi(sms)) : 16;
    return m;
  }();
  return model;
}

int blocks_per_sm(int threads, size_t dynamicSmem) {
  const DeviceModel& m = device_model();
  if (threads <= 0 || threads > m.maxThreadsPerBlock) return 0;
  if (dynamicSmem > static_cast<size_t>(m.sharedPerBlockOptin)) return 0;
  const int warps = (threads + 31) / 32;
  int blocks = std::min(m.maxBlocksPerSm, m.maxThreadsPerSm / (warps * 32));
  // Registers are allocated per warp in units of 256.
  const int regsPerWarp = (m.registersPerThread * 32 + 255) / 256 * 256;
  blocks = std::min(blocks, m.registersPerSm / (regsPerWarp * warps));
  const size_t smemPerBlock = dynamicSmem + static_cast<size_t>(m.sharedReservedPerBlock);
  blocks = std::min(blocks, static_cast<int>(static_cast<size_t>(m.sharedPerSm) / smemPerBlock));
  return std::max(blocks, 0);
}

}  // namespace mnemo_emu
