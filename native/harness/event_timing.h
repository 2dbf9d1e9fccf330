// event_timing.h — median kernel time with CUDA events: warm-up first, then one start/stop
// event pair around each timed call (setup work runs outside the pair).
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include <cuda_runtime.h>

#include "cuda_check.h"

namespace mnemo::harness {

constexpr int kWarmupIters = 10;

template <typename Setup, typename Timed>
double median_us(int iters, cudaStream_t stream, Setup setup, Timed timed) {
  cudaEvent_t start = nullptr;
  cudaEvent_t stop = nullptr;
  CHECK(cudaEventCreate(&start));
  CHECK(cudaEventCreate(&stop));
  for (int i = 0; i < kWarmupIters; ++i) {
    setup();
    timed();
  }
  CHECK(cudaStreamSynchronize(stream));
  std::vector<double> samples;
  samples.reserve(static_cast<std::size_t>(iters));
  for (int i = 0; i < iters; ++i) {
    setup();
    CHECK(cudaEventRecord(start, stream));
    timed();
    CHECK(cudaEventRecord(stop, stream));
    CHECK(cudaEventSynchronize(stop));
    float ms = 0.0f;
    CHECK(cudaEventElapsedTime(&ms, start, stop));
    samples.push_back(1000.0 * ms);
  }
  CHECK(cudaEventDestroy(start));
  CHECK(cudaEventDestroy(stop));
  std::sort(samples.begin(), samples.end());
  const std::size_t mid = samples.size() / 2;
  return samples.size() % 2 == 1 ? samples[mid] : 0.5 * (samples[mid - 1] + samples[mid]);
}

inline void no_setup() {}

// Median time of one `timed()` inside a CUDA Graph: `perGraph` calls captured on `stream` (a
// capturable, non-legacy stream), each replay timed with events and divided by `perGraph`. This
// is the kernels' own time, without the host's per-launch cost that bounds short eager calls.
template <typename Timed>
double graph_median_us(int iters, int perGraph, cudaStream_t stream, Timed timed) {
  cudaGraph_t graph = nullptr;
  cudaGraphExec_t exec = nullptr;
  CHECK(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal));
  for (int i = 0; i < perGraph; ++i) timed();
  CHECK(cudaStreamEndCapture(stream, &graph));
  CHECK(cudaGraphInstantiate(&exec, graph, 0));
  const double us = median_us(iters, stream, no_setup, [&] { CHECK(cudaGraphLaunch(exec, stream)); });
  CHECK(cudaGraphExecDestroy(exec));
  CHECK(cudaGraphDestroy(graph));
  return us / perGraph;
}

}  // namespace mnemo::harness
