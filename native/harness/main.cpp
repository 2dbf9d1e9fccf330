// main.cpp — mnemo_harness: times and checks the Mnemo kernels without a JVM (CUDA runtime API,
// kernels compiled in from cuda-kernels/mnemo_kernels.cu). Usage: see kUsage.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "commands.h"

namespace {

const char* const kUsage =
    "usage: mnemo_harness <command>\n"
    "  info                        device, compute capability, SMs; which kernel image loads\n"
    "  fill|axpby|clip [n] [iters] median us and GB/s per case (default n: 2^20, 2^24, 2^26;\n"
    "                              iters 100, after 10 warm-up calls)\n"
    "  mse|sgd|adam|rmsprop [n] [iters]  the same, n = element count\n"
    "  rnn|lstm|gru [H] [iters]    one cell step fwd (train, infer) and bwd at B = 64\n"
    "                              (default H: 256, 512, 1024)\n"
    "  sumrows [rows] [iters]      column sums, cols 1, 512, 2048 (default: a few shapes)\n"
    "  xent [rows] [iters]         softmax cross-entropy fwd and bwd, C 65 .. 50257 (rows 4096)\n"
    "  launch [iters]              back-to-back launches of mnemo_tensor_fill_f32 (n = 1),\n"
    "                              one sync: us per launch (default 10000)\n"
    "  memnet [N] [iters]          key-value memory read fwd (float, bf16 K/V; eager and in a\n"
    "                              CUDA Graph) and bwd, GB/s;\n"
    "                              default: the gpu-anchors shapes and two either side of the\n"
    "                              small path's limit, else B = 64, N, d = 64\n"
    "  eigen [n] [iters]           batched eigenvalues of 1000 matrices n x n (default 16, 64)\n"
    "  persistent [H] [iters]      whole-sequence RNN/LSTM/GRU fwd and bwd, T = 200, B 1 and 8,\n"
    "                              cooperative and cluster kernels: us per step (default H:\n"
    "                              128, 256, 512, 1024)\n"
    "  persistent_sweep            every cluster size S = 1..16 at B 1, 8 (H 256) and B 128, 1\n"
    "                              (H 128), fwd and bwd, the planner's pick marked (sm_90+)\n"
    "  persistent_phases           the planned cluster kernels' cycles per step by phase at\n"
    "                              B 128 H 128 and B 1 H 256 (mnemo_harness_phases only)\n"
    "  persistent_ab               the planned cluster kernels with each tuning bit (courier on;\n"
    "                              row slice, solo barrier, backward registers off) against the\n"
    "                              default, at the anchors' pixelMNIST, latency_b1 and small shapes\n"
    "                              (sm_90+)\n"
    "  persistent_profile          the planned cluster kernels at pixel MNIST's shape, each pass\n"
    "                              launched 3 times, for a profiler (scripts/gpu-ncu.sh); untimed\n"
    "  check                       every kernel vs a host reference; exit 0 ok, 1 failed\n"
    "exit status: 0 ok, 1 check failed, 2 CUDA error, 64 usage error\n";

constexpr int kExitUsage = 64;

constexpr long long kMaxIters = 1000000000;
constexpr long long kMaxN = 1LL << 40;

// Decimal integer in [1, max], or the usage error exit.
long long parse_positive(const char* text, const char* what, long long max) {
  char* end = nullptr;
  const long long value = std::strtoll(text, &end, 10);
  if (end == text || *end != '\0' || value <= 0 || value > max) {
    std::fprintf(stderr, "mnemo_harness: %s must be an integer in [1, %lld], got '%s'\n%s", what,
                 max, text, kUsage);
    std::exit(kExitUsage);
  }
  return value;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mnemo::harness;
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return kExitUsage;
  }
  const char* cmd = argv[1];
  const bool isBench = is_bench_kernel(cmd);
  if (std::strcmp(cmd, "info") == 0 && argc == 2) return run_info();
  if (std::strcmp(cmd, "check") == 0 && argc == 2) return run_check();
  if (std::strcmp(cmd, "launch") == 0 && argc <= 3) {
    const int iters = argc > 2 ? static_cast<int>(parse_positive(argv[2], "iters", kMaxIters)) : 10000;
    return run_launch_overhead(iters);
  }
  if (isBench && argc <= 4) {
    const long long n = argc > 2 ? parse_positive(argv[2], "n", kMaxN) : 0;
    const int iters = argc > 3 ? static_cast<int>(parse_positive(argv[3], "iters", kMaxIters)) : 100;
    return run_bench(cmd, n, iters);
  }
  if (std::strcmp(cmd, "-h") == 0 || std::strcmp(cmd, "--help") == 0 || std::strcmp(cmd, "help") == 0) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  std::fprintf(stderr, "mnemo_harness: unknown command or extra arguments: %s\n%s", cmd, kUsage);
  return kExitUsage;
}
