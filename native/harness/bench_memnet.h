// bench_memnet.h — `mnemo_harness memnet [N] [iters]`: the key-value memory read (bench_memnet.cpp).
#pragma once

#include <cuda_runtime.h>

namespace mnemo::harness {

// n <= 0: the gpu-anchors shapes (B, N, d) = (64, 128, 64), (64, 1024, 64), (256, 1024, 64),
// (64, 8192, 64), (1024, 256, 32), (1, 65536, 64); else B = 64, N = n, d = 64.
void bench_memnet(long long n, int iters, cudaStream_t s);

}  // namespace mnemo::harness
