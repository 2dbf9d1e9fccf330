/*
 * mnemo_kernels.h — the C ABI of every Mnemo CUDA kernel. This header is the contract:
 * the .cu files in cuda-kernels/ implement exactly these entry points, the Java launchers in
 * java-bindings (dev.mnemo.cuda.kernels) mirror them argument for argument, and a CPU-run test
 * (KernelHeaderMirrorTest) fails when the two drift apart.
 *
 * Conventions
 *   - Every pointer is a device pointer. None may be null unless its line says so.
 *   - Arrays are dense and row-major, rightmost index fastest; shapes are given in brackets.
 *   - Letters: T time steps, B batch, I input width, H hidden width, G gates per cell,
 *     M memory slots, d key/value width, R rows, C classes, n a flat element count.
 *   - Element counts and offsets are 64-bit (`long long`), so T·B·H products never overflow.
 *   - Roles: in (read only), out (overwritten), in-out (read then overwritten), saved (written
 *     by a forward pass for its backward). Gradients say whether they overwrite or accumulate.
 *   - Dtype suffix: _f32 = float32 storage and float32 arithmetic.
 *   - Past about ten arguments an entry point takes one params struct by value instead: plain
 *     C layout (pointers and long long / double are 8 bytes, int 4), every field's byte offset
 *     and the struct's size are listed with it, and the .cu file static_asserts them.
 *     cuLaunchKernel takes a pointer to the struct's bytes as that argument's entry.
 *   - Variants of one kernel (training / inference, tanh / relu) are separate entry points with
 *     identical parameters.
 *   - Kernels never allocate; scratch sizes are given here as formulas and mirrored by the
 *     Java launchers' *Bytes() and *Count() methods.
 *
 * Names: mnemo_<family>_<op>[_<fwd|bwd>][_<variant>]_<dtype>.
 */
#ifndef MNEMO_KERNELS_H
#define MNEMO_KERNELS_H

/* ───────────────────────────── family: tensor (elementwise) ───────────────────────────── */

/*
 * x[i] = value for every i < n.
 *   x      [n]  out
 *   n           element count, >= 0
 *   value       the value written
 * Launch: block 256 threads, grid ceil(n/256) capped at 65535 blocks (grid-stride loop),
 *         at least 1; no dynamic shared memory.
 */
extern "C" __global__ void mnemo_tensor_fill_f32(float* x, long long n, float value);

/*
 * y[i] = alpha·x[i] + beta·y[i] for every i < n. beta = 0 overwrites y without reading it
 * (so NaNs already in y do not survive).
 *   y      [n]  in-out; may alias x
 *   x      [n]  in
 *   n           element count, >= 0
 *   alpha       scale of x
 *   beta        scale of y
 * Launch: as mnemo_tensor_fill_f32.
 */
extern "C" __global__ void mnemo_tensor_axpby_f32(float* y, const float* x, long long n,
                                                  float alpha, float beta);

/* ───────────────────────────── family: tensor (column sums) ───────────────────────────── */
/*
 * out[c] = Σ_r in[r, c] (+ beta·out[c]) over the rows of a row-major [rows, cols] matrix: bias
 * gradients from the pre-activation gradients of all T·B rows (cols = G·H), or the total of a
 * per-row loss (cols = 1). Deterministic: every sum is taken in a fixed order that depends only
 * on (rows, cols, rowsPerSplit); no atomics.
 *
 * mnemo_tensor_sum_rows_f32 alone parallelises over columns only (ceil(cols/32) blocks), which
 * fills a GPU only when cols is large or rows is small. For many rows, split them first:
 *   1. mnemo_tensor_sum_rows_partial_f32: partials[s, c] = Σ of rows [s·rowsPerSplit,
 *      min(rows, (s+1)·rowsPerSplit)) of column c, for s < S = ceil(rows / rowsPerSplit);
 *   2. mnemo_tensor_sum_rows_f32(out, partials, S, cols, beta).
 * Any rowsPerSplit >= 1 gives a correct sum; the split below (what the harness and the Java
 * launcher use, so results are identical run to run) keeps ~1024 blocks in flight and every
 * thread's sequential float sum at most 2048 terms long:
 *   tiles = max(1, ceil(cols / 32))
 *   S     = max(ceil(MNEMO_SUM_ROWS_TARGET_BLOCKS / tiles),
 *               ceil(rows / MNEMO_SUM_ROWS_MAX_SPLIT_ROWS))
 *   S     = min(S, ceil(rows / MNEMO_SUM_ROWS_MIN_SPLIT_ROWS), MNEMO_SUM_ROWS_MAX_SPLITS)
 *   S <= 1: one pass, mnemo_tensor_sum_rows_f32(out, in, rows, cols, beta), no scratch;
 *   else:   rowsPerSplit = ceil(rows / S), then S = ceil(rows / rowsPerSplit), and the two passes.
 * (The 2048-term bound holds for rows up to MNEMO_SUM_ROWS_MAX_SPLITS·16384 ≈ 1.07e9.)
 * Scratch: partials holds S·cols floats (S as computed above, at most
 * MNEMO_SUM_ROWS_MAX_SPLITS).
 */
#define MNEMO_SUM_ROWS_TARGET_BLOCKS 1024
#define MNEMO_SUM_ROWS_MIN_SPLIT_ROWS 256
#define MNEMO_SUM_ROWS_MAX_SPLIT_ROWS 16384
#define MNEMO_SUM_ROWS_MAX_SPLITS 65535

/*
 * out[c] = Σ_{r < rows} in[r, c] + beta·out[c] for every c < cols. beta = 0 overwrites out
 * without reading it (NaNs already in out do not survive); beta = 1 accumulates.
 *   out    [cols]        in-out (out only when beta = 0); must not overlap in
 *   in     [rows, cols]  in
 *   rows                 >= 0 (0: out = beta·out)
 *   cols                 >= 0
 *   beta                 scale of out
 * Launch: block 256 threads (32 columns × 8 row lanes), grid ceil(cols/32), at least 1;
 *         no dynamic shared memory (1 KiB static).
 */
extern "C" __global__ void mnemo_tensor_sum_rows_f32(float* out, const float* in, long long rows,
                                                     long long cols, float beta);

/*
 * Pass 1 of the split sum: partials[s, c] = Σ in[r, c] over r in [s·rowsPerSplit,
 * min(rows, (s+1)·rowsPerSplit)), s = blockIdx.y.
 *   partials      [S, cols]     out, S = ceil(rows / rowsPerSplit) = gridDim.y
 *   in            [rows, cols]  in
 *   rows                        >= 1
 *   cols                        >= 0
 *   rowsPerSplit                1 .. rows
 * Launch: block 256 threads, grid (ceil(cols/32), S) with S <= MNEMO_SUM_ROWS_MAX_SPLITS,
 *         at least (1, 1); no dynamic shared memory.
 */
extern "C" __global__ void mnemo_tensor_sum_rows_partial_f32(float* partials, const float* in,
                                                             long long rows, long long cols,
                                                             long long rowsPerSplit);

/* ───────────────────────────── family: clip (global-norm gradient clipping) ───────────── */
/*
 * Two passes over one flat gradient buffer (all parameters' gradients are views into it):
 *   1. mnemo_clip_sumsq_f32 writes one partial Σx² per block;
 *   2. mnemo_clip_scale_f32 has every block add the partials up in the same order (so the
 *      result is deterministic), forms norm = sqrt(Σ), and scales x by
 *      min(1, maxNorm / (norm + 1e-6)) — the rule of PyTorch's clip_grad_norm_. The sum and
 *      the coefficient are computed in double; a NaN or infinite norm leaves x
 *      unchanged (normOut reports it) — PyTorch would spread the NaN into every gradient.
 * Scratch: partials holds numPartials floats, numPartials = the grid size of pass 1
 *          (at most MNEMO_CLIP_MAX_PARTIALS).
 */
#define MNEMO_CLIP_MAX_PARTIALS 1024

/*
 *   x         [n]            in
 *   n                        element count, >= 0
 *   partials  [gridDim.x]    out: block b's sum of squares over its grid-stride share
 * Launch: block 256 threads, grid min(ceil(n/256), MNEMO_CLIP_MAX_PARTIALS), at least 1;
 *         no dynamic shared memory.
 */
extern "C" __global__ void mnemo_clip_sumsq_f32(const float* x, long long n, float* partials);

/*
 *   x            [n]            in-out: scaled in place when norm > maxNorm
 *   n                           element count, >= 0
 *   partials     [numPartials]  in: from mnemo_clip_sumsq_f32
 *   numPartials                 1 .. MNEMO_CLIP_MAX_PARTIALS
 *   maxNorm                     > 0
 *   normOut      [1]            out: the norm before clipping (written by block 0)
 * Launch: block 256 threads, grid ceil(n/256) capped at 65535 (grid-stride), at least 1;
 *         no dynamic shared memory.
 */
extern "C" __global__ void mnemo_clip_scale_f32(float* x, long long n, const float* partials,
                                                int numPartials, float maxNorm, float* normOut);

/* ───────────────────────────── recurrent cells: the per-step pointwise kernels ──────────── */
/*
 * One layer and direction of a recurrent network runs, per time step t, as (PyTorch layouts and
 * gate orders; W_ih [G·H, I], W_hh [G·H, H], b_ih [G·H], b_hh [G·H]):
 *   host, once for all steps:  gx [T, B, G·H] = x W_ihᵀ           (one cuBLAS GEMM, no bias)
 *   host, per step:            gh [B, G·H]    = h_{t−1} W_hhᵀ     (cuBLAS GEMM, no bias)
 *   device, per step:          one fused pointwise kernel below   (biases, activations, state)
 * G = 1 (RNN), 4 (LSTM, gates i|f|g|o), 3 (GRU, gates r|z|n with the reset gate applied after
 * the recurrent product). Each kernel reads step t's slices: gx + t·B·G·H, and so on.
 *
 * Backward, per step in reverse time: dh = dy_t + dhRec, where dhRec is the h-gradient that
 * step t+1 sends back (the host's GEMM dgates_{t+1} W_hh; at t = T−1 the final-state gradient
 * ∂L/∂h_T, or NULL when there is none). The kernels write pre-activation gradients, from which
 * the host forms, with GEMMs (the last three over all steps at once):
 *   RNN, LSTM:  dhRec_{t−1} = dgates_t W_hh,  dx = dgates W_ih,
 *               dW_ih = Σ_t dgates_tᵀ x_t,  dW_hh = Σ_t dgates_tᵀ h_{t−1};
 *   GRU:        dhRec_{t−1} = dhPrevDirect_t + dgh_t W_hh (GEMM with beta = 1),  dx = dgx W_ih,
 *               dW_ih = Σ_t dgx_tᵀ x_t,  dW_hh = Σ_t dgh_tᵀ h_{t−1};
 * and the bias gradients with mnemo_tensor_sum_rows_f32 over all T·B rows:
 *   db_ih = Σ_{t,b} dgates (GRU: dgx),  db_hh = Σ_{t,b} dgates (GRU: dgh).
 *
 * Row strides: hOut (and the h inputs of the backward) have a row stride, so the host can write
 * h_t straight into the output sequence y[t] of shape [B, dirs·H] at column offset dir·H (pass
 * y + t·B·dirs·H + dir·H with stride dirs·H), and read it back from there. Every other [B, ·]
 * array is dense.
 * Biases: bIh and bHh may each be NULL (bias=False): that bias is 0.
 * Alignment: none beyond float's 4 bytes; any stride >= H works.
 * Arithmetic: float32; σ and tanh are overflow-free (σ never evaluates exp of a positive
 * argument).
 * Launch (every cell kernel): block 256 threads, one thread per (b, j): grid
 * ceil(B·H / 256), at least 1 (B·H = 0 is allowed and writes nothing; B·H < 2^31·256);
 * no dynamic shared memory.
 */

/* ── family: rnn (Elman cell, act = tanh or relu) ── */
/*
 * h' = act((gx + b_ih) + (gh + b_hh)). Nothing is saved beyond h' itself: the backward uses
 * tanh' = 1 − h'² and relu' = [h' > 0].
 *   gx      [B, H]    in: step t's input projection x_t W_ihᵀ
 *   gh      [B, H]    in: h_{t−1} W_hhᵀ
 *   bIh     [H]       in; MAY BE NULL (no bias)
 *   bHh     [H]       in; MAY BE NULL (no bias)
 *   hOut    [B, ldh]  out: h_t, row b at hOut + b·ldh; must not overlap any input
 *   ldh               row stride of hOut in elements, >= H
 *   batch             B >= 0
 *   hidden            H >= 1
 * Launch: see "recurrent cells" above.
 */
extern "C" __global__ void mnemo_rnn_pointwise_fwd_tanh_f32(const float* gx, const float* gh,
                                                            const float* bIh, const float* bHh,
                                                            float* hOut, long long ldh,
                                                            long long batch, long long hidden);
extern "C" __global__ void mnemo_rnn_pointwise_fwd_relu_f32(const float* gx, const float* gh,
                                                            const float* bIh, const float* bHh,
                                                            float* hOut, long long ldh,
                                                            long long batch, long long hidden);

/*
 * dgates = (dy + dhRec) ⊙ act'(h'): the gradient of the pre-activation, which is both gx's and
 * gh's gradient (they are summed).
 *   dy      [B, ldy]  in: ∂L/∂h_t from the output sequence; MAY BE NULL (only the final state
 *                     has a gradient: treated as 0)
 *   ldy               row stride of dy, >= H (ignored when dy is NULL)
 *   dhRec   [B, H]    in: ∂L/∂h_t arriving from step t+1; MAY BE NULL (treated as 0)
 *   h       [B, ldh]  in: h_t as the forward wrote it
 *   ldh               row stride of h, >= H
 *   dgates  [B, H]    out (overwritten); must not overlap any input
 *   batch             B >= 0
 *   hidden            H >= 1
 * Launch: see "recurrent cells" above.
 */
extern "C" __global__ void mnemo_rnn_pointwise_bwd_tanh_f32(const float* dy, long long ldy,
                                                            const float* dhRec, const float* h,
                                                            long long ldh, float* dgates,
                                                            long long batch, long long hidden);
extern "C" __global__ void mnemo_rnn_pointwise_bwd_relu_f32(const float* dy, long long ldy,
                                                            const float* dhRec, const float* h,
                                                            long long ldh, float* dgates,
                                                            long long batch, long long hidden);

/* ── family: lstm (gates i|f|g|o) ── */
/*
 * pre = gx + gh + b_ih + b_hh;  i = σ(pre_i), f = σ(pre_f), g = tanh(pre_g), o = σ(pre_o);
 * c' = f ⊙ c + i ⊙ g;  h' = o ⊙ tanh(c').
 * Two entry points, one params struct (passed by value; 88 bytes, 8-byte aligned, no padding):
 *   mnemo_lstm_pointwise_fwd_train_f32  writes gates (saved for the backward)
 *   mnemo_lstm_pointwise_fwd_infer_f32  ignores gates (MAY BE NULL there)
 * Fields (byte offset):
 *   gx      (0)   [B, 4H]   in: step t's x_t W_ihᵀ
 *   gh      (8)   [B, 4H]   in: h_{t−1} W_hhᵀ
 *   bIh     (16)  [4H]      in; MAY BE NULL (no bias)
 *   bHh     (24)  [4H]      in; MAY BE NULL (no bias)
 *   cPrev   (32)  [B, H]    in: c_{t−1}
 *   hOut    (40)  [B, ldh]  out: h_t, row b at hOut + b·ldh; must not overlap any input
 *   cOut    (48)  [B, H]    out: c_t; may alias cPrev (in-place state, e.g. inference); must
 *                           not overlap anything else
 *   gates   (56)  [B, 4H]   saved (train): the activated i, f, g, o in gx's layout (row b:
 *                           i at b·4H + j, f at b·4H + H + j, g at +2H, o at +3H); ignored
 *                           (MAY BE NULL) by the infer variant
 *   batch   (64)            B >= 0
 *   hidden  (72)            H >= 1
 *   ldh     (80)            row stride of hOut, >= H
 * Saved per step: gates 4·B·H floats, plus c_t (cOut) and c_{t−1}, which the backward reads.
 * Launch: see "recurrent cells" above.
 */
typedef struct mnemo_lstm_pointwise_fwd_params {
  const float* gx;
  const float* gh;
  const float* bIh;
  const float* bHh;
  const float* cPrev;
  float* hOut;
  float* cOut;
  float* gates;
  long long batch;
  long long hidden;
  long long ldh;
} mnemo_lstm_pointwise_fwd_params;

extern "C" __global__ void mnemo_lstm_pointwise_fwd_train_f32(mnemo_lstm_pointwise_fwd_params p);
extern "C" __global__ void mnemo_lstm_pointwise_fwd_infer_f32(mnemo_lstm_pointwise_fwd_params p);

/*
 * With dh = dy + dhRec, tc = tanh(c_t), dcT = dc + dh ⊙ o ⊙ (1 − tc²):
 *   dgates = [dcT ⊙ g ⊙ i(1−i) | dcT ⊙ c_{t−1} ⊙ f(1−f) | dcT ⊙ i ⊙ (1−g²) | dh ⊙ tc ⊙ o(1−o)],
 *   dc ← dcT ⊙ f  (the gradient w.r.t. c_{t−1}).
 *   dy      [B, ldy]  in: ∂L/∂h_t from the output sequence; MAY BE NULL (treated as 0)
 *   ldy               row stride of dy, >= H (ignored when dy is NULL)
 *   dhRec   [B, H]    in: ∂L/∂h_t arriving from step t+1; MAY BE NULL (treated as 0)
 *   dc      [B, H]    in-out: in ∂L/∂c_t (from step t+1, or the final-state gradient: zeros
 *                     when there is none), out ∂L/∂c_{t−1} (overwritten)
 *   gates   [B, 4H]   in: saved by mnemo_lstm_pointwise_fwd_train_f32 at step t
 *   cPrev   [B, H]    in: c_{t−1}
 *   cCur    [B, H]    in: c_t
 *   dgates  [B, 4H]   out (overwritten): ∂L/∂pre for the gates i|f|g|o, the gradient of both
 *                     gx and gh; must not overlap any other argument
 *   batch             B >= 0
 *   hidden            H >= 1
 * Launch: see "recurrent cells" above.
 */
extern "C" __global__ void mnemo_lstm_pointwise_bwd_f32(const float* dy, long long ldy,
                                                        const float* dhRec, float* dc,
                                                        const float* gates, const float* cPrev,
                                                        const float* cCur, float* dgates,
                                                        long long batch, long long hidden);

/* ── family: gru (gates r|z|n, reset applied after the recurrent product) ── */
/*
 * r = σ((gx_r + b_ir) + (gh_r + b_hr)),  z = σ((gx_z + b_iz) + (gh_z + b_hz)),
 * hn = gh_n + b_hn,  n = tanh((gx_n + b_in) + r ⊙ hn),  h' = (1 − z) ⊙ n + z ⊙ h
 * (evaluated as n + z ⊙ (h − n), as PyTorch's fused cell does).
 * Two entry points, one params struct (by value; 96 bytes, 8-byte aligned, no padding):
 *   mnemo_gru_pointwise_fwd_train_f32  writes gates and hn (saved for the backward)
 *   mnemo_gru_pointwise_fwd_infer_f32  ignores gates and hn (MAY BE NULL there)
 * Fields (byte offset):
 *   gx       (0)   [B, 3H]       in: step t's x_t W_ihᵀ
 *   gh       (8)   [B, 3H]       in: h_{t−1} W_hhᵀ
 *   bIh      (16)  [3H]          in; MAY BE NULL (no bias)
 *   bHh      (24)  [3H]          in; MAY BE NULL (no bias)
 *   hPrev    (32)  [B, ldhPrev]  in: h_{t−1} (h0, or the previous step's hOut)
 *   hOut     (40)  [B, ldh]      out: h_t; must NOT alias or overlap hPrev (nor any input)
 *   gates    (48)  [B, 3H]       saved (train): the activated r, z, n in gx's layout; ignored
 *                                (MAY BE NULL) by the infer variant
 *   hn       (56)  [B, H]        saved (train): gh_n + b_hn; ignored (MAY BE NULL) by infer
 *   batch    (64)                B >= 0
 *   hidden   (72)                H >= 1
 *   ldhPrev  (80)                row stride of hPrev, >= H
 *   ldh      (88)                row stride of hOut, >= H
 * Saved per step: gates 3·B·H + hn B·H floats, plus h_{t−1}, which the backward reads.
 * Launch: see "recurrent cells" above.
 */
typedef struct mnemo_gru_pointwise_fwd_params {
  const float* gx;
  const float* gh;
  const float* bIh;
  const float* bHh;
  const float* hPrev;
  float* hOut;
  float* gates;
  float* hn;
  long long batch;
  long long hidden;
  long long ldhPrev;
  long long ldh;
} mnemo_gru_pointwise_fwd_params;

extern "C" __global__ void mnemo_gru_pointwise_fwd_train_f32(mnemo_gru_pointwise_fwd_params p);
extern "C" __global__ void mnemo_gru_pointwise_fwd_infer_f32(mnemo_gru_pointwise_fwd_params p);

/*
 * With dh = dy + dhRec:
 *   dn = dh ⊙ (1 − z) ⊙ (1 − n²)            (∂L/∂ of n's pre-activation)
 *   dz = dh ⊙ (h_{t−1} − n) ⊙ z(1 − z)
 *   dr = dn ⊙ hn ⊙ r(1 − r)
 *   dgx = [dr | dz | dn],  dgh = [dr | dz | dn ⊙ r],  dhPrevDirect = dh ⊙ z.
 * The full ∂L/∂h_{t−1} is dhPrevDirect + dgh W_hh: the host adds the GEMM with beta = 1.
 * Params struct by value (96 bytes, 8-byte aligned, no padding). Fields (byte offset):
 *   dy            (0)   [B, ldy]      in: ∂L/∂h_t from the output sequence; MAY BE NULL
 *                                     (treated as 0)
 *   dhRec         (8)   [B, H]        in: ∂L/∂h_t arriving from step t+1; MAY BE NULL
 *                                     (treated as 0)
 *   gates         (16)  [B, 3H]       in: r, z, n saved by mnemo_gru_pointwise_fwd_train_f32
 *   hn            (24)  [B, H]        in: hn saved by the forward
 *   hPrev         (32)  [B, ldhPrev]  in: h_{t−1}
 *   dgx           (40)  [B, 3H]       out (overwritten): ∂L/∂gx_t (and ∂L/∂b_ih per row)
 *   dgh           (48)  [B, 3H]       out (overwritten): ∂L/∂gh_t (and ∂L/∂b_hh per row)
 *   dhPrevDirect  (56)  [B, H]        out (overwritten): dh ⊙ z; may alias dhRec (each element is
 *                                     read, then written, by one thread), so one buffer can carry
 *                                     the h-gradient from step to step
 *   batch         (64)                B >= 0
 *   hidden        (72)                H >= 1
 *   ldy           (80)                row stride of dy, >= H (ignored when dy is NULL)
 *   ldhPrev       (88)                row stride of hPrev, >= H
 * dgx and dgh must not overlap each other or any input; dhPrevDirect must not overlap anything
 * but dhRec.
 * Launch: see "recurrent cells" above.
 */
typedef struct mnemo_gru_pointwise_bwd_params {
  const float* dy;
  const float* dhRec;
  const float* gates;
  const float* hn;
  const float* hPrev;
  float* dgx;
  float* dgh;
  float* dhPrevDirect;
  long long batch;
  long long hidden;
  long long ldy;
  long long ldhPrev;
} mnemo_gru_pointwise_bwd_params;

extern "C" __global__ void mnemo_gru_pointwise_bwd_f32(mnemo_gru_pointwise_bwd_params p);

/* ───────────────────────────── family: loss ───────────────────────────── */
/*
 * Softmax cross-entropy, PyTorch's F.cross_entropy(logits, targets, ignore_index=-1,
 * reduction='none') per row r with target t = targets[r]:
 *   m = max_c logits[r, c],  s = Σ_c exp(logits[r, c] − m),  loss[r] = log s − (logits[r, t] − m).
 * s is accumulated in float with a running max (each thread rescales its partial sum when its
 * max grows), and the threads' (max, sum) pairs are merged in a fixed tree: deterministic.
 * Rows with t == −1 get loss 0 (and a zero gradient); a target outside [0, C) other than −1
 * gives loss NaN (and a NaN gradient row) — never an out-of-range read. The mean over rows is
 * the host's: Σ loss (mnemo_tensor_sum_rows_f32 with cols = 1) / the number of non-ignored rows;
 * pass scale = 1 / that count to the backward.
 */
#define MNEMO_LOSS_XENT_WARP_MAX_CLASSES 1024

/*
 *   logits   [R, C]  in
 *   targets  [R]     in: class index in [0, C), or −1 = ignore (int32)
 *   loss     [R]     out: per-row loss (0 for ignored rows)
 *   stats    [R, 2]  saved: (m, log s) of each row, for the backward (written for ignored rows
 *                    too); MAY BE NULL (no backward will follow)
 *   rows             R >= 0
 *   classes          C >= 1
 * Launch: block 256 threads. A warp per row when C <= MNEMO_LOSS_XENT_WARP_MAX_CLASSES (8 rows
 *         per block), else the whole block per row (1 row per block); rows are walked
 *         grid-stride, so any grid gives the same result. Grid: min(ceil(R / rowsPerBlock),
 *         65535), at least 1, with rowsPerBlock = 8 or 1 as just said. No dynamic shared memory.
 */
extern "C" __global__ void mnemo_loss_softmax_xent_fwd_f32(const float* logits, const int* targets,
                                                           float* loss, float* stats,
                                                           long long rows, long long classes);

/*
 * dlogits[r, c] = (exp((logits[r, c] − m) − log s) − [c == t]) · scale, from the forward's
 * stats; rows with t == −1 get 0, rows with an invalid target NaN.
 *   dlogits  [R, C]  out (overwritten); may alias logits (each element is read, then written,
 *                    by one thread); must not overlap targets or stats
 *   logits   [R, C]  in: as given to the forward
 *   targets  [R]     in
 *   stats    [R, 2]  in: from mnemo_loss_softmax_xent_fwd_f32
 *   rows             R >= 0
 *   classes          C >= 1
 *   scale            e.g. upstream gradient / number of non-ignored rows (reduction='mean')
 * Launch: as mnemo_tensor_fill_f32 with n = R·C (block 256, grid ceil(R·C/256) capped at
 *         65535, at least 1, grid-stride); no dynamic shared memory.
 */
extern "C" __global__ void mnemo_loss_softmax_xent_bwd_f32(float* dlogits, const float* logits,
                                                           const int* targets, const float* stats,
                                                           long long rows, long long classes,
                                                           float scale);

/*
 * Mean squared error in two steps, like clip: the forward writes one partial Σ (pred − target)²
 * per block; the loss is Σ partials (× 1/n for reduction='mean'), summed by the host or on the
 * device by mnemo_tensor_sum_rows_f32(out, partials, numPartials, 1, 0) (deterministic).
 * Scratch: partials holds numPartials floats, numPartials = the forward's grid size (at most
 * MNEMO_LOSS_MSE_MAX_PARTIALS).
 */
#define MNEMO_LOSS_MSE_MAX_PARTIALS 1024

/*
 *   pred      [n]           in
 *   target    [n]           in
 *   n                       element count, >= 0
 *   partials  [gridDim.x]   out: block b's Σ (pred − target)² over its grid-stride share
 * Launch: block 256 threads, grid min(ceil(n/256), MNEMO_LOSS_MSE_MAX_PARTIALS), at least 1;
 *         no dynamic shared memory.
 */
extern "C" __global__ void mnemo_loss_mse_fwd_f32(const float* pred, const float* target,
                                                  long long n, float* partials);

/*
 * dpred[i] = 2 · (pred[i] − target[i]) · scale (scale = upstream gradient, × 1/n for 'mean').
 *   dpred   [n]  out (overwritten); may alias pred or target
 *   pred    [n]  in
 *   target  [n]  in
 *   n            element count, >= 0
 *   scale        multiplies the gradient
 * Launch: as mnemo_tensor_fill_f32.
 */
extern "C" __global__ void mnemo_loss_mse_bwd_f32(float* dpred, const float* pred,
                                                  const float* target, long long n, float scale);

/* ───────────────────────────── family: optim ───────────────────────────── */
/*
 * One fused elementwise pass each over the flat parameter buffer (every parameter is a view
 * into it; grad and every state buffer are laid out the same way), exactly the update of
 * torch.optim's default (foreach) implementation for float32: each tensor operation is one
 * float32 operation with its scalar rounded to float32 from the double that PyTorch computes
 * (e.g. 1 − beta2 is formed in double, then rounded), so results agree with PyTorch to a few
 * ulps. Hyper-parameters come in a params struct by value, as doubles like Python floats.
 * Not supported: maximize (negate grad first), amsgrad, per-group hyper-parameters (run one
 * pass per group on its slice).
 * State buffers start as zeros (the caller zero-fills them before the first step), except
 * SGD's momentum buffer, which the first step overwrites (firstStep = 1).
 * Launch (each): block 256 threads, grid ceil(n/256) capped at 65535, at least 1 (grid-stride);
 * no dynamic shared memory.
 * Aliasing: no two arrays may overlap.
 */

/*
 * torch.optim.SGD: with g = grad + weightDecay·param (when weightDecay != 0),
 *   momentum != 0: buf = firstStep ? g : momentum·buf + (1 − dampening)·g;
 *                  g = nesterov ? g + momentum·buf : buf
 *   param −= lr · g
 * Params struct by value, 40 bytes, 8-byte aligned, no padding. Fields (byte offset):
 *   lr           (0)   double, >= 0
 *   momentum     (8)   double, >= 0
 *   dampening    (16)  double
 *   weightDecay  (24)  double, >= 0
 *   nesterov     (32)  int, 0 or 1 (1 needs momentum > 0 and dampening = 0, as PyTorch checks)
 *   firstStep    (36)  int, 1 on the first step with this buffer (PyTorch's buffer is None),
 *                      else 0; ignored when momentum == 0
 */
typedef struct mnemo_optim_sgd_params {
  double lr;
  double momentum;
  double dampening;
  double weightDecay;
  int nesterov;
  int firstStep;
} mnemo_optim_sgd_params;

/*
 *   param           [n]  in-out
 *   grad            [n]  in
 *   momentumBuffer  [n]  in-out (out only on the first step); MAY BE NULL when momentum == 0
 *                        (then never touched)
 *   n                    element count, >= 0
 *   hp                   hyper-parameters, above
 * Launch: see "family: optim".
 */
extern "C" __global__ void mnemo_optim_sgd_f32(float* param, const float* grad,
                                               float* momentumBuffer, long long n,
                                               mnemo_optim_sgd_params hp);

/*
 * torch.optim.Adam (decoupled = 0) and torch.optim.AdamW (decoupled = 1), amsgrad = False:
 *   weightDecay != 0:  Adam: g = grad + weightDecay·param;  AdamW: param *= 1 − lr·weightDecay
 *   expAvg   = lerp(expAvg, g, 1 − beta1)              (= beta1·m + (1 − beta1)·g)
 *   expAvgSq = beta2·expAvgSq + (1 − beta2)·g²
 *   param   −= lr / (1 − beta1^step) · expAvg / (sqrt(expAvgSq) / sqrt(1 − beta2^step) + eps)
 * (= lr · m̂ / (sqrt(v̂) + eps)). Bias corrections are computed in double, once per block.
 * Params struct by value, 48 bytes, 8-byte aligned, no padding. Fields (byte offset):
 *   lr           (0)   double
 *   beta1        (8)   double, in [0, 1)
 *   beta2        (16)  double, in [0, 1)
 *   eps          (24)  double, > 0
 *   weightDecay  (32)  double, >= 0
 *   step         (40)  int, t >= 1: the number of this update, counting from 1
 *   decoupled    (44)  int, 0 = Adam (L2 into the gradient), 1 = AdamW
 */
typedef struct mnemo_optim_adam_params {
  double lr;
  double beta1;
  double beta2;
  double eps;
  double weightDecay;
  int step;
  int decoupled;
} mnemo_optim_adam_params;

/*
 *   param     [n]  in-out
 *   grad      [n]  in
 *   expAvg    [n]  in-out: first moment (zeros before step 1)
 *   expAvgSq  [n]  in-out: second moment (zeros before step 1)
 *   n              element count, >= 0
 *   hp             hyper-parameters, above
 * Launch: see "family: optim".
 */
extern "C" __global__ void mnemo_optim_adam_f32(float* param, const float* grad, float* expAvg,
                                                float* expAvgSq, long long n,
                                                mnemo_optim_adam_params hp);

/*
 * torch.optim.RMSprop: with g = grad + weightDecay·param (when weightDecay != 0),
 *   squareAvg = alpha·squareAvg + (1 − alpha)·g²
 *   centered:  gradAvg = lerp(gradAvg, g, 1 − alpha);  avg = sqrt(squareAvg − gradAvg²) + eps
 *   else:      avg = sqrt(squareAvg) + eps
 *   momentum > 0:  buf = momentum·buf + g / avg;  param −= lr · buf
 *   else:          param −= lr · g / avg
 * Params struct by value, 48 bytes, 8-byte aligned: 44 bytes of fields, then 4 bytes of tail
 * padding. Fields (byte offset):
 *   lr           (0)   double
 *   alpha        (8)   double
 *   eps          (16)  double, > 0
 *   weightDecay  (24)  double, >= 0
 *   momentum     (32)  double, >= 0
 *   centered     (40)  int, 0 or 1
 */
typedef struct mnemo_optim_rmsprop_params {
  double lr;
  double alpha;
  double eps;
  double weightDecay;
  double momentum;
  int centered;
} mnemo_optim_rmsprop_params;

/*
 *   param           [n]  in-out
 *   grad            [n]  in
 *   squareAvg       [n]  in-out (zeros before the first step)
 *   momentumBuffer  [n]  in-out (zeros before the first step); MAY BE NULL when momentum == 0
 *                        (then never touched)
 *   gradAvg         [n]  in-out (zeros before the first step); MAY BE NULL when centered == 0
 *                        (then never touched)
 *   n                    element count, >= 0
 *   hp                   hyper-parameters, above
 * Launch: see "family: optim".
 */
extern "C" __global__ void mnemo_optim_rmsprop_f32(float* param, const float* grad,
                                                   float* squareAvg, float* momentumBuffer,
                                                   float* gradAvg, long long n,
                                                   mnemo_optim_rmsprop_params hp);

/* ───────────────────────────── family: dropout ───────────────────────────── */
/*
 * Inverted dropout, mask drawn on the device from a counter hash, so every backend (and any
 * grid) draws the same mask: element i is kept when u(seed, offset + i) >= p, with
 *   mix(z) = z ^= z >> 30, z *= 0xBF58476D1CE4E5B9, z ^= z >> 27, z *= 0x94D049BB133111EB,
 *            z ^ (z >> 31)                                  (SplitMix64's finaliser)
 *   u(seed, index) = (mix(mix(seed) + (index + 1)·0x9E3779B97F4A7C15) >> 11) · 2^-53
 * in unsigned 64-bit arithmetic (wrapping; seed and index are the two's complement bits of the
 * Java longs) — Java's CpuBackend.dropoutUniform. With scale = 1/(1 − p) in double:
 *   mask[i] = keep ? (float) scale : 0
 *   y[i]    = (float) ((double) x[i] · (keep ? scale : 0))     (one rounding, as the CPU backend)
 *   x       [n]  in
 *   mask    [n]  out; must not overlap x or y
 *   y       [n]  out; may alias x
 *   n            element count, >= 0
 *   seed         the stream
 *   offset       stream index of element 0 (element i draws index offset + i)
 *   p            drop probability, in [0, 1)
 * Launch: as mnemo_tensor_fill_f32.
 */
extern "C" __global__ void mnemo_dropout_apply_f32(const float* x, float* mask, float* y,
                                                   long long n, long long seed, long long offset,
                                                   double p);

/* ───────────────────────────── family: scatter ───────────────────────────── */
/*
 * table[rows[i], :] += src[i, :] for every i < n, repeated rows accumulated in order of i
 * (Embedding backward), deterministic and bit for bit the sequential loop: each (group, column)
 * thread starts from the table value and adds its group's source rows one at a time in
 * increasing i. The host groups the indices first (a stable sort of i by rows[i]):
 *   table     [R, width]       in-out; must not overlap src
 *   src       [n, width]       in
 *   order     [n]              in: the i's grouped by row, increasing i within a group
 *   segStart  [segments + 1]   in: group s is order[segStart[s] .. segStart[s+1]), segStart[0] = 0
 *   segRow    [segments]       in: group s's table row, in [0, R), all distinct
 *   segments                   number of groups (distinct rows), >= 0
 *   width                      columns, >= 0
 * Launch: block 256 threads, grid ceil(segments·width / 256) capped at 65535 (grid-stride over
 *         (group, column), column fastest), at least 1; no dynamic shared memory.
 */
extern "C" __global__ void mnemo_scatter_add_rows_f32(float* table, const float* src,
                                                      const int* order, const int* segStart,
                                                      const int* segRow, long long segments,
                                                      long long width);

#endif /* MNEMO_KERNELS_H */
