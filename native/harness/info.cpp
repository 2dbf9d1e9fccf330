// info.cpp — `mnemo_harness info`: what the harness runs on, and whether our kernels load there.
#include <cstdio>

#include "commands.h"
#include "cuda_check.h"
#include "kernel_launch.h"

namespace mnemo::harness {

int run_info() {
  int driver = 0;
  int runtime = 0;
  CHECK(cudaDriverGetVersion(&driver));
  CHECK(cudaRuntimeGetVersion(&runtime));
  std::printf("driver CUDA %d.%d, runtime CUDA %d.%d\n", driver / 1000, driver % 1000 / 10,
              runtime / 1000, runtime % 1000 / 10);
  int count = 0;
  CHECK(cudaGetDeviceCount(&count));
  for (int d = 0; d < count; ++d) {
    cudaDeviceProp prop{};
    CHECK(cudaGetDeviceProperties(&prop, d));
    std::printf("device %d: %s, compute capability %d.%d, %d SMs, %.1f GiB\n", d, prop.name,
                prop.major, prop.minor, prop.multiProcessorCount,
                static_cast<double>(prop.totalGlobalMem) / (1024.0 * 1024.0 * 1024.0));
  }
  // Which image of our kernels the runtime picked for device 0 (SASS or JIT from PTX).
  CHECK(cudaSetDevice(0));
  cudaFuncAttributes attr{};
  CHECK(cudaFuncGetAttributes(&attr, fill_kernel_handle()));
  std::printf("kernels on device 0: binary sm_%d, ptx compute_%d, fill uses %d registers\n",
              attr.binaryVersion, attr.ptxVersion, attr.numRegs);
  return 0;
}

}  // namespace mnemo::harness
