// bench.cpp — `mnemo_harness <kernel> [n] [iters]`: median µs per case (CUDA events, warm-up
// first) and effective bandwidth = bytes the kernel must move / median time. Kernels: fill,
// axpby, clip, sumrows, rnn, lstm, gru, xent, mse, sgd, adam, rmsprop, memnet, eigen, persistent (see
// kBenches for what n means for each).
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <vector>

#include "bench_memnet.h"
#include "bench_persistent.h"
#include "commands.h"
#include "cuda_check.h"
#include "device_buffer.h"
#include "event_timing.h"
#include "kernel_launch.h"

namespace mnemo::harness {
namespace {

const long long kDefaultSizes[] = {1LL << 20, 1LL << 24, 1LL << 26};

void report(const char* kernel, long long n, int iters, double us, double bytes) {
  std::printf("%-44s n=%-10lld iters=%-5d median_us=%-10.3f GB/s=%.1f\n", kernel, n, iters, us,
              bytes / (us * 1e-6) / 1e9);
}

void bench_fill(long long n, int iters, cudaStream_t s) {
  DeviceBuffer x(n);
  const double us = median_us(iters, s, no_setup, [&] { launch_fill(x.get(), n, 1.0f, s); });
  report("mnemo_tensor_fill_f32", n, iters, us, 4.0 * n);  // write x
}

void bench_axpby(long long n, int iters, cudaStream_t s) {
  DeviceBuffer x(n);
  DeviceBuffer y(n);
  launch_fill(x.get(), n, 1.0f, s);
  launch_fill(y.get(), n, 2.0f, s);
  // beta = 0.5 keeps y bounded over repeated calls: y -> 2·x.
  double us = median_us(iters, s, no_setup,
                        [&] { launch_axpby(y.get(), x.get(), n, 1.0f, 0.5f, s); });
  report("mnemo_tensor_axpby_f32[beta=0.5]", n, iters, us, 12.0 * n);  // read x, y; write y
  us = median_us(iters, s, no_setup, [&] { launch_axpby(y.get(), x.get(), n, 1.0f, 0.0f, s); });
  report("mnemo_tensor_axpby_f32[beta=0]", n, iters, us, 8.0 * n);  // read x; write y
}

void bench_clip(long long n, int iters, cudaStream_t s) {
  DeviceBuffer x(n);
  DeviceArray<double> partials(kClipMaxPartials);
  DeviceBuffer norm(1);
  // Clipping every time: refill x with ones (outside the timed pair) so norm = sqrt(n) > 1.
  double us = median_us(
      iters, s, [&] { launch_fill(x.get(), n, 1.0f, s); },
      [&] { launch_clip(x.get(), n, partials.get(), 1.0f, norm.get(), s); });
  report("mnemo_clip_sumsq+scale_f32[clipping]", n, iters, us, 12.0 * n);  // read; read+write
  // Norm under maxNorm: pass 2 reads only the partials.
  us = median_us(iters, s, no_setup,
                 [&] { launch_clip(x.get(), n, partials.get(), 1e30f, norm.get(), s); });
  report("mnemo_clip_sumsq+scale_f32[no-op]", n, iters, us, 4.0 * n);  // read x once
}

// ── shaped cases: one line per kernel and shape ──

void report_shape(const char* kernel, const char* shape, int iters, double us, double bytes) {
  std::printf("%-44s %-22s iters=%-5d median_us=%-10.3f GB/s=%.1f\n", kernel, shape, iters, us,
              bytes / (us * 1e-6) / 1e9);
}

// Device buffers of `count` floats, filled with `value` (finite inputs for every kernel).
DeviceBuffer filled(long long count, float value, cudaStream_t s) {
  DeviceBuffer b(count);
  launch_fill(b.get(), count, value, s);
  return b;
}

// Column sums, the recommended schedule: n = rows; cols 1, 512, 2048 (default: a few
// (rows, cols) pairs from T·B = 64·64 to 2^20 rows, at most 4 GiB). Bytes: the input once.
void bench_sumrows_case(long long rows, long long cols, int iters, cudaStream_t s) {
  const DeviceBuffer in = filled(rows * cols, 0.5f, s);
  DeviceBuffer out(cols);
  DeviceBuffer partials(std::max(sum_rows_scratch_count(rows, cols), 1LL));
  const double us = median_us(iters, s, no_setup, [&] {
    launch_sum_rows(out.get(), in.get(), rows, cols, 0.0f, partials.get(), s);
  });
  char shape[64];
  std::snprintf(shape, sizeof shape, "rows=%lld cols=%lld", rows, cols);
  report_shape("mnemo_tensor_sum_rows[_partial]_f32", shape, iters, us, 4.0 * rows * cols);
}

void bench_sumrows(long long n, int iters, cudaStream_t s) {
  if (n > 0) {
    for (long long cols : {1LL, 512LL, 2048LL}) bench_sumrows_case(n, cols, iters, s);
    return;
  }
  const long long cases[][2] = {{4096, 2048}, {65536, 2048}, {1LL << 20, 1}, {1LL << 20, 512},
                                {1LL << 18, 4096}};
  for (const auto& c : cases) bench_sumrows_case(c[0], c[1], iters, s);
}

// Recurrent cells, one step at B = 64: n = H (default 256, 512, 1024). Bytes: every array the
// kernel reads or writes once (biases included).
constexpr long long kCellBatch = 64;

void bench_rnn(long long hidden, int iters, cudaStream_t s) {
  const long long B = kCellBatch, H = hidden, n = B * H;
  const DeviceBuffer gx = filled(n, 0.1f, s), gh = filled(n, 0.2f, s);
  const DeviceBuffer bIh = filled(H, 0.01f, s), bHh = filled(H, 0.02f, s);
  const DeviceBuffer dy = filled(n, 0.1f, s), rec = filled(n, 0.1f, s);
  DeviceBuffer h(n), dg(n);
  char shape[64];
  std::snprintf(shape, sizeof shape, "B=%lld H=%lld", B, H);
  double us = median_us(iters, s, no_setup, [&] {
    launch_rnn_fwd(false, gx.get(), gh.get(), bIh.get(), bHh.get(), h.get(), H, B, H, 1, 0, s);
  });
  report_shape("mnemo_rnn_pointwise_fwd_tanh_f32", shape, iters, us, 4.0 * (3 * n + 2 * H));
  us = median_us(iters, s, no_setup, [&] {
    launch_rnn_bwd(false, dy.get(), H, rec.get(), h.get(), H, dg.get(), B, H, s);
  });
  report_shape("mnemo_rnn_pointwise_bwd_tanh_f32", shape, iters, us, 4.0 * 4 * n);
}

void bench_lstm(long long hidden, int iters, cudaStream_t s) {
  const long long B = kCellBatch, H = hidden, n = B * H;
  const DeviceBuffer gx = filled(4 * n, 0.1f, s), gh = filled(4 * n, 0.2f, s);
  const DeviceBuffer bIh = filled(4 * H, 0.01f, s), bHh = filled(4 * H, 0.02f, s);
  const DeviceBuffer cPrev = filled(n, 0.3f, s);
  const DeviceBuffer dy = filled(n, 0.1f, s), rec = filled(n, 0.1f, s);
  DeviceBuffer h(n), c(n), gates(4 * n), dc(n), dg(4 * n);
  launch_fill(dc.get(), n, 0.0f, s);
  mnemo_lstm_pointwise_fwd_params p{gx.get(), gh.get(), bIh.get(),   bHh.get(), cPrev.get(),
                                    h.get(),  c.get(),  gates.get(), B,         H,
                                    H,        1,        0};
  char shape[64];
  std::snprintf(shape, sizeof shape, "B=%lld H=%lld", B, H);
  double us = median_us(iters, s, no_setup, [&] { launch_lstm_fwd(true, p, s); });
  report_shape("mnemo_lstm_pointwise_fwd_train_f32", shape, iters, us, 4.0 * (15 * n + 8 * H));
  us = median_us(iters, s, no_setup, [&] { launch_lstm_fwd(false, p, s); });
  report_shape("mnemo_lstm_pointwise_fwd_infer_f32", shape, iters, us, 4.0 * (11 * n + 8 * H));
  // dc is in-out: repeated calls shrink it towards 0 (dc ← dcT·f), harmless for timing.
  us = median_us(iters, s, no_setup, [&] {
    launch_lstm_bwd(dy.get(), H, rec.get(), dc.get(), gates.get(), cPrev.get(), c.get(),
                    dg.get(), B, H, s);
  });
  report_shape("mnemo_lstm_pointwise_bwd_f32", shape, iters, us, 4.0 * 14 * n);
}

void bench_gru(long long hidden, int iters, cudaStream_t s) {
  const long long B = kCellBatch, H = hidden, n = B * H;
  const DeviceBuffer gx = filled(3 * n, 0.1f, s), gh = filled(3 * n, 0.2f, s);
  const DeviceBuffer bIh = filled(3 * H, 0.01f, s), bHh = filled(3 * H, 0.02f, s);
  const DeviceBuffer hPrev = filled(n, 0.3f, s);
  const DeviceBuffer dy = filled(n, 0.1f, s), rec = filled(n, 0.1f, s);
  DeviceBuffer h(n), gates(3 * n), hn(n), dgx(3 * n), dgh(3 * n), dhp(n);
  mnemo_gru_pointwise_fwd_params p{gx.get(), gh.get(),    bIh.get(), bHh.get(), hPrev.get(),
                                   h.get(),  gates.get(), hn.get(),  B,         H,
                                   H,        H,           1,         0};
  const mnemo_gru_pointwise_bwd_params b{dy.get(),  rec.get(), gates.get(), hn.get(),
                                         hPrev.get(), dgx.get(), dgh.get(),   dhp.get(),
                                         B,         H,         H,           H};
  char shape[64];
  std::snprintf(shape, sizeof shape, "B=%lld H=%lld", B, H);
  double us = median_us(iters, s, no_setup, [&] { launch_gru_fwd(true, p, s); });
  report_shape("mnemo_gru_pointwise_fwd_train_f32", shape, iters, us, 4.0 * (12 * n + 6 * H));
  us = median_us(iters, s, no_setup, [&] { launch_gru_fwd(false, p, s); });
  report_shape("mnemo_gru_pointwise_fwd_infer_f32", shape, iters, us, 4.0 * (8 * n + 6 * H));
  us = median_us(iters, s, no_setup, [&] { launch_gru_bwd(b, s); });
  report_shape("mnemo_gru_pointwise_bwd_f32", shape, iters, us, 4.0 * 14 * n);
}

// Softmax cross-entropy: n = rows (default 4096); classes 65, 1024, 1025, 10000, 50257.
// Bytes: forward reads the logits once; backward reads and writes them.
void bench_xent(long long n, int iters, cudaStream_t s) {
  const long long R = n > 0 ? n : 4096;
  for (long long C : {65LL, 1024LL, 1025LL, 10000LL, 50257LL}) {
    const DeviceBuffer logits = filled(R * C, 0.5f, s);
    DeviceArray<int> targets(R);
    CHECK(cudaMemsetAsync(targets.get(), 0, static_cast<std::size_t>(R) * sizeof(int), s));
    DeviceBuffer loss(R), stats(2 * R), dl(R * C);
    char shape[64];
    std::snprintf(shape, sizeof shape, "R=%lld C=%lld", R, C);
    double us = median_us(iters, s, no_setup, [&] {
      launch_xent_fwd(logits.get(), targets.get(), loss.get(), stats.get(), R, C, s);
    });
    report_shape("mnemo_loss_softmax_xent_fwd_f32", shape, iters, us, 4.0 * R * C);
    us = median_us(iters, s, no_setup, [&] {
      launch_xent_bwd(dl.get(), logits.get(), targets.get(), stats.get(), R, C, 1.0f, s);
    });
    report_shape("mnemo_loss_softmax_xent_bwd_f32", shape, iters, us, 8.0 * R * C);
  }
}

// Elementwise-sized cases below: n = element count (default 2^20, 2^24, 2^26).
void bench_mse(long long n, int iters, cudaStream_t s) {
  const DeviceBuffer pred = filled(n, 0.5f, s), target = filled(n, 0.25f, s);
  DeviceArray<double> partials(kLossMseMaxPartials);
  DeviceBuffer dpred(n);
  double us = median_us(iters, s, no_setup,
                        [&] { launch_mse_fwd(pred.get(), target.get(), n, partials.get(), s); });
  report("mnemo_loss_mse_fwd_f32", n, iters, us, 8.0 * n);
  us = median_us(iters, s, no_setup, [&] {
    launch_mse_bwd(dpred.get(), pred.get(), target.get(), n, 1.0f, s);
  });
  report("mnemo_loss_mse_bwd_f32", n, iters, us, 12.0 * n);
}

// Optimizers: gradients of 0 keep the parameters finite over any number of calls.
void bench_sgd(long long n, int iters, cudaStream_t s) {
  DeviceBuffer p = filled(n, 0.5f, s), buf = filled(n, 0.0f, s);
  const DeviceBuffer g = filled(n, 0.0f, s);
  const mnemo_optim_sgd_params hp{0.1, 0.9, 0.0, 1e-4, 0, 0};
  const double us = median_us(iters, s, no_setup,
                              [&] { launch_sgd(p.get(), g.get(), buf.get(), n, hp, s); });
  report("mnemo_optim_sgd_f32[momentum]", n, iters, us, 20.0 * n);  // read p, g, buf; write p, buf
}

void bench_adam(long long n, int iters, cudaStream_t s) {
  DeviceBuffer p = filled(n, 0.5f, s), m = filled(n, 0.0f, s), v = filled(n, 0.0f, s);
  const DeviceBuffer g = filled(n, 0.0f, s);
  const mnemo_optim_adam_params hp{1e-3, 0.9, 0.999, 1e-8, 1e-2, 10, 1};
  const double us = median_us(iters, s, no_setup, [&] {
    launch_adam(p.get(), g.get(), m.get(), v.get(), n, hp, s);
  });
  report("mnemo_optim_adam_f32[adamw]", n, iters, us, 28.0 * n);  // read 4, write 3 arrays
}

void bench_rmsprop(long long n, int iters, cudaStream_t s) {
  DeviceBuffer p = filled(n, 0.5f, s), sq = filled(n, 0.0f, s), buf = filled(n, 0.0f, s),
               ga = filled(n, 0.0f, s);
  const DeviceBuffer g = filled(n, 0.0f, s);
  const mnemo_optim_rmsprop_params hp{1e-2, 0.99, 1e-8, 0.0, 0.9, 1};
  const double us = median_us(iters, s, no_setup, [&] {
    launch_rmsprop(p.get(), g.get(), sq.get(), buf.get(), ga.get(), n, hp, s);
  });
  report("mnemo_optim_rmsprop_f32[centered+momentum]", n, iters, us, 36.0 * n);  // 5 in, 4 out
}

// Batched eigenvalues: n = the order (default: 16 and 64), 1,000 random matrices per launch, both
// dtypes; GB/s counts the matrices read once.
template <typename T>
void bench_eigen_case(int n, int iters, cudaStream_t s) {
  constexpr int kCount = 1000;
  const long long elements = static_cast<long long>(kCount) * n * n;
  std::vector<T> host(static_cast<std::size_t>(elements));
  unsigned state = 12345u;  // a fixed LCG: the same matrices every run
  for (T& v : host) {
    state = state * 1664525u + 1013904223u;
    v = static_cast<T>((static_cast<double>(state >> 8) / 16777216.0 - 0.5) / n);
  }
  DeviceArray<T> a(elements), wr(static_cast<long long>(kCount) * n), wi(static_cast<long long>(kCount) * n);
  DeviceArray<int> status(kCount);
  a.upload(host);
  const double us = median_us(iters, s, no_setup, [&] {
    launch_eigen_hqr(a.get(), static_cast<long long>(n) * n, n, kCount, 0, wr.get(), wi.get(),
                     status.get(), s);
  });
  char shape[32];
  std::snprintf(shape, sizeof shape, "1000x%dx%d", n, n);
  report_shape(sizeof(T) == 4 ? "mnemo_eigen_hqr_f32" : "mnemo_eigen_hqr_f64", shape, iters, us,
               static_cast<double>(sizeof(T)) * elements);
}

void bench_eigen(long long n, int iters, cudaStream_t s) {
  const std::vector<int> orders = n > 0 ? std::vector<int>{static_cast<int>(std::min(n, 64LL))}
                                        : std::vector<int>{16, 64};
  for (int order : orders) {
    bench_eigen_case<float>(order, iters, s);
    bench_eigen_case<double>(order, iters, s);
  }
}

struct Bench {
  const char* name;
  void (*run)(long long n, int iters, cudaStream_t s);
  enum { kElements, kHidden, kSelf } sizes;  // what the default n list is
};

const Bench kBenches[] = {
    {"fill", bench_fill, Bench::kElements},      {"axpby", bench_axpby, Bench::kElements},
    {"clip", bench_clip, Bench::kElements},      {"sumrows", bench_sumrows, Bench::kSelf},
    {"rnn", bench_rnn, Bench::kHidden},          {"lstm", bench_lstm, Bench::kHidden},
    {"gru", bench_gru, Bench::kHidden},          {"xent", bench_xent, Bench::kSelf},
    {"mse", bench_mse, Bench::kElements},        {"sgd", bench_sgd, Bench::kElements},
    {"adam", bench_adam, Bench::kElements},      {"rmsprop", bench_rmsprop, Bench::kElements},
    {"memnet", bench_memnet, Bench::kSelf},
    {"eigen", bench_eigen, Bench::kSelf},
    {"persistent", bench_persistent, Bench::kSelf},
    {"persistent_sweep", bench_persistent_sweep, Bench::kSelf},
    {"persistent_phases", bench_persistent_phases, Bench::kSelf},
    {"persistent_ab", bench_persistent_ab, Bench::kSelf},
    {"persistent_profile", bench_persistent_profile, Bench::kSelf},
};

const long long kDefaultHidden[] = {256, 512, 1024};

}  // namespace

bool is_bench_kernel(const char* kernel) {
  for (const Bench& b : kBenches) {
    if (std::strcmp(kernel, b.name) == 0) return true;
  }
  return false;
}

int run_bench(const char* kernel, long long n, int iters) {
  const Bench* bench = nullptr;
  for (const Bench& b : kBenches) {
    if (std::strcmp(kernel, b.name) == 0) bench = &b;
  }
  if (bench == nullptr) {
    std::fprintf(stderr, "mnemo_harness: unknown kernel '%s'\n", kernel);
    return 64;
  }
  std::vector<long long> sizes;
  if (n > 0 || bench->sizes == Bench::kSelf) {
    sizes.push_back(n);  // kSelf benches take n <= 0 as "my default cases"
  } else if (bench->sizes == Bench::kHidden) {
    sizes.assign(std::begin(kDefaultHidden), std::end(kDefaultHidden));
  } else {
    sizes.assign(std::begin(kDefaultSizes), std::end(kDefaultSizes));
  }
  cudaStream_t stream = nullptr;
  CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  for (long long size : sizes) {
    bench->run(size, iters, stream);
    CHECK(cudaStreamSynchronize(stream));  // buffers are freed (synchronously) between sizes
  }
  CHECK(cudaStreamDestroy(stream));
  return 0;
}

}  // namespace mnemo::harness
