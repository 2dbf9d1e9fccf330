// cuda_check.h — every CUDA runtime call in the harness goes through CHECK: on failure it
// prints the call as written, file:line and the error's name and text, then exits with 2
// (1 is reserved for "ran, but a result was wrong").
#pragma once

#include <cstdio>
#include <cstdlib>

#include <cuda_runtime.h>

namespace mnemo::harness {

constexpr int kExitCudaError = 2;

inline void check_cuda(cudaError_t status, const char* call, const char* file, int line) {
  if (status == cudaSuccess) return;
  std::fprintf(stderr, "mnemo_harness: %s failed at %s:%d: %s (%s)\n", call, file, line,
               cudaGetErrorName(status), cudaGetErrorString(status));
  std::exit(kExitCudaError);
}

}  // namespace mnemo::harness

#define CHECK(call) ::mnemo::harness::check_cuda((call), #call, __FILE__, __LINE__)

// After a <<<...>>> launch: a bad launch configuration is reported by cudaGetLastError, not by
// a return value.
#define CHECK_LAUNCH() CHECK(cudaGetLastError())
