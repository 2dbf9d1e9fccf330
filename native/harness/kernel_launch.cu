// kernel_launch.cu — the harness's only CUDA translation unit: the kernels themselves (the
// same unity file the fatbin is built from) plus their launches (see kernel_launch.h).
// Keeping device code in one unit means the harness pays one device compile per arch; the
// other harness files are host C++.
#include "mnemo_kernels.cu"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "cuda_check.h"
#include "kernel_launch.h"

namespace mnemo::harness {

unsigned capped_grid(long long n, long long cap) {
  const long long blocks = (n + kBlockThreads - 1) / kBlockThreads;
  if (blocks < 1) return 1;
  return static_cast<unsigned>(blocks < cap ? blocks : cap);
}

void launch_fill(float* x, long long n, float value, cudaStream_t stream) {
  mnemo_tensor_fill_f32<<<elementwise_grid(n), kBlockThreads, 0, stream>>>(x, n, value);
  CHECK_LAUNCH();
}

void launch_axpby(float* y, const float* x, long long n, float alpha, float beta,
                  cudaStream_t stream) {
  mnemo_tensor_axpby_f32<<<elementwise_grid(n), kBlockThreads, 0, stream>>>(y, x, n, alpha,
                                                                           beta);
  CHECK_LAUNCH();
}

void launch_clip(float* x, long long n, double* partials, float maxNorm, float* normOut,
                 cudaStream_t stream) {
  const unsigned numPartials = clip_partials_count(n);
  mnemo_clip_sumsq_f32<<<numPartials, kBlockThreads, 0, stream>>>(x, n, partials);
  CHECK_LAUNCH();
  mnemo_clip_scale_f32<<<elementwise_grid(n), kBlockThreads, 0, stream>>>(
      x, n, partials, static_cast<int>(numPartials), maxNorm, normOut);
  CHECK_LAUNCH();
}

// ── tensor: column sums ──

namespace {
constexpr long long kSumRowsColsPerBlock = 32;
constexpr unsigned kXentWarpsPerBlock = kBlockThreads / 32;

long long ceil_div(long long a, long long b) { return (a + b - 1) / b; }

unsigned sum_rows_tiles(long long cols) {
  const long long tiles = ceil_div(cols, kSumRowsColsPerBlock);
  return static_cast<unsigned>(tiles < 1 ? 1 : tiles);
}
}  // namespace

long long sum_rows_splits(long long rows, long long cols) {
  if (rows <= 0) return 1;
  const long long tiles = sum_rows_tiles(cols);
  long long s = std::max(ceil_div(MNEMO_SUM_ROWS_TARGET_BLOCKS, tiles),
                         ceil_div(rows, MNEMO_SUM_ROWS_MAX_SPLIT_ROWS));
  s = std::min({s, ceil_div(rows, MNEMO_SUM_ROWS_MIN_SPLIT_ROWS),
                static_cast<long long>(MNEMO_SUM_ROWS_MAX_SPLITS)});
  if (s <= 1) return 1;
  const long long rowsPerSplit = ceil_div(rows, s);
  return ceil_div(rows, rowsPerSplit);
}

long long sum_rows_scratch_count(long long rows, long long cols) {
  const long long s = sum_rows_splits(rows, cols);
  return s > 1 ? s * cols : 0;
}

void launch_sum_rows_one_pass(float* out, const float* in, long long rows, long long cols,
                              float beta, cudaStream_t stream) {
  mnemo_tensor_sum_rows_f32<<<sum_rows_tiles(cols), kBlockThreads, 0, stream>>>(out, in, rows,
                                                                                 cols, beta);
  CHECK_LAUNCH();
}

void launch_sum_rows_partial(float* partials, const float* in, long long rows, long long cols,
                             long long rowsPerSplit, cudaStream_t stream) {
  const dim3 grid(sum_rows_tiles(cols), static_cast<unsigned>(ceil_div(rows, rowsPerSplit)));
  mnemo_tensor_sum_rows_partial_f32<<<grid, kBlockThreads, 0, stream>>>(partials, in, rows, cols,
                                                                        rowsPerSplit);
  CHECK_LAUNCH();
}

void launch_sum_rows(float* out, const float* in, long long rows, long long cols, float beta,
                     float* partials, cudaStream_t stream) {
  const long long s = sum_rows_splits(rows, cols);
  if (s <= 1) {
    launch_sum_rows_one_pass(out, in, rows, cols, beta, stream);
    return;
  }
  launch_sum_rows_partial(partials, in, rows, cols, ceil_div(rows, s), stream);
  launch_sum_rows_one_pass(out, partials, s, cols, beta, stream);
}

// ── recurrent cells ──

unsigned cell_grid(long long batch, long long hidden) {
  const long long blocks = ceil_div(batch * hidden, kBlockThreads);
  return static_cast<unsigned>(blocks < 1 ? 1 : blocks);
}

void launch_rnn_fwd(bool relu, const float* gx, const float* gh, const float* bIh,
                    const float* bHh, float* hOut, long long ldh, long long batch,
                    long long hidden, long long ghSplits, long long ghSplitStride,
                    cudaStream_t stream) {
  const unsigned grid = cell_grid(batch, hidden);
  if (relu) {
    mnemo_rnn_pointwise_fwd_relu_f32<<<grid, kBlockThreads, 0, stream>>>(
        gx, gh, bIh, bHh, hOut, ldh, batch, hidden, ghSplits, ghSplitStride);
  } else {
    mnemo_rnn_pointwise_fwd_tanh_f32<<<grid, kBlockThreads, 0, stream>>>(
        gx, gh, bIh, bHh, hOut, ldh, batch, hidden, ghSplits, ghSplitStride);
  }
  CHECK_LAUNCH();
}

void launch_rnn_bwd(bool relu, const float* dy, long long ldy, const float* dhRec,
                    const float* h, long long ldh, float* dgates, long long batch,
                    long long hidden, cudaStream_t stream) {
  const unsigned grid = cell_grid(batch, hidden);
  if (relu) {
    mnemo_rnn_pointwise_bwd_relu_f32<<<grid, kBlockThreads, 0, stream>>>(dy, ldy, dhRec, h, ldh,
                                                                         dgates, batch, hidden);
  } else {
    mnemo_rnn_pointwise_bwd_tanh_f32<<<grid, kBlockThreads, 0, stream>>>(dy, ldy, dhRec, h, ldh,
                                                                         dgates, batch, hidden);
  }
  CHECK_LAUNCH();
}

void launch_lstm_fwd(bool training, const mnemo_lstm_pointwise_fwd_params& p,
                     cudaStream_t stream) {
  const unsigned grid = cell_grid(p.batch, p.hidden);
  if (training) {
    mnemo_lstm_pointwise_fwd_train_f32<<<grid, kBlockThreads, 0, stream>>>(p);
  } else {
    mnemo_lstm_pointwise_fwd_infer_f32<<<grid, kBlockThreads, 0, stream>>>(p);
  }
  CHECK_LAUNCH();
}

void launch_lstm_bwd(const float* dy, long long ldy, const float* dhRec, float* dc,
                     const float* gates, const float* cPrev, const float* cCur, float* dgates,
                     long long batch, long long hidden, cudaStream_t stream) {
  mnemo_lstm_pointwise_bwd_f32<<<cell_grid(batch, hidden), kBlockThreads, 0, stream>>>(
      dy, ldy, dhRec, dc, gates, cPrev, cCur, dgates, batch, hidden);
  CHECK_LAUNCH();
}

void launch_gru_fwd(bool training, const mnemo_gru_pointwise_fwd_params& p, cudaStream_t stream) {
  const unsigned grid = cell_grid(p.batch, p.hidden);
  if (training) {
    mnemo_gru_pointwise_fwd_train_f32<<<grid, kBlockThreads, 0, stream>>>(p);
  } else {
    mnemo_gru_pointwise_fwd_infer_f32<<<grid, kBlockThreads, 0, stream>>>(p);
  }
  CHECK_LAUNCH();
}

void launch_gru_bwd(const mnemo_gru_pointwise_bwd_params& p, cudaStream_t stream) {
  mnemo_gru_pointwise_bwd_f32<<<cell_grid(p.batch, p.hidden), kBlockThreads, 0, stream>>>(p);
  CHECK_LAUNCH();
}

// ── loss ──

unsigned xent_fwd_grid(long long rows, long long classes) {
  const long long rowsPerBlock =
      classes <= MNEMO_LOSS_XENT_WARP_MAX_CLASSES ? kXentWarpsPerBlock : 1;
  const long long blocks = ceil_div(rows, rowsPerBlock);
  return static_cast<unsigned>(std::min(std::max(blocks, 1LL), kMaxGridStrideBlocks));
}

void launch_xent_fwd_with_grid(unsigned grid, const float* logits, const int* targets,
                               float* loss, float* stats, long long rows, long long classes,
                               cudaStream_t stream) {
  mnemo_loss_softmax_xent_fwd_f32<<<grid, kBlockThreads, 0, stream>>>(logits, targets, loss,
                                                                      stats, rows, classes);
  CHECK_LAUNCH();
}

void launch_xent_fwd(const float* logits, const int* targets, float* loss, float* stats,
                     long long rows, long long classes, cudaStream_t stream) {
  launch_xent_fwd_with_grid(xent_fwd_grid(rows, classes), logits, targets, loss, stats, rows,
                            classes, stream);
}

void launch_xent_bwd(float* dlogits, const float* logits, const int* targets,
                     const float* stats, long long rows, long long classes, float scale,
                     cudaStream_t stream) {
  mnemo_loss_softmax_xent_bwd_f32<<<elementwise_grid(rows * classes), kBlockThreads, 0, stream>>>(
      dlogits, logits, targets, stats, rows, classes, scale);
  CHECK_LAUNCH();
}

void launch_mse_fwd(const float* pred, const float* target, long long n, double* partials,
                    cudaStream_t stream) {
  mnemo_loss_mse_fwd_f32<<<mse_partials_count(n), kBlockThreads, 0, stream>>>(pred, target, n,
                                                                              partials);
  CHECK_LAUNCH();
}

void launch_mse_bwd(float* dpred, const float* pred, const float* target, long long n,
                    float scale, cudaStream_t stream) {
  mnemo_loss_mse_bwd_f32<<<elementwise_grid(n), kBlockThreads, 0, stream>>>(dpred, pred, target,
                                                                            n, scale);
  CHECK_LAUNCH();
}

// ── optim ──

void launch_sgd(float* param, const float* grad, float* momentumBuffer, long long n,
                const mnemo_optim_sgd_params& hp, cudaStream_t stream) {
  mnemo_optim_sgd_f32<<<elementwise_grid(n), kBlockThreads, 0, stream>>>(param, grad,
                                                                         momentumBuffer, n, hp);
  CHECK_LAUNCH();
}

void launch_adam(float* param, const float* grad, float* expAvg, float* expAvgSq, long long n,
                 const mnemo_optim_adam_params& hp, cudaStream_t stream) {
  mnemo_optim_adam_f32<<<elementwise_grid(n), kBlockThreads, 0, stream>>>(param, grad, expAvg,
                                                                          expAvgSq, n, hp);
  CHECK_LAUNCH();
}

void launch_rmsprop(float* param, const float* grad, float* squareAvg, float* momentumBuffer,
                    float* gradAvg, long long n, const mnemo_optim_rmsprop_params& hp,
                    cudaStream_t stream) {
  mnemo_optim_rmsprop_f32<<<elementwise_grid(n), kBlockThreads, 0, stream>>>(
      param, grad, squareAvg, momentumBuffer, gradAvg, n, hp);
  CHECK_LAUNCH();
}

const void* fill_kernel_handle() { return reinterpret_cast<const void*>(mnemo_tensor_fill_f32); }

// ── memnet ──

namespace {
// The header's plans given the split count wanted before the caps.
MemnetSplitPlan memnet_capped_plan(long long wanted, long long slots) {
  if (slots < 1) return {1, 1};  // the split kernels then see no slot (only empty slots)
  long long splits = std::min({wanted, ceil_div(slots, MNEMO_MEMNET_SPLIT_MIN_SLOTS),
                               static_cast<long long>(MNEMO_MEMNET_SPLIT_MAX_SPLITS)});
  splits = std::max(1LL, splits);
  const long long perSplit = ceil_div(slots, splits);
  return {ceil_div(slots, perSplit), perSplit};
}
}  // namespace

MemnetSplitPlan memnet_split_plan(long long batch, long long slots) {
  const long long byBlocks = ceil_div(MNEMO_MEMNET_SPLIT_TARGET_BLOCKS, std::max(1LL, batch));
  const long long byRun = ceil_div(std::max(0LL, slots), MNEMO_MEMNET_SPLIT_MAX_SLOTS);
  return memnet_capped_plan(std::max(byBlocks, byRun), slots);
}

MemnetSplitPlan memnet_bwd_split_plan(long long batch, long long slots) {
  return memnet_capped_plan(ceil_div(MNEMO_MEMNET_BWD_SPLIT_TARGET_BLOCKS, std::max(1LL, batch)), slots);
}

long long memnet_fwd_partials_count(long long batch, long long slots, long long valueWidth) {
  if (memnet_small_path(slots)) return 0;
  return batch * memnet_split_plan(batch, slots).splits * (2 + valueWidth);
}

long long memnet_bwd_partials_count(long long batch, long long slots, long long keyWidth) {
  if (memnet_small_path(slots)) return 0;
  return batch * memnet_bwd_split_plan(batch, slots).splits * keyWidth;
}

namespace {
unsigned memnet_row_grid(long long batch) {
  const long long blocks = ceil_div(batch, kBlockThreads / 32);
  return static_cast<unsigned>(blocks < 1 ? 1 : blocks);
}
unsigned memnet_merge_grid(long long batch) { return static_cast<unsigned>(batch < 1 ? 1 : batch); }
unsigned memnet_split_grid(long long batch, long long splits) {
  const long long blocks = batch * splits;
  return static_cast<unsigned>(blocks < 1 ? 1 : blocks);
}
// Whether a split read needs the merge launch: not with one split (the split kernel finishes the
// row) nor with counters (each row's last split block merges it).
bool memnet_needs_merge(long long splits, const unsigned* counters) {
  return splits > 1 && counters == nullptr;
}
}  // namespace

void launch_memnet_read_fwd_small(const mnemo_memnet_read_fwd_params& p, cudaStream_t stream) {
  mnemo_memnet_read_fwd_small_f32<<<memnet_row_grid(p.batch), kBlockThreads, 0, stream>>>(p);
  CHECK_LAUNCH();
}

void launch_memnet_read_fwd_split(const mnemo_memnet_read_fwd_params& p, bool kvBf16,
                                  cudaStream_t stream) {
  if (p.batch == 0) return;
  if (kvBf16) {
    mnemo_memnet_read_fwd_split_kvbf16_f32<<<memnet_split_grid(p.batch, p.splits), kBlockThreads,
                                             0, stream>>>(p);
  } else {
    mnemo_memnet_read_fwd_split_f32<<<memnet_split_grid(p.batch, p.splits), kBlockThreads, 0,
                                      stream>>>(p);
  }
  CHECK_LAUNCH();
  if (memnet_needs_merge(p.splits, p.counters)) launch_memnet_read_fwd_merge(p, stream);
}

void launch_memnet_read_fwd_merge(const mnemo_memnet_read_fwd_params& p, cudaStream_t stream) {
  mnemo_memnet_read_fwd_merge_f32<<<memnet_merge_grid(p.batch), kBlockThreads, 0, stream>>>(p);
  CHECK_LAUNCH();
}

void launch_memnet_read_fwd(mnemo_memnet_read_fwd_params p, bool kvBf16, cudaStream_t stream) {
  if (!kvBf16 && memnet_small_path(p.slots)) {
    launch_memnet_read_fwd_small(p, stream);
    return;
  }
  const MemnetSplitPlan plan = memnet_split_plan(p.batch, p.slots);
  p.splits = plan.splits;
  p.slotsPerSplit = plan.slotsPerSplit;
  launch_memnet_read_fwd_split(p, kvBf16, stream);
}

void launch_memnet_read_bwd_small(const mnemo_memnet_read_bwd_params& p, cudaStream_t stream) {
  mnemo_memnet_read_bwd_small_f32<<<memnet_row_grid(p.batch), kBlockThreads, 0, stream>>>(p);
  CHECK_LAUNCH();
}

void launch_memnet_read_bwd_split(const mnemo_memnet_read_bwd_params& p, cudaStream_t stream) {
  if (p.batch == 0) return;
  mnemo_memnet_read_bwd_split_f32<<<memnet_split_grid(p.batch, p.splits), kBlockThreads, 0,
                                    stream>>>(p);
  CHECK_LAUNCH();
  if (memnet_needs_merge(p.splits, p.counters)) launch_memnet_read_bwd_merge(p, stream);
}

void launch_memnet_read_bwd_merge(const mnemo_memnet_read_bwd_params& p, cudaStream_t stream) {
  mnemo_memnet_read_bwd_merge_f32<<<memnet_merge_grid(p.batch), kBlockThreads, 0, stream>>>(p);
  CHECK_LAUNCH();
}

void launch_memnet_read_bwd(mnemo_memnet_read_bwd_params p, cudaStream_t stream) {
  if (memnet_small_path(p.slots)) {
    launch_memnet_read_bwd_small(p, stream);
    return;
  }
  const MemnetSplitPlan plan = memnet_bwd_split_plan(p.batch, p.slots);
  p.splits = plan.splits;
  p.slotsPerSplit = plan.slotsPerSplit;
  launch_memnet_read_bwd_split(p, stream);
}

void launch_memnet_ring_write(float* keys, float* values, const float* k, long long ldk,
                              const float* v, long long ldv, long long batch, long long slots,
                              long long keyWidth, long long valueWidth, long long step,
                              cudaStream_t stream) {
  mnemo_memnet_ring_write_f32<<<elementwise_grid(batch * (keyWidth + valueWidth)), kBlockThreads,
                                0, stream>>>(keys, values, k, ldk, v, ldv, batch, slots, keyWidth,
                                             valueWidth, step);
  CHECK_LAUNCH();
}

void launch_memnet_ring_write_at(float* keys, float* values, const float* k, long long ldk,
                                 const float* v, long long ldv, long long batch, long long slots,
                                 long long keyWidth, long long valueWidth, const long long* step,
                                 cudaStream_t stream) {
  mnemo_memnet_ring_write_at_f32<<<elementwise_grid(batch * (keyWidth + valueWidth)), kBlockThreads,
                                   0, stream>>>(keys, values, k, ldk, v, ldv, batch, slots, keyWidth,
                                                valueWidth, step);
  CHECK_LAUNCH();
}

namespace {
// The header's P(n): threads that share one output of an n-output matrix–vector product.
long long memnet_seq_parts(long long n) {
  return std::min<long long>(MNEMO_MEMNET_SEQ_MAX_PARTS, std::max(1LL, MNEMO_MEMNET_SEQ_THREADS / n));
}

// The weight's rows in shared memory, at the odd stride ldw = W | 1: S·ldw floats.
long long memnet_seq_weight_floats(long long S, long long width) { return S * (width | 1); }

// The launch both loops share: the opt-in to `smem` bytes, then one block per batch row.
template <typename P>
void launch_memnet_seq(void (*kernel)(P), const P& p, long long smem, cudaStream_t stream) {
  CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                             static_cast<int>(smem)));
  kernel<<<static_cast<unsigned>(p.batch), MNEMO_MEMNET_SEQ_THREADS, static_cast<size_t>(smem),
           stream>>>(p);
  CHECK_LAUNCH();
}
}  // namespace

long long memnet_seq_fwd_smem_bytes(const mnemo_memnet_seq_fwd_params& p) {
  const long long S = 2 * p.keyWidth + p.valueWidth, width = p.inputWidth + S + p.valueWidth;
  const long long floats = memnet_seq_weight_floats(S, width) + width + S + p.valueWidth +
                           memnet_seq_parts(S) * S + p.slots + 1;
  return floats * static_cast<long long>(sizeof(float));
}

long long memnet_seq_bwd_smem_bytes(const mnemo_memnet_seq_bwd_params& p) {
  const long long S = 2 * p.keyWidth + p.valueWidth, width = p.inputWidth + S + p.valueWidth;
  const long long floats = memnet_seq_weight_floats(S, width) + width + 2 * S + p.valueWidth +
                           memnet_seq_parts(width) * width + 2 * p.slots;
  return floats * static_cast<long long>(sizeof(float));
}

void launch_memnet_seq_fwd(const mnemo_memnet_seq_fwd_params& p, cudaStream_t stream) {
  launch_memnet_seq(mnemo_memnet_seq_fwd_f32, p, memnet_seq_fwd_smem_bytes(p), stream);
}

void launch_memnet_seq_bwd(const mnemo_memnet_seq_bwd_params& p, cudaStream_t stream) {
  launch_memnet_seq(mnemo_memnet_seq_bwd_f32, p, memnet_seq_bwd_smem_bytes(p), stream);
}

long long memnet_stream_smem_bytes(const mnemo_memnet_stream_params& p) {
  const long long S = 2 * p.keyWidth + p.valueWidth, width = p.inputWidth + S + p.valueWidth;
  const long long floats = memnet_seq_weight_floats(S, width) + width + S + p.valueWidth +
                           memnet_seq_parts(S) * S + p.slots + 1 + p.outputWidth;
  return floats * static_cast<long long>(sizeof(float));
}

void launch_memnet_stream(const mnemo_memnet_stream_params& p, cudaStream_t stream) {
  launch_memnet_seq(mnemo_memnet_stream_f32, p, memnet_stream_smem_bytes(p), stream);
}

// ── persistent ──
int persistent_gates(PersistentCell cell) {
  return cell == PersistentCell::kLstm ? 4 : cell == PersistentCell::kGru ? 3 : 1;
}

void launch_persistent_fwd(PersistentCell cell, const mnemo_persistent_fwd_params& p,
                           cudaStream_t stream) {
  void (*kernel)(mnemo_persistent_fwd_params) = mnemo_persistent_rnn_fwd_tanh_f32;
  if (cell == PersistentCell::kRnnRelu) kernel = mnemo_persistent_rnn_fwd_relu_f32;
  if (cell == PersistentCell::kLstm) kernel = mnemo_persistent_lstm_fwd_f32;
  if (cell == PersistentCell::kGru) kernel = mnemo_persistent_gru_fwd_f32;
  const long long smem =
      MNEMO_PERSISTENT_SMEM_BYTES(persistent_gates(cell), p.unitsPerBlock, p.batch, p.hidden);
  CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                             static_cast<int>(smem)));
  const unsigned grid = static_cast<unsigned>((p.hidden + p.unitsPerBlock - 1) / p.unitsPerBlock);
  mnemo_persistent_fwd_params copy = p;
  void* args[] = {&copy};
  CHECK(cudaLaunchCooperativeKernel(kernel, dim3(grid), dim3(MNEMO_PERSISTENT_BLOCK_THREADS), args,
                                    static_cast<size_t>(smem), stream));
}

void launch_persistent_bwd(PersistentCell cell, const mnemo_persistent_bwd_params& p,
                           cudaStream_t stream) {
  void (*kernel)(mnemo_persistent_bwd_params) = mnemo_persistent_rnn_bwd_tanh_f32;
  if (cell == PersistentCell::kRnnRelu) kernel = mnemo_persistent_rnn_bwd_relu_f32;
  if (cell == PersistentCell::kLstm) kernel = mnemo_persistent_lstm_bwd_f32;
  if (cell == PersistentCell::kGru) kernel = mnemo_persistent_gru_bwd_f32;
  const long long smem =
      MNEMO_PERSISTENT_BWD_SMEM_BYTES(persistent_gates(cell), p.unitsPerBlock, p.batch, p.hidden);
  CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                             static_cast<int>(smem)));
  const unsigned grid = static_cast<unsigned>((p.hidden + p.unitsPerBlock - 1) / p.unitsPerBlock);
  mnemo_persistent_bwd_params copy = p;
  void* args[] = {&copy};
  CHECK(cudaLaunchCooperativeKernel(kernel, dim3(grid), dim3(MNEMO_PERSISTENT_BLOCK_THREADS), args,
                                    static_cast<size_t>(smem), stream));
}

namespace {
// cudaLaunchKernelEx with cluster dimension (clusterSize, 1, 1) over clusters·clusterSize blocks.
template <typename... P>
void launch_clusters(void (*kernel)(P...), int clusterSize, int clusters, long long smem, cudaStream_t stream,
                     P... args) {
  CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                             static_cast<int>(smem)));
  if (clusterSize > 8) {
    CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeNonPortableClusterSizeAllowed, 1));
  }
  cudaLaunchAttribute attr[1] = {};
  attr[0].id = cudaLaunchAttributeClusterDimension;
  attr[0].val.clusterDim.x = static_cast<unsigned>(clusterSize);
  attr[0].val.clusterDim.y = 1;
  attr[0].val.clusterDim.z = 1;
  cudaLaunchConfig_t config = {};
  config.gridDim = dim3(static_cast<unsigned>(clusters * clusterSize));
  config.blockDim = dim3(MNEMO_PERSISTENT_BLOCK_THREADS);
  config.dynamicSmemBytes = static_cast<size_t>(smem);
  config.stream = stream;
  config.attrs = attr;
  config.numAttrs = 1;
  CHECK(cudaLaunchKernelEx(&config, kernel, args...));
}
}  // namespace

bool device_has_clusters() {
  int major = 0;
  CHECK(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, 0));
  return major >= 9;
}

namespace {
// A cluster forward's cluster size S = ceil(H / J) and dynamic shared memory (with the row slice
// switched off by p.tuning the whole slice is in shared memory).
struct ClusterFwdLaunch {
  int clusterSize;
  long long smem;
};

ClusterFwdLaunch cluster_fwd_launch(PersistentCell cell, const mnemo_persistent_fwd_params& p, int clusters,
                                    bool bf16Weights) {
  const int G = persistent_gates(cell);
  const long long rowsPerCluster = (p.batch + clusters - 1) / clusters;
  const long long smem =
      bf16Weights ? MNEMO_PERSISTENT_CLUSTER_BF16W_SMEM_BYTES(G, p.unitsPerBlock, rowsPerCluster, p.hidden)
      : (p.tuning & MNEMO_PERSISTENT_TUNE_NO_ROW_SLICE) != 0
          ? MNEMO_PERSISTENT_CLUSTER_TILED_SMEM_BYTES(G, p.unitsPerBlock, rowsPerCluster, p.hidden)
          : MNEMO_PERSISTENT_CLUSTER_SMEM_BYTES(G, p.unitsPerBlock, rowsPerCluster, p.hidden);
  return {static_cast<int>((p.hidden + p.unitsPerBlock - 1) / p.unitsPerBlock), smem};
}

// The wide-block forward's block (G·H rounded up to a warp) and dynamic shared memory; exits with a
// message for a cell or width it does not take.
dim3 wide_fwd_block(const char* who, PersistentCell cell, const mnemo_persistent_fwd_params& p, size_t& smem) {
  const int G = persistent_gates(cell);
  if (!MNEMO_PERSISTENT_WIDE_FITS(G, p.hidden) || p.unitsPerBlock != p.hidden) {
    std::fprintf(stderr, "%s: G %d, H %lld, J %d is not a wide-block shape\n", who, G, p.hidden, p.unitsPerBlock);
    std::exit(2);
  }
  smem = static_cast<size_t>(MNEMO_PERSISTENT_WIDE_SMEM_BYTES(G, p.hidden));
  return dim3(static_cast<unsigned>(MNEMO_PERSISTENT_WIDE_BLOCK(G, p.hidden)));
}
}  // namespace

void launch_persistent_cluster_fwd(PersistentCell cell, const mnemo_persistent_fwd_params& p,
                                   int clusters, cudaStream_t stream, bool bf16Weights) {
  void (*kernel)(mnemo_persistent_fwd_params) = nullptr;
  switch (cell) {
    case PersistentCell::kRnnTanh:
      kernel = bf16Weights ? mnemo_persistent_cluster_rnn_fwd_tanh_bf16w_f32 : mnemo_persistent_cluster_rnn_fwd_tanh_f32;
      break;
    case PersistentCell::kRnnRelu:
      kernel = bf16Weights ? mnemo_persistent_cluster_rnn_fwd_relu_bf16w_f32 : mnemo_persistent_cluster_rnn_fwd_relu_f32;
      break;
    case PersistentCell::kLstm:
      kernel = bf16Weights ? mnemo_persistent_cluster_lstm_fwd_bf16w_f32 : mnemo_persistent_cluster_lstm_fwd_f32;
      break;
    case PersistentCell::kGru:
      kernel = bf16Weights ? mnemo_persistent_cluster_gru_fwd_bf16w_f32 : mnemo_persistent_cluster_gru_fwd_f32;
      break;
  }
  const ClusterFwdLaunch l = cluster_fwd_launch(cell, p, clusters, bf16Weights);
  launch_clusters(kernel, l.clusterSize, clusters, l.smem, stream, p);
}

void launch_persistent_wide_fwd(PersistentCell cell, const mnemo_persistent_fwd_params& p,
                                cudaStream_t stream) {
  void (*kernel)(mnemo_persistent_fwd_params) = mnemo_persistent_wide_rnn_fwd_tanh_f32;
  if (cell == PersistentCell::kRnnRelu) kernel = mnemo_persistent_wide_rnn_fwd_relu_f32;
  if (cell == PersistentCell::kLstm) kernel = mnemo_persistent_wide_lstm_fwd_f32;
  if (cell == PersistentCell::kGru) kernel = mnemo_persistent_wide_gru_fwd_f32;
  size_t smem = 0;
  const dim3 block = wide_fwd_block("launch_persistent_wide_fwd", cell, p, smem);
  kernel<<<static_cast<unsigned>(p.batch), block, smem, stream>>>(p);
  CHECK_LAUNCH();
}

void launch_persistent_cluster_fwd_x1(PersistentCell cell, const mnemo_persistent_fwd_params& p,
                                      const float* x, const float* wIh, int clusters, cudaStream_t stream) {
  void (*kernel)(mnemo_persistent_fwd_params, const float*, const float*) = mnemo_persistent_cluster_rnn_fwd_tanh_x1_f32;
  if (cell == PersistentCell::kRnnRelu) kernel = mnemo_persistent_cluster_rnn_fwd_relu_x1_f32;
  if (cell == PersistentCell::kLstm) kernel = mnemo_persistent_cluster_lstm_fwd_x1_f32;
  if (cell == PersistentCell::kGru) kernel = mnemo_persistent_cluster_gru_fwd_x1_f32;
  const ClusterFwdLaunch l = cluster_fwd_launch(cell, p, clusters, false);
  launch_clusters(kernel, l.clusterSize, clusters, l.smem, stream, p, x, wIh);
}

void launch_persistent_wide_fwd_x1(PersistentCell cell, const mnemo_persistent_fwd_params& p, const float* x,
                                   const float* wIh, cudaStream_t stream) {
  void (*kernel)(mnemo_persistent_fwd_params, const float*, const float*) = mnemo_persistent_wide_rnn_fwd_tanh_x1_f32;
  if (cell == PersistentCell::kRnnRelu) kernel = mnemo_persistent_wide_rnn_fwd_relu_x1_f32;
  if (cell == PersistentCell::kLstm) kernel = mnemo_persistent_wide_lstm_fwd_x1_f32;
  if (cell == PersistentCell::kGru) kernel = mnemo_persistent_wide_gru_fwd_x1_f32;
  size_t smem = 0;
  const dim3 block = wide_fwd_block("launch_persistent_wide_fwd_x1", cell, p, smem);
  kernel<<<static_cast<unsigned>(p.batch), block, smem, stream>>>(p, x, wIh);
  CHECK_LAUNCH();
}

void launch_persistent_wide_bwd(PersistentCell cell, const mnemo_persistent_bwd_params& p,
                                cudaStream_t stream) {
  const int G = persistent_gates(cell);
  if (!MNEMO_PERSISTENT_WIDE_BWD_FITS(G, p.hidden) || p.unitsPerBlock != p.hidden) {
    std::fprintf(stderr, "launch_persistent_wide_bwd: G %d, H %lld, J %d is not a wide-block backward shape\n", G,
                 p.hidden, p.unitsPerBlock);
    std::exit(2);
  }
  void (*kernel)(mnemo_persistent_bwd_params) =
      cell == PersistentCell::kRnnRelu ? mnemo_persistent_wide_rnn_bwd_relu_f32 : mnemo_persistent_wide_rnn_bwd_tanh_f32;
  const unsigned threads = static_cast<unsigned>(MNEMO_PERSISTENT_WIDE_BLOCK(G, p.hidden));
  kernel<<<static_cast<unsigned>(p.batch), threads, static_cast<size_t>(MNEMO_PERSISTENT_WIDE_BWD_SMEM_BYTES(p.hidden)),
           stream>>>(p);
  CHECK_LAUNCH();
}

void launch_persistent_cluster_bwd(PersistentCell cell, const mnemo_persistent_bwd_params& p,
                                   int clusters, cudaStream_t stream, bool bf16Weights) {
  void (*kernel)(mnemo_persistent_bwd_params) = nullptr;
  switch (cell) {
    case PersistentCell::kRnnTanh:
      kernel = bf16Weights ? mnemo_persistent_cluster_rnn_bwd_tanh_bf16w_f32 : mnemo_persistent_cluster_rnn_bwd_tanh_f32;
      break;
    case PersistentCell::kRnnRelu:
      kernel = bf16Weights ? mnemo_persistent_cluster_rnn_bwd_relu_bf16w_f32 : mnemo_persistent_cluster_rnn_bwd_relu_f32;
      break;
    case PersistentCell::kLstm:
      kernel = bf16Weights ? mnemo_persistent_cluster_lstm_bwd_bf16w_f32 : mnemo_persistent_cluster_lstm_bwd_f32;
      break;
    case PersistentCell::kGru:
      kernel = bf16Weights ? mnemo_persistent_cluster_gru_bwd_bf16w_f32 : mnemo_persistent_cluster_gru_bwd_f32;
      break;
  }
  const int G = persistent_gates(cell);
  const int clusterSize = static_cast<int>((p.hidden + p.unitsPerBlock - 1) / p.unitsPerBlock);
  const long long rowsPerCluster = (p.batch + clusters - 1) / clusters;
  // With the split switched off (p.tuning) the whole slice is in shared memory.
  const long long smem =
      bf16Weights ? MNEMO_PERSISTENT_CLUSTER_BF16W_BWD_SMEM_BYTES(G, p.unitsPerBlock, rowsPerCluster, p.hidden)
      : (p.tuning & MNEMO_PERSISTENT_TUNE_NO_BWD_SPLIT) != 0
          ? MNEMO_PERSISTENT_CLUSTER_BWD_TILED_SMEM_BYTES(G, p.unitsPerBlock, rowsPerCluster, p.hidden)
          : MNEMO_PERSISTENT_CLUSTER_BWD_SMEM_BYTES(G, p.unitsPerBlock, rowsPerCluster, p.hidden);
  launch_clusters(kernel, clusterSize, clusters, smem, stream, p);
}

// ── persistent phase counters (instrumented build only) ──

static_assert(kPersistentPhaseBlocks == persistent::kPhaseBlocks, "kernel_launch.h's copy of kPhaseBlocks");
static_assert(kPersistentPhaseSlots == persistent::kPhaseSlots, "kernel_launch.h's copy of kPhaseSlots");

#ifdef MNEMO_PERSISTENT_PHASES
bool persistent_phases_built() { return true; }

void reset_persistent_phases() {
  static unsigned long long zeros[kPersistentPhaseBlocks][kPersistentPhaseSlots] = {};
  CHECK(cudaMemcpyToSymbol(persistent::mnemo_persistent_phase_cycles, zeros, sizeof zeros));
}

void read_persistent_phases(unsigned long long* out) {
  CHECK(cudaMemcpyFromSymbol(out, persistent::mnemo_persistent_phase_cycles,
                             sizeof(unsigned long long) * kPersistentPhaseBlocks * kPersistentPhaseSlots));
}
#else
bool persistent_phases_built() { return false; }
void reset_persistent_phases() {}
void read_persistent_phases(unsigned long long*) {}
#endif

// ── eigen ──
void launch_eigen_hqr(const float* a, long long matrixStride, int n, int count, int maxIterations,
                      float* wr, float* wi, int* status, cudaStream_t stream) {
  if (count == 0) return;
  mnemo_eigen_hqr_f32<<<static_cast<unsigned>(count), eigen_block_threads(n), 0, stream>>>(
      a, matrixStride, n, count, maxIterations, wr, wi, status);
  CHECK_LAUNCH();
}

void launch_eigen_hqr(const double* a, long long matrixStride, int n, int count,
                      int maxIterations, double* wr, double* wi, int* status,
                      cudaStream_t stream) {
  if (count == 0) return;
  mnemo_eigen_hqr_f64<<<static_cast<unsigned>(count), eigen_block_threads(n), 0, stream>>>(
      a, matrixStride, n, count, maxIterations, wr, wi, status);
  CHECK_LAUNCH();
}

// ── input ──

long long input_narrow_rows_per_split(long long rows) {
  return std::min(rows, std::max<long long>(MNEMO_INPUT_NARROW_MIN_SPLIT_ROWS,
                                            ceil_div(rows, MNEMO_INPUT_NARROW_TARGET_SPLITS)));
}

long long input_narrow_partials_count(long long rows, int gates, int inputs,
                                      long long rowsPerSplit) {
  return ceil_div(rows, rowsPerSplit) * gates * (1 + inputs);
}

void launch_input_narrow_bwd(float* dIn, float* partials, const float* dWx, const float* x,
                             const float* wIh, long long rows, int gates, int inputs,
                             long long rowsPerSplit, float beta, float* dbIh, float* dbHh,
                             float* dwIh, cudaStream_t stream) {
  const long long splits = ceil_div(rows, rowsPerSplit);
  mnemo_input_narrow_bwd_f32<<<static_cast<unsigned>(splits), kBlockThreads, 0, stream>>>(
      dIn, partials, dWx, x, wIh, rows, gates, inputs, rowsPerSplit, beta);
  CHECK_LAUNCH();
  launch_sum_rows_one_pass(dbIh, partials, splits, gates, 1.0f, stream);
  if (dbHh != nullptr) launch_sum_rows_one_pass(dbHh, partials, splits, gates, 1.0f, stream);
  launch_sum_rows_one_pass(dwIh, partials + splits * gates, splits,
                           static_cast<long long>(gates) * inputs, 1.0f, stream);
}

// ── dropout, scatter ──

void launch_dropout(const float* x, float* mask, float* y, long long n, long long seed,
                    long long offset, double p, cudaStream_t stream) {
  mnemo_dropout_apply_f32<<<elementwise_grid(n), kBlockThreads, 0, stream>>>(x, mask, y, n, seed,
                                                                            offset, p);
  CHECK_LAUNCH();
}

void launch_dropout_at(const float* x, float* mask, float* y, long long n, long long seed,
                       const long long* position, long long offset, double p, cudaStream_t stream) {
  mnemo_dropout_apply_at_f32<<<elementwise_grid(n), kBlockThreads, 0, stream>>>(x, mask, y, n, seed,
                                                                               position, offset, p);
  CHECK_LAUNCH();
}

void launch_scatter_add_rows(float* table, const float* src, const int* order,
                             const int* segStart, const int* segRow, long long segments,
                             long long width, cudaStream_t stream) {
  mnemo_scatter_add_rows_f32<<<elementwise_grid(segments * width), kBlockThreads, 0, stream>>>(
      table, src, order, segStart, segRow, segments, width);
  CHECK_LAUNCH();
}

void launch_gather_rows(const float* table, const int* rows, float* out, long long n,
                        long long width, cudaStream_t stream) {
  mnemo_gather_rows_f32<<<elementwise_grid(n * width), kBlockThreads, 0, stream>>>(table, rows, out,
                                                                                  n, width);
  CHECK_LAUNCH();
}

void launch_carry_finished_rows(float* dst, const float* src, const float* lengths, long long t,
                                long long rows, long long width, cudaStream_t stream) {
  mnemo_gather_carry_finished_rows_f32<<<elementwise_grid(rows * width), kBlockThreads, 0, stream>>>(
      dst, src, lengths, t, rows, width);
  CHECK_LAUNCH();
}

void launch_zero_ended_steps(float* x, const float* lengths, long long steps, long long rows,
                             long long width, long long stepStride, long long rowStride,
                             cudaStream_t stream) {
  mnemo_gather_zero_ended_steps_f32<<<elementwise_grid(steps * rows * width), kBlockThreads, 0,
                                      stream>>>(x, lengths, steps, rows, width, stepStride,
                                                rowStride);
  CHECK_LAUNCH();
}

}  // namespace mnemo::harness
