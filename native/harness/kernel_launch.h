// kernel_launch.h — launches of the Mnemo kernels exactly as mnemo_kernels.h's launch contracts
// say (block, grid, caps); the Java launchers compute the same shapes. Plain C++ so the rest
// of the harness compiles with the host compiler; kernel_launch.cu is its one CUDA unit.
#pragma once

#include <cuda_runtime.h>

#include "mnemo_kernels.h"  // the params structs (declarations of __global__ are fine in C++)

namespace mnemo::harness {

constexpr unsigned kBlockThreads = 256;
// The grid cap of the grid-stride kernels (the Java launchers cap at 65535 too). The CPU emulator
// (native/emu) lowers it so that small checks still make every thread loop.
#ifdef MNEMO_EMULATOR
constexpr long long kMaxGridStrideBlocks = 61;
#else
constexpr long long kMaxGridStrideBlocks = 65535;
#endif
// An element count past one full pass of the capped grid: every thread loops more than once.
constexpr long long kPastOneGridPass = kMaxGridStrideBlocks * kBlockThreads * 3 + 1001;
constexpr long long kClipMaxPartials = MNEMO_CLIP_MAX_PARTIALS;
constexpr long long kLossMseMaxPartials = MNEMO_LOSS_MSE_MAX_PARTIALS;

// ceil(n / 256) capped at `cap`, at least 1 (n = 0 still launches one block).
unsigned capped_grid(long long n, long long cap);

// Grid-stride elementwise kernels (fill, axpby, clip scale).
inline unsigned elementwise_grid(long long n) { return capped_grid(n, kMaxGridStrideBlocks); }
// mnemo_clip_sumsq_f32's grid = the number of partials it writes.
inline unsigned clip_partials_count(long long n) { return capped_grid(n, kClipMaxPartials); }

void launch_fill(float* x, long long n, float value, cudaStream_t stream);
void launch_axpby(float* y, const float* x, long long n, float alpha, float beta,
                  cudaStream_t stream);
// Both clip passes; partials needs clip_partials_count(n) doubles.
void launch_clip(float* x, long long n, double* partials, float maxNorm, float* normOut,
                 cudaStream_t stream);

// ── tensor: column sums ──
// The header's split S for (rows, cols): 1 means one pass (no scratch).
long long sum_rows_splits(long long rows, long long cols);
// Floats of scratch launch_sum_rows needs: S·cols, or 0 for one pass.
long long sum_rows_scratch_count(long long rows, long long cols);
// out = Σ rows (+ beta·out) the header's recommended way (one pass, or split + final pass);
// partials: sum_rows_scratch_count floats (may be null when that is 0).
void launch_sum_rows(float* out, const float* in, long long rows, long long cols, float beta,
                     float* partials, cudaStream_t stream);
// The two kernels themselves: one pass; pass 1 with a chosen rowsPerSplit (grid.y =
// ceil(rows / rowsPerSplit)).
void launch_sum_rows_one_pass(float* out, const float* in, long long rows, long long cols,
                              float beta, cudaStream_t stream);
void launch_sum_rows_partial(float* partials, const float* in, long long rows, long long cols,
                             long long rowsPerSplit, cudaStream_t stream);

// ── input: the narrow input-side backward ──
// The header's split of R rows: rows per split, and S = ceil(R / rowsPerSplit).
long long input_narrow_rows_per_split(long long rows);
// Floats of partials for R rows at a given rowsPerSplit: S·G·(1 + I).
long long input_narrow_partials_count(long long rows, int gates, int inputs,
                                      long long rowsPerSplit);
// Both passes at a given rowsPerSplit: the kernel (dIn, partials), then the one-pass column sums
// (beta = 1) into dbIh, dbHh (when not null) and dwIh.
void launch_input_narrow_bwd(float* dIn, float* partials, const float* dWx, const float* x,
                             const float* wIh, long long rows, int gates, int inputs,
                             long long rowsPerSplit, float beta, float* dbIh, float* dbHh,
                             float* dwIh, cudaStream_t stream);

// ── recurrent cells: one thread per (b, j), grid ceil(B·H / 256) ──
unsigned cell_grid(long long batch, long long hidden);
// gh holds ghSplits partial products, partial s at gh + s·ghSplitStride (1 and 0: one product).
void launch_rnn_fwd(bool relu, const float* gx, const float* gh, const float* bIh,
                    const float* bHh, float* hOut, long long ldh, long long batch,
                    long long hidden, long long ghSplits, long long ghSplitStride,
                    cudaStream_t stream);
void launch_rnn_bwd(bool relu, const float* dy, long long ldy, const float* dhRec,
                    const float* h, long long ldh, float* dgates, long long batch,
                    long long hidden, cudaStream_t stream);
void launch_lstm_fwd(bool training, const mnemo_lstm_pointwise_fwd_params& p,
                     cudaStream_t stream);
void launch_lstm_bwd(const float* dy, long long ldy, const float* dhRec, float* dc,
                     const float* gates, const float* cPrev, const float* cCur, float* dgates,
                     long long batch, long long hidden, cudaStream_t stream);
void launch_gru_fwd(bool training, const mnemo_gru_pointwise_fwd_params& p, cudaStream_t stream);
void launch_gru_bwd(const mnemo_gru_pointwise_bwd_params& p, cudaStream_t stream);

// ── loss ──
// Softmax cross-entropy forward: a warp per row (8 per block) for C <= 1024, else a block.
unsigned xent_fwd_grid(long long rows, long long classes);
void launch_xent_fwd(const float* logits, const int* targets, float* loss, float* stats,
                     long long rows, long long classes, cudaStream_t stream);
// Any grid >= 1 must give the forward's result bit for bit (the header says so): checked.
void launch_xent_fwd_with_grid(unsigned grid, const float* logits, const int* targets,
                               float* loss, float* stats, long long rows, long long classes,
                               cudaStream_t stream);
void launch_xent_bwd(float* dlogits, const float* logits, const int* targets,
                     const float* stats, long long rows, long long classes, float scale,
                     cudaStream_t stream);
// MSE forward's grid = the number of partials it writes.
inline unsigned mse_partials_count(long long n) { return capped_grid(n, kLossMseMaxPartials); }
void launch_mse_fwd(const float* pred, const float* target, long long n, double* partials,
                    cudaStream_t stream);
void launch_mse_bwd(float* dpred, const float* pred, const float* target, long long n,
                    float scale, cudaStream_t stream);

// ── optim: grid-stride elementwise ──
void launch_sgd(float* param, const float* grad, float* momentumBuffer, long long n,
                const mnemo_optim_sgd_params& hp, cudaStream_t stream);
void launch_adam(float* param, const float* grad, float* expAvg, float* expAvgSq, long long n,
                 const mnemo_optim_adam_params& hp, cudaStream_t stream);
void launch_rmsprop(float* param, const float* grad, float* squareAvg, float* momentumBuffer,
                    float* gradAvg, long long n, const mnemo_optim_rmsprop_params& hp,
                    cudaStream_t stream);

// mnemo_tensor_fill_f32 as a handle for cudaLaunchKernel / cudaFuncGetAttributes.
const void* fill_kernel_handle();

// ── memnet: key-value memory read (small path, split + merge), ring-buffer write ──
// The header's split plans for (batch, slots >= 1): the forward's and the backward's.
struct MemnetSplitPlan {
  long long splits;
  long long slotsPerSplit;
};
MemnetSplitPlan memnet_split_plan(long long batch, long long slots);
MemnetSplitPlan memnet_bwd_split_plan(long long batch, long long slots);
// Whether the host takes the small path (slots <= MNEMO_MEMNET_SMALL_MAX_SLOTS).
inline bool memnet_small_path(long long slots) { return slots <= MNEMO_MEMNET_SMALL_MAX_SLOTS; }
// Floats of scratch the forward / backward need for p's sizes (0 on the small path).
long long memnet_fwd_partials_count(long long batch, long long slots, long long valueWidth);
long long memnet_bwd_partials_count(long long batch, long long slots, long long keyWidth);
// The whole read the header's way: small path, or split + merge with p.partials (the plan's
// slotsPerSplit and splits are filled in here; p.counters given, the split kernel alone).
// kvBf16: K, V stored as bf16 (split path only).
void launch_memnet_read_fwd(mnemo_memnet_read_fwd_params p, bool kvBf16, cudaStream_t stream);
void launch_memnet_read_bwd(mnemo_memnet_read_bwd_params p, cudaStream_t stream);
// One path forced (the check runs both on the same shapes): split with a given plan.
void launch_memnet_read_fwd_small(const mnemo_memnet_read_fwd_params& p, cudaStream_t stream);
// The split kernel, then the merge when p.splits > 1 and p.counters is null (given, the split
// kernel merges the rows itself: one launch).
void launch_memnet_read_fwd_split(const mnemo_memnet_read_fwd_params& p, bool kvBf16,
                                  cudaStream_t stream);
// The merge kernel alone (the check launches it after a one-split read, which it must not touch).
void launch_memnet_read_fwd_merge(const mnemo_memnet_read_fwd_params& p, cudaStream_t stream);
void launch_memnet_read_bwd_small(const mnemo_memnet_read_bwd_params& p, cudaStream_t stream);
// The split kernel, then the merge when p.splits > 1 and no counters; the merge alone, as the
// forward's.
void launch_memnet_read_bwd_split(const mnemo_memnet_read_bwd_params& p, cudaStream_t stream);
void launch_memnet_read_bwd_merge(const mnemo_memnet_read_bwd_params& p, cudaStream_t stream);
void launch_memnet_ring_write(float* keys, float* values, const float* k, long long ldk,
                              const float* v, long long ldv, long long batch, long long slots,
                              long long keyWidth, long long valueWidth, long long step,
                              cudaStream_t stream);
// As launch_memnet_ring_write, the step a device int64 read when the kernel runs.
void launch_memnet_ring_write_at(float* keys, float* values, const float* k, long long ldk,
                                 const float* v, long long ldv, long long batch, long long slots,
                                 long long keyWidth, long long valueWidth, const long long* step,
                                 cudaStream_t stream);

// ── memnet: the whole teacher-forced sequence in one launch (forward, backward) ──
// Dynamic shared memory in bytes, the header's formula for p's sizes.
long long memnet_seq_fwd_smem_bytes(const mnemo_memnet_seq_fwd_params& p);
long long memnet_seq_bwd_smem_bytes(const mnemo_memnet_seq_bwd_params& p);
// Block MNEMO_MEMNET_SEQ_THREADS, grid p.batch (>= 1), that shared memory (opted in first: the
// paper's cell is past the 48 KiB a launch gets without asking).
void launch_memnet_seq_fwd(const mnemo_memnet_seq_fwd_params& p, cudaStream_t stream);
void launch_memnet_seq_bwd(const mnemo_memnet_seq_bwd_params& p, cudaStream_t stream);

// ── memnet: streaming steps in one launch (inference, the state advanced in place) ──
// Dynamic shared memory in bytes, the header's formula: the forward loop's plus d_out floats (y_{t−1}).
long long memnet_stream_smem_bytes(const mnemo_memnet_stream_params& p);
// Block MNEMO_MEMNET_SEQ_THREADS, grid p.batch (>= 1), that shared memory (opted in first, as the
// loops: the paper's cell is past 48 KiB).
void launch_memnet_stream(const mnemo_memnet_stream_params& p, cudaStream_t stream);

// ── persistent (whole-sequence forward, cooperative launch) ──
enum class PersistentCell { kRnnTanh, kRnnRelu, kLstm, kGru };
// Gates per cell: 1, 1, 4, 3.
int persistent_gates(PersistentCell cell);
// Grid ceil(H / p.unitsPerBlock), block MNEMO_PERSISTENT_BLOCK_THREADS, dynamic shared memory
// MNEMO_PERSISTENT_SMEM_BYTES, through cudaLaunchCooperativeKernel. p.barrier must be 0.
void launch_persistent_fwd(PersistentCell cell, const mnemo_persistent_fwd_params& p,
                           cudaStream_t stream);
// The backward: as the forward, with MNEMO_PERSISTENT_BWD_SMEM_BYTES.
void launch_persistent_bwd(PersistentCell cell, const mnemo_persistent_bwd_params& p,
                           cudaStream_t stream);

// The cluster variants (sm_90+): `clusters` clusters of ceil(H / J) blocks, through
// cudaLaunchKernelEx with the cluster dimension; dynamic shared memory
// MNEMO_PERSISTENT_CLUSTER_SMEM_BYTES / _BWD_SMEM_BYTES with Bc = ceil(B / clusters).
// bf16Weights: the _bf16w_f32 entry points and their _BF16W_ shared-memory formulas.
void launch_persistent_cluster_fwd(PersistentCell cell, const mnemo_persistent_fwd_params& p,
                                   int clusters, cudaStream_t stream, bool bf16Weights = false);
void launch_persistent_cluster_bwd(PersistentCell cell, const mnemo_persistent_bwd_params& p,
                                   int clusters, cudaStream_t stream, bool bf16Weights = false);
// Whether this device runs thread-block clusters (compute capability 9.0 or newer).
bool device_has_clusters();
// The wide-block forward (where MNEMO_PERSISTENT_WIDE_FITS(G, H); p.unitsPerBlock must be H): grid
// B, block MNEMO_PERSISTENT_WIDE_BLOCK(G, H), MNEMO_PERSISTENT_WIDE_SMEM_BYTES, a plain launch. Exits with a message for a cell or width it does not take.
void launch_persistent_wide_fwd(PersistentCell cell, const mnemo_persistent_fwd_params& p,
                                cudaStream_t stream);
// The _x1 twins of the float32 cluster and wide-block forwards (one input feature, projected in the
// kernel from x [T, B] and W_ih's column wIh [G·H]; p.gates is only written): launched as their twins.
void launch_persistent_cluster_fwd_x1(PersistentCell cell, const mnemo_persistent_fwd_params& p,
                                      const float* x, const float* wIh, int clusters, cudaStream_t stream);
void launch_persistent_wide_fwd_x1(PersistentCell cell, const mnemo_persistent_fwd_params& p, const float* x,
                                   const float* wIh, cudaStream_t stream);
// The wide-block backward (RNN, MNEMO_PERSISTENT_WIDE_BWD_FITS(1, H); p.unitsPerBlock must be H): grid B,
// block MNEMO_PERSISTENT_WIDE_BLOCK(1, H), MNEMO_PERSISTENT_WIDE_BWD_SMEM_BYTES, a plain launch.
void launch_persistent_wide_bwd(PersistentCell cell, const mnemo_persistent_bwd_params& p,
                                cudaStream_t stream);

// The cluster kernels' phase counters (cuda-kernels/persistent_phases.cuh): whether this harness
// was built with them (-DMNEMO_PERSISTENT_PHASES, the mnemo_harness_phases target), zeroing them,
// and copying [kPersistentPhaseBlocks][kPersistentPhaseSlots] sums out (after a synchronize).
constexpr int kPersistentPhaseBlocks = 264;
constexpr int kPersistentPhaseSlots = 7;
bool persistent_phases_built();
void reset_persistent_phases();
void read_persistent_phases(unsigned long long* out);

// ── eigen: one block per matrix ──
// 32 threads when n <= 32, else 64 (the header's launch contract).
inline unsigned eigen_block_threads(int n) { return n <= 32 ? 32u : 64u; }
void launch_eigen_hqr(const float* a, long long matrixStride, int n, int count, int maxIterations,
                      float* wr, float* wi, int* status, cudaStream_t stream);
void launch_eigen_hqr(const double* a, long long matrixStride, int n, int count,
                      int maxIterations, double* wr, double* wi, int* status,
                      cudaStream_t stream);

// ── dropout, scatter ──
// Grid-stride elementwise grid over n.
void launch_dropout(const float* x, float* mask, float* y, long long n, long long seed,
                    long long offset, double p, cudaStream_t stream);
// As launch_dropout, element i drawing index *position + offset + i (position: a device int64).
void launch_dropout_at(const float* x, float* mask, float* y, long long n, long long seed,
                       const long long* position, long long offset, double p, cudaStream_t stream);
// Grid-stride over segments·width.
void launch_scatter_add_rows(float* table, const float* src, const int* order,
                             const int* segStart, const int* segRow, long long segments,
                             long long width, cudaStream_t stream);
// Grid-stride over n·width.
void launch_gather_rows(const float* table, const int* rows, float* out, long long n,
                        long long width, cudaStream_t stream);
// Grid-stride over rows·width.
void launch_carry_finished_rows(float* dst, const float* src, const float* lengths, long long t,
                                long long rows, long long width, cudaStream_t stream);
// Grid-stride over steps·rows·width.
void launch_zero_ended_steps(float* x, const float* lengths, long long steps, long long rows,
                             long long width, long long stepStride, long long rowStride,
                             cudaStream_t stream);

}  // namespace mnemo::harness
