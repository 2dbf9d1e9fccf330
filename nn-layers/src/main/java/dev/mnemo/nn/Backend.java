package dev.mnemo.nn;

/**
 * The primitives layers are written in. One implementation per device: {@link CpuBackend} (the
 * reference) and {@link dev.mnemo.nn.cuda.CudaBackend} (cuBLAS + Mnemo's kernels). Layers call only this interface and
 * contain no backend {@code if}s.
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li>Tensors are row-major and contiguous; "matrix" means a rank-2 tensor {@code [rows, cols]}, and
 *       "rows" below are those of a matrix or dimension 0 of a {@code [B, ·]} step tensor.</li>
 *   <li>Letters: T steps, B batch, I input width, H hidden width, G gates per cell (RNN 1, LSTM 4,
 *       GRU 3), so gate tensors are {@code [B, G·H]} with gate {@code k} in columns
 *       {@code [k·H, (k+1)·H)}.</li>
 *   <li>Every tensor argument must live on this backend's {@link #device()} with one common element
 *       type; nothing is null unless stated ("nullable"). The layers check their shapes before any
 *       launch. The general operations a user may call directly (copies of columns, transposes,
 *       products, GEMM, row gathers and scatters, the cross-entropy) check theirs, their indices and
 *       their aliasing on every backend alike ({@link BackendChecks}); the cell kernels assume the
 *       layers' checks.</li>
 *   <li>"in-out" arguments are read and then overwritten; aliasing is allowed only where stated.
 *       Gradient outputs overwrite unless the method says it accumulates.</li>
 * </ul>
 */
public interface Backend {

    /** The float32 CPU backend, shared. */
    static Backend cpu() {
        return CpuBackend.float32();
    }

    /**
     * The best backend available: the float32 CUDA backend when a driver and a device answer and the
     * kernels are built ({@code CudaBackend.unavailableReason()} is empty), else {@link #cpu()}.
     */
    static Backend auto() {
        return dev.mnemo.nn.cuda.CudaBackend.isAvailable() ? dev.mnemo.nn.cuda.CudaBackend.float32() : cpu();
    }

    /** The float32 backend of {@code device}. */
    static Backend of(Device device) {
        return of(device, DType.FLOAT32);
    }

    /**
     * The backend of {@code device} whose tensors have element type {@code dtype}; CUDA: the default
     * device's ({@code CudaBackend.float32()}). Code handed bare tensors finds theirs with
     * {@link #of(Tensor)}. float64 exists on the CPU only.
     */
    static Backend of(Device device, DType dtype) {
        return switch (device) {
            case CPU -> dtype == DType.FLOAT64 ? CpuBackend.float64() : CpuBackend.float32();
            case CUDA -> {
                if (dtype != DType.FLOAT32) {
                    throw new IllegalArgumentException("the CUDA backend is float32 only, got " + dtype.label());
                }
                // started on first use; throws UnsupportedOperationException with the reason when CUDA is unavailable
                yield dev.mnemo.nn.cuda.CudaBackend.float32();
            }
        };
    }

    /**
     * The backend that computes on {@code t}: on the CPU as {@link #of(Device, DType)}; a CUDA tensor's
     * own device's float32 backend (which may not be the default device). How code handed bare tensors
     * finds their backend.
     */
    static Backend of(Tensor t) {
        java.util.Objects.requireNonNull(t, "tensor");
        return t.device() == Device.CUDA ? dev.mnemo.nn.cuda.CudaBackend.of(t) : of(t.device(), t.dtype());
    }

    /** Where this backend's tensors live. */
    Device device();

    /** The element type of the tensors this backend allocates. */
    DType dtype();

    // ---- memory ----

    /** A new zero-filled tensor on this device, of this backend's {@link #dtype()}. */
    Tensor zeros(int... shape);

    /**
     * A new tensor whose contents are undefined until written (PyTorch's {@code empty}): for results
     * that a kernel or GEMM overwrites whole, so that no fill runs first. The CPU backend's are zeros;
     * the CUDA backend's hold whatever the memory held.
     */
    default Tensor empty(int... shape) {
        return zeros(shape);
    }

    /**
     * Hands the memory of {@code t} back now rather than when it becomes unreachable: for temporaries
     * whose last use the caller knows (a layer's scratch, saved traces after backward). {@code t} must
     * be a whole tensor of this backend (offset 0, every element of its storage: a reshape of it is
     * fine, a slice is not), and neither it nor any view of its storage may be used afterwards; on
     * CUDA such a use throws {@link IllegalStateException}, and work already queued on it is
     * unaffected (the memory serves only work queued later). A second release is a no-op. The CPU
     * backend leaves its memory to the garbage collector.
     *
     * @throws IllegalArgumentException when {@code t} is null, of another backend, or a slice
     */
    default void release(Tensor t) {
        if (t == null) {
            throw new IllegalArgumentException("t must not be null");
        }
        if (t.device() != device()) {
            throw new IllegalArgumentException("t must be a tensor of this backend (" + device() + "), got " + t);
        }
        if (t.offset() != 0 || t.numel() != t.storage().length()) {
            throw new IllegalArgumentException("release takes a whole tensor, not a view of part of one: " + t
                    + " covers " + t.numel() + " of its storage's " + t.storage().length() + " elements from offset "
                    + t.offset());
        }
    }

    /** A copy of {@code src} (from any device) on this device, of this backend's {@link #dtype()}. */
    Tensor copyOf(Tensor src);

    /**
     * {@code dst ← src}; same numel, shapes may differ. {@code dst} is on this device; {@code src} may be
     * a host tensor (the upload path: layers initialise parameters on the host and copy them in).
     */
    void copy(Tensor src, Tensor dst);

    /** {@code t ← value} everywhere. */
    void fill(Tensor t, double value);

    /**
     * Copies a column block between matrices with the same number of rows:
     * {@code dst[r, dstCol + j] ← src[r, srcCol + j]} for {@code j < width}. Concatenates and splits
     * the two directions of a bidirectional layer.
     */
    void copyColumns(Tensor src, int srcCol, Tensor dst, int dstCol, int width);

    /** {@code dst[j, i, :] ← src[i, j, :]}: swaps the first two dimensions of a rank-3 tensor. */
    void transpose01(Tensor src, Tensor dst);

    /** {@code out ← a ⊙ b}, elementwise, same numel; {@code out} may alias {@code a} or {@code b}. */
    void multiply(Tensor a, Tensor b, Tensor out);

    /**
     * {@code out ← a + b}, elementwise, same numel, each sum rounded once; {@code out} may alias
     * {@code a} or {@code b}.
     */
    void add(Tensor a, Tensor b, Tensor out);

    /**
     * Row-major position of the first NaN or infinite element of {@code t}, or {@code -1} if all are
     * finite. Backs the layers' {@code checkFinite} option.
     */
    long firstNonFinite(Tensor t);

    /**
     * {@code Σ t[i]²} over all elements: pass 1 of global-norm gradient clipping. NaN if an element is
     * NaN, infinite if one is infinite. Both backends square and add in double: the CPU in one pass,
     * CUDA per block and then the block partials in a fixed order, so the two agree up to summation
     * order, also for squares below float32's range or sums past it. Deterministic: the summation
     * order depends only on {@code numel}.
     */
    double sumOfSquares(Tensor t);

    /** {@code t ← factor · t}, elementwise (pass 2 of gradient clipping). */
    void scale(Tensor t, double factor);

    // ---- linear algebra ----

    /**
     * {@code c ← alpha · op(a) · op(b) + beta · c}, where {@code op(m)} is {@code m} or its transpose.
     * With row-major matrices {@code op(a)} is {@code [M, K]} (so {@code a} is {@code [M, K]}, or
     * {@code [K, M]} when {@code transA}), {@code op(b)} is {@code [K, N]}, {@code c} is {@code [M, N]}.
     * {@code beta == 0} overwrites {@code c} without reading it (NaNs in {@code c} do not propagate), as
     * in BLAS. {@code c} must not alias {@code a} or {@code b}.
     */
    void gemm(boolean transA, boolean transB, double alpha, Tensor a, Tensor b, double beta, Tensor c);

    /** {@code out[j] += Σ_r m[r, j]}: accumulates the column sums of matrix {@code m} (bias gradients). */
    void addColumnSums(Tensor m, Tensor out);

    /** {@code m[r, j] += v[j]}: adds a row vector to every row of matrix {@code m} (bias of Linear). */
    void addRowVector(Tensor m, Tensor v);

    /**
     * {@code out[i, :] ← table[rows[i], :]}: gathers rows (Embedding forward, last-step selection).
     * Indices are host ints and must be in range (callers check).
     */
    void gatherRows(Tensor table, int[] rows, Tensor out);

    /**
     * {@code dst[b, :] ← src[b, :]} for every row {@code b} with {@code t ≥ lengths[b]}, other rows
     * untouched: a packed recurrent step run on every row keeps the state of the rows whose sequence
     * has ended (or, in reverse, not yet begun), so the loop has one shape for any lengths. {@code dst}
     * and {@code src} {@code [R, W]}, apart; {@code lengths} {@code [R]}, whole numbers.
     */
    void carryFinishedRows(Tensor dst, Tensor src, Tensor lengths, int t);

    /**
     * {@code x[t, b, :] ← 0} for every step {@code t ≥ lengths[b]}: the padded steps of a
     * variable-length batch, {@code x} time-major {@code [T, B, W]} or, when {@code batchFirst},
     * {@code [B, T, W]}; {@code lengths} {@code [B]}, whole numbers.
     */
    void zeroEndedSteps(Tensor x, Tensor lengths, boolean batchFirst);

    /**
     * {@code table[rows[i], :] += src[i, :]}, in order of {@code i} (repeated rows accumulate):
     * Embedding backward, the adjoint of {@link #gatherRows}.
     */
    void scatterAddRows(Tensor src, int[] rows, Tensor table);

    // ---- losses (fused, one pass) ----

    /**
     * Softmax cross-entropy per row of {@code logits} [N, C] against class {@code targets[r]}, computed
     * stably (log-sum-exp around the row maximum). Writes {@code dLogits ← scale · (softmax − onehot)}
     * and returns the <em>sum</em> over rows of {@code −log softmax[r, target]}. {@code dLogits} may alias
     * {@code logits}.
     */
    double softmaxCrossEntropy(Tensor logits, int[] targets, double scale, Tensor dLogits);

    /**
     * Returns {@code Σ (pred − target)²} over all elements and writes
     * {@code grad ← scale · 2 (pred − target)}. {@code grad} may alias {@code pred}.
     */
    double squaredError(Tensor pred, Tensor target, double scale, Tensor grad);

    // ---- optimizers: one fused elementwise pass over a flat buffer each ----
    // The exact updates of torch.optim (SGD, Adam/AdamW with amsgrad=False, RMSprop), mirroring the
    // kernels mnemo_optim_{sgd,adam,rmsprop}_f32 and their params structs. param, grad and every
    // state buffer have the same numel; none may overlap another. State buffers start as zeros
    // (the caller zero-fills them), except SGD's momentum buffer, which the first step overwrites.
    // The hyper-parameter records are not validated here: the optimizers check them.

    /**
     * The hyper-parameters of one {@link #sgdUpdate} (the header's {@code mnemo_optim_sgd_params}).
     *
     * @param lr          learning rate, ≥ 0
     * @param momentum    ≥ 0; 0 disables the momentum buffer
     * @param dampening   scales the gradient into the buffer by {@code 1 − dampening}
     * @param weightDecay L2 penalty added to the gradient, ≥ 0
     * @param nesterov    Nesterov momentum (needs momentum > 0 and dampening = 0)
     * @param firstStep   the first update with this momentum buffer: it is set to the gradient
     *                    (PyTorch's buffer is {@code None} before); ignored when momentum is 0
     */
    record SgdParams(double lr, double momentum, double dampening, double weightDecay, boolean nesterov,
                     boolean firstStep) {
    }

    /**
     * {@code torch.optim.SGD}, with {@code g = grad + weightDecay·param} (when weightDecay ≠ 0):
     * <pre>
     *   momentum ≠ 0:  buf = firstStep ? g : momentum·buf + (1 − dampening)·g
     *                  g   = nesterov ? g + momentum·buf : buf
     *   param −= lr · g
     * </pre>
     *
     * @param param          in-out
     * @param grad           in
     * @param momentumBuffer in-out (out only on the first step); nullable when momentum is 0
     */
    void sgdUpdate(Tensor param, Tensor grad, Tensor momentumBuffer, SgdParams hp);

    /**
     * The hyper-parameters of one {@link #adamUpdate} (the header's {@code mnemo_optim_adam_params}).
     *
     * @param lr          learning rate, ≥ 0
     * @param beta1       first-moment decay, in [0, 1)
     * @param beta2       second-moment decay, in [0, 1)
     * @param eps         added to the denominator, > 0
     * @param weightDecay ≥ 0: an L2 term in the gradient (Adam) or a decoupled decay (AdamW)
     * @param step        the number of this update, counting from 1 (bias correction)
     * @param decoupled   AdamW
     */
    record AdamParams(double lr, double beta1, double beta2, double eps, double weightDecay, long step,
                      boolean decoupled) {
    }

    /**
     * {@code torch.optim.Adam} ({@code decoupled} false) and {@code torch.optim.AdamW} (true),
     * {@code amsgrad=False}:
     * <pre>
     *   weightDecay ≠ 0:  Adam: g = grad + weightDecay·param;   AdamW: param ·= 1 − lr·weightDecay
     *   expAvg   = lerp(expAvg, g, 1 − beta1)
     *   expAvgSq = beta2·expAvgSq + (1 − beta2)·g²
     *   param   −= lr / (1 − beta1^step) · expAvg / (sqrt(expAvgSq) / sqrt(1 − beta2^step) + eps)
     * </pre>
     *
     * @param param    in-out
     * @param grad     in
     * @param expAvg   in-out: the first moment (zeros before step 1)
     * @param expAvgSq in-out: the second moment (zeros before step 1)
     */
    void adamUpdate(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, AdamParams hp);

    /**
     * The hyper-parameters of one {@link #rmsPropUpdate} (the header's
     * {@code mnemo_optim_rmsprop_params}).
     *
     * @param lr          learning rate, ≥ 0
     * @param alpha       smoothing constant of the squared-gradient average
     * @param eps         added to the denominator, > 0
     * @param weightDecay L2 penalty added to the gradient, ≥ 0
     * @param momentum    ≥ 0; 0 disables the momentum buffer
     * @param centered    normalise by the variance estimate instead of the raw second moment
     */
    record RmsPropParams(double lr, double alpha, double eps, double weightDecay, double momentum,
                         boolean centered) {
    }

    /**
     * {@code torch.optim.RMSprop}, with {@code g = grad + weightDecay·param} (when weightDecay ≠ 0):
     * <pre>
     *   squareAvg = alpha·squareAvg + (1 − alpha)·g²
     *   centered:  gradAvg = lerp(gradAvg, g, 1 − alpha);  avg = sqrt(squareAvg − gradAvg²) + eps
     *   else:      avg = sqrt(squareAvg) + eps
     *   momentum > 0:  buf = momentum·buf + g / avg;  param −= lr · buf
     *   else:          param −= lr · g / avg
     * </pre>
     *
     * @param param          in-out
     * @param grad           in
     * @param squareAvg      in-out (zeros before the first step)
     * @param momentumBuffer in-out (zeros before the first step); nullable when momentum is 0
     * @param gradAvg        in-out (zeros before the first step); nullable when not centered
     */
    void rmsPropUpdate(Tensor param, Tensor grad, Tensor squareAvg, Tensor momentumBuffer, Tensor gradAvg,
                       RmsPropParams hp);

    // ---- dropout ----

    /**
     * Inverted dropout: {@code mask ← keep ? 1/(1−p) : 0}, {@code y ← x ⊙ mask}, where element
     * {@code i} is kept when a counter-based hash of {@code (seed, offset + i)} mapped to [0, 1) is at
     * least {@code p}, {@code p} in [0, 1] (at 1 nothing is kept: mask 0, y = x·0). The hash
     * ({@link CpuBackend#dropoutUniform}) is part of the contract so every backend draws the same
     * mask. {@code y} may alias {@code x}.
     */
    void dropout(Tensor x, double p, long seed, long offset, Tensor mask, Tensor y);

    /**
     * A position that this backend's queued work reads when it runs (on CUDA an int64 in device memory): a
     * dropout stream offset ({@link #dropout(Tensor, double, long, DevicePosition, long, Tensor, Tensor)}), a
     * ring memory's step count ({@link #ringWrite}). It is for work recorded with {@link #record}: a recording
     * holds its kernels' arguments, so a position passed as a number would be the same on every replay. Set the
     * position before a replay and the replay reads that one.
     */
    interface DevicePosition extends AutoCloseable {
        /**
         * Sets the position, in order with this backend's queued work: work queued before still reads the old
         * value, work queued (or replayed) after reads this one.
         */
        void set(long position);

        /** Frees what the backend holds for it (on CUDA 8 bytes of device memory); idempotent. */
        @Override
        void close();
    }

    /** A new {@link DevicePosition}, at 0. On CUDA it allocates: not inside a {@link #record} region. */
    DevicePosition devicePosition();

    /**
     * {@link #dropout(Tensor, double, long, long, Tensor, Tensor)} with element {@code i} drawing stream index
     * {@code position + offset + i} (wrapping, as Java longs add), {@code position} as set when the work runs.
     *
     * @param position from this backend's {@link #devicePosition()}, not closed
     */
    void dropout(Tensor x, double p, long seed, DevicePosition position, long offset, Tensor mask, Tensor y);

    // ---- recurrent cells: one time step, after the two GEMMs ----
    /**
     * A buffer for one step's recurrent product {@code h_{t−1}·W_hhᵀ} of {@code batch} rows and
     * {@code width} (= G·H) columns over depth {@code hidden}: {@code [batch, width]}, or, on a
     * backend that splits the product over H, {@code [S, batch, width]} (S partials that the cell
     * forwards sum). Contents undefined until {@link #recurrentProduct}.
     */
    default Tensor recurrentProductBuffer(int batch, int width, int hidden) {
        return zeros(batch, width);
    }

    /**
     * {@code rh ← hPrev·wHhᵀ} into a buffer of {@link #recurrentProductBuffer}: one GEMM here; a
     * backend that splits writes the partials.
     *
     * @param hPrev [B, H]
     * @param wHh [G·H, H]
     */
    default void recurrentProduct(Tensor hPrev, Tensor wHh, Tensor rh) {
        gemm(false, true, 1.0, hPrev, wHh, 0.0, rh);
    }

    /**
     * A scratch for {@link #depthSplitProduct} of a {@code [rows, cols]} result over {@code depth}:
     * {@code [S, rows, cols]} on a backend that splits such a product into S slices of its depth,
     * else null (one GEMM, no scratch; this default). Contents undefined.
     */
    default Tensor depthSplitBuffer(int rows, int cols, int depth) {
        return null;
    }

    /**
     * {@code c ← a·op(b)} ({@code op(b) = bᵀ} when {@code transB}): one GEMM when {@code partials}
     * is null; with a buffer of {@link #depthSplitBuffer} made for at least {@code c}'s rows, a backend
     * that splits runs S GEMMs over equal slices of the depth into it and sums them into {@code c}.
     * A projected LSTM's per-step products, whose result is narrow and whose depth is long, take it.
     *
     * @param a [M, K]
     * @param b [K, N], or [N, K] when {@code transB}
     * @param c [M, N], overwritten
     */
    default void depthSplitProduct(Tensor a, Tensor b, boolean transB, Tensor c, Tensor partials) {
        gemm(false, transB, 1.0, a, b, 0.0, c);
    }

    // wx = x_t·W_ihᵀ [B, G·H] (all steps' input projection done as one GEMM beforehand);
    // rh = h_{t−1}·W_hhᵀ [B, G·H] (or its partials, see recurrentProductBuffer); bih, bhh [G·H]
    // nullable (no bias). Backward: dhOut [B, H] is
    // ∂L/∂h_t from the layer output; dh [B, H] is in-out: in, ∂L/∂h_t from step t+1; out, the part of
    // ∂L/∂h_{t−1} that does not pass through W_hh (zero for RNN and LSTM, z ⊙ ∂L/∂h_t for GRU) — the
    // caller then adds dRh·W_hh with a beta = 1 GEMM.

    /**
     * RNN forward: {@code h ← f(wx + bih + rh + bhh)}.
     *
     * @param h out [B, H]; also saved, backward needs only it
     */
    void rnnCellForward(Nonlinearity f, Tensor wx, Tensor rh, Tensor bih, Tensor bhh, Tensor h);

    /**
     * RNN backward: {@code dPre ← (dhOut + dh) ⊙ f′(h)}, {@code dh ← 0}.
     *
     * @param h saved [B, H]
     * @param dPre out [B, H]: ∂L/∂ of the pre-activation, which is both the wx and the rh gradient
     */
    void rnnCellBackward(Nonlinearity f, Tensor h, Tensor dhOut, Tensor dh, Tensor dPre);

    /**
     * LSTM forward, gate order i, f, g, o:
     * {@code [i f g o] = [σ σ tanh σ](wx + bih + rh + bhh)}, {@code c = f ⊙ cPrev + i ⊙ g},
     * {@code h = o ⊙ tanh(c)}.
     *
     * @param cPrev in [B, H]
     * @param gates out, saved [B, 4H]: activated gates; may alias {@code wx}; null for inference
     *              (nothing kept for a backward: the gates are not written)
     * @param c out, saved [B, H]; may alias {@code cPrev} exactly (an inference loop's running c)
     * @param h out, saved [B, H]
     */
    void lstmCellForward(Tensor wx, Tensor rh, Tensor bih, Tensor bhh, Tensor cPrev,
                         Tensor gates, Tensor c, Tensor h);

    /**
     * LSTM backward.
     *
     * @param gates saved [B, 4H]
     * @param cPrev saved [B, H]
     * @param c saved [B, H]
     * @param dc in-out [B, H]: in ∂L/∂c_t from step t+1, out ∂L/∂c_{t−1}
     * @param dGates out [B, 4H]: ∂L/∂ of the gate pre-activations (both the wx and the rh gradient)
     */
    void lstmCellBackward(Tensor gates, Tensor cPrev, Tensor c, Tensor dhOut, Tensor dh, Tensor dc,
                          Tensor dGates);

    /**
     * GRU forward, gate order r, z, n, reset applied after the recurrent product:
     * {@code r = σ(wx_r + bih_r + rh_r + bhh_r)}, {@code z = σ(wx_z + bih_z + rh_z + bhh_z)},
     * {@code hn = rh_n + bhh_n}, {@code n = tanh(wx_n + bih_n + r ⊙ hn)},
     * {@code h = (1 − z) ⊙ n + z ⊙ hPrev}.
     *
     * @param hPrev in [B, H]
     * @param gates out, saved [B, 3H]: r, z, n activated; may alias {@code wx}; null for inference
     *              (nothing kept for a backward), together with {@code hn}
     * @param hn out, saved [B, H]: {@code W_hn h_{t−1} + b_hn}; null exactly when gates is
     * @param h out, saved [B, H]
     */
    void gruCellForward(Tensor wx, Tensor rh, Tensor bih, Tensor bhh, Tensor hPrev,
                        Tensor gates, Tensor hn, Tensor h);

    /**
     * Whether a GRU forward keeps its gates and hn (training) or neither (inference).
     *
     * @throws IllegalArgumentException when exactly one of them is null
     */
    static boolean gruKeeps(Tensor gates, Tensor hn) {
        if ((gates == null) != (hn == null)) {
            throw new IllegalArgumentException("gates and hn must both be given (training) or both be null "
                    + "(inference), got gates " + (gates == null ? "null" : "given") + " and hn "
                    + (hn == null ? "null" : "given"));
        }
        return gates != null;
    }

    /**
     * GRU backward. The input and the recurrent gradients differ in the n block only:
     * {@code dRh_n = dWx_n ⊙ r}.
     *
     * @param gates saved [B, 3H]
     * @param hn saved [B, H]
     * @param hPrev saved [B, H]
     * @param dWx out [B, 3H]: ∂L/∂(wx + bih)
     * @param dRh out [B, 3H]: ∂L/∂(rh + bhh)
     */
    void gruCellBackward(Tensor gates, Tensor hn, Tensor hPrev, Tensor dhOut, Tensor dh,
                         Tensor dWx, Tensor dRh);

    // ---- key-value memory read (MemNet): dot-product attention over the slots of a strided memory ----

    /**
     * Where one operand of a {@link MemoryRead} lies: element {@code (b, m, j)} of a logical
     * {@code [B, slots, width]} block is {@code base}'s element
     * {@code offset + b·batchStride + m·slotStride + j} (elements, counted from {@code base}'s own
     * offset). The width is given by the read. One strided view serves both MemNet's window over the
     * step history ({@code [T, B, S]}, slots one step apart) and a separate ring-buffer memory.
     * For a {@code [B, width]} operand (the query, its gradient) {@code slotStride} is unused.
     */
    record Strided(Tensor base, long offset, long batchStride, long slotStride) {
        public Strided {
            java.util.Objects.requireNonNull(base, "base");
        }
    }

    /**
     * One attention read per batch row {@code b}, over {@code slots} filled slots plus
     * {@code emptySlots} zero slots (MemNet's unmasked empty memory: score 0, value 0; 0 when masked):
     * <pre>
     *   s[m]   = scale · ⟨keys[b, m, :], q[b, :]⟩            m &lt; slots;  s = 0 for each empty slot
     *   lse[b] = log(Σ_m exp s[m] + emptySlots)            (−∞ when slots + emptySlots = 0)
     *   c[b,:] = Σ_m exp(s[m] − lse[b]) · values[b, m, :]   (0 when there is no slot)
     * </pre>
     *
     * @param keyWidth   d_k, ≥ 1
     * @param valueWidth d_v, ≥ 1
     */
    record MemoryRead(int batch, int slots, int emptySlots, int keyWidth, int valueWidth, double scale,
                      Strided q, Strided keys, Strided values) {
        public MemoryRead {
            if (batch < 0 || slots < 0 || emptySlots < 0 || keyWidth < 1 || valueWidth < 1) {
                throw new IllegalArgumentException("bad memory read sizes: batch " + batch + ", slots " + slots
                        + ", empty " + emptySlots + ", d_k " + keyWidth + ", d_v " + valueWidth);
            }
            java.util.Objects.requireNonNull(q, "q");
            java.util.Objects.requireNonNull(keys, "keys");
            java.util.Objects.requireNonNull(values, "values");
        }
    }

    /**
     * The forward read of {@link MemoryRead}. Deterministic.
     *
     * @param c   out, contiguous {@code [B, d_v]}
     * @param lse out, contiguous {@code [B]}: the log-sum-exp the backward pass needs
     */
    void memoryReadForward(MemoryRead read, Tensor c, Tensor lse);

    /**
     * The backward read, with {@code a[m] = exp(s[m] − lse)} and {@code D = ⟨c, dc⟩} (= Σ a·⟨V, dc⟩):
     * <pre>
     *   ds[m]          = a[m] · (⟨values[b, m, :], dc[b, :]⟩ − D)
     *   dq[b, :]       = scale · Σ_m ds[m] · keys[b, m, :]          (overwrites)
     *   dKeys[b, m, :]   += scale · ds[m] · q[b, :]                 (accumulates)
     *   dValues[b, m, :] += a[m] · dc[b, :]                         (accumulates)
     * </pre>
     * Empty slots get no gradient. Deterministic: the summation order depends only on the sizes.
     * {@code dq}, {@code dKeys} and {@code dValues} must not overlap the inputs or each other.
     *
     * @param c   the forward's {@code c}, {@code [B, d_v]}
     * @param lse the forward's {@code lse}, {@code [B]}
     * @param dc  in, contiguous {@code [B, d_v]}
     */
    void memoryReadBackward(MemoryRead read, Tensor c, Tensor lse, Tensor dc,
                            Strided dq, Strided dKeys, Strided dValues);

    /**
     * One step's write into a ring memory: with s = {@code step}'s value when the work runs and M the ring's
     * slots, {@code keys[b, s mod M, :] = src[b, keyColumn : keyColumn + d_k]} and
     * {@code values[b, s mod M, :] = src[b, valueColumn : valueColumn + d_v]} for every row b.
     *
     * @param src    {@code [B, W]}, the two column ranges within W
     * @param keys   {@code [B, M, d_k]}, dense
     * @param values {@code [B, M, d_v]}, dense
     * @param step   from this backend's {@link #devicePosition()}, at a value {@code >= 0} when the work runs
     */
    void ringWrite(Tensor src, int keyColumn, int valueColumn, Tensor keys, Tensor values, DevicePosition step);

    // ---- MemNet's whole teacher-forced sequence (optional; the per-step primitives above always work) ----

    /**
     * MemNet's cell sizes and read options (dev.mnemo.nn.layers.MemNet): the state width
     * {@code S = 2·d_k + d_v} and the cell input's width {@code W = d_in + S + d_v}.
     */
    record MemNetCell(int inputWidth, int keyWidth, int valueWidth, int outputWidth, int slots,
                      boolean maskEmptySlots, double scale) {
        /** {@code S = 2·d_k + d_v}. */
        public int stateWidth() {
            return 2 * keyWidth + valueWidth;
        }

        /** {@code W = d_in + S + d_v}. */
        public int cellWidth() {
            return inputWidth + stateWidth() + valueWidth;
        }
    }

    /**
     * MemNet's forward over all T steps: what its step loop computes and saves (see the layer's class
     * comment), with T and B the histories' first two dimensions.
     *
     * @param weight        [S, W] qkv.weight
     * @param bias          [S] qkv.bias
     * @param h0            [S] the learned initial state, broadcast over the batch
     * @param c0            [d_v] the learned initial read
     * @param dropoutP      the fed-back state's dropout, in [0, 1]; 0 for none (evaluation)
     * @param dropoutSeed   its stream
     * @param dropoutOffset the stream index of step 0's first element: step t's mask on r_t [B, S] is
     *                      {@link #dropout}'s with offset {@code dropoutOffset + t·B·S}
     * @param u             in-out [T, B, W]: x in columns [0, d_in) in; r_t and c_{t−1} written after them
     * @param o             out [T, B, S]
     * @param r             out [T, B, S]: dropout(relu(h_{t−1}))
     * @param c             out [T, B, d_v]: the reads
     * @param lse           out [T, B]: the reads' log-sum-exp
     */
    record MemNetForward(MemNetCell cell, Tensor weight, Tensor bias, Tensor h0, Tensor c0, double dropoutP,
                         long dropoutSeed, long dropoutOffset, Tensor u, Tensor o, Tensor r, Tensor c, Tensor lse) {
    }

    /**
     * Runs {@code f} in one go where this backend has a whole-sequence MemNet path and it fits the sizes
     * (CUDA: one launch); returns false, having done nothing, when the caller should run its step loop.
     * The default has no such path.
     */
    default boolean memNetForward(MemNetForward f) {
        return false;
    }

    /**
     * MemNet's backward over all T steps, from what {@link MemNetForward} saved: the step loop of the
     * layer's backward, without the parameter gradients (the caller forms them from dO, dU and u with
     * GEMMs over all steps at once).
     *
     * @param weight         [S, W] qkv.weight
     * @param stateOutWeight [d_out, S] W_s
     * @param readOutWeight  [d_out, d_v] W_c
     * @param dropoutScale   1/(1 − p) for a forward with dropout, else 1
     * @param o              [T, B, S], and r, c, lse: the forward's
     * @param dy             [T, B, d_out] ∂L/∂y
     * @param dO             out [T, B, S]: ∂L/∂o_t
     * @param dU             out [T, B, W]: ∂L/∂u_t
     * @param dh             out [B, S]: ∂L/∂h0 per row (before the sum over the batch)
     * @param dc             out [B, d_v]: ∂L/∂c0 per row
     */
    record MemNetBackward(MemNetCell cell, Tensor weight, Tensor stateOutWeight, Tensor readOutWeight,
                          double dropoutScale, Tensor o, Tensor r, Tensor c, Tensor lse, Tensor dy, Tensor dO,
                          Tensor dU, Tensor dh, Tensor dc) {
    }

    /** As {@link #memNetForward}, for the backward: false (nothing done) means run the step loop. */
    default boolean memNetBackward(MemNetBackward b) {
        return false;
    }

    /**
     * T inference steps of MemNet streams (no dropout, nothing saved), advancing their state in place: the first
     * P take their inputs from {@code x}, the rest the previous step's output (free-running; d_in = d_out). With
     * n0 steps before, step t reads the filled ring slots {@code 0 … min(n0 + t, M) − 1} (plus the empty ones unless
     * masked), then writes its key and value to slot {@code (n0 + t) mod M} (dev.mnemo.nn.layers.MemNetState).
     *
     * @param x           [P, B, d_in], 1 ≤ P ≤ T
     * @param y           out [T, B, d_out]: every step's output
     * @param h           in-out [B, S]; c in-out [B, d_v]; keys in-out [B, M, d_k]; values in-out [B, M, d_v]
     * @param stepsBefore n0, the steps the state has taken
     */
    record MemNetStream(MemNetCell cell, Tensor weight, Tensor bias, Tensor stateOutWeight, Tensor stateOutBias,
                        Tensor readOutWeight, Tensor readOutBias, Tensor x, Tensor y, Tensor h, Tensor c, Tensor keys,
                        Tensor values, long stepsBefore) {
    }

    /** As {@link #memNetForward}, for streaming steps: false (nothing done) means run them one by one. */
    default boolean memNetStream(MemNetStream s) {
        return false;
    }

    // ---- whole-sequence recurrent forward (optional; the per-step primitives above always work) ----

    /** The cells {@link #sequenceForward} runs: RNN with tanh or relu, LSTM, GRU. */
    enum RecurrentCell { RNN_TANH, RNN_RELU, LSTM, GRU }

    /**
     * One layer direction's forward over all T steps, saving exactly what the per-step loop saves
     * (so the per-step backward runs after it unchanged).
     *
     * @param gates   in-out [T, B, G·H]: x·W_ihᵀ for every step in; the activated gates out (LSTM,
     *                GRU, when saves; RNN leaves it as it was), as the per-step cell forward writes
     *                them over wx
     * @param wHh     [G·H, H]
     * @param bih     [G·H], nullable
     * @param bhh     [G·H], nullable
     * @param h0      [B, H] the initial h
     * @param c0      [B, H] the initial c (LSTM), else null
     * @param h       out [T, B, H]: h_t of every step
     * @param c       out [T, B, H]: c_t (LSTM), else null; for inference (saves false) [B, H]
     *                instead: the running c, left holding the last processed step's c
     * @param hn      out [T, B, H]: the GRU's saved recurrent n pre-activation, else null (and null
     *                for inference)
     * @param reverse the reverse direction: steps run t = T−1..0 and h_{t+1} feeds step t
     * @param saves   false for inference: nothing is kept for a backward, so gates keeps the
     *                projection (not written), hn is null and c is only the running state; h is
     *                written either way
     * @param lengths each batch row's steps, in [1, T], for a variable-length batch: at a step past
     *                its end a row carries its state (h_t = h_{t−1}, c_t = c_{t−1}; the initial state
     *                for the reverse direction's steps before it starts), and its gates and hn there
     *                are not written, as the per-step loop of a packed pass leaves them; null when
     *                every row runs all T steps
     * @param x       the direction's input [T, B, I], with {@code wIh} [G·H, I]; or both null (then gates
     *                holds x·W_ihᵀ already). Given, gates holds no projection yet: a backend that runs the
     *                sequence forms it (the GEMM into gates, or, with one input feature, inside its kernel);
     *                one that returns false has done nothing, and the caller then runs the GEMM
     */
    record SequenceForward(RecurrentCell cell, Tensor gates, Tensor wHh, Tensor bih, Tensor bhh, Tensor h0,
                           Tensor c0, Tensor h, Tensor c, Tensor hn, boolean reverse, boolean saves, int[] lengths,
                           Tensor x, Tensor wIh) {
        public SequenceForward {
            if (!saves && hn != null) {
                throw new IllegalArgumentException("hn must be null for an inference forward (saves false): it is "
                        + "kept only for a backward");
            }
            if ((x == null) != (wIh == null)) {
                throw new IllegalArgumentException("x and wIh must both be given (the projection still to form) or "
                        + "both be null (gates holds it), got x " + (x == null ? "null" : "given") + " and wIh "
                        + (wIh == null ? "null" : "given"));
            }
        }

        /** A forward whose gates already hold x·W_ihᵀ. */
        public SequenceForward(RecurrentCell cell, Tensor gates, Tensor wHh, Tensor bih, Tensor bhh, Tensor h0,
                               Tensor c0, Tensor h, Tensor c, Tensor hn, boolean reverse, boolean saves,
                               int[] lengths) {
            this(cell, gates, wHh, bih, bhh, h0, c0, h, c, hn, reverse, saves, lengths, null, null);
        }
    }

    /**
     * Runs {@code f} in one go where this backend has a whole-sequence path and chooses it for this
     * shape (e.g. CUDA's persistent kernels); returns false, having done nothing, when the caller
     * should run the per-step loop instead. The default has no such path.
     */
    default boolean sequenceForward(SequenceForward f) {
        return false;
    }

    /**
     * One layer direction's backward over all T steps (what the per-step loop of cell backwards and
     * {@code dh += dRh_t · W_hh} GEMMs computes), from what the forward saved; the weight, bias and
     * input gradients stay with the caller, formed from dWx / dRh over all steps at once.
     *
     * @param gates   [T, B, G·H] the activated gates the forward saved (RNN: its wx, unused)
     * @param wHh     [G·H, H]
     * @param h0      [B, H] the initial h
     * @param c0      [B, H] the initial c (LSTM), else null
     * @param h       [T, B, H] the forward's h
     * @param c       [T, B, H] the forward's c (LSTM), else null
     * @param hn      [T, B, H] the forward's hn (GRU), else null
     * @param dy      [T, B, H] ∂L/∂h_t from the output sequence
     * @param dh      in-out [B, H]: ∂L/∂h of the forward's last step in, ∂L/∂h0 out
     * @param dc      in-out [B, H] (LSTM): ∂L/∂c likewise, else null
     * @param dWx     out [T, B, G·H]: the gate pre-activation gradients (GRU: the input side)
     * @param dRh     out [T, B, G·H]: the GRU's recurrent-side gradients; null for RNN and LSTM
     * @param reverse the reverse direction (the forward ran t = T−1..0)
     * @param lengths the forward's: at a step past a row's end, dWx and dRh are 0 for the row and ∂L/∂h
     *                (dy added) and ∂L/∂c pass on to the step before unchanged; null when every row
     *                runs all T steps
     */
    record SequenceBackward(RecurrentCell cell, Tensor gates, Tensor wHh, Tensor h0, Tensor c0, Tensor h, Tensor c,
                            Tensor hn, Tensor dy, Tensor dh, Tensor dc, Tensor dWx, Tensor dRh, boolean reverse,
                            int[] lengths) {
    }

    /** As {@link #sequenceForward}, for the backward: false (nothing done) means run the per-step loop. */
    default boolean sequenceBackward(SequenceBackward b) {
        return false;
    }

    /**
     * The input side of one recurrent layer direction's gradients, over all R = T·B rows at once:
     * {@code dwIh += dWxᵀ·x}, {@code dbIh += Σ_rows dWx} (and {@code dbHh} likewise when given: RNN and
     * LSTM, whose recurrent-side gradients are dWx itself), {@code dIn = dWx·wIh + beta·dIn}. The default
     * is two GEMMs and the column sums; a backend may read dWx once instead (CUDA, for few inputs).
     *
     * @param dWx  [R, G·H] the gate pre-activation gradients (GRU: the input side)
     * @param x    [R, I] the direction's input
     * @param wIh  [G·H, I]
     * @param dwIh in-out [G·H, I]
     * @param dbIh in-out [G·H], or null (no bias)
     * @param dbHh in-out [G·H] summed from dWx too, or null (no bias, or the GRU's own dRh)
     * @param dIn  [R, I]: out when beta is 0 (not read), else in-out
     * @param beta 0 (the first direction) or 1 (the second adds its part)
     */
    record InputGradients(Tensor dWx, Tensor x, Tensor wIh, Tensor dwIh, Tensor dbIh, Tensor dbHh, Tensor dIn,
                          double beta) {
    }

    /** Runs {@code g}: see {@link InputGradients}. */
    default void inputGradients(InputGradients g) {
        BackendChecks.inputGradients(g);
        gemm(true, false, 1.0, g.dWx(), g.x(), 1.0, g.dwIh());
        if (g.dbIh() != null) {
            addColumnSums(g.dWx(), g.dbIh());
        }
        if (g.dbHh() != null) {
            addColumnSums(g.dWx(), g.dbHh());
        }
        gemm(false, false, 1.0, g.dWx(), g.wIh(), g.beta(), g.dIn());
    }

    // ---- recorded work (CUDA Graphs) ----

    /**
     * Runs {@code region} now and records the work it queues, so {@link Recording#replay()} can repeat
     * it: the CUDA backend captures it into a CUDA Graph (one launch per replay instead of one per
     * kernel or GEMM); the CPU backend records nothing and reruns the region on each replay.
     *
     * <p>A replay repeats the recorded work with the buffers and scalar arguments of the recording,
     * so the caller keeps every tensor the region touches alive, at the same place, and changes only
     * their contents between replays. The region must only queue work on this backend (no reads to the
     * host, no allocation).
     */
    Recording record(Runnable region);

    /** Recorded work of {@link #record}; close it to free what the backend holds (a graph). */
    interface Recording extends AutoCloseable {
        /** Repeats the recorded work (queued, like any call of the backend). */
        void replay();

        /** Frees the recording; idempotent. */
        @Override
        void close();
    }
}
