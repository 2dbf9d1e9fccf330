// calls.cpp — what the emulated libraries offer for studying a caller's host side: the call
// census (how often each entry point ran since the last reset, and each kernel launched by name)
// and the host-only switch (stream work is dropped, so the caller's own cost can be timed). Tests
// read the census to check what a layer's call asks of the driver: on a real GPU a cuMemFree or a
// synchronize inside a forward stalls the CPU until the device drains, which no output comparison
// would notice. bench's HostCostBench times calls in host-only mode.
#include <algorithm>
#include <cstring>
#include <map>
#include <string>

#include "emu_cuda.h"
#include "state.h"

namespace mnemo_emu {
namespace {
std::map<std::string, long long>& counts() {
  static std::map<std::string, long long> calls;
  return calls;
}
}  // namespace

void count_call(const char* entry) { ++counts()[entry]; }

}  // namespace mnemo_emu

extern "C" {

// Writes "name count\n" for every entry counted since the last reset, names in order, into `out`
// (NUL-terminated, truncated to `capacity`); returns the bytes the whole text needs, NUL included.
long long mnemo_emu_call_census(char* out, long long capacity) {
  std::lock_guard<std::recursive_mutex> guard(mnemo_emu::api_mutex());
  std::string text;
  for (const auto& [name, count] : mnemo_emu::counts()) text += name + " " + std::to_string(count) + "\n";
  if (out != nullptr && capacity > 0) {
    const size_t n = std::min(text.size(), static_cast<size_t>(capacity - 1));
    std::memcpy(out, text.data(), n);
    out[n] = '\0';
  }
  return static_cast<long long>(text.size()) + 1;
}

// Forgets every count.
void mnemo_emu_reset_call_census() {
  std::lock_guard<std::recursive_mutex> guard(mnemo_emu::api_mutex());
  mnemo_emu::counts().clear();
}

// on != 0: from now on, stream work (kernels, cuBLAS, cuSOLVER, async copies and fills) is
// accepted and dropped; events still record. on == 0: work runs again.
void mnemo_emu_set_host_only(int on) {
  std::lock_guard<std::recursive_mutex> guard(mnemo_emu::api_mutex());
  mnemo_emu::set_host_only(on != 0);
}

// SMs per GPC from now on (0: no GPCs modelled, the default): clusters of more blocks than a GPC holds
// at once find no room in cuOccupancyMaxActiveClusters and fail to launch.
void mnemo_emu_set_gpc_sms(int sms) {
  std::lock_guard<std::recursive_mutex> guard(mnemo_emu::api_mutex());
  mnemo_emu::set_gpc_sms(sms);
}

}  // extern "C"
