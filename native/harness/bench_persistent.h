// bench_persistent.h — `mnemo_harness persistent [H] [iters]`: the persistent whole-sequence
// kernels, cooperative (grid barrier) beside cluster (sm_90+), in µs per step (bench_persistent.cpp).
#pragma once

#include <cuda_runtime.h>

namespace mnemo::harness {

// n <= 0: T = 200, B ∈ {1, 8}, H ∈ {128, 256, 512, 1024}, cells RNN tanh, LSTM, GRU; else H = n.
void bench_persistent(long long n, int iters, cudaStream_t s);

}  // namespace mnemo::harness
