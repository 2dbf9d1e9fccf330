// commands.h — the harness's subcommands; each returns the process exit status.
#pragma once

namespace mnemo::harness {

// Device name, compute capability, SMs, memory, versions, and whether our kernels load.
int run_info();
// One line per case: kernel, n (or shape), median µs, effective GB/s. n <= 0 runs the
// default sizes.
int run_bench(const char* kernel, long long n, int iters);
// Whether `kernel` names a bench (fill, axpby, clip, sumrows, rnn, lstm, gru, xent, mse, sgd,
// adam, rmsprop, memnet, eigen, persistent).
bool is_bench_kernel(const char* kernel);
// Every kernel against a host reference on small inputs: 0 all passed, 1 any failed.
int run_check();
// Back-to-back launches of mnemo_tensor_fill_f32 with n = 1, one sync: µs per launch.
int run_launch_overhead(int iters);

}  // namespace mnemo::harness
