// launch_overhead.cpp — `mnemo_harness launch [iters]`: the C baseline for the Java launch
// benchmark. Back-to-back launches of mnemo_tensor_fill_f32 (n = 1, one block) through
// cudaLaunchKernel with a void** argument array — the same shape of call as cuLaunchKernel
// from Java — then one sync; wall-clock µs per launch, median of a few rounds.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "commands.h"
#include "cuda_check.h"
#include "device_buffer.h"
#include "kernel_launch.h"

namespace mnemo::harness {

namespace {
constexpr int kRounds = 5;
}

int run_launch_overhead(int iters) {
  cudaStream_t stream = nullptr;
  CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  DeviceBuffer x(1);
  float* ptr = x.get();
  long long n = 1;
  float value = 0.0f;
  void* args[] = {&ptr, &n, &value};
  const dim3 grid(1);
  const dim3 block(kBlockThreads);
  const void* kernel = fill_kernel_handle();
  auto launch = [&] {
    CHECK(cudaLaunchKernel(kernel, grid, block, args, 0, stream));
  };
  for (int i = 0; i < 100; ++i) launch();  // warm-up: module load, first-launch costs
  CHECK(cudaStreamSynchronize(stream));

  std::vector<double> per_launch_us;
  for (int r = 0; r < kRounds; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < iters; ++i) launch();
    CHECK(cudaStreamSynchronize(stream));
    const auto t1 = std::chrono::steady_clock::now();
    per_launch_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count() / iters);
  }
  CHECK(cudaStreamDestroy(stream));
  std::sort(per_launch_us.begin(), per_launch_us.end());
  std::printf("%-44s n=%-10d launches=%d rounds=%d median_us_per_launch=%.3f min=%.3f\n",
              "mnemo_tensor_fill_f32[launch+1 sync]", 1, iters, kRounds,
              per_launch_us[kRounds / 2], per_launch_us.front());
  return 0;
}

}  // namespace mnemo::harness
