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
 *   1. mnemo_clip_sumsq_f32 writes one partial Σx² per block, accumulated in double (float32
 *      squares cannot overflow it);
 *   2. mnemo_clip_scale_f32 has every block add the partials up in the same order (so the
 *      result is deterministic), forms norm = sqrt(Σ), and scales x by
 *      min(1, maxNorm / (norm + 1e-6)) — the rule of PyTorch's clip_grad_norm_. The sum and
 *      the coefficient are computed in double; a NaN or infinite norm (only a NaN or infinite
 *      element makes one) leaves x unchanged (normOut reports it) — PyTorch would spread the NaN
 *      into every gradient. normOut is float: a norm past FLT_MAX reads +Inf there, though x
 *      was scaled by the finite double norm.
 * Scratch: partials holds numPartials doubles, numPartials = the grid size of pass 1
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
extern "C" __global__ void mnemo_clip_sumsq_f32(const float* x, long long n, double* partials);

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
extern "C" __global__ void mnemo_clip_scale_f32(float* x, long long n, const double* partials,
                                                int numPartials, float maxNorm, float* normOut);

/* ───────────────────────────── recurrent cells: the per-step pointwise kernels ──────────── */
/*
 * One layer and direction of a recurrent network runs, per time step t, as (PyTorch layouts and
 * gate orders; W_ih [G·H, I], W_hh [G·H, H], b_ih [G·H], b_hh [G·H]):
 *   host, once for all steps:  gx [T, B, G·H] = x W_ihᵀ           (one cuBLAS GEMM, no bias)
 *   host, per step:            gh [B, G·H]    = h_{t−1} W_hhᵀ     (cuBLAS GEMM, no bias; or
 *                              ghSplits partial GEMMs over slices of H, which the forward kernels
 *                              sum: partial s at gh + s·ghSplitStride, added in order of s)
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
 *   gh      [S, B, H] in: h_{t−1} W_hhᵀ as S = ghSplits partial products (see above)
 *   bIh     [H]       in; MAY BE NULL (no bias)
 *   bHh     [H]       in; MAY BE NULL (no bias)
 *   hOut    [B, ldh]  out: h_t, row b at hOut + b·ldh; must not overlap any input
 *   ldh               row stride of hOut in elements, >= H
 *   batch             B >= 0
 *   hidden            H >= 1
 *   ghSplits          S >= 1
 *   ghSplitStride     elements between gh's partials, >= B·H when S > 1 (ignored when S = 1)
 * Launch: see "recurrent cells" above.
 */
extern "C" __global__ void mnemo_rnn_pointwise_fwd_tanh_f32(const float* gx, const float* gh,
                                                            const float* bIh, const float* bHh,
                                                            float* hOut, long long ldh,
                                                            long long batch, long long hidden,
                                                            long long ghSplits,
                                                            long long ghSplitStride);
extern "C" __global__ void mnemo_rnn_pointwise_fwd_relu_f32(const float* gx, const float* gh,
                                                            const float* bIh, const float* bHh,
                                                            float* hOut, long long ldh,
                                                            long long batch, long long hidden,
                                                            long long ghSplits,
                                                            long long ghSplitStride);

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
 * Two entry points, one params struct (passed by value; 104 bytes, 8-byte aligned, no padding):
 *   mnemo_lstm_pointwise_fwd_train_f32  writes gates (saved for the backward)
 *   mnemo_lstm_pointwise_fwd_infer_f32  ignores gates (MAY BE NULL there)
 * Fields (byte offset):
 *   gx      (0)   [B, 4H]   in: step t's x_t W_ihᵀ
 *   gh      (8)   [S, B, 4H] in: h_{t−1} W_hhᵀ as S = ghSplits partial products
 *   bIh     (16)  [4H]      in; MAY BE NULL (no bias)
 *   bHh     (24)  [4H]      in; MAY BE NULL (no bias)
 *   cPrev   (32)  [B, H]    in: c_{t−1}
 *   hOut    (40)  [B, ldh]  out: h_t, row b at hOut + b·ldh; must not overlap any input
 *   cOut    (48)  [B, H]    out: c_t; may alias cPrev (in-place state, e.g. inference); must
 *                           not overlap anything else
 *   gates   (56)  [B, 4H]   saved (train): the activated i, f, g, o in gx's layout (row b:
 *                           i at b·4H + j, f at b·4H + H + j, g at +2H, o at +3H); may be gx
 *                           itself (in place; no partial overlap); ignored (MAY BE NULL) by the
 *                           infer variant
 *   batch   (64)            B >= 0
 *   hidden  (72)            H >= 1
 *   ldh     (80)            row stride of hOut, >= H
 *   ghSplits      (88)      S >= 1
 *   ghSplitStride (96)      elements between gh's partials, >= 4·B·H when S > 1
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
  long long ghSplits;
  long long ghSplitStride;
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
 * Two entry points, one params struct (by value; 112 bytes, 8-byte aligned, no padding):
 *   mnemo_gru_pointwise_fwd_train_f32  writes gates and hn (saved for the backward)
 *   mnemo_gru_pointwise_fwd_infer_f32  ignores gates and hn (MAY BE NULL there)
 * Fields (byte offset):
 *   gx       (0)   [B, 3H]       in: step t's x_t W_ihᵀ
 *   gh       (8)   [S, B, 3H]    in: h_{t−1} W_hhᵀ as S = ghSplits partial products
 *   bIh      (16)  [3H]          in; MAY BE NULL (no bias)
 *   bHh      (24)  [3H]          in; MAY BE NULL (no bias)
 *   hPrev    (32)  [B, ldhPrev]  in: h_{t−1} (h0, or the previous step's hOut)
 *   hOut     (40)  [B, ldh]      out: h_t; must NOT alias or overlap hPrev (nor any input)
 *   gates    (48)  [B, 3H]       saved (train): the activated r, z, n in gx's layout; may be
 *                                gx itself (in place; no partial overlap); ignored (MAY BE
 *                                NULL) by the infer variant
 *   hn       (56)  [B, H]        saved (train): gh_n + b_hn; ignored (MAY BE NULL) by infer
 *   batch    (64)                B >= 0
 *   hidden   (72)                H >= 1
 *   ldhPrev  (80)                row stride of hPrev, >= H
 *   ldh      (88)                row stride of hOut, >= H
 *   ghSplits      (96)           S >= 1
 *   ghSplitStride (104)          elements between gh's partials, >= 3·B·H when S > 1
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
  long long ghSplits;
  long long ghSplitStride;
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
 * per block, differences and sums in double (as the CPU's); the loss is Σ partials (× 1/n for
 * reduction='mean'), summed by the host in a fixed order (deterministic).
 * Scratch: partials holds numPartials doubles, numPartials = the forward's grid size (at most
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
                                                  long long n, double* partials);

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

/* ───────────────────────────── family: memnet (key-value memory read) ───────────────────── */
/*
 * MemNet's read: one query per batch row b attends over `slots` filled memory slots plus
 * `emptySlots` zero slots (MemNet's unmasked empty memory: score 0, value 0), exactly
 * dev.mnemo.nn.Backend.MemoryRead:
 *   s[m]   = scale · ⟨K[b, m, :], q[b, :]⟩        m < slots;  every empty slot: s = 0, value 0
 *   lse[b] = log(Σ_m exp s[m] + emptySlots)       (−inf when slots + emptySlots = 0)
 *   c[b,:] = Σ_m exp(s[m] − lse[b]) · V[b, m, :]  (0 when there is no slot)
 * Backward, with a[m] = exp(s[m] − lse[b]) and D = ⟨c[b,:], dc[b,:]⟩:
 *   ds[m]      = a[m] · (⟨V[b, m, :], dc[b, :]⟩ − D)
 *   dq[b, :]   = scale · Σ_m ds[m] · K[b, m, :]     (overwritten)
 *   dK[b, m, :] += scale · ds[m] · q[b, :]          (accumulated)
 *   dV[b, m, :] += a[m] · dc[b, :]                  (accumulated; empty slots get nothing)
 *
 * Strided operands: element (b, m, j) of K is keys[b·keyBatchStride + m·keySlotStride + j]
 * (element units, 64-bit; each pointer is already at its operand's first element), and
 * likewise for V, dK, dV; q[b, j] is q[b·qBatchStride + j], dq[b, j] is dq[b·dqBatchStride + j].
 * So one kernel reads a window of MemNet's [T, B, S] step history (slot stride B·S) and a dense
 * [B, M, d] ring-buffer memory (slot stride d) alike. Strides >= 0. c, dc [B, d_v] and lse [B]
 * are dense. Widths: 1 <= keyWidth, valueWidth <= MNEMO_MEMNET_MAX_WIDTH.
 *
 * Two read paths; the host picks one from `slots` (the Java launcher and the harness agree):
 *   small (slots <= MNEMO_MEMNET_SMALL_MAX_SLOTS, 0 allowed): one warp per batch row, fused,
 *         writes c and lse (backward: dq, dK, dV) directly. Launch: block 256 threads (8 rows),
 *         grid ceil(B / 8), at least 1; no dynamic shared memory. The kernels accept any slot
 *         count; the limit is the host's choice. A warp reads its row's slots a few at a time
 *         (d = 64: 8 slots a round trip to memory), so long rows wait on many round trips, and B
 *         rows fill only B / 8 SMs: at B = 64, N = 128, d = 64 the one-split read (a block per
 *         row) took 9.7–12.4 µs against the small path's 14.9–15.8 in runs 6, 7 and 8 (H200,
 *         eager, same run each), and 3.5 µs in a graph where the layer's small read took 9.8.
 *   split (slots >= 1, any size; flash-decoding): block (s, b) takes slots
 *         [s·slotsPerSplit, min(slots, (s+1)·slotsPerSplit)) of row b and writes one partial;
 *         the merge kernel combines a row's partials. With splits = 1 the split kernel
 *         finishes the row itself (forward: c and lse; backward: dq; as the merge would) and its
 *         merge leaves the row alone, so the host launches the merge only for splits > 1 (launching it
 *         anyway is harmless). With `counters` given (the params' last field) the split kernel
 *         merges the rows itself: each block fences its partial and counts itself on
 *         counters[b]; the block that brings the count to `splits` merges row b (the merge
 *         kernel's arithmetic, in split order, so the bits do not depend on which block is last)
 *         and sets counters[b] back to 0. One launch then does the whole read, and a row's merge
 *         starts when its own splits are done; the merge kernel leaves every row alone. Launch of the split kernels: block 256 threads, grid B·splits
 *         (1-D, block index = b·splits + s), at least 1, no dynamic shared memory; of the merge
 *         kernels: block 256 threads, a block per row (grid B, at least 1), no dynamic shared
 *         memory.
 * Split plans (what the harness and the Java launcher use; any plan with
 * splits = ceil(slots / slotsPerSplit) gives a correct result):
 *   forward   splits = min(max(ceil(MNEMO_MEMNET_SPLIT_TARGET_BLOCKS / B),
 *                              ceil(slots / MNEMO_MEMNET_SPLIT_MAX_SLOTS)),
 *                          ceil(slots / MNEMO_MEMNET_SPLIT_MIN_SLOTS), MNEMO_MEMNET_SPLIT_MAX_SPLITS)
 *   backward  splits = min(max(1, ceil(MNEMO_MEMNET_BWD_SPLIT_TARGET_BLOCKS / B)),
 *                          ceil(slots / MNEMO_MEMNET_SPLIT_MIN_SLOTS), MNEMO_MEMNET_SPLIT_MAX_SPLITS)
 *   then (both) slotsPerSplit = ceil(slots / splits), splits = ceil(slots / slotsPerSplit)
 * Why these numbers (H200, `mnemo_harness memnet`'s split sweep, graph reads):
 *   - The forward wants about one block per SM, each scanning a long run of slots: fewer splits
 *     than the old 4096-block target were faster on every row swept in run 7 (64 × 1024: 9.87 µs
 *     at 2 splits against 11.43 at 8; 256 × 1024: 37.6 at 1 against 41.4 at 8; 1024 × 256: 25.4
 *     at 1 against 26.9 at 2). MNEMO_MEMNET_SPLIT_MAX_SLOTS keeps a split's run near the
 *     longest measured (1024 slots, B = 256) where B is small and the memory long (64 × 8192:
 *     8 splits; not swept yet).
 *   - At most 128 splits a row: a B = 1 read over 65536 slots took 16.7 µs in 132 splits and
 *     39.3 µs in 512 (run 6); 66 and 132 splits were equal (run 7).
 *   - The backward wants about one block per SM too, with no cap on a split's run: in run 8's
 *     sweep (eager, the same run) 64 × 1024 took 57.6 µs at 2 splits against 64.1 at the old
 *     4096-block target's 8; 256 × 1024 188.8 at 1 against 216.8 at 8; 64 × 8192 355.5 at 2
 *     against 409.2 at 64 (and 395.0 at 9); 1024 × 256 111.5 at 1 against 124.9 at 2. B = 1 over
 *     65536 slots was fastest at 128 and 132 splits (61.6 µs), the cap.
 * Scratch: forward partials [B, splits, 2 + valueWidth] floats (max, Σ exp, Σ exp·V per split);
 *          backward partials [B, splits, keyWidth] floats (Σ ds·K per split).
 * Loads: 16-byte vectors when both widths, every stride and every K/V (dK/dV) pointer allow it
 * (multiples of 4 floats / 8 bf16, 16-byte aligned); otherwise one element per load.
 * Determinism: every sum is taken in an order fixed by the sizes, the strides and that
 * alignment (no atomics); the same call gives the same bits every time.
 * Aliasing: c, lse, dq, dK, dV and the partials must not overlap the inputs or each other.
 */
#define MNEMO_MEMNET_MAX_WIDTH 256
#define MNEMO_MEMNET_SMALL_MAX_SLOTS 64
#define MNEMO_MEMNET_SPLIT_TARGET_BLOCKS 128
#define MNEMO_MEMNET_SPLIT_MAX_SLOTS 1024
#define MNEMO_MEMNET_BWD_SPLIT_TARGET_BLOCKS 128
#define MNEMO_MEMNET_SPLIT_MIN_SLOTS 128
#define MNEMO_MEMNET_SPLIT_MAX_SPLITS 128

/*
 * The forward read. Params struct by value, 160 bytes, 8-byte aligned, no padding.
 * Fields (byte offset):
 *   q                 (0)    [B, ·]  in: q[b, j] at q[b·qBatchStride + j]
 *   keys              (8)    in: K, float (…_f32 kernels) or bf16 bits (…_kvbf16_f32)
 *   values            (16)   in: V, the same storage type as keys
 *   c                 (24)   [B, d_v] out (small path, merge)
 *   lse               (32)   [B]      out (small path, merge)
 *   partials          (40)   scratch [B, splits, 2 + d_v]: out of the split kernels, in of the
 *                            merge; ignored (MAY BE NULL) by the small path
 *   batch             (48)   B >= 0
 *   slots             (56)   M >= 0 (split and merge: >= 1)
 *   emptySlots        (64)   >= 0 (used by the small path and the merge)
 *   keyWidth          (72)   d_k, 1 .. MNEMO_MEMNET_MAX_WIDTH
 *   valueWidth        (80)   d_v, 1 .. MNEMO_MEMNET_MAX_WIDTH
 *   qBatchStride      (88)
 *   keyBatchStride    (96)
 *   keySlotStride     (104)
 *   valueBatchStride  (112)
 *   valueSlotStride   (120)
 *   slotsPerSplit     (128)  split path: >= 1 (ignored by the small path)
 *   splits            (136)  split path: ceil(slots / slotsPerSplit) (ignored by the small path)
 *   scale             (144)  double, rounded to float once
 *   counters          (152)  [B] unsigned, split path: in-out, all 0 on entry and on return (MAY BE
 *                            NULL: then the merge kernel merges rows of splits > 1); ignored by
 *                            the small path. Must not overlap anything else.
 * Entry points (launch: see "family: memnet" above):
 *   mnemo_memnet_read_fwd_small_f32        small path: c, lse
 *   mnemo_memnet_read_fwd_split_f32        split path pass 1: partials (K, V float); with
 *                                          splits = 1, c and lse instead
 *   mnemo_memnet_read_fwd_split_kvbf16_f32 as the split pass with K, V stored as bf16 (the bits
 *                                          of torch.bfloat16); q, c and the arithmetic float32
 *   mnemo_memnet_read_fwd_merge_f32        split path pass 2: partials → c, lse; nothing
 *                                          when splits = 1
 */
typedef struct mnemo_memnet_read_fwd_params {
  const float* q;
  const void* keys;
  const void* values;
  float* c;
  float* lse;
  float* partials;
  long long batch;
  long long slots;
  long long emptySlots;
  long long keyWidth;
  long long valueWidth;
  long long qBatchStride;
  long long keyBatchStride;
  long long keySlotStride;
  long long valueBatchStride;
  long long valueSlotStride;
  long long slotsPerSplit;
  long long splits;
  double scale;
  unsigned* counters;
} mnemo_memnet_read_fwd_params;

extern "C" __global__ void mnemo_memnet_read_fwd_small_f32(mnemo_memnet_read_fwd_params p);
extern "C" __global__ void mnemo_memnet_read_fwd_split_f32(mnemo_memnet_read_fwd_params p);
extern "C" __global__ void mnemo_memnet_read_fwd_split_kvbf16_f32(mnemo_memnet_read_fwd_params p);
extern "C" __global__ void mnemo_memnet_read_fwd_merge_f32(mnemo_memnet_read_fwd_params p);

/*
 * The backward read (K, V float). Params struct by value, 224 bytes, 8-byte aligned, no
 * padding. Fields (byte offset):
 *   q                  (0)    in, as the forward's
 *   keys               (8)    in
 *   values             (16)   in
 *   c                  (24)   [B, d_v] in: the forward's c
 *   lse                (32)   [B]      in: the forward's lse
 *   dc                 (40)   [B, d_v] in
 *   dq                 (48)   out (overwritten; small path, merge, one-split split): dq[b, j] at
 *                             dq[b·dqBatchStride + j]
 *   dKeys              (56)   in-out (accumulated; small path, split)
 *   dValues            (64)   in-out (accumulated; small path, split)
 *   partials           (72)   scratch [B, splits, d_k]: out of the split kernel, in of the
 *                             merge; ignored (MAY BE NULL) by the small path
 *   batch              (80)   B >= 0
 *   slots              (88)   M >= 0 (split and merge: >= 1)
 *   keyWidth           (96)   d_k, 1 .. MNEMO_MEMNET_MAX_WIDTH
 *   valueWidth         (104)  d_v, 1 .. MNEMO_MEMNET_MAX_WIDTH
 *   qBatchStride       (112)
 *   keyBatchStride     (120)
 *   keySlotStride      (128)
 *   valueBatchStride   (136)
 *   valueSlotStride    (144)
 *   dqBatchStride      (152)
 *   dKeyBatchStride    (160)
 *   dKeySlotStride     (168)
 *   dValueBatchStride  (176)
 *   dValueSlotStride   (184)
 *   slotsPerSplit      (192)  split path: >= 1 (ignored by the small path)
 *   splits             (200)  split path: ceil(slots / slotsPerSplit)
 *   scale              (208)  double, rounded to float once
 *   counters           (216)  [B] unsigned, as the forward's: given, the split kernel writes dq of
 *                             rows of splits > 1 itself
 * Entry points (launch: see "family: memnet" above):
 *   mnemo_memnet_read_bwd_small_f32   small path: dq, dK, dV
 *   mnemo_memnet_read_bwd_split_f32   split path pass 1: dK, dV and the dq partials (one split: dq)
 *   mnemo_memnet_read_bwd_merge_f32   split path pass 2: partials → dq (splits > 1)
 */
typedef struct mnemo_memnet_read_bwd_params {
  const float* q;
  const float* keys;
  const float* values;
  const float* c;
  const float* lse;
  const float* dc;
  float* dq;
  float* dKeys;
  float* dValues;
  float* partials;
  long long batch;
  long long slots;
  long long keyWidth;
  long long valueWidth;
  long long qBatchStride;
  long long keyBatchStride;
  long long keySlotStride;
  long long valueBatchStride;
  long long valueSlotStride;
  long long dqBatchStride;
  long long dKeyBatchStride;
  long long dKeySlotStride;
  long long dValueBatchStride;
  long long dValueSlotStride;
  long long slotsPerSplit;
  long long splits;
  double scale;
  unsigned* counters;
} mnemo_memnet_read_bwd_params;

extern "C" __global__ void mnemo_memnet_read_bwd_small_f32(mnemo_memnet_read_bwd_params p);
extern "C" __global__ void mnemo_memnet_read_bwd_split_f32(mnemo_memnet_read_bwd_params p);
extern "C" __global__ void mnemo_memnet_read_bwd_merge_f32(mnemo_memnet_read_bwd_params p);

/*
 * The streaming write into a ring-buffer memory: slot = step mod M of every row,
 *   keys[b, slot, :] = k[b, :],  values[b, slot, :] = v[b, :]
 * (MemNet's FIFO of the last M events; the read is order-free, so a ring is equivalent).
 *   keys        [B, M, d_k]  in-out: only slot `step mod M` of each row is written
 *   values      [B, M, d_v]  in-out: likewise
 *   k           [B, ldk]     in: k_t, row b at k + b·ldk (e.g. a column slice of [q; k; v])
 *   ldk                      row stride of k, >= d_k
 *   v           [B, ldv]     in: v_t
 *   ldv                      row stride of v, >= d_v
 *   batch                    B >= 0
 *   slots                    M >= 1
 *   keyWidth                 d_k >= 1
 *   valueWidth               d_v >= 1
 *   step                     t >= 0
 * keys and values must not overlap each other, k or v.
 * Launch: as mnemo_tensor_fill_f32 with n = B·(d_k + d_v) (block 256, grid ceil(n/256) capped at
 *         65535, at least 1, grid-stride); no dynamic shared memory.
 */
extern "C" __global__ void mnemo_memnet_ring_write_f32(float* keys, float* values, const float* k,
                                                       long long ldk, const float* v,
                                                       long long ldv, long long batch,
                                                       long long slots, long long keyWidth,
                                                       long long valueWidth, long long step);

/*
 * As mnemo_memnet_ring_write_f32, with the step read from device memory when the kernel runs, so a
 * recorded streaming step (a CUDA Graph) writes the slot of the step count set before each replay.
 *   step        [1]  in, a device int64 >= 0
 * Launch: as mnemo_memnet_ring_write_f32.
 */
extern "C" __global__ void mnemo_memnet_ring_write_at_f32(float* keys, float* values, const float* k,
                                                          long long ldk, const float* v,
                                                          long long ldv, long long batch,
                                                          long long slots, long long keyWidth,
                                                          long long valueWidth, const long long* step);

/*
 * MemNet's whole teacher-forced sequence in one launch, forward and backward (the step loops of
 * dev.mnemo.nn.layers.MemNet, one block per batch row: rows never meet inside the loop, so no
 * block waits for another). With S = 2·d_k + d_v, W = d_in + S + d_v (the cell input's width)
 * and ldw = W | 1 (odd, so the forward's row-per-thread reads of W from shared memory meet no
 * bank conflict), each block keeps the cell's weight [S, W] in shared memory for all steps.
 *
 * Forward, step t of row b (histories [T, B, ·], row index t·B + b):
 *   r_t = dropout(relu(h_{t−1}))    h_{−1} = h0; element i of row b draws stream index
 *                                   dropoutOffset + t·B·S + b·S + i, kept as mnemo_dropout_apply_f32
 *                                   (no dropout when dropoutP = 0)
 *   u_t = [x_t, r_t, c_{t−1}]       c_{−1} = c0; x_t is read from u's first d_in columns
 *   o_t = weight·u_t + bias          (h_t = o_t; q, k, v = its columns [0, d_k), [d_k, 2d_k), [2d_k, S))
 *   c_t, lse_t = the read of q_t over the k, v columns of o_{t−f} … o_{t−1}, f = min(t, M), plus
 *                M − f empty slots unless maskEmptySlots (mnemo_memnet_read_fwd_small_f32's c, lse)
 * Backward, t = T−1 … 0, with dc carried from step t+1 (0 at T−1) and dh likewise:
 *   dc  += dy_t·readOutWeight;   g = dO_t + dy_t·stateOutWeight + dh   (dO_t: the k, v gradients
 *                                                                      of later reads)
 *   the read's backward (mnemo_memnet_read_bwd_small_f32): dq added to g's q columns, dK, dV to
 *   the k, v columns of dO_{t−f} … dO_{t−1};   dO_t = g;   dU_t = g·weight
 *   dh = (r_t > 0 ? dU_t[d_in + i] : 0)·dropoutScale;   dc = dU_t[d_in + S + j]
 * and at the end dh0[b] = dh, dc0[b] = dc (∂L/∂h0, ∂L/∂c0 per row, before the sum over rows).
 * The layer forms the parameter gradients from dO, dU and u with GEMMs, as its step loop does.
 *
 * Sizes: T, B >= 1; 1 <= d_in; 1 <= d_k, d_v <= MNEMO_MEMNET_MAX_WIDTH; 0 <= M <=
 * MNEMO_MEMNET_SEQ_MAX_SLOTS; d_out >= 1. Launch: block MNEMO_MEMNET_SEQ_THREADS threads, grid B,
 * dynamic shared memory (floats, times 4 bytes), with P(n) = min(MNEMO_MEMNET_SEQ_MAX_PARTS,
 * max(1, MNEMO_MEMNET_SEQ_THREADS / n)):
 *   forward   S·ldw + W + S + d_v + P(S)·S + M + 1
 *   backward  S·ldw + W + 2·S + d_v + P(W)·W + 2·M
 * (the device's opt-in limit decides which sizes run: 50.2 KB forward, 50.3 KB backward at
 * d_in = 1, d_k = d_v = 32, past the 48 KiB a launch gets without opting in). Every sum runs in an order fixed by the sizes: the same call gives the same bits.
 * The read's weighted sums (c_t forward, dq backward) split a window of 32 or more filled slots
 * over groups of threads, each at least 16 slots, in the P·n floats of the products' scratch.
 * Aliasing: no output overlaps an input or another output (u is in-out).
 */
#define MNEMO_MEMNET_SEQ_THREADS 256
#define MNEMO_MEMNET_SEQ_MAX_PARTS 8
/* The most slots: a step's window of M history rows is read from global memory (L2 at these
 * sizes); 256 slots cost 2 KiB of the prob/score arrays in shared memory. */
#define MNEMO_MEMNET_SEQ_MAX_SLOTS 256

/*
 * The forward loop. Params struct by value, 160 bytes, 8-byte aligned, no padding.
 * Fields (byte offset):
 *   weight          (0)    [S, W]  in (qkv.weight)
 *   bias            (8)    [S]     in
 *   h0              (16)   [S]     in, the learned initial state
 *   c0              (24)   [d_v]   in, the learned initial read
 *   u               (32)   [T, B, W] in-out: x in columns [0, d_in); r_t, c_{t−1} written after
 *   o               (40)   [T, B, S]  out
 *   r               (48)   [T, B, S]  out
 *   c               (56)   [T, B, d_v] out
 *   lse             (64)   [T, B]     out
 *   steps           (72)   T
 *   batch           (80)   B
 *   inputWidth      (88)   d_in
 *   keyWidth        (96)   d_k
 *   valueWidth      (104)  d_v
 *   slots           (112)  M
 *   maskEmptySlots  (120)  0 or 1
 *   dropoutSeed     (128)
 *   dropoutOffset   (136)
 *   dropoutP        (144)  double, in [0, 1] (1: r_t = 0)
 *   scale           (152)  double, rounded to float once
 */
typedef struct mnemo_memnet_seq_fwd_params {
  const float* weight;
  const float* bias;
  const float* h0;
  const float* c0;
  float* u;
  float* o;
  float* r;
  float* c;
  float* lse;
  long long steps;
  long long batch;
  long long inputWidth;
  long long keyWidth;
  long long valueWidth;
  long long slots;
  long long maskEmptySlots;
  long long dropoutSeed;
  long long dropoutOffset;
  double dropoutP;
  double scale;
} mnemo_memnet_seq_fwd_params;

/*
 * The backward loop. Params struct by value, 168 bytes, 8-byte aligned, no padding.
 * Fields (byte offset):
 *   weight          (0)    [S, W]      in (qkv.weight)
 *   stateOutWeight  (8)    [d_out, S]  in (W_s)
 *   readOutWeight   (16)   [d_out, d_v] in (W_c)
 *   o               (24)   [T, B, S]   in, the forward's
 *   r               (32)   [T, B, S]   in
 *   c               (40)   [T, B, d_v] in
 *   lse             (48)   [T, B]      in
 *   dy              (56)   [T, B, d_out] in
 *   dO              (64)   [T, B, S]   out (written whole)
 *   dU              (72)   [T, B, W]   out
 *   dh0             (80)   [B, S]      out
 *   dc0             (88)   [B, d_v]    out
 *   steps           (96)   T
 *   batch           (104)  B
 *   inputWidth      (112)  d_in
 *   keyWidth        (120)  d_k
 *   valueWidth      (128)  d_v
 *   outputWidth     (136)  d_out
 *   slots           (144)  M
 *   dropoutScale    (152)  double: 1/(1 − p) after a forward with dropout (0 when p = 1), else 1; rounded to
 *                          float once (the step loop's Backend.scale rounds it so too)
 *   scale           (160)  double, rounded to float once
 */
typedef struct mnemo_memnet_seq_bwd_params {
  const float* weight;
  const float* stateOutWeight;
  const float* readOutWeight;
  const float* o;
  const float* r;
  const float* c;
  const float* lse;
  const float* dy;
  float* dO;
  float* dU;
  float* dh0;
  float* dc0;
  long long steps;
  long long batch;
  long long inputWidth;
  long long keyWidth;
  long long valueWidth;
  long long outputWidth;
  long long slots;
  double dropoutScale;
  double scale;
} mnemo_memnet_seq_bwd_params;

extern "C" __global__ void mnemo_memnet_seq_fwd_f32(mnemo_memnet_seq_fwd_params p);
extern "C" __global__ void mnemo_memnet_seq_bwd_f32(mnemo_memnet_seq_bwd_params p);

/*
 * MemNet's streaming steps in one launch (inference: no dropout, nothing saved): the
 * dev.mnemo.nn.layers.MemNet step / generate path, one block of MNEMO_MEMNET_SEQ_THREADS threads
 * per batch row, the cell's weight in shared memory as in the sequence loop. The state is the
 * layer's MemNetState, advanced in place: h [B, S], c [B, d_v], and the memory as a ring buffer
 * keys [B, M, d_k], values [B, M, d_v] whose slots 0 … min(n, M) − 1 are filled after n steps,
 * step n writing slot n mod M. With n0 = stepsBefore, step t (0 … T−1) of row b:
 *   x_t = x[t, b, :] for t < P, else y_{t−1} (free-running; then d_in = d_out)
 *   u_t = [x_t, relu(h), c];  o = weight·u_t + bias
 *   c = the read of q = o[0, d_k) over slots 0 … f − 1, f = min(n0 + t, M), plus M − f empty slots
 *       unless maskEmptySlots (as mnemo_memnet_read_fwd_small_f32), before the write
 *   keys[b, (n0 + t) mod M] = o[d_k, 2d_k);  values[b, (n0 + t) mod M] = o[2d_k, S);  h = o
 *   y[t, b, :] = stateOutWeight·h + stateOutBias + readOutWeight·c + readOutBias
 * Sizes as the sequence loop's, plus 1 <= P <= T and d_out >= 1. Launch: block
 * MNEMO_MEMNET_SEQ_THREADS, grid B, dynamic shared memory 4·(S·ldw + W + S + d_v + P(S)·S + M + 1
 * + d_out) bytes. Params struct by value, 184 bytes, 8-byte aligned, no padding. Fields (byte
 * offset):
 *   weight          (0)    [S, W]       in
 *   bias            (8)    [S]          in
 *   stateOutWeight  (16)   [d_out, S]   in
 *   stateOutBias    (24)   [d_out]      in
 *   readOutWeight   (32)   [d_out, d_v] in
 *   readOutBias     (40)   [d_out]      in
 *   x               (48)   [P, B, d_in] in
 *   y               (56)   [T, B, d_out] out
 *   h               (64)   [B, S]       in-out
 *   c               (72)   [B, d_v]     in-out
 *   keys            (80)   [B, M, d_k]  in-out
 *   values          (88)   [B, M, d_v]  in-out
 *   steps           (96)   T
 *   prefix          (104)  P
 *   batch           (112)  B
 *   inputWidth      (120)  d_in
 *   keyWidth        (128)  d_k
 *   valueWidth      (136)  d_v
 *   outputWidth     (144)  d_out
 *   slots           (152)  M, 1 .. MNEMO_MEMNET_SEQ_MAX_SLOTS
 *   stepsBefore     (160)  n0 >= 0
 *   maskEmptySlots  (168)  0 or 1
 *   scale           (176)  double, rounded to float once
 * Aliasing: no output overlaps another buffer.
 */
typedef struct mnemo_memnet_stream_params {
  const float* weight;
  const float* bias;
  const float* stateOutWeight;
  const float* stateOutBias;
  const float* readOutWeight;
  const float* readOutBias;
  const float* x;
  float* y;
  float* h;
  float* c;
  float* keys;
  float* values;
  long long steps;
  long long prefix;
  long long batch;
  long long inputWidth;
  long long keyWidth;
  long long valueWidth;
  long long outputWidth;
  long long slots;
  long long stepsBefore;
  long long maskEmptySlots;
  double scale;
} mnemo_memnet_stream_params;

extern "C" __global__ void mnemo_memnet_stream_f32(mnemo_memnet_stream_params p);

/* ───────────────────────── family: persistent (whole-sequence recurrent forward, backward) ─ */
/*
 * One layer and direction of an RNN (tanh / relu), LSTM or GRU over all T steps in ONE launch
 * (Persistent RNNs, Diamos et al. 2016): each block owns J = unitsPerBlock consecutive hidden
 * units j0 = blockIdx.x·J .. min(H, j0 + J) − 1, loads the G·J rows of W_hh that feed them into
 * shared memory once, and keeps them there for the whole sequence. Per step every block copies
 * h_{t−1} [B, H] from global memory (L2) into shared memory, forms its slice of h_{t−1} W_hhᵀ,
 * applies the cell's pointwise math (bit-for-bit the expressions of the per-step kernels above,
 * same gate orders and PyTorch semantics) and writes its units of h_t; then all blocks meet at a
 * grid-wide barrier before the next step reads h_t. The recurrent product is summed in a
 * different order than cuBLAS's, so results agree with the per-step path to float32 rounding,
 * not bit for bit.
 *
 * What the host does around it (the per-step path's layout, so the existing per-step backward
 * runs unchanged after a persistent forward):
 *   gates [T, B, G·H] = x W_ihᵀ  (one GEMM, no bias), then one launch of the kernel below.
 * The kernel reads step t's input projection from gates and, when saveGates = 1 (LSTM, GRU),
 * overwrites it in place with the activated gates the per-step training forward saves there
 * (LSTM i|f|g|o; GRU r|z|n). RNN saves nothing but h (saveGates is ignored).
 *
 * Grid barrier: a counter in global memory (barrier[0]) that each block increments once per step
 * and spins on until it reaches (step+1)·gridDim.x; barrier[1] counts blocks that have finished,
 * and the last one resets both to 0. So barrier must be 0 at launch and is 0 again after a launch
 * that completed. All blocks must be co-resident: launch with cuLaunchCooperativeKernel (which
 * fails, rather than deadlocks, when the grid cannot be co-resident) and a grid no larger than
 * the device's SM count × cuOccupancyMaxActiveBlocksPerMultiprocessor for the dynamic shared
 * memory below. No -rdc is needed (the barrier is ours, not cooperative_groups').
 *
 * Limits: shared memory per block = MNEMO_PERSISTENT_SMEM_BYTES(G, J, B, H) <= the device's
 *   opt-in limit (227 KiB on sm_90: set CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES above
 *   48 KiB); grid = ceil(H / J) <= co-resident blocks; (T − 1)·grid < 2^32.
 *   E.g. H100 (132 SMs, 227 KiB), fp32: LSTM H = 1024, B = 8 needs J = 8 (128 blocks):
 *   (4·8·1024 + 8·1024 + 4·8·8)·4 = 161 KiB per block — fits; H = 2048 does not.
 * Work per step: G·J·B dot products of length H per block, one warp per W_hh row.
 */
#define MNEMO_PERSISTENT_BLOCK_THREADS 256
/* The params' `tuning` bits: each departs from one choice of the cluster kernels' default path,
   so that a benchmark can time the two in the same run. 0 (the default path) is what the library
   launches. Bit 1 switches a path on that timed slower; the others switch fast paths off. */
/* a courier warp carries the block's share of h_t (dRh) to the peers after a block barrier and
   only it arrives with the release, instead of the cells sending it themselves. On the H200 (run
   6) it was slower in every plan that can take it (0.45x to 0.91x), so it is off by default. */
#define MNEMO_PERSISTENT_TUNE_COURIER 1
/* the forward's product reads the slice from shared memory (tiled) instead of holding one slice
   row per thread in registers (129..512 rows of up to 128 columns) */
#define MNEMO_PERSISTENT_TUNE_NO_ROW_SLICE 2
/* a cluster of one block still meets at the cluster barrier each step, instead of a block barrier */
#define MNEMO_PERSISTENT_TUNE_CLUSTER_BARRIER 4
/* the backward's product reads the slice from shared memory (tiled) instead of registers (one
   batch row per cluster, up to 128 rows of 256 columns) */
#define MNEMO_PERSISTENT_TUNE_NO_BWD_REGISTERS 8
/* the backward's product reads the whole slice from shared memory instead of splitting it between
   registers and shared memory (one batch row per cluster, up to 128 rows of 257..512 columns) */
#define MNEMO_PERSISTENT_TUNE_NO_BWD_SPLIT 16
/* the product against a slice held in registers, one batch row per cluster (forward and
   backward), runs as on the H200 in run 7: a row's columns across all 32 lanes at every width (4
   of each lane's 8 column slots zero on a slice of at most 128 columns) and a warp's two tiles
   reduced one after the other, instead of 8 lanes a row up to 128 columns and the two tiles'
   reductions overlapped past that */
#define MNEMO_PERSISTENT_TUNE_SERIAL_REGISTERS 32
/* the backward's split slice holds 128 columns a thread in registers at every width, as on the
   H200 in run 10, instead of 160 from 320 columns on (LSTM and GRU pixel MNIST: a quarter and a
   half fewer weights read from shared memory a step). Written without a GPU: the two are to be
   timed side by side (mnemo_harness persistent_ab, "wide-split"). */
#define MNEMO_PERSISTENT_TUNE_NARROW_SPLIT 64
#define MNEMO_PERSISTENT_TUNE_ALL 127
/* Dynamic shared memory per block in bytes: the W_hh slice [G·J, H], h_{t−1} [B, H] and the
   recurrent products [B, G·J], all float. */
#define MNEMO_PERSISTENT_SMEM_BYTES(G, J, B, H) \
  (4LL * ((long long)(G) * (J) * (H) + (long long)(B) * (H) + (long long)(B) * (G) * (J)))

/*
 * Params struct by value, 128 bytes, 8-byte aligned, no padding. Fields (byte offset):
 *   gates          (0)    [T, B, G·H]  in-out: in x_t W_ihᵀ of every step (no bias); out, when
 *                                      saveGates = 1 (LSTM, GRU), the activated gates, each
 *                                      element overwritten by the thread that read it
 *   wHh            (8)    [G·H, H]     in: W_hh
 *   bIh            (16)   [G·H]        in; MAY BE NULL (no bias)
 *   bHh            (24)   [G·H]        in; MAY BE NULL (no bias)
 *   h0             (32)   [B, H]       in: the initial h
 *   c0             (40)   [B, H]       in: the initial c (LSTM); ignored (MAY BE NULL) otherwise
 *   h              (48)   [T, B, H]    out: h_t for every step (dense, the trace's layout)
 *   c              (56)   [T, B, H]    out: c_t (LSTM); ignored (MAY BE NULL) otherwise. With
 *                                      saveGates = 0 (LSTM inference, which keeps no trace) it is
 *                                      [B, H] instead: the running c, updated in place each step,
 *                                      holding the last processed step's c on return
 *   hn             (64)   [T, B, H]    saved (GRU): gh_n + b_hn per step; MAY BE NULL (not
 *                                      written); ignored by the other cells
 *   barrier        (72)   [2]          scratch (unsigned int): 0 at launch, left 0
 *   steps          (80)                T >= 1
 *   batch          (88)                B >= 1
 *   hidden         (96)                H >= 1
 *   unitsPerBlock  (104)               J >= 1; gridDim.x must be ceil(H / J)
 *   reverse        (108)               0: t = 0..T−1 (h_{t−1} feeds step t); 1: t = T−1..0
 *                                      (h_{t+1} feeds step t), the reverse direction
 *   saveGates      (112)               0 or 1 (see gates and c)
 *   tuning         (116)               0, or MNEMO_PERSISTENT_TUNE_* bits that switch one of the
 *                                      cluster kernels' fast paths off, to time it side by side
 *                                      (mnemo_harness persistent_ab); the cooperative kernels
 *                                      ignore it. Results agree to float32 rounding either way.
 *   lengths        (120)  [B] int      in: the steps of each batch row (a variable-length batch,
 *                                      each in [1, T]); MAY BE NULL (every row runs all T steps).
 *                                      At a step t >= lengths[b] row b carries its state: h_t and
 *                                      c_t are h and c of the step processed before (h0 and c0 when
 *                                      none was: the reverse direction's steps past the row's end),
 *                                      and neither the saved gates nor hn are written there.
 * No output may overlap another array or an input (gates excepted, as said).
 * Launch: cooperative, block MNEMO_PERSISTENT_BLOCK_THREADS, grid ceil(H / J), dynamic shared
 *         memory MNEMO_PERSISTENT_SMEM_BYTES(G, J, B, H) with G = 1 (RNN), 4 (LSTM), 3 (GRU).
 */
typedef struct mnemo_persistent_fwd_params {
  float* gates;
  const float* wHh;
  const float* bIh;
  const float* bHh;
  const float* h0;
  const float* c0;
  float* h;
  float* c;
  float* hn;
  unsigned int* barrier;
  long long steps;
  long long batch;
  long long hidden;
  int unitsPerBlock;
  int reverse;
  int saveGates;
  int tuning;
  const int* lengths;
} mnemo_persistent_fwd_params;

extern "C" __global__ void mnemo_persistent_rnn_fwd_tanh_f32(mnemo_persistent_fwd_params p);
extern "C" __global__ void mnemo_persistent_rnn_fwd_relu_f32(mnemo_persistent_fwd_params p);
extern "C" __global__ void mnemo_persistent_lstm_fwd_f32(mnemo_persistent_fwd_params p);
extern "C" __global__ void mnemo_persistent_gru_fwd_f32(mnemo_persistent_fwd_params p);

/*
 * The whole-sequence backward of one layer direction, in one cooperative launch: the per-step
 * backward's cell math (see the recurrent cells' backward above) and its recurrent GEMM
 * dhRec_{t−1} = dRh_t W_hh fused, in reverse order of the forward. Each block owns the same J units
 * as in the forward and keeps the J COLUMNS of W_hh that produce their h-gradient, W_hh[:, j0..],
 * in shared memory. Per step: (1) every block applies the cell backward to its units with
 * dh = dy_t + dhRec and writes their pre-activation gradients of step t (dWx; GRU also dRh);
 * (2) grid barrier; (3) every block copies all of step t's dRh [B, G·H] from L2 into shared memory
 * and forms dhRec_{t−1} for its units (GRU: plus dh ⊙ z). So the host's per-step work is gone; what
 * stays on the host is what the per-step path does over all steps at once afterwards (dW_ih, dW_hh,
 * dx GEMMs and the bias column sums from dWx / dRh).
 * Shared memory per block: MNEMO_PERSISTENT_BWD_SMEM_BYTES(G, J, B, H) (W_hh columns [J, G·H],
 * step t's dRh [B, G·H], and three [B, J] arrays: the product, dhRec and dc).
 * Barrier, co-residency, grid, block and the (T·grid < 2^32) limit: as the forward's (T barriers).
 */
#define MNEMO_PERSISTENT_BWD_SMEM_BYTES(G, J, B, H) \
  (4LL * ((long long)(G) * (J) * (H) + (long long)(B) * (G) * (H) + 3LL * (B) * (J)))

/*
 * Params struct by value, 152 bytes, 8-byte aligned, no padding. Fields (byte offset):
 *   gates          (0)    [T, B, G·H]  in: the activated gates the forward saved (LSTM, GRU);
 *                                      ignored (MAY BE NULL) by RNN
 *   wHh            (8)    [G·H, H]     in
 *   h0             (16)   [B, H]       in: h before the first forward step (GRU); ignored (MAY
 *                                      BE NULL) otherwise
 *   c0             (24)   [B, H]       in: c before the first forward step (LSTM); ignored (MAY
 *                                      BE NULL) otherwise
 *   h              (32)   [T, B, H]    in: the forward's h (RNN: act' from it; GRU: h_{t−1})
 *   c              (40)   [T, B, H]    in: the forward's c (LSTM); ignored (MAY BE NULL) otherwise
 *   hn             (48)   [T, B, H]    in: the forward's hn (GRU); ignored (MAY BE NULL) otherwise
 *   dy             (56)   [T, B, H]    in: ∂L/∂h_t from the output sequence; MAY BE NULL (0)
 *   dh             (64)   [B, H]       in-out: in ∂L/∂h of the last forward step (0s for none),
 *                                      out ∂L/∂h0
 *   dc             (72)   [B, H]       in-out (LSTM): in ∂L/∂c of the last step, out ∂L/∂c0;
 *                                      ignored (MAY BE NULL) otherwise
 *   dWx            (80)   [T, B, G·H]  out: ∂L/∂ of the gate pre-activations, input side (RNN,
 *                                      LSTM: also the recurrent side; GRU: [dr | dz | dn])
 *   dRh            (88)   [T, B, G·H]  out (GRU): the recurrent side [dr | dz | dn ⊙ r]; ignored
 *                                      (MAY BE NULL) by RNN and LSTM, whose dRh is dWx
 *   barrier        (96)   [2]          scratch (unsigned int): 0 at launch, left 0
 *   steps          (104)               T >= 1
 *   batch          (112)               B >= 1
 *   hidden         (120)               H >= 1
 *   unitsPerBlock  (128)               J >= 1; gridDim.x must be ceil(H / J)
 *   reverse        (132)               as the forward's: 1 for the reverse direction
 *   tuning         (136)               as the forward's
 *   reserved       (140)               must be 0
 *   lengths        (144)  [B] int      in: as the forward's, the same for both. At a step
 *                                      t >= lengths[b] row b's state was carried: the step writes
 *                                      0 to dWx (and dRh) and passes ∂L/∂h (dy_t added) and ∂L/∂c
 *                                      on to the step before unchanged; MAY BE NULL
 * No output may overlap another array or an input (dh and dc are in-out).
 * Launch: cooperative, block MNEMO_PERSISTENT_BLOCK_THREADS, grid ceil(H / J), dynamic shared
 *         memory MNEMO_PERSISTENT_BWD_SMEM_BYTES(G, J, B, H).
 */
typedef struct mnemo_persistent_bwd_params {
  const float* gates;
  const float* wHh;
  const float* h0;
  const float* c0;
  const float* h;
  const float* c;
  const float* hn;
  const float* dy;
  float* dh;
  float* dc;
  float* dWx;
  float* dRh;
  unsigned int* barrier;
  long long steps;
  long long batch;
  long long hidden;
  int unitsPerBlock;
  int reverse;
  int tuning;
  int reserved;
  const int* lengths;
} mnemo_persistent_bwd_params;

extern "C" __global__ void mnemo_persistent_rnn_bwd_tanh_f32(mnemo_persistent_bwd_params p);
extern "C" __global__ void mnemo_persistent_rnn_bwd_relu_f32(mnemo_persistent_bwd_params p);
extern "C" __global__ void mnemo_persistent_lstm_bwd_f32(mnemo_persistent_bwd_params p);
extern "C" __global__ void mnemo_persistent_gru_bwd_f32(mnemo_persistent_bwd_params p);

/*
 * Cluster variants (sm_90 and newer): the same forward and backward, with the per-step grid
 * barrier replaced by a thread-block-cluster barrier and the step's exchange (forward: h_t;
 * backward: the step's dRh) pushed through distributed shared memory instead of a round trip
 * through L2. On an H100 a cluster barrier costs 0.44–0.68 µs against 1.1 µs grid-wide
 * (../shared/reference/gpu-anchors.md), and nothing waits on global memory inside a step.
 *
 * Geometry: a cluster of S = clusterDim.x blocks holds one copy of W_hh, sliced as in the
 * cooperative kernels: block rank r of its cluster owns units j0 = r·J .. min(H, j0 + J) − 1
 * (J = unitsPerBlock, S = ceil(H / J)). The grid is `clusters` such clusters (gridDim.x =
 * clusters·S) that never wait for each other: cluster c runs batch rows
 * [c·Bc, min(B, (c + 1)·Bc)), Bc = ceil(B / clusters) (a cluster left without rows returns).
 * Every block keeps its batch rows of the exchanged vector, double-buffered, in its own shared
 * memory; each thread writes its results into the next buffer of every block of its cluster,
 * then the cluster meets at one barrier per step (release / acquire), so reads never touch
 * global memory that other blocks wrote during the launch. A cluster of one block writes only its
 * own buffer and meets at a block barrier (unless tuning says MNEMO_PERSISTENT_TUNE_CLUSTER_BARRIER). The recurrent products sum in a
 * different order than the cooperative kernels' (warp reduce-scatter over 8 dot products), so
 * both agree with the per-step path to float32 rounding, not bit for bit.
 *
 * Parameters: the cooperative kernels' structs, unchanged; barrier is unused (MAY BE NULL).
 * Launch: cudaLaunchKernelEx / cuLaunchKernelEx (not cooperative) with the launch attribute
 *   CLUSTER_DIMENSION = (S, 1, 1); S <= 8, or <= 16 after setting the function attribute
 *   NON_PORTABLE_CLUSTER_SIZE_ALLOWED = 1; grid clusters·S; block MNEMO_PERSISTENT_BLOCK_THREADS;
 *   dynamic shared memory MNEMO_PERSISTENT_CLUSTER_SMEM_BYTES(G, J, Bc, H) (forward) or
 *   MNEMO_PERSISTENT_CLUSTER_BWD_SMEM_BYTES(G, J, Bc, H) (backward), above 48 KiB only after
 *   raising MAX_DYNAMIC_SHARED_SIZE_BYTES. One cluster must fit the device
 *   (cuOccupancyMaxActiveClusters >= 1). Built for sm_90 and newer; on older devices the entry
 *   points trap (the host must not pick them below compute capability 9.0).
 *   E.g. H100, LSTM H = 256, B = 8: the planner (PersistentClusterPlan) takes 8 clusters of S = 8
 *   blocks, J = 32 units each, one batch row per cluster: 130 KiB per block forward.
 */
/* Whether the float32 forward holds its slice one row per thread (rows below
   MNEMO_PERSISTENT_BLOCK_THREADS in registers, the rest in shared memory): LSTM and GRU slices of
   129..512 rows (G·J) of H columns, H a multiple of 4 up to 128. Then only the rows past the
   threads live in shared memory, so LSTM H = 128 fits one block (512 rows: 128 KiB instead of 256).
   p.tuning's MNEMO_PERSISTENT_TUNE_NO_ROW_SLICE turns it off: that launch needs
   MNEMO_PERSISTENT_CLUSTER_TILED_SMEM_BYTES. */
#define MNEMO_PERSISTENT_CLUSTER_ROW_SLICE(G, J, H)                                                 \
  ((G) > 1 && (H) <= 128 && (H) % 4 == 0 && (long long)(G) * (J) > MNEMO_PERSISTENT_BLOCK_THREADS / 2 && \
   (long long)(G) * (J) <= 2LL * MNEMO_PERSISTENT_BLOCK_THREADS)
/* Rows of the forward's slice kept in shared memory. */
#define MNEMO_PERSISTENT_CLUSTER_SMEM_SLICE_ROWS(G, J, H)                                            \
  (MNEMO_PERSISTENT_CLUSTER_ROW_SLICE(G, J, H)                                                       \
       ? ((long long)(G) * (J) > MNEMO_PERSISTENT_BLOCK_THREADS                                      \
              ? (long long)(G) * (J) - MNEMO_PERSISTENT_BLOCK_THREADS                                \
              : 0LL)                                                                                 \
       : (long long)(G) * (J))
/* Forward, per block: the slice's rows in shared memory (above) [rows, H], h double-buffered
   [2, Bc, H], products [Bc, G·J]. */
#define MNEMO_PERSISTENT_CLUSTER_SMEM_BYTES(G, J, BC, H) \
  (4LL * (MNEMO_PERSISTENT_CLUSTER_SMEM_SLICE_ROWS(G, J, H) * (H) + 2LL * (BC) * (H) + (long long)(BC) * (G) * (J)))
/* Forward with MNEMO_PERSISTENT_TUNE_NO_ROW_SLICE: the whole slice [G·J, H] in shared memory. */
#define MNEMO_PERSISTENT_CLUSTER_TILED_SMEM_BYTES(G, J, BC, H) \
  (4LL * ((long long)(G) * (J) * (H) + 2LL * (BC) * (H) + (long long)(BC) * (G) * (J)))
/* Whether the float32 backward splits its slice (persistent_split_product.cuh): one batch row per
   cluster, J <= 128 rows of 257..512 columns G·H (a multiple of 4). Columns 0..255 (0..319 from 320
   columns on) are then held in registers, the rest in shared memory, sized here for the most, [G·H −
   256, J], with 256 floats of scratch for the halves' sums. p.tuning's MNEMO_PERSISTENT_TUNE_NO_BWD_SPLIT turns it off: that launch needs
   MNEMO_PERSISTENT_CLUSTER_BWD_TILED_SMEM_BYTES. */
#define MNEMO_PERSISTENT_CLUSTER_BWD_SPLIT(G, J, BC, H)                                               \
  ((BC) == 1 && (J) <= MNEMO_PERSISTENT_BLOCK_THREADS / 2 && (long long)(G) * (H) > 256 &&             \
   (long long)(G) * (H) <= 512 && ((long long)(G) * (H)) % 4 == 0)
/* Backward, per block: W_hh columns [J, G·H] (split: only the columns past 256, and 256 floats of
   scratch), dRh double-buffered [2, Bc, G·H], and three [Bc, J] arrays (product, dhRec, dc). */
#define MNEMO_PERSISTENT_CLUSTER_BWD_SMEM_BYTES(G, J, BC, H)                                            \
  (MNEMO_PERSISTENT_CLUSTER_BWD_SPLIT(G, J, BC, H)                                                    \
       ? 4LL * ((long long)(J) * ((long long)(G) * (H) - 256) + 2LL * (BC) * (G) * (H) + 3LL * (BC) * (J) + \
                256)                                                                                   \
       : MNEMO_PERSISTENT_CLUSTER_BWD_TILED_SMEM_BYTES(G, J, BC, H))
/* Backward with the whole slice in shared memory (no split, or MNEMO_PERSISTENT_TUNE_NO_BWD_SPLIT). */
#define MNEMO_PERSISTENT_CLUSTER_BWD_TILED_SMEM_BYTES(G, J, BC, H) \
  (4LL * ((long long)(G) * (J) * (H) + 2LL * (BC) * (G) * (H) + 3LL * (BC) * (J)))

extern "C" __global__ void mnemo_persistent_cluster_rnn_fwd_tanh_f32(mnemo_persistent_fwd_params p);
extern "C" __global__ void mnemo_persistent_cluster_rnn_fwd_relu_f32(mnemo_persistent_fwd_params p);
extern "C" __global__ void mnemo_persistent_cluster_lstm_fwd_f32(mnemo_persistent_fwd_params p);
extern "C" __global__ void mnemo_persistent_cluster_gru_fwd_f32(mnemo_persistent_fwd_params p);
extern "C" __global__ void mnemo_persistent_cluster_rnn_bwd_tanh_f32(mnemo_persistent_bwd_params p);
extern "C" __global__ void mnemo_persistent_cluster_rnn_bwd_relu_f32(mnemo_persistent_bwd_params p);
extern "C" __global__ void mnemo_persistent_cluster_lstm_bwd_f32(mnemo_persistent_bwd_params p);
extern "C" __global__ void mnemo_persistent_cluster_gru_bwd_f32(mnemo_persistent_bwd_params p);

/*
 * bf16-weight cluster variants (opt-in, like TF32 elsewhere): the cluster kernels above with the
 * block's W_hh slice held in shared memory as bfloat16, multiplied in float32 with float32
 * accumulation; everything else (h, gates, c, the exchange, all gradients) stays float32. W_hh in
 * global memory is float32 as always: each block rounds its slice to nearest-even bfloat16 once,
 * at the start of the launch. Why: the slice is most of a block's shared memory and its reads are
 * most of a step's shared-memory traffic, so halving it lets one cluster of <= 16 blocks hold a
 * W_hh about 1.4× wider (LSTM to H ≈ 670 instead of ≈ 470 on an H100) and halves what each step
 * reads.
 *
 * Results: those of the float32 cluster kernel run on W_hh rounded to bfloat16 (8 significant
 * bits, relative error <= 2^-8 per weight), to float32 rounding. Against float32 weights they
 * differ by that rounding carried through the recurrence; the harness checks them against a
 * double reference that uses the rounded weights.
 *
 * Slice layout in shared memory: each row of the slice (forward: [G·J] rows of H; backward: [J]
 * rows of G·H) is ceil(width / 2) 32-bit words, two bfloat16 per word, the lower column in the
 * lower half; an odd width pads its last word with a zero.
 * Parameters and launch: as the float32 cluster variants, with dynamic shared memory
 * MNEMO_PERSISTENT_CLUSTER_BF16W_SMEM_BYTES(G, J, Bc, H) (forward) or
 * MNEMO_PERSISTENT_CLUSTER_BF16W_BWD_SMEM_BYTES(G, J, Bc, H) (backward).
 *   E.g. LSTM H = 256, B = 8, S = 16, J = 16: forward (4·16·128 + 2·8·256 + 8·4·16)·4 = 50 KiB.
 */
#define MNEMO_PERSISTENT_CLUSTER_BF16W_SMEM_BYTES(G, J, BC, H) \
  (4LL * ((long long)(G) * (J) * (((long long)(H) + 1) / 2) + 2LL * (BC) * (H) + (long long)(BC) * (G) * (J)))
#define MNEMO_PERSISTENT_CLUSTER_BF16W_BWD_SMEM_BYTES(G, J, BC, H) \
  (4LL * ((long long)(J) * (((long long)(G) * (H) + 1) / 2) + 2LL * (BC) * (G) * (H) + 3LL * (BC) * (J)))

extern "C" __global__ void mnemo_persistent_cluster_rnn_fwd_tanh_bf16w_f32(mnemo_persistent_fwd_params p);
extern "C" __global__ void mnemo_persistent_cluster_rnn_fwd_relu_bf16w_f32(mnemo_persistent_fwd_params p);
extern "C" __global__ void mnemo_persistent_cluster_lstm_fwd_bf16w_f32(mnemo_persistent_fwd_params p);
extern "C" __global__ void mnemo_persistent_cluster_gru_fwd_bf16w_f32(mnemo_persistent_fwd_params p);
extern "C" __global__ void mnemo_persistent_cluster_rnn_bwd_tanh_bf16w_f32(mnemo_persistent_bwd_params p);
extern "C" __global__ void mnemo_persistent_cluster_rnn_bwd_relu_bf16w_f32(mnemo_persistent_bwd_params p);
extern "C" __global__ void mnemo_persistent_cluster_lstm_bwd_bf16w_f32(mnemo_persistent_bwd_params p);
extern "C" __global__ void mnemo_persistent_cluster_gru_bwd_bf16w_f32(mnemo_persistent_bwd_params p);

/* ───────── persistent, wide-block forward and backward (one block per batch row, opt-in) ───────── */
/*
 * The whole-sequence forward of one RNN, LSTM or GRU layer and direction with one block per batch
 * row, thread r holding row r of W_hh [G·H, H] in registers for the whole sequence: no cluster, no
 * peer block, one block barrier per step (RNN: thread j's row is unit j's whole recurrent input, so
 * it runs the cell on its own sum and the step has that one barrier only; LSTM and GRU exchange the
 * G rows of a unit through shared memory behind a second). Only where the whole of W_hh fits one
 * row per thread: MNEMO_PERSISTENT_WIDE_FITS(G, H), i.e. H a multiple of 4 up to 128 with G·H <=
 * MNEMO_PERSISTENT_WIDE_THREADS: RNN and GRU H <= 128, LSTM H <= 96 (pixel MNIST's GRU: 384 rows
 * of 128, its RNN 128 rows).
 * Parameters: mnemo_persistent_fwd_params unchanged; unitsPerBlock must be H (one block owns every
 * unit), barrier and tuning are unused. Results agree with the cluster kernels and the per-step
 * path to float32 rounding (a row sums four interleaved partials, as the cluster row slice does).
 * Launch: plain (not cooperative, no cluster), grid B, block MNEMO_PERSISTENT_WIDE_BLOCK(G, H)
 * (G·H rounded up to a warp), dynamic shared memory MNEMO_PERSISTENT_WIDE_SMEM_BYTES(G, H) (h
 * double-buffered [2, H], the products [G·H] and the two biases [2, G·H]); blocks never wait for
 * one another, so any B runs. Any architecture the fatbin has.
 */
#define MNEMO_PERSISTENT_WIDE_THREADS 384
#define MNEMO_PERSISTENT_WIDE_FITS(G, H) \
  ((G) >= 1 && (H) >= 1 && (H) <= 128 && (H) % 4 == 0 && (long long)(G) * (H) <= MNEMO_PERSISTENT_WIDE_THREADS)
#define MNEMO_PERSISTENT_WIDE_BLOCK(G, H) (((long long)(G) * (H) + 31) / 32 * 32)
#define MNEMO_PERSISTENT_WIDE_SMEM_BYTES(G, H) (4LL * (2LL * (H) + 3LL * (G) * (H)))

extern "C" __global__ void mnemo_persistent_wide_rnn_fwd_tanh_f32(mnemo_persistent_fwd_params p);
extern "C" __global__ void mnemo_persistent_wide_rnn_fwd_relu_f32(mnemo_persistent_fwd_params p);
extern "C" __global__ void mnemo_persistent_wide_lstm_fwd_f32(mnemo_persistent_fwd_params p);
extern "C" __global__ void mnemo_persistent_wide_gru_fwd_f32(mnemo_persistent_fwd_params p);

/*
 * The wide-block backward, RNN only: one block per batch row of MNEMO_PERSISTENT_WIDE_BLOCK(1, H)
 * threads, thread j holding column j of W_hh in registers. Per step (last to first) thread j runs
 * the cell backward of unit j, writes its dRh to shared memory, meets the block once, and forms its
 * ∂L/∂h_{t−1} from its column and the whole step's dRh. MNEMO_PERSISTENT_WIDE_BWD_FITS(G, H): G = 1
 * and MNEMO_PERSISTENT_WIDE_FITS. Parameters: mnemo_persistent_bwd_params unchanged (gates, h0, c0,
 * c, hn, dc, dRh unused, as the RNN's other backward kernels); unitsPerBlock must be H, barrier and
 * tuning are unused. Launch: plain, grid B, dynamic shared memory
 * MNEMO_PERSISTENT_WIDE_BWD_SMEM_BYTES(H) (dRh double-buffered [2, H]).
 */
#define MNEMO_PERSISTENT_WIDE_BWD_FITS(G, H) ((G) == 1 && MNEMO_PERSISTENT_WIDE_FITS(G, H))
#define MNEMO_PERSISTENT_WIDE_BWD_SMEM_BYTES(H) (8LL * (H))

extern "C" __global__ void mnemo_persistent_wide_rnn_bwd_tanh_f32(mnemo_persistent_bwd_params p);
extern "C" __global__ void mnemo_persistent_wide_rnn_bwd_relu_f32(mnemo_persistent_bwd_params p);

/*
 * Input projection in the kernel (opt-in, not yet timed): the float32 cluster and wide-block
 * forward kernels for a layer with ONE input feature (pixel MNIST, the chaotic series). Instead of
 * reading gx = x_t W_ihᵀ from p.gates (the host's GEMM, [T, B, G·H]: 205 MB at pixel MNIST's LSTM,
 * written once and read once), each thread keeps its unit's G weights of W_ih's column and forms
 * gx[k] = x[t, b] · wIh[k·H + j] itself, rounded once (the bits of the GEMM of one column); x is
 * loaded two steps ahead, as gx is.
 *   p     mnemo_persistent_fwd_params as for the kernel twinned; p.gates is only written (the
 *         saved gates when saveGates = 1), never read, so the host need not fill it
 *   x     [T, B]  in: the one input feature
 *   wIh   [G·H]   in: W_ih's one column
 * Launch, plan and results: as the kernel twinned (cluster: "Cluster variants"; wide-block: above).
 */
extern "C" __global__ void mnemo_persistent_cluster_rnn_fwd_tanh_x1_f32(mnemo_persistent_fwd_params p,
                                                                       const float* x, const float* wIh);
extern "C" __global__ void mnemo_persistent_cluster_rnn_fwd_relu_x1_f32(mnemo_persistent_fwd_params p,
                                                                       const float* x, const float* wIh);
extern "C" __global__ void mnemo_persistent_cluster_lstm_fwd_x1_f32(mnemo_persistent_fwd_params p,
                                                                   const float* x, const float* wIh);
extern "C" __global__ void mnemo_persistent_cluster_gru_fwd_x1_f32(mnemo_persistent_fwd_params p,
                                                                  const float* x, const float* wIh);
extern "C" __global__ void mnemo_persistent_wide_rnn_fwd_tanh_x1_f32(mnemo_persistent_fwd_params p,
                                                                    const float* x, const float* wIh);
extern "C" __global__ void mnemo_persistent_wide_rnn_fwd_relu_x1_f32(mnemo_persistent_fwd_params p,
                                                                    const float* x, const float* wIh);
extern "C" __global__ void mnemo_persistent_wide_lstm_fwd_x1_f32(mnemo_persistent_fwd_params p,
                                                                const float* x, const float* wIh);
extern "C" __global__ void mnemo_persistent_wide_gru_fwd_x1_f32(mnemo_persistent_fwd_params p,
                                                               const float* x, const float* wIh);

/* ───────────────────────────── family: eigen (batched small eigenvalues) ───────────────────────────── */
/*
 * Eigenvalues of many small real square matrices in one launch: one block per matrix, the
 * matrix in shared memory, Householder reduction to upper Hessenberg form (EISPACK orthes),
 * then Francis double-shift QR (EISPACK hqr: deflation on a negligible subdiagonal, exceptional
 * shifts at iterations 10 and 20 of one eigenvalue, a total iteration cap). Values only, no
 * vectors; the Java side (dev.mnemo.nn.linalg.Eigen) checks every matrix's spectrum against
 * cheap invariants and retries a failed one another way.
 *
 * Order: wr/wi are NOT sorted. Entry i is the eigenvalue found at diagonal position i of the
 * real Schur form (a complex pair at positions i, i+1 with wi[i] > 0 > wi[i+1]); the host
 * sorts (EigenResult's order). Arithmetic: the dtype of the entry point throughout.
 *
 * The order limit, MNEMO_EIGEN_MAX_ORDER = 64, comes from shared memory: the matrix lives in a
 * static 64·64 array plus three 64-vectors per block (float: 17,156 bytes; double: 34,312
 * bytes, under the 48 KiB every block may use without an opt-in), and from the launch: one
 * thread per row or column of the O(n²) updates (at most 64 threads).
 *
 *   a             [count, n, n] in: matrix m at a + m·matrixStride, row-major (row stride n)
 *   matrixStride  elements from one matrix to the next, >= n·n
 *   n             order, 1 .. MNEMO_EIGEN_MAX_ORDER
 *   count         matrices, >= 0 (0 launches nothing)
 *   maxIterations cap on the QR iterations of one matrix (all its eigenvalues together);
 *                 0 means EISPACK's 30·n; >= 0
 *   wr            [count, n] out: real parts
 *   wi            [count, n] out: imaginary parts
 *   status        [count] out: >= 0 converged, the QR iterations it took;
 *                 MNEMO_EIGEN_NO_CONVERGENCE (-1) the cap was reached (eigenvalues not found are
 *                 NaN, those found are kept); MNEMO_EIGEN_NOT_FINITE (-2) the input holds a NaN
 *                 or an infinity (all n are NaN)
 * Aliasing: no two arrays may overlap.
 * Launch: grid = count blocks (<= 2^31 - 1), block = 32 threads when n <= 32 else 64; no
 *         dynamic shared memory.
 */
#define MNEMO_EIGEN_MAX_ORDER 64
#define MNEMO_EIGEN_NO_CONVERGENCE (-1)
#define MNEMO_EIGEN_NOT_FINITE (-2)

extern "C" __global__ void mnemo_eigen_hqr_f32(const float* a, long long matrixStride, int n,
                                               int count, int maxIterations, float* wr,
                                               float* wi, int* status);

/* As mnemo_eigen_hqr_f32 in float64 storage and arithmetic. */
extern "C" __global__ void mnemo_eigen_hqr_f64(const double* a, long long matrixStride, int n,
                                               int count, int maxIterations, double* wr,
                                               double* wi, int* status);

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
 *   p            drop probability, in [0, 1] (1: mask 0, y = x·0)
 * Launch: as mnemo_tensor_fill_f32.
 */
extern "C" __global__ void mnemo_dropout_apply_f32(const float* x, float* mask, float* y,
                                                   long long n, long long seed, long long offset,
                                                   double p);

/*
 * As mnemo_dropout_apply_f32, with element i drawing index *position + offset + i (wrapping), the
 * position read from device memory when the kernel runs: recorded work (a CUDA Graph) then draws
 * the mask of the position last written there, not of the one it was recorded with.
 *   position     [1]  in, a device int64
 * Launch: as mnemo_tensor_fill_f32.
 */
extern "C" __global__ void mnemo_dropout_apply_at_f32(const float* x, float* mask, float* y,
                                                      long long n, long long seed,
                                                      const long long* position, long long offset,
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

/* ───────────────────────────── family: gather ────────────────────────────── */
/*
 * out[i, :] = table[rows[i], :] for every i < n (Embedding forward, the row permutations of a
 * packed recurrent pass); rows may repeat, in any order:
 *   table  [R, width]  in; must not overlap out
 *   rows   [n]         in: table rows, each in [0, R) (the host checks)
 *   out    [n, width]  out
 *   n                  rows gathered, >= 0
 *   width              columns, >= 0
 * Launch: block 256 threads, grid ceil(n·width / 256) capped at 65535 (grid-stride over
 *         (i, column), column fastest), at least 1; no dynamic shared memory.
 */
extern "C" __global__ void mnemo_gather_rows_f32(const float* table, const int* rows, float* out,
                                                 long long n, long long width);

/*
 * dst[b, :] = src[b, :] for every row b with t >= lengths[b], other rows untouched: a packed
 * recurrent step run on every row carries the state of rows whose sequence has ended (forward) or
 * not yet begun (reverse), so the loop keeps one shape for any lengths and can be recorded:
 *   dst      [rows, width]  in/out
 *   src      [rows, width]  in; must not overlap dst
 *   lengths  [rows]         in: each row's length as a float (exact below 2^24)
 *   t                       the step, >= 0
 *   rows, width             >= 0
 * Launch: as mnemo_gather_rows_f32 (block 256, grid ceil(rows·width / 256) capped at 65535, at
 *         least 1; grid-stride, column fastest); no dynamic shared memory.
 */
extern "C" __global__ void mnemo_gather_carry_finished_rows_f32(float* dst, const float* src,
                                                                const float* lengths, long long t,
                                                                long long rows, long long width);

/*
 * x[t, b, :] = 0 for every step t >= lengths[b], other elements untouched: the padded steps of a
 * variable-length batch in one launch instead of one fill per step or row:
 *   x           element (t, b, c) at t·stepStride + b·rowStride + c (time-major [T, B, W]:
 *               stepStride B·W, rowStride W; batch-first [B, T, W]: stepStride W, rowStride T·W)
 *   lengths     [rows] in: each row's length as a float (exact below 2^24)
 *   steps, rows, width   >= 0
 * Launch: block 256, grid ceil(steps·rows·width / 256) capped at 65535, at least 1 (grid-stride
 *         over (t, b, c), c fastest); no dynamic shared memory.
 */
extern "C" __global__ void mnemo_gather_zero_ended_steps_f32(float* x, const float* lengths, long long steps,
                                                             long long rows, long long width,
                                                             long long stepStride, long long rowStride);

/* ───────────────────────────── family: input (narrow input-side backward) ─────────────────── */
/*
 * The input side of one recurrent layer direction's backward, over all R = T·B rows at once, for
 * a layer with few inputs (pixel MNIST and the chaotic series have I = 1). With dWx [R, G] the
 * gate pre-activation gradients (G = gates·H; GRU: its input side), x [R, I] the layer's input
 * and W_ih [G, I], the host's two GEMMs and two column sums ("recurrent cells" above) read dWx
 * four times; this reads it once:
 *   dIn[r, i] = Σ_g dWx[r, g]·wIh[g, i] (+ beta·dIn[r, i])        written here
 *   partials[s·G + g]                 = Σ_{r in split s} dWx[r, g]             (→ db_ih, db_hh)
 *   partials[S·G + s·G·I + g·I + i]   = Σ_{r in split s} dWx[r, g]·x[r, i]     (→ dW_ih)
 * for the splits s < S = gridDim.x of rowsPerSplit rows each. Then mnemo_tensor_sum_rows_f32
 * (one pass, beta = 1) adds the S partial rows into each gradient: [S, G] at partials into db_ih
 * (and into db_hh when the recurrent side's gradients are dWx too: RNN, LSTM), [S, G·I] at
 * partials + S·G into dW_ih, whose [G, I] layout they share.
 * Deterministic: every sum runs in an order fixed by (R, G, I); no atomics. The split, shared
 * with the Java launcher (256 blocks: about one wave at two blocks an SM on a 132-SM card, and
 * few partial rows for the column sums to add):
 *   rowsPerSplit = min(R, max(MNEMO_INPUT_NARROW_MIN_SPLIT_ROWS, ceil(R / MNEMO_INPUT_NARROW_TARGET_SPLITS)))
 *   S            = ceil(R / rowsPerSplit)
 * Scratch: partials holds S·G·(1 + I) floats.
 */
#define MNEMO_INPUT_NARROW_MAX_INPUTS 4
#define MNEMO_INPUT_NARROW_MAX_GATES 1024
#define MNEMO_INPUT_NARROW_TARGET_SPLITS 256
#define MNEMO_INPUT_NARROW_MIN_SPLIT_ROWS 64

/*
 *   dIn           [R, I]             in-out (out only when beta = 0); must not overlap the others
 *   partials      [S·G·(1 + I)]      out (layout above)
 *   dWx           [R, G]             in
 *   x             [R, I]             in
 *   wIh           [G, I]             in
 *   rows          R >= 1
 *   gates         G, 1 .. MNEMO_INPUT_NARROW_MAX_GATES
 *   inputs        I, 1 .. MNEMO_INPUT_NARROW_MAX_INPUTS
 *   rowsPerSplit  1 .. R; the split above, or any other (the sums then run in another order)
 *   beta          scale of dIn: 0 overwrites without reading, 1 accumulates (a second direction)
 * Launch: block 256 threads, grid S = ceil(R / rowsPerSplit); no dynamic shared memory
 *         (5 KiB static).
 */
extern "C" __global__ void mnemo_input_narrow_bwd_f32(float* dIn, float* partials, const float* dWx,
                                                      const float* x, const float* wIh, long long rows,
                                                      int gates, int inputs, long long rowsPerSplit,
                                                      float beta);

#endif /* MNEMO_KERNELS_H */
