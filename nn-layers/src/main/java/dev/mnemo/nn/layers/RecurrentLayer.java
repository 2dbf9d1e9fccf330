package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;

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
 * <p>A variable-length pass ({@link #forward(Tensor, RecurrentState, int[])}, rows sorted by length,
 * see {@link PackedLengths}) runs each step on the rows still running, or, where the loops are
 * recorded in CUDA Graphs, every row with the finished ones carried; a whole-sequence kernel, where
 * the backend picks one, takes the lengths and carries a finished row's state itself. The LSTM's
 * projection ({@code projSize}: the cell's output m_t gives {@code h_t = m_t · W_hrᵀ}, one more GEMM
 * per step each way) always runs step by step, its loops recorded like the others'.
 *
 * <p><b>Parameters</b> by PyTorch {@code state_dict} name and in PyTorch's order: {@code weight_ih_l0},
 * {@code weight_hh_l0}, {@code bias_ih_l0}, {@code bias_hh_l0}, then the same with {@code _reverse}
 * for the second direction, then the next layer ({@link Layer#parameters()}).
 *
 * <p>This class holds the public API, the parameters and the recording mode; the passes are
 * {@link RecurrentForwardPass} and {@link RecurrentBackwardPass}, the argument checks
 * {@link RecurrentChecks}, the parameter views {@link RecurrentWeights}.
 *
 * <p>Not thread-safe: one thread at a time per layer (forward and backward accumulate into shared
 * buffers and advance the dropout stream).
 */
public abstract sealed class RecurrentLayer extends Layer permits Rnn, Lstm, Gru {

    private static final System.Logger LOG = System.getLogger(RecurrentLayer.class.getName());

    private final RecurrentOptions options;
    private final RecurrentWeights[] weights;     // [k·dirs + d]
    private final DropoutStream dropout;
    private final RecurrentChecks checks;
    private final RecurrentForwardPass forwardPass;
    private final RecurrentBackwardPass backwardPass;
    private StepGraphs stepGraphs;       // null when the time loops always run eagerly
    private PackedLengths lastPacking;   // the last packed call's lengths, with their tensors on the backend

    RecurrentLayer(RecurrentOptions options, Backend backend, int gateCount) {
        super(backend, RecurrentWeights.layout(options, gateCount));
        this.options = options;
        this.weights = RecurrentWeights.of(options, params);
        params.initUniform(backend, 1.0 / Math.sqrt(options.hiddenSize()), options.seed());
        this.dropout = new DropoutStream(options.seed());
        this.checks = new RecurrentChecks(this);
        this.forwardPass = new RecurrentForwardPass(this, gateCount);
        this.backwardPass = new RecurrentBackwardPass(this, gateCount);
        if (backend.device() == dev.mnemo.nn.Device.CUDA) {
            useStepGraphs(graphSightings(System.getProperty(GRAPHS_PROPERTY, "auto")));
        }
        if (options.dropout() > 0 && options.numLayers() == 1) {
            LOG.log(System.Logger.Level.WARNING, "dropout " + options.dropout() + " has no effect with "
                    + "numLayers 1: it applies between stacked layers (" + this + ")");
        }
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
    Backend.RecurrentCell sequenceCell() {
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

    // ---- what the passes read ----

    /** The views of (layer k, direction d), at {@code k·directions + d}. */
    RecurrentWeights weights(int idx) {
        return weights[idx];
    }

    /** The dropout between stacked layers: its seed and offset, advanced by each training pass. */
    DropoutStream dropoutStream() {
        return dropout;
    }

    @Override
    DropoutStream dropoutStreamOrNull() {
        return dropout;
    }

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
     * @param state the initial state, each {@code [numLayers·directions, B, H]} (h: P features when
     *              projected); null, or a null h (and c), for zeros
     * @return output {@code [T, B, directions·H]} (batchFirst: {@code [B, T, ·]}), final state, saved.
     *         The backward may read the output itself ({@link RecurrentSaved}): copy it before changing it
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
     * (cuDNN's packed layout). On CUDA the per-step loops instead run every row at every step, a
     * finished row carrying its state, so that they keep one shape and are recorded as CUDA Graphs
     * like unpacked ones; where the backend picks a whole-sequence
     * (persistent) kernel for the shape, it runs with the lengths, every row in one launch, a finished
     * row carrying its state. The lengths go to the backend once per distinct set: a call with the
     * previous call's lengths reuses them.
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

    /** {@link #forward} ({@code keeps}) or {@link #infer}: checks, batchFirst or packing, then the forward pass. */
    private RecurrentOutput sequence(Tensor x, RecurrentState state, int[] lengths, boolean keeps) {
        boolean bf = options.batchFirst();
        String layout = bf ? "[B, T, " : "[T, B, ";
        if (x == null || x.rank() != 3 || x.dim(2) != options.inputSize()) {
            throw new IllegalArgumentException("x must have shape " + layout + options.inputSize() + "] (" + (bf
                    ? "batchFirst, " : "") + "input_size " + options.inputSize() + "), got " + RecurrentChecks.describe(x));
        }
        if (x.dim(0) < 1 || x.dim(1) < 1) {
            throw new IllegalArgumentException("x must have at least one step and one batch row, got "
                    + RecurrentChecks.describe(x));
        }
        int steps = bf ? x.dim(1) : x.dim(0);
        int batch = bf ? x.dim(0) : x.dim(1);
        PackedLengths packed = packing(lengths, steps, batch);
        // a packed pass checks finiteness on each row's own steps only, once sorted (packedSequence)
        InputCheck.require("x", x, backend, this, options.checkFinite() && packed == null);
        state = checks.state("state", state, batch);
        if (packed != null) {
            return packedSequence(x, state, packed, keeps);
        }
        Tensor xt = x;
        if (bf) {
            xt = backend.empty(steps, batch, options.inputSize());
            backend.transpose01(x, xt);
        }
        RecurrentOutput out = forwardPass.run(xt, state, false, bf, keeps, null);
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
     * The packing of a call's {@code lengths}: the last call's again when they are the same, so its
     * lengths already on the backend serve this call too (a training loop over batches of one set of
     * lengths uploads them once); otherwise a new one, and the last one's tensors are released. A
     * saved forward still holding that one uploads them again if its backward needs them.
     */
    private PackedLengths packing(int[] lengths, int steps, int batch) {
        if (lastPacking != null && lengths != null && lastPacking.packs(lengths, steps, batch)) {
            return lastPacking;
        }
        PackedLengths packed = PackedLengths.of(lengths, steps, batch);
        if (packed != null) {
            if (lastPacking != null) {
                lastPacking.releaseTensors(backend);
            }
            lastPacking = packed;
        }
        return packed;
    }

    /**
     * A variable-length pass: the caller's rows sorted by length ({@code x}, and the initial state
     * when given), the forward pass on the sorted rows, then the output (zero at the padded steps) and the
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
        RecurrentOutput out = forwardPass.run(xs, sorted, false, true, keeps, packed);
        // sorted and time-major; a finished row's padded steps hold its carried state, not zeros
        Tensor y = out.output();
        int width = y.dim(2);
        Tensor yb = backend.empty(batch, steps, width);
        backend.gatherRows(y.reshape(tb, width), packed.fromSorted(true), yb.reshape(tb, width));
        packed.zeroPaddingBatchFirst(backend, yb);
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
            Release.all(backend, sortedState);
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
                    + options.inputSize() + ", B ≥ 1), got " + RecurrentChecks.describe(xT));
        }
        checks.tensor("xT", xT);
        int batch = xT.dim(0);
        state = checks.state("state", state, batch);
        RecurrentOutput out = forwardPass.run(xT.reshape(1, batch, options.inputSize()), state, true, false, keeps, null);
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
     * @throws IllegalStateException when the saved was released, or the weights, x, the initial state or
     *                               the output it reads were written since the forward (an optimizer step)
     */
    public RecurrentGradients backward(RecurrentSaved saved, Tensor dOutput, RecurrentState dState) {
        checks.backward(saved, dOutput, dState);
        return backwardPass.run(saved, dOutput, dState);
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
            case "auto", "" -> 2;   // blank is the default, as for every other knob
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

    /**
     * Whether a pass with {@code packed} lengths runs every row at every step and carries the ended
     * rows ({@link Backend#carryFinishedRows}), a loop of one shape that can be recorded: where loops
     * are recorded. Else each step runs on the rows still running.
     */
    boolean carriesPackedRows(PackedLengths packed) {
        return packed != null && stepGraphs != null;
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
