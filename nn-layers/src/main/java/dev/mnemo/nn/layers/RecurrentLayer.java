package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The part of {@link Rnn}, {@link Lstm} and {@link Gru} that does not depend on the cell: stacking,
 * directions, the time loop, dropout between layers, {@code batchFirst}, parameters, shape checks and
 * the sequence-level backward. A subclass supplies the gate count and the pointwise cell (forward and
 * backward) as {@link Backend} calls.
 *
 * <h2>Computation, per layer k and direction d</h2>
 * <pre>
 *   WX = X_k · W_ihᵀ                      one GEMM for all T steps      [T·B, G·H]
 *   for each step t (t = 0..T−1, or T−1..0 for the reverse direction):
 *     RH = h_{t−1} · W_hhᵀ                one GEMM                      [B, G·H]
 *     h_t (c_t) = cell(WX_t + b_ih, RH + b_hh, h_{t−1} (c_{t−1}))
 * </pre>
 * Backward runs the steps in the opposite order with the cell's backward and one GEMM
 * {@code dh_{t−1} += dRH_t · W_hh} per step, then forms the weight gradients with one GEMM per weight
 * over all steps ({@code dW_ih += dWXᵀ · X_k}, {@code dW_hh += dRHᵀ · H_prev}) and the bias gradients
 * as column sums.
 *
 * <p>Two variants never record a CUDA Graph: a variable-length pass
 * ({@link #forward(Tensor, RecurrentState, int[])}, rows sorted by length so each step computes the
 * rows still running, see {@link PackedLengths}; a whole-sequence kernel, where the backend picks one,
 * takes the lengths and carries a finished row's state itself) and the LSTM's projection
 * ({@code projSize}: the cell's output m_t gives {@code h_t = m_t · W_hrᵀ}, one more GEMM per step each
 * way), which always runs step by step.
 *
 * <p><b>Parameters</b> by PyTorch {@code state_dict} name and in PyTorch's order: {@code weight_ih_l0},
 * {@code weight_hh_l0}, {@code bias_ih_l0}, {@code bias_hh_l0}, then the same with {@code _reverse}
 * for the second direction, then the next layer ({@link Layer#parameters()}).
 *
 * <p>Not thread-safe: one thread at a time per layer (forward and backward accumulate into shared
 * buffers and advance the dropout stream).
 */
public abstract sealed class RecurrentLayer extends Layer permits Rnn, Lstm, Gru {

    private static final System.Logger LOG = System.getLogger(RecurrentLayer.class.getName());

    private final RecurrentOptions options;
    private final int gateCount;
    private final Weights[] weights;     // [k·dirs + d]
    private final DropoutStream dropout;
    private StepGraphs stepGraphs;       // null when the time loops always run eagerly

    /**
     * The parameter and gradient views of one direction of one layer; biases null when bias=false,
     * the projection {@code wHr} null without projSize.
     */
    private record Weights(Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh, Tensor wHr,
                           Tensor dwIh, Tensor dwHh, Tensor dbIh, Tensor dbHh, Tensor dwHr) {
    }

    RecurrentLayer(RecurrentOptions options, Backend backend, int gateCount) {
        super(backend, layout(options, gateCount));
        this.options = options;
        this.gateCount = gateCount;
        int h = options.hiddenSize();
        int dirs = options.directions();
        this.weights = new Weights[options.numLayers() * dirs];
        for (int k = 0; k < options.numLayers(); k++) {
            for (int d = 0; d < dirs; d++) {
                String sfx = suffix(k, d);
                weights[k * dirs + d] = new Weights(
                        params.value("weight_ih" + sfx), params.value("weight_hh" + sfx),
                        params.value("bias_ih" + sfx), params.value("bias_hh" + sfx), params.value("weight_hr" + sfx),
                        params.gradient("weight_ih" + sfx), params.gradient("weight_hh" + sfx),
                        params.gradient("bias_ih" + sfx), params.gradient("bias_hh" + sfx),
                        params.gradient("weight_hr" + sfx));
            }
        }
        params.initUniform(backend, 1.0 / Math.sqrt(h), options.seed());
        this.dropout = new DropoutStream(options.seed());
        if (backend.device() == dev.mnemo.nn.Device.CUDA) {
            useStepGraphs(graphSightings(System.getProperty(GRAPHS_PROPERTY, "auto")));
        }
        if (options.dropout() > 0 && options.numLayers() == 1) {
            LOG.log(System.Logger.Level.WARNING, "dropout " + options.dropout() + " has no effect with "
                    + "numLayers 1: it applies between stacked layers (" + this + ")");
        }
    }

    /**
     * PyTorch's parameter order: per layer, per direction, weight_ih, weight_hh, bias_ih, bias_hh, and
     * weight_hr when projected.
     */
    private static FlatParameters.Layout layout(RecurrentOptions options, int gateCount) {
        java.util.Objects.requireNonNull(options, "options");
        int h = options.hiddenSize();
        int p = options.outputSize();
        int dirs = options.directions();
        var layout = FlatParameters.layout();
        for (int k = 0; k < options.numLayers(); k++) {
            int in = k == 0 ? options.inputSize() : dirs * p;
            for (int d = 0; d < dirs; d++) {
                String sfx = suffix(k, d);
                layout.add("weight_ih" + sfx, gateCount * h, in);
                layout.add("weight_hh" + sfx, gateCount * h, p);
                if (options.bias()) {
                    layout.add("bias_ih" + sfx, gateCount * h);
                    layout.add("bias_hh" + sfx, gateCount * h);
                }
                if (options.projSize() > 0) {
                    layout.add("weight_hr" + sfx, p, h);
                }
            }
        }
        return layout;
    }

    private static String suffix(int layer, int direction) {
        return "_l" + layer + (direction == 1 ? "_reverse" : "");
    }

    // ---- the cell, supplied by the subclass ----

    /** Tensors of one forward step; {@code c}, {@code cPrev} LSTM only, {@code hn} GRU only. */
    record StepForward(Tensor wx, Tensor rh, Tensor bih, Tensor bhh, Tensor hPrev, Tensor cPrev,
                       Tensor gates, Tensor c, Tensor hn, Tensor h) {
    }

    /** Tensors of one backward step; {@code dRh} is {@code dWx} unless the cell splits them. */
    record StepBackward(Tensor gates, Tensor hPrev, Tensor cPrev, Tensor c, Tensor hn, Tensor h,
                        Tensor dhOut, Tensor dh, Tensor dc, Tensor dWx, Tensor dRh) {
    }

    abstract void cellForward(Backend be, StepForward s);

    abstract void cellBackward(Backend be, StepBackward s);

    /** LSTM: a cell state travels with h. */
    boolean hasCellState() {
        return false;
    }

    /** GRU: the recurrent pre-activation {@code hn} is saved per step. */
    boolean savesHn() {
        return false;
    }

    /** GRU: the gradient w.r.t. the recurrent product differs from the one w.r.t. the input product. */
    boolean splitsRecurrentGradient() {
        return false;
    }

    /** The cell as {@link Backend#sequenceForward} names it. */
    private Backend.RecurrentCell sequenceCell() {
        if (hasCellState()) {
            return Backend.RecurrentCell.LSTM;
        }
        if (savesHn()) {
            return Backend.RecurrentCell.GRU;
        }
        return options.nonlinearity() == dev.mnemo.nn.Nonlinearity.RELU ? Backend.RecurrentCell.RNN_RELU
                : Backend.RecurrentCell.RNN_TANH;
    }

    /** PyTorch's class name for messages: {@code Lstm}. */
    abstract String kind();

    // ---- public API ----

    /** The options this layer was built with. */
    public RecurrentOptions options() {
        return options;
    }

    /** Restarts the dropout stream at {@code seed} (initially the options' seed). */
    public void seedDropout(long seed) {
        dropout.reseed(seed);
    }

    /**
     * Runs the whole sequence.
     *
     * @param x     {@code [T, B, I]} ({@code [B, T, I]} when batchFirst), T ≥ 1, B ≥ 1
     * @param state the initial state, each {@code [numLayers·directions, B, H]}; null for zeros
     * @return output {@code [T, B, directions·H]} (batchFirst: {@code [B, T, ·]}), final state, saved
     * @throws IllegalArgumentException on a wrong shape, device or element type, or (checkFinite) a
     *                                  non-finite element, before any computation
     */
    public RecurrentOutput forward(Tensor x, RecurrentState state) {
        return sequence(x, state, null, true);
    }

    /**
     * Runs a batch of sequences of different lengths, padded to T steps (PyTorch's
     * {@code pack_padded_sequence} with {@code enforce_sorted=False}, then {@code pad_packed_sequence}).
     * Row b reads {@code x} at steps {@code 0..lengths[b]−1} only; its output at later steps is 0; its
     * final state is its state after its own last step: the forward direction ends at
     * {@code t = lengths[b]−1}, and the reverse direction starts there (from the initial state) and
     * ends at {@code t = 0}. {@link #backward} ignores ∂L/∂output at the padded steps and gives 0 for
     * ∂L/∂x there.
     *
     * <p>Internally the rows run sorted by length, so each step computes only the rows still running
     * (cuDNN's packed layout). Packed passes never record a CUDA Graph; where the backend picks a
     * whole-sequence (persistent) kernel for the shape, it runs with the lengths, every row in one
     * launch, a finished row carrying its state.
     *
     * @param lengths one per batch row, each in {@code [1, T]}, any order; null: every row runs T steps
     *                (exactly {@link #forward(Tensor, RecurrentState)})
     * @throws IllegalArgumentException as {@link #forward(Tensor, RecurrentState)}, and on a wrong count
     *                                  or a length outside {@code [1, T]}, before any computation
     */
    public RecurrentOutput forward(Tensor x, RecurrentState state, int[] lengths) {
        return sequence(x, state, lengths, true);
    }

    /**
     * Runs the whole sequence for inference: {@link #forward} keeping nothing for a backward
     * (PyTorch's forward under {@code torch.no_grad()}). The output and final state are those of
     * {@code forward}, bit for bit, on the same backend and path. What it saves: the LSTM and GRU
     * write no activated gates (G·H floats per step and batch row) and the GRU no {@code hn}; every
     * buffer the pass needs besides the output and final state goes back to the backend before it
     * returns. Dropout between layers still follows {@link #isTraining()}, as under {@code no_grad}.
     *
     * @return output and final state as {@link #forward}'s; its saved holds nothing, and
     *         {@link #backward} with it throws
     * @throws IllegalArgumentException as {@link #forward}
     */
    public RecurrentOutput infer(Tensor x, RecurrentState state) {
        return sequence(x, state, null, false);
    }

    /**
     * {@link #infer(Tensor, RecurrentState)} of a variable-length batch: the output and final state of
     * {@link #forward(Tensor, RecurrentState, int[])}, bit for bit, keeping nothing for a backward.
     *
     * @throws IllegalArgumentException as {@link #forward(Tensor, RecurrentState, int[])}
     */
    public RecurrentOutput infer(Tensor x, RecurrentState state, int[] lengths) {
        return sequence(x, state, lengths, false);
    }

    /** {@link #forward} ({@code keeps}) or {@link #infer}: checks, batchFirst or packing, then {@link #run}. */
    private RecurrentOutput sequence(Tensor x, RecurrentState state, int[] lengths, boolean keeps) {
        boolean bf = options.batchFirst();
        String layout = bf ? "[B, T, " : "[T, B, ";
        if (x == null || x.rank() != 3 || x.dim(2) != options.inputSize()) {
            throw new IllegalArgumentException("x must have shape " + layout + options.inputSize() + "] (" + (bf
                    ? "batchFirst, " : "") + "input_size " + options.inputSize() + "), got " + describe(x));
        }
        if (x.dim(0) < 1 || x.dim(1) < 1) {
            throw new IllegalArgumentException("x must have at least one step and one batch row, got "
                    + describe(x));
        }
        int steps = bf ? x.dim(1) : x.dim(0);
        int batch = bf ? x.dim(0) : x.dim(1);
        PackedLengths packed = PackedLengths.of(lengths, steps, batch);
        // a packed pass checks finiteness on each row's own steps only, once sorted (packedSequence)
        InputCheck.require("x", x, backend, this, options.checkFinite() && packed == null);
        checkState("state", state, batch);
        if (packed != null) {
            return packedSequence(x, state, packed, keeps);
        }
        Tensor xt = x;
        if (bf) {
            xt = backend.empty(steps, batch, options.inputSize());
            backend.transpose01(x, xt);
        }
        RecurrentOutput out = run(xt, state, false, bf, keeps, null);
        if (!bf) {
            return out;
        }
        Tensor y = out.output();
        Tensor yb = backend.empty(batch, steps, y.dim(2));
        backend.transpose01(y, yb);
        if (keeps) {
            out.saved().own(y);   // the time-major output stays internal
        } else {
            backend.release(y);
        }
        return new RecurrentOutput(yb, out.state(), out.saved());
    }

    /**
     * A variable-length pass: the caller's rows sorted by length ({@code x}, and the initial state
     * when given), {@link #run} on the sorted rows, then the output (zero at the padded steps) and the
     * final state back in the caller's row order and layout.
     */
    private RecurrentOutput packedSequence(Tensor x, RecurrentState state, PackedLengths packed, boolean keeps) {
        int steps = packed.steps();
        int batch = packed.batch();
        int tb = steps * batch;
        int in = options.inputSize();
        boolean bf = options.batchFirst();
        Tensor xs = backend.empty(steps, batch, in);
        backend.gatherRows(x.reshape(tb, in), packed.toSorted(bf), xs.reshape(tb, in));
        packed.zeroPadding(backend, xs);   // never read by a step, but dW_ih sums over every row: 0·NaN is NaN
        if (options.checkFinite()) {
            InputCheck.requireFiniteSorted("x", xs, backend, packed, bf);
        }
        RecurrentState sorted = state == null ? null
                : new RecurrentState(packed.sortState(backend, state.h()), packed.sortState(backend, state.c()));
        List<Tensor> sortedState = sorted == null ? List.of()
                : java.util.stream.Stream.of(sorted.h(), sorted.c()).filter(java.util.Objects::nonNull).toList();
        RecurrentOutput out = run(xs, sorted, false, true, keeps, packed);
        // sorted and time-major; a finished row's padded steps hold its carried state, not zeros
        Tensor y = out.output();
        int width = y.dim(2);
        Tensor yb = backend.empty(batch, steps, width);
        backend.gatherRows(y.reshape(tb, width), packed.fromSorted(true), yb.reshape(tb, width));
        for (int b = 0; b < batch; b++) {
            if (packed.length(b) < steps) {
                backend.fill(yb.select(b).slice(packed.length(b), steps), 0.0);
            }
        }
        Tensor output = yb;
        if (!bf) {
            output = backend.empty(steps, batch, width);
            backend.transpose01(yb, output);
            backend.release(yb);
        }
        var last = new RecurrentState(packed.unsortState(backend, out.state().h()),
                packed.unsortState(backend, out.state().c()));
        if (keeps) {
            out.saved().own(y);   // the last layer's trace when unidirectional: backward reads it
            sortedState.forEach(out.saved()::own);
        } else {
            backend.release(y);
            releaseAll(sortedState);
        }
        return new RecurrentOutput(output, last, out.saved());
    }

    /**
     * Runs one time step (haste's {@code Iterate}): {@code forward} of a one-step sequence. Only for
     * unidirectional layers; {@code batchFirst} does not apply.
     *
     * @param xT    {@code [B, I]}
     * @param state {@code [numLayers, B, H]} each; null for zeros
     * @return output {@code [B, H]} (the last layer's new h), the new state, saved for backward
     */
    public RecurrentOutput step(Tensor xT, RecurrentState state) {
        return oneStep(xT, state, true);
    }

    /**
     * Runs one time step for inference: {@link #step} keeping nothing for a backward, as
     * {@link #infer} is to {@link #forward} (a streaming decoder's loop).
     *
     * @return output and new state as {@link #step}'s; its saved holds nothing
     * @throws IllegalArgumentException as {@link #step}
     * @throws IllegalStateException    as {@link #step}: the layer is bidirectional
     */
    public RecurrentOutput inferStep(Tensor xT, RecurrentState state) {
        return oneStep(xT, state, false);
    }

    /** {@link #step} ({@code keeps}) or {@link #inferStep}. */
    private RecurrentOutput oneStep(Tensor xT, RecurrentState state, boolean keeps) {
        if (options.bidirectional()) {
            throw new IllegalStateException("step needs a unidirectional layer; " + this
                    + " is bidirectional (its reverse direction needs the whole sequence): use forward");
        }
        if (xT == null || xT.rank() != 2 || xT.dim(1) != options.inputSize() || xT.dim(0) < 1) {
            throw new IllegalArgumentException("xT must have shape [B, " + options.inputSize() + "] (input_size "
                    + options.inputSize() + ", B ≥ 1), got " + describe(xT));
        }
        checkTensor("xT", xT);
        int batch = xT.dim(0);
        checkState("state", state, batch);
        RecurrentOutput out = run(xT.reshape(1, batch, options.inputSize()), state, true, false, keeps, null);
        return new RecurrentOutput(out.output().reshape(batch, options.outputSize()), out.state(), out.saved());
    }

    /**
     * Back-propagates through the pass that produced {@code saved}.
     *
     * <p>Parameter gradients are <b>accumulated</b> into {@link #flatGradients()} (like PyTorch's
     * {@code .grad}); call {@link #zeroGradients()} between updates.
     *
     * @param saved   from this layer's {@code forward} or {@code step}
     * @param dOutput ∂L/∂output, shaped like that output; null for zeros
     * @param dState  ∂L/∂ of the final state, each {@code [numLayers·directions, B, H]}; null, or a null
     *                component, for zeros
     * @return ∂L/∂x and ∂L/∂ of the initial state
     */
    public RecurrentGradients backward(RecurrentSaved saved, Tensor dOutput, RecurrentState dState) {
        checkBackward(saved, dOutput, dState);
        int steps = saved.steps;
        int batch = saved.batch;
        int h = options.hiddenSize();
        int p = options.outputSize();   // h's features: H, or P when projected
        boolean projected = options.projSize() > 0;
        int dirs = options.directions();
        int layers = options.numLayers();
        boolean bf = options.batchFirst() && !saved.fromStep;
        PackedLengths packed = saved.packed;
        boolean unrecorded = packed != null || projected;   // as the forward's loops ran: never in a CUDA Graph
        // ∂L/∂(output of the layer being processed), time-major [T, B, dirs·P], rows sorted when packed
        Tensor dLayerOut;
        boolean ownsDLayerOut = dOutput == null || bf || packed != null;   // made here: released once the layer below has it
        if (dOutput == null) {
            dLayerOut = backend.zeros(steps, batch, dirs * p);
        } else if (packed != null) {
            dLayerOut = backend.empty(steps, batch, dirs * p);
            backend.gatherRows(dOutput.reshape(steps * batch, dirs * p), packed.toSorted(bf),
                    dLayerOut.reshape(steps * batch, dirs * p));
            packed.zeroPadding(backend, dLayerOut);   // ignored, as PyTorch's packing drops it, even when not finite
            if (options.checkFinite()) {
                InputCheck.requireFiniteSorted("dOutput", dLayerOut, backend, packed, bf);
            }
        } else if (bf) {
            dLayerOut = backend.empty(steps, batch, dirs * p);
            backend.transpose01(dOutput, dLayerOut);
        } else {
            dLayerOut = dOutput.reshape(steps, batch, dirs * p);
        }
        // The running dh (and dc) of each (layer, direction) lives in its slice of dh0 (dc0):
        // it starts as ∂L/∂h_n and ends as ∂L/∂h_0.
        Tensor dh0 = backend.zeros(layers * dirs, batch, p);
        Tensor dc0 = hasCellState() ? backend.zeros(layers * dirs, batch, h) : null;
        if (dState != null && dState.h() != null) {
            copyState(dState.h(), dh0, packed);
        }
        if (dc0 != null && dState != null && dState.c() != null) {
            copyState(dState.c(), dc0, packed);
        }

        int tb = steps * batch;
        int gh = gateCount * h;
        Tensor dx = null;
        for (int k = layers - 1; k >= 0; k--) {
            Tensor in = saved.layerInputs[k];
            int inWidth = in.dim(2);
            Tensor dIn = backend.empty(steps, batch, inWidth);   // the first direction's GEMM has β = 0
            for (int d = 0; d < dirs; d++) {
                int idx = k * dirs + d;
                Weights w = weights[idx];
                RecurrentSaved.Trace tr = saved.traces[idx];
                Tensor dOut = dLayerOut;
                if (dirs > 1) {
                    dOut = backend.empty(steps, batch, p);
                    backend.copyColumns(dLayerOut.reshape(tb, dirs * p), d * p, dOut.reshape(tb, p), 0, p);
                }
                // written at every step by the cell backward; a recorded shape's own when it has one
                Tensor[] recorded = stepGraphs == null || unrecorded ? null : stepGraphs.ownedGradients(idx, steps, batch);
                Tensor dWx = recorded != null ? recorded[0] : backend.empty(steps, batch, gh);
                Tensor dRh = !splitsRecurrentGradient() ? dWx
                        : recorded != null ? recorded[1] : backend.empty(steps, batch, gh);
                Tensor dh = dh0.select(idx);
                Tensor dc = dc0 == null ? null : dc0.select(idx);
                Tensor h0 = saved.h0.select(idx);
                Tensor c0 = saved.c0 == null ? null : saved.c0.select(idx);
                // A backend with a whole-sequence path may run all steps' cell backwards and dh GEMMs at once.
                boolean whole = !projected && backend.sequenceBackward(new Backend.SequenceBackward(sequenceCell(),
                        tr.gates(), w.wHh(), h0, c0, tr.h(), tr.c(), tr.hn(), dOut, dh, dc, dWx,
                        splitsRecurrentGradient() ? dRh : null, d == 1, packed == null ? null : packed.sortedLengths()));
                int dir = d;
                var loop = new StepGraphs.BackwardLoop(tr, h0, c0, dOut, dh, dc, dWx, dRh);
                // whole: the backend ran every step at once; else a recording, else the eager loop
                if (projected) {
                    backwardProjectedSteps(w, dir, loop, packed, saved.unprojected[idx]);
                } else if (!whole && (stepGraphs == null || unrecorded
                        || !stepGraphs.backward(idx, loop, l -> backwardSteps(w, dir, l, null)))) {
                    backwardSteps(w, dir, loop, packed);
                }
                accumulateWeightGradients(w, d == 1, in, tr.h(), h0, dWx, dRh);
                backend.gemm(false, false, 1.0, dWx.reshape(tb, gh), w.wIh(), d == 0 ? 0.0 : 1.0,
                        dIn.reshape(tb, inWidth));
                // Queued work still reads these; the stream orders any reuse after it.
                if (recorded == null) {
                    if (dRh != dWx) {
                        backend.release(dRh);
                    }
                    backend.release(dWx);
                }
                if (dOut != dLayerOut) {
                    backend.release(dOut);
                }
            }
            if (ownsDLayerOut) {
                backend.release(dLayerOut);
            }
            if (k > 0) {
                if (saved.dropoutMasks[k] != null) {
                    backend.multiply(dIn, saved.dropoutMasks[k], dIn);
                }
                dLayerOut = dIn;
                ownsDLayerOut = true;
            } else {
                dx = dIn;
            }
        }
        if (saved.fromStep) {
            dx = dx.reshape(batch, options.inputSize());
        } else if (packed != null) {   // dx is 0 at the padded steps, whose dWx rows are 0
            Tensor dxCaller = backend.empty(bf ? new int[]{batch, steps, options.inputSize()}
                    : new int[]{steps, batch, options.inputSize()});
            backend.gatherRows(dx.reshape(tb, options.inputSize()), packed.fromSorted(bf),
                    dxCaller.reshape(tb, options.inputSize()));
            backend.release(dx);
            dx = dxCaller;
            dh0 = packed.unsortState(backend, dh0);
            dc0 = packed.unsortState(backend, dc0);
        } else if (bf) {
            Tensor dxb = backend.empty(batch, steps, options.inputSize());
            backend.transpose01(dx, dxb);
            backend.release(dx);
            dx = dxb;
        }
        return new RecurrentGradients(dx, new RecurrentState(dh0, dc0));
    }

    /** {@code dst ← src}, a state {@code [L·D, B, H]}, its rows sorted when {@code packed}. */
    private void copyState(Tensor src, Tensor dst, PackedLengths packed) {
        if (packed == null) {
            backend.copy(src, dst);
        } else {
            packed.sortState(backend, src, dst);
        }
    }

    /** The saved is this layer's, from a training pass, not released; the gradients have the output's and the state's shapes. */
    private void checkBackward(RecurrentSaved saved, Tensor dOutput, RecurrentState dState) {
        if (saved == null || saved.layer != this) {
            throw new IllegalArgumentException("saved must come from a forward or step of this layer (" + this
                    + ")" + (saved == null ? ", got null" : ", it comes from another layer"));
        }
        if (saved.inference) {
            throw new IllegalArgumentException("saved comes from infer or inferStep, which keep nothing for a "
                    + "backward; run forward (or step) for a pass to back-propagate through");
        }
        if (saved.released()) {
            throw new IllegalStateException("saved was released (RecurrentSaved.release): its traces are gone; run "
                    + "forward again, and release a saved only after its last backward");
        }
        int steps = saved.steps;
        int batch = saved.batch;
        int p = options.outputSize();
        int dirs = options.directions();
        boolean bf = options.batchFirst() && !saved.fromStep;
        int[] outShape = saved.fromStep ? new int[]{batch, p}
                : bf ? new int[]{batch, steps, dirs * p} : new int[]{steps, batch, dirs * p};
        if (dOutput != null) {
            if (!dOutput.hasShape(outShape)) {
                throw new IllegalArgumentException("dOutput must have shape " + Tensor.shapeString(outShape)
                        + " (the output's), got " + describe(dOutput));
            }
            // a packed pass checks finiteness at each row's own steps only, once sorted (backward)
            InputCheck.require("dOutput", dOutput, backend, this, options.checkFinite() && saved.packed == null);
        }
        if (dState != null) {
            checkStateTensor("dState.h", dState.h(), batch, true);
            checkStateTensor("dState.c", dState.c(), batch, hasCellState());
        }
    }

    /**
     * The weight and bias gradients of one (layer, direction), over all steps at once: dW_ih += dWXᵀ·X,
     * dW_hh += dRHᵀ·H_prev (H_prev of the first processed step is h0, of every other step the output of
     * the step before it), db_ih, db_hh += the column sums.
     */
    private void accumulateWeightGradients(Weights w, boolean reverse, Tensor in, Tensor hOut, Tensor h0,
                                           Tensor dWx, Tensor dRh) {
        int steps = hOut.dim(0);
        int batch = hOut.dim(1);
        int h = hOut.dim(2);
        int tb = steps * batch;
        int gh = dWx.dim(2);
        backend.gemm(true, false, 1.0, dWx.reshape(tb, gh), in.reshape(tb, in.dim(2)), 1.0, w.dwIh());
        backend.gemm(true, false, 1.0, dRh.select(reverse ? steps - 1 : 0), h0, 1.0, w.dwHh());
        if (steps > 1) {
            Tensor dRest = reverse ? dRh.slice(0, steps - 1) : dRh.slice(1, steps);
            Tensor hPrev = reverse ? hOut.slice(1, steps) : hOut.slice(0, steps - 1);
            backend.gemm(true, false, 1.0, dRest.reshape(tb - batch, gh), hPrev.reshape(tb - batch, h),
                    1.0, w.dwHh());
        }
        if (options.bias()) {
            backend.addColumnSums(dWx.reshape(tb, gh), w.dbIh());
            backend.addColumnSums(dRh.reshape(tb, gh), w.dbHh());
        }
    }

    // ---- the forward pass, time-major ----

    /**
     * The forward, time-major. Tensors made here that the caller never sees (traces, inner layers'
     * outputs, masks, zero initial states, and {@code x} when {@code ownsInput}) are listed in the
     * saved, so that {@link RecurrentSaved#release} can hand them back; a fully overwritten one is
     * made with {@link Backend#empty} (no fill). Without {@code keeps} (inference) the cells save
     * nothing for a backward, the LSTM's c is one running [B, H] (the final state's slice), each
     * direction's projection goes back to the backend as soon as its loop is queued, and the rest
     * before returning: the saved is empty. A {@code packed} pass (x and the state already in its
     * row order) runs each loop in a whole-sequence kernel given the lengths, or eagerly, each step on
     * the rows still running; never recorded.
     */
    private RecurrentOutput run(Tensor x, RecurrentState state, boolean fromStep, boolean ownsInput, boolean keeps,
                                PackedLengths packed) {
        int steps = x.dim(0);
        int batch = x.dim(1);
        int h = options.hiddenSize();
        int p = options.outputSize();   // h's features: H, or P when projected
        boolean projected = options.projSize() > 0;
        int dirs = options.directions();
        int layers = options.numLayers();
        int tb = steps * batch;
        int gh = gateCount * h;
        List<Tensor> owned = new ArrayList<>();
        if (ownsInput) {
            owned.add(x);
        }
        Tensor h0 = state == null ? owned(owned, backend.zeros(layers * dirs, batch, p)) : state.h();
        Tensor c0 = !hasCellState() ? null
                : state == null ? owned(owned, backend.zeros(layers * dirs, batch, h)) : state.c();
        Tensor hN = backend.empty(layers * dirs, batch, p);   // every slice gets its direction's last h
        Tensor cN = hasCellState() ? backend.empty(layers * dirs, batch, h) : null;
        Tensor[] inputs = new Tensor[layers];
        Tensor[] masks = new Tensor[layers];
        RecurrentSaved.Trace[] traces = new RecurrentSaved.Trace[layers * dirs];
        Tensor[] unprojected = projected && keeps ? new Tensor[layers * dirs] : null;
        Tensor rh = null;   // the eager loop's scratch, made when a loop runs eagerly
        Tensor in = x;
        Tensor layerOut = null;
        int preamble = owned.size();     // the transposed x and zero initial states, read by every layer
        int handedBack = preamble;       // inference: owned[handedBack..] are the layers' buffers not yet released
        for (int k = 0; k < layers; k++) {
            if (k > 0 && isTraining() && options.dropout() > 0) {
                masks[k] = owned(owned, backend.empty(in.shape()));
                Tensor dropped = owned(owned, backend.empty(in.shape()));
                backend.dropout(in, options.dropout(), dropout.seed(), dropout.offset(), masks[k], dropped);
                dropout.advance(in.numel());
                in = dropped;
            }
            inputs[k] = in;
            int layerOutputs = owned.size();   // from here: this layer's own outputs, which the next one reads
            int inWidth = in.dim(2);
            boolean lastLayer = k == layers - 1;
            layerOut = dirs == 1 ? null : backend.empty(steps, batch, dirs * p);
            if (layerOut != null && !lastLayer) {
                owned.add(layerOut);
            }
            for (int d = 0; d < dirs; d++) {
                int idx = k * dirs + d;
                Weights w = weights[idx];
                // packed and projected loops are never recorded; projected ones never take a whole-sequence
                // kernel, packed ones may (the kernel carries a finished row's state, as the eager loop does)
                boolean unrecorded = packed != null || projected;
                StepGraphs graphs = unrecorded ? null : stepGraphs;
                RecurrentSaved.Trace tr = keeps ? trainingTrace(graphs, idx, steps, batch, owned)
                        : inferenceTrace(graphs, idx, steps, batch, cN);
                traces[idx] = tr;
                if (dirs > 1 || !lastLayer) {
                    owned.add(tr.h());   // else it is the layer's output
                }
                backend.gemm(false, true, 1.0, in.reshape(tb, inWidth), w.wIh(), 0.0, tr.gates().reshape(tb, gh));
                Tensor hInit = h0.select(idx);
                Tensor cInit = c0 == null ? null : c0.select(idx);
                // A backend with a whole-sequence path (CUDA's persistent kernels) may run all steps at once.
                boolean whole = !projected && backend.sequenceForward(new Backend.SequenceForward(sequenceCell(), tr.gates(),
                        w.wHh(), w.bIh(), w.bHh(), hInit, cInit, tr.h(), tr.c(), tr.hn(), d == 1, keeps,
                        packed == null ? null : packed.sortedLengths()));
                int dir = d;
                // whole: the backend ran every step at once; else a recording, else the eager loop
                if (!whole && (graphs == null || !graphs.forward(idx, keeps, tr, hInit, cInit,
                        (gTr, gH, gC, gRh) -> forwardSteps(w, dir, gTr, gH, gC, gRh, keeps, null, null)))) {
                    if (rh == null) {   // packed steps run on fewer rows than a split product's buffer has
                        rh = unrecorded ? backend.empty(batch, gh) : backend.recurrentProductBuffer(batch, gh, h);
                    }
                    // projected: the cell's output o ⊙ tanh(c), kept per step for the backward
                    Tensor m = !projected ? null : !keeps ? owned(owned, backend.empty(batch, h))
                            : owned(owned, packed == null ? backend.empty(steps, batch, h) : backend.zeros(steps, batch, h));
                    if (unprojected != null) {
                        unprojected[idx] = m;
                    }
                    forwardSteps(w, dir, tr, hInit, cInit, rh, keeps, packed, m);
                }
                int last = d == 0 ? steps - 1 : 0;
                backend.copy(tr.h().select(last), hN.select(idx));
                if (cN != null && keeps) {
                    backend.copy(tr.c().select(last), cN.select(idx));
                } else if (cN != null && !tr.c().sharesStorageWith(cN)) {   // a recording's own running c
                    backend.copy(tr.c(), cN.select(idx));
                }
                if (dirs == 1) {
                    layerOut = tr.h();
                } else {
                    backend.copyColumns(tr.h().reshape(tb, p), 0, layerOut.reshape(tb, dirs * p), d * p, p);
                }
                if (!keeps) {
                    releaseInferenceScratch(graphs, idx, tr);
                }
            }
            in = layerOut;
            if (!keeps) {
                // The layer below's output and this layer's dropout buffers feed only this layer's
                // projections, now queued: as under no_grad, at most two layers' buffers are alive at
                // once, whatever the depth. The stream orders any reuse after the queued work.
                releaseAll(owned.subList(handedBack, layerOutputs));
                handedBack = layerOutputs;
            }
        }
        if (rh != null) {
            backend.release(rh);
        }
        if (!keeps) {
            releaseAll(owned.subList(handedBack, owned.size()));
            releaseAll(owned.subList(0, preamble));
            return new RecurrentOutput(layerOut, new RecurrentState(hN, cN), RecurrentSaved.inference(this, steps,
                    batch, fromStep));
        }
        var saved = new RecurrentSaved(this, steps, batch, fromStep, inputs, masks, traces, unprojected, h0, c0, packed,
                owned);
        if (stepGraphs != null) {
            stepGraphs.lent(saved);
        }
        return new RecurrentOutput(layerOut, new RecurrentState(hN, cN), saved);
    }

    /**
     * The trace a training forward of (layer, direction) {@code idx} saves: fresh tensors listed in
     * {@code owned}, or a recorded shape's own gates, c and hn (lent: nothing to copy). Each is
     * written whole: gates by the projection GEMM (β = 0), the rest at every step.
     */
    private RecurrentSaved.Trace trainingTrace(StepGraphs graphs, int idx, int steps, int batch, List<Tensor> owned) {
        int h = options.hiddenSize();
        int p = options.outputSize();
        RecurrentSaved.Trace lent = graphs == null ? null : graphs.lend(idx, steps, batch);
        if (lent != null) {
            return new RecurrentSaved.Trace(lent.gates(), backend.empty(steps, batch, p), lent.c(), lent.hn());
        }
        var tr = new RecurrentSaved.Trace(backend.empty(steps, batch, gateCount * h), backend.empty(steps, batch, p),
                hasCellState() ? backend.empty(steps, batch, h) : null, savesHn() ? backend.empty(steps, batch, h) : null);
        owned.add(tr.gates());
        if (tr.c() != null) {
            owned.add(tr.c());
        }
        if (tr.hn() != null) {
            owned.add(tr.hn());
        }
        return tr;
    }

    /**
     * The buffers an inference of (layer, direction) {@code idx} runs in: the projection (gates, kept
     * as it is), h, and for the LSTM only the running c {@code [B, H]}, updated in place step by step
     * (nothing needs c_t afterwards but the final state): the final state's own slice of {@code cN},
     * so the last step leaves it in place. No hn. A recorded shape's own gates and running c when there
     * is one (its h stays the call's own: it may be the output).
     */
    private RecurrentSaved.Trace inferenceTrace(StepGraphs graphs, int idx, int steps, int batch, Tensor cN) {
        int h = options.hiddenSize();
        int p = options.outputSize();
        RecurrentSaved.Trace own = graphs == null ? null : graphs.inferenceTrace(idx, steps, batch);
        if (own != null) {
            return new RecurrentSaved.Trace(own.gates(), backend.empty(steps, batch, p), own.c(), null);
        }
        return new RecurrentSaved.Trace(backend.empty(steps, batch, gateCount * h), backend.empty(steps, batch, p),
                cN == null ? null : cN.select(idx), null);
    }

    /** Hands back an inference direction's projection once its loop is queued, unless a recording owns it. */
    private void releaseInferenceScratch(StepGraphs graphs, int idx, RecurrentSaved.Trace tr) {
        RecurrentSaved.Trace own = graphs == null ? null
                : graphs.inferenceTrace(idx, tr.h().dim(0), tr.h().dim(1));
        if (own != null && own.gates() == tr.gates()) {
            return;
        }
        backend.release(tr.gates());
    }

    private void releaseAll(List<Tensor> tensors) {
        for (Tensor t : tensors) {
            backend.release(t);
        }
    }

    private static Tensor owned(List<Tensor> owned, Tensor t) {
        owned.add(t);
        return t;
    }

    /**
     * The time loop of one direction: per step, {@code rh = h_{t−1}·W_hhᵀ} and the cell forward,
     * which writes the activated gates (and hn) over the projection only when it {@code keeps} them.
     *
     * <p>{@code packed}: each step computes only the rows still running, a prefix of the sorted batch;
     * a finished row carries its state through the step ({@code h_t = h_{t−1}}, and c), so h and c at
     * every step hold each row's current state. The forward direction's last step then holds every
     * row's final state, and a row the reverse direction has not reached yet holds its initial state,
     * which its first step reads as {@code h_{t+1}}; the backward reads the same trace.
     *
     * <p>{@code m} (projSize only): the cell writes its output {@code o ⊙ tanh(c)} there ({@code [T, B, H]}
     * when it {@code keeps}, else one running {@code [B, H]}), and {@code h_t = m_t·W_hrᵀ}.
     */
    private void forwardSteps(Weights w, int d, RecurrentSaved.Trace tr, Tensor hInit, Tensor cInit, Tensor rh,
                              boolean keeps, PackedLengths packed, Tensor m) {
        int steps = tr.h().dim(0);
        int batch = tr.h().dim(1);
        for (int s = 0; s < steps; s++) {
            int t = d == 0 ? s : steps - 1 - s;
            int tPrev = d == 0 ? t - 1 : t + 1;
            Tensor hPrev = s == 0 ? hInit : tr.h().select(tPrev);
            // inference: c is the running [B, H], read and overwritten in place by every step
            Tensor cPrev = cInit == null ? null : s == 0 ? cInit : keeps ? tr.c().select(tPrev) : tr.c();
            Tensor c = tr.c() == null ? null : keeps ? tr.c().select(t) : tr.c();
            Tensor h = tr.h().select(t);
            int rows = packed == null ? batch : packed.active(t);
            if (rows < batch) {
                backend.copy(hPrev.slice(rows, batch), h.slice(rows, batch));
                if (c != null && c != cPrev) {   // a running c already holds it
                    backend.copy(cPrev.slice(rows, batch), c.slice(rows, batch));
                }
            }
            // unpacked: rh may be a split product's partials [S, B, G·H], whose first dimension is not the batch
            Tensor rhRows = packed == null ? rh : firstRows(rh, rows);
            if (packed == null) {
                backend.recurrentProduct(hPrev, w.wHh(), rh);
            } else {
                backend.gemm(false, true, 1.0, firstRows(hPrev, rows), w.wHh(), 0.0, rhRows);
            }
            Tensor gatesT = firstRows(tr.gates().select(t), rows);
            Tensor cellOut = m == null ? h : keeps ? m.select(t) : m;
            cellForward(backend, new StepForward(gatesT, rhRows, w.bIh(), w.bHh(), firstRows(hPrev, rows),
                    firstRows(cPrev, rows), keeps ? gatesT : null, firstRows(c, rows),
                    tr.hn() == null ? null : firstRows(tr.hn().select(t), rows), firstRows(cellOut, rows)));
            if (m != null) {
                backend.gemm(false, true, 1.0, firstRows(cellOut, rows), w.wHr(), 0.0, firstRows(h, rows));
            }
        }
    }

    /** The first {@code rows} rows of {@code t} (dimension 0); {@code t} itself when that is all of them, null for null. */
    private static Tensor firstRows(Tensor t, int rows) {
        return t == null || rows == t.dim(0) ? t : t.slice(0, rows);
    }

    /** The reverse time loop of one direction: per step, the cell backward and {@code dh += dRh_t·W_hh}. */
    private void backwardSteps(Weights w, int d, StepGraphs.BackwardLoop l, PackedLengths packed) {
        RecurrentSaved.Trace tr = l.trace();
        int steps = tr.h().dim(0);
        int batch = tr.h().dim(1);
        for (int s = steps - 1; s >= 0; s--) {
            int t = d == 0 ? s : steps - 1 - s;
            boolean first = s == 0;
            int tPrev = d == 0 ? t - 1 : t + 1;
            // packed: the rows still running; a finished row's dh (dc) passes through the step untouched
            int rows = packed == null ? batch : packed.active(t);
            Tensor dRh = firstRows(l.dRh().select(t), rows);
            cellBackward(backend, new StepBackward(firstRows(tr.gates().select(t), rows),
                    firstRows(first ? l.h0() : tr.h().select(tPrev), rows),
                    l.c0() == null ? null : firstRows(first ? l.c0() : tr.c().select(tPrev), rows),
                    tr.c() == null ? null : firstRows(tr.c().select(t), rows),
                    tr.hn() == null ? null : firstRows(tr.hn().select(t), rows),
                    firstRows(tr.h().select(t), rows), firstRows(l.dOut().select(t), rows), firstRows(l.dh(), rows),
                    firstRows(l.dc(), rows), firstRows(l.dWx().select(t), rows), dRh));
            backend.gemm(false, false, 1.0, dRh, w.wHh(), 1.0, firstRows(l.dh(), rows));
            if (rows < batch) {   // no gradient at a finished row's step: the weight gradients sum over all rows
                backend.fill(l.dWx().select(t).slice(rows, batch), 0.0);
                if (l.dRh() != l.dWx()) {
                    backend.fill(l.dRh().select(t).slice(rows, batch), 0.0);
                }
            }
        }
    }

    /**
     * The reverse time loop of a projected LSTM direction ({@code h_t = m_t·W_hrᵀ}, {@code m_t} the
     * cell's output): per step, {@code ∂L/∂m_t = (dOut_t + dh)·W_hr}, the cell backward from it, and
     * {@code dh ← dGates_t·W_hh}, the running ∂L/∂h of the step before (the cell passes nothing to h
     * directly). Then {@code dW_hr += Σ_t (dOut_t + dh_t)ᵀ·m_t} as two GEMMs over all steps, from the
     * running dh kept per step. Packed: finished rows keep their dh and dc; their m rows are 0, so they
     * add nothing to dW_hr.
     */
    private void backwardProjectedSteps(Weights w, int d, StepGraphs.BackwardLoop l, PackedLengths packed, Tensor m) {
        RecurrentSaved.Trace tr = l.trace();
        int steps = tr.h().dim(0);
        int batch = tr.h().dim(1);
        int h = options.hiddenSize();
        int p = options.outputSize();
        Tensor dhKept = backend.empty(steps, batch, p);   // the running dh as each step found it
        Tensor dm = backend.empty(batch, h);
        Tensor noDh = backend.zeros(batch, h);   // the cell's own dh: h reaches no later step but through W_hr
        for (int s = steps - 1; s >= 0; s--) {
            int t = d == 0 ? s : steps - 1 - s;
            boolean first = s == 0;
            int tPrev = d == 0 ? t - 1 : t + 1;
            int rows = packed == null ? batch : packed.active(t);
            backend.copy(l.dh(), dhKept.select(t));
            Tensor dmRows = firstRows(dm, rows);
            backend.gemm(false, false, 1.0, firstRows(l.dOut().select(t), rows), w.wHr(), 0.0, dmRows);
            backend.gemm(false, false, 1.0, firstRows(l.dh(), rows), w.wHr(), 1.0, dmRows);
            Tensor dGates = firstRows(l.dWx().select(t), rows);
            cellBackward(backend, new StepBackward(firstRows(tr.gates().select(t), rows), null,
                    firstRows(first ? l.c0() : tr.c().select(tPrev), rows), firstRows(tr.c().select(t), rows), null,
                    null, dmRows, firstRows(noDh, rows), firstRows(l.dc(), rows), dGates, dGates));
            backend.gemm(false, false, 1.0, dGates, w.wHh(), 0.0, firstRows(l.dh(), rows));
            if (rows < batch) {   // no gradient at a finished row's step: the weight gradients sum over all rows
                backend.fill(l.dWx().select(t).slice(rows, batch), 0.0);
            }
        }
        int tb = steps * batch;
        backend.gemm(true, false, 1.0, l.dOut().reshape(tb, p), m.reshape(tb, h), 1.0, w.dwHr());
        backend.gemm(true, false, 1.0, dhKept.reshape(tb, p), m.reshape(tb, h), 1.0, w.dwHr());
        backend.release(dhKept);
        backend.release(dm);
        backend.release(noDh);
    }

    // ---- CUDA Graphs (auto by default on CUDA) ----

    /** The system property that sets the CUDA layers' graph mode: {@code auto} (default), {@code true}, {@code false}. */
    public static final String GRAPHS_PROPERTY = "mnemo.cuda.graphs";

    /**
     * {@value #GRAPHS_PROPERTY}'s value as the number of consecutive same-shape calls that record a
     * shape: {@code auto} 2, {@code true} 1, {@code false} 0 (never).
     *
     * @throws IllegalArgumentException for any other value, naming the property
     */
    static int graphSightings(String value) {
        return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "auto" -> 2;
            case "true", "on" -> 1;
            case "false", "off" -> 0;
            default -> throw new IllegalArgumentException("-D" + GRAPHS_PROPERTY + " must be auto, true or false, got '"
                    + value + "'");
        };
    }

    /**
     * Records the forward and the backward time loop of each (layer, direction) per (steps, batch)
     * and replays them on later calls with that shape ({@link Backend#record}: a CUDA Graph on the
     * CUDA backend, one launch instead of 2·T); results are bit for bit those of the eager loops.
     * {@code true} records a shape on its first call. Layers on the CUDA backend start in the
     * {@value #GRAPHS_PROPERTY} mode: by default ({@code auto}) a shape is recorded when a call repeats
     * the previous call's shape, so shapes that change every call stay eager. Costs device memory for
     * buffers the recordings own (per (layer, direction): one trace, ∂L/∂output and the pre-activation
     * gradients) and a few device copies per call. {@code false} frees the recordings.
     */
    public void setStepGraphs(boolean on) {
        useStepGraphs(on ? 1 : 0);
    }

    /** Graph mode by sightings (see {@link #graphSightings}): 0 off, else a shape records on that many calls in a row. */
    void useStepGraphs(int sightings) {
        if (stepGraphs != null && stepGraphs.sightings() == sightings) {
            return;
        }
        if (stepGraphs != null) {
            stepGraphs.close();
            stepGraphs = null;
        }
        if (sightings > 0) {
            stepGraphs = new StepGraphs(backend, sightings);
        }
    }

    /** Whether {@link #setStepGraphs} is on. */
    public boolean usesStepGraphs() {
        return stepGraphs != null;
    }

    /** The graph path's bookkeeping, null when off; for tests. */
    StepGraphs stepGraphs() {
        return stepGraphs;
    }

    // ---- validation ----

    private void checkState(String name, RecurrentState state, int batch) {
        if (state == null) {
            return;
        }
        if (hasCellState() && (state.h() == null) != (state.c() == null)) {
            throw new IllegalArgumentException(name + " of " + kind() + " needs both h and c or neither (null "
                    + "for zeros), got h " + describe(state.h()) + " and c " + describe(state.c()));
        }
        checkStateTensor(name + ".h", state.h(), batch, true);
        checkStateTensor(name + ".c", state.c(), batch, hasCellState());
    }

    private void checkStateTensor(String name, Tensor t, int batch, boolean allowed) {
        if (t == null) {
            return;
        }
        if (!allowed) {
            throw new IllegalArgumentException(name + " must be null: " + kind() + " has no cell state, got "
                    + describe(t));
        }
        int ld = options.numLayers() * options.directions();
        boolean projectedH = options.projSize() > 0 && name.endsWith(".h");   // c keeps H features
        int features = projectedH ? options.projSize() : options.hiddenSize();
        if (!t.hasShape(ld, batch, features)) {
            throw new IllegalArgumentException(name + " must have shape " + Tensor.shapeString(ld, batch,
                    features) + " (num_layers·directions " + ld + ", batch " + batch + " from the "
                    + "input, " + (projectedH ? "proj_size " : "hidden_size ") + features + "), got " + describe(t));
        }
        checkTensor(name, t);
    }

    private void checkTensor(String name, Tensor t) {
        InputCheck.require(name, t, backend, this, options.checkFinite());
    }

    private static String describe(Tensor t) {
        return InputCheck.describe(t);
    }

    /** {@code Lstm(4, 5, numLayers=2, bidirectional=true)}: the sizes and the non-default options. */
    @Override
    public String toString() {
        String extra = options.nonDefaults();
        String be = backend == Backend.cpu() ? "" : "backend=" + backend;
        String rest = String.join(", ", java.util.stream.Stream.of(extra, be).filter(s -> !s.isEmpty()).toList());
        return kind() + "(" + options.inputSize() + ", " + options.hiddenSize() + (rest.isEmpty() ? "" : ", " + rest)
                + ")";
    }
}
