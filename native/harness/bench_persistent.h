// bench_persistent.h — `mnemo_harness persistent [H] [iters]`: the persistent whole-sequence
// kernels, cooperative (grid barrier) beside cluster (sm_90+), in µs per step (bench_persistent.cpp).
#pragma once

#include <cuda_runtime.h>

namespace mnemo::harness {

// n <= 0: T = 200, B ∈ {1, 8}, H ∈ {128, 256, 512, 1024}, cells RNN tanh, LSTM, GRU; else H = n.
void bench_persistent(long long n, int iters, cudaStream_t s);

// `mnemo_harness persistent_sweep`: every cluster size S = 1..16 on the latency shapes (B = 1, 8 at
// H = 256) and pixel MNIST's (B = 128, H = 128), RNN tanh, LSTM and GRU, forward and backward, the
// planner's choice marked: the data to tune the cluster plan (sm_90+; says so and returns below).
void bench_persistent_sweep(long long n, int iters, cudaStream_t s);

// `mnemo_harness persistent_ab`: the planned cluster kernels with each p.tuning bit set (the courier
// warp on; the row slice, one-block barrier and backward registers off; mnemo_kernels.h) timed
// against the default path, where the plan can take it, at the anchors' pixel MNIST (T 784, B 128, H 128),
// latency_b1 (T 1000, B 1, H 256) and small (T 100, B 64, H 256) shapes: inference and training
// forward and the backward, µs per step and how much faster the default is (sm_90+).
void bench_persistent_ab(long long n, int iters, cudaStream_t s);

// `mnemo_harness_phases persistent_phases`: the planned cluster kernels' cycles per step by phase
// (product, barriers, cell, stores and loads) at B = 128, H = 128 and B = 1, H = 256, RNN tanh,
// LSTM and GRU, inference and training forward and the backward. The plain harness says which
// binary has the counters and returns.
void bench_persistent_phases(long long n, int iters, cudaStream_t s);

// `mnemo_harness persistent_profile`: for a profiler to pick (scripts/gpu-ncu.sh): at pixel MNIST's
// shape (T 784, B 128, H 128), RNN tanh, LSTM and GRU, the planned cluster kernels' inference forward,
// training forward and backward, each launched 3 times in that order, then the wide-block forward 3
// times where it fits. Prints each launch's geometry; times nothing.
void bench_persistent_profile(long long n, int iters, cudaStream_t s);

}  // namespace mnemo::harness
