// kernels.cpp — every kernel of cuda-kernels/ compiled as C++ against native/emu, and the name
// table the emulated cuModuleGetFunction reads. The table's entries come from
// native/include/mnemo_kernels.h (scripts/emu-cuda.sh generates kernel_names.inc from its
// `extern "C" __global__` declarations), so a declared kernel with no definition fails the link.
#include "mnemo_kernels.cu"
#include "kernels.h"

#include <cstring>
#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>

namespace mnemo_emu {
namespace {

template <typename... A, size_t... I>
BoundKernel bind_args(void (*kernel)(A...), void** params, std::index_sequence<I...>) {
  auto args = std::make_shared<std::tuple<std::decay_t<A>...>>(*static_cast<std::decay_t<A>*>(params[I])...);
  return [kernel, args] { std::apply(kernel, *args); };
}

template <typename F> struct Arity;
template <typename... A> struct Arity<void (*)(A...)> { static constexpr size_t value = sizeof...(A); };

template <auto Kernel>
BoundKernel bind_kernel(void** params) {
  return bind_args(Kernel, params, std::make_index_sequence<Arity<decltype(Kernel)>::value>{});
}

#define MNEMO_EMU_KERNEL(name, registers, staticSmem) {#name, &bind_kernel<&name>, registers, staticSmem},
const KernelEntry kTable[] = {
#include "kernel_names.inc"
};
#undef MNEMO_EMU_KERNEL

void trampoline(void* kernel) { (*static_cast<const BoundKernel*>(kernel))(); }

}  // namespace

const KernelEntry* find_kernel(const char* name) {
  for (const KernelEntry& e : kTable) {
    if (std::strcmp(e.name, name) == 0) return &e;
  }
  return nullptr;
}

unsigned long long max_live_blocks() { return ::emu::kMaxLiveBlocks; }

void run_kernel(const BoundKernel& kernel, Dim grid, Dim block, size_t dynamicSmemBytes, Schedule schedule,
                unsigned clusterSize) {
  void* arg = const_cast<BoundKernel*>(&kernel);
  const dim3 g(grid.x, grid.y, grid.z), b(block.x, block.y, block.z);
  switch (schedule) {
    case Schedule::kOneBlockAtATime: ::emu::run_grid(g, b, dynamicSmemBytes, trampoline, arg); break;
    case Schedule::kAllBlocksLive: ::emu::run_grid_cooperative(g, b, dynamicSmemBytes, trampoline, arg); break;
    case Schedule::kClusters: ::emu::run_grid_clusters(g, b, clusterSize, dynamicSmemBytes, trampoline, arg); break;
  }
}

}  // namespace mnemo_emu
