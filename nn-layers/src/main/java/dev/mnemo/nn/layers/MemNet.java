package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Backend.MemoryRead;
import dev.mnemo.nn.Backend.Strided;
import dev.mnemo.nn.Nonlinearity;
import dev.mnemo.nn.Tensor;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * MemNet, the recurrent key-value event memory of Dou &amp; Principe, "Universal Recurrent Event
 * Memories for Streaming Data" (IJCNN 2023), as in the first author's code. With
 * {@code S = 2·d_k + d_v}, each step computes
 * <pre>
 *   u_t = [x_t, dropout(relu(h_{t−1})), c_{t−1}]                 width d_in + S + d_v
 *   o_t = W u_t + b,   [q_t; k_t; v_t] = o_t,   h_t = o_t        one GEMM (W_q, W_k, W_v fused)
 *   read, before the write (sees the events up to t−1):
 *     s_t[m] = scale · ⟨K_{t−1}[m], q_t⟩,   a_t = softmax_m(s_t),   c_t = Σ_m a_t[m] · V_{t−1}[m]
 *   write: the memory keeps (k_τ, v_τ) of the last M steps τ = t−M+1 … t
 *   y_t = W_s h_t + b_s + W_c c_t + b_c
 * </pre>
 * Each sequence starts from the learned {@code h0}, {@code c0} (broadcast over the batch) and an empty
 * memory: M zero slots that take part in the softmax with score 0 (unless
 * {@link MemNetOptions#maskEmptySlots()}). The read at step t is therefore over the window of steps
 * {@code max(0, t−M) … t−1} of the step history, which is how {@link #forward} computes it (no copy
 * of the memory per step); {@link #step} keeps the same memory as a ring buffer ({@link MemNetState}).
 *
 * <p><b>Three ways to run it.</b>
 * <ul>
 *   <li>{@link #forward}: teacher-forced, {@code x} {@code [T, B, d_in]} → {@code y} {@code [T, B, d_out]},
 *       with {@link #backward} (full back-propagation through time: every parameter, {@code h0} and
 *       {@code c0} included, and ∂L/∂x).</li>
 *   <li>{@link #step}: one step of a stream, advancing a {@link MemNetState} in place; inference only.</li>
 *   <li>{@link #generate}: free-running (autoregressive, d_in = d_out): reads a prefix, then feeds each
 *       {@code y_t} back as {@code x_{t+1}}; inference only.</li>
 * </ul>
 *
 * <p><b>Parameters</b> (views into one flat buffer, in this order; PyTorch-style names):
 * <ul>
 *   <li>{@code qkv.weight} {@code [S, d_in + S + d_v]} = W: rows {@code [0, d_k)} make q, {@code [d_k, 2d_k)}
 *       k, {@code [2d_k, S)} v; columns {@code [0, d_in)} read x, {@code [d_in, d_in + S)} the fed-back
 *       state, the last d_v the previous read. {@code qkv.bias} {@code [S]}. Both U(±1/√(d_in + S + d_v)).</li>
 *   <li>{@code state_out.weight} {@code [d_out, S]} = W_s, {@code state_out.bias} {@code [d_out]}: U(±1/√S).</li>
 *   <li>{@code read_out.weight} {@code [d_out, d_v]} = W_c, {@code read_out.bias} {@code [d_out]}: U(±1/√d_v).</li>
 *   <li>{@code h0} {@code [S]}, {@code c0} {@code [d_v]}: the learned initial state, N(0, 0.1²).</li>
 * </ul>
 * Linear layers use PyTorch's default bounds; all draws come in buffer order from the options' seed.
 * The count does not depend on M: d_in = d_out = 1, d_k = d_v = 32 gives 12,738.
 *
 * <p><b>Differs from the authors' code</b>: the memory is a window (forward) or a ring buffer (step)
 * rather than a shifted FIFO, which changes only the summation order of the read; the scale and the
 * masking of empty slots are options; dropout masks come from the counter-based stream of
 * {@link Backend#dropout} ({@link #seedDropout}).
 *
 * <p>On CUDA each of {@link #forward}, {@link #backward}, {@link #step} and {@link #generate} is one kernel where
 * the cell fits a block's shared memory (at most 256 slots; {@link Backend#memNetForward},
 * {@link Backend#memNetStream}); elsewhere the step loops below run, which are the reference (on CUDA recorded
 * in CUDA Graphs, {@link #setStepGraphs}: the sequence loops per shape, a state's streaming step once its ring
 * is full).
 *
 * <p>Not thread-safe: one thread at a time per layer.
 */
public final class MemNet extends Layer {

    private final MemNetOptions options;
    private final int inputSize;
    private final int outputSize;
    private final int keySize;
    private final int valueSize;
    private final int slots;
    private final int stateSize;     // S
    private final int cellInputSize; // d_in + S + d_v
    private final DropoutStream dropout;
    private MemNetGraphs graphs;     // null: the step loops always run eagerly

    /** A float32 CPU layer. */
    public MemNet(MemNetOptions options) {
        this(options, Backend.cpu());
    }

    /** A layer whose parameters live on, and whose computation runs on, {@code backend}. */
    public MemNet(MemNetOptions options, Backend backend) {
        Objects.requireNonNull(options, "options");
        super(backend, FlatParameters.layout()
                .add("qkv.weight", options.stateSize(), options.cellInputSize())
                .add("qkv.bias", options.stateSize())
                .add("state_out.weight", options.outputSize(), options.stateSize())
                .add("state_out.bias", options.outputSize())
                .add("read_out.weight", options.outputSize(), options.valueSize())
                .add("read_out.bias", options.outputSize())
                .add("h0", options.stateSize())
                .add("c0", options.valueSize()));
        this.options = options;
        this.inputSize = options.inputSize();
        this.outputSize = options.outputSize();
        this.keySize = options.keySize();
        this.valueSize = options.valueSize();
        this.slots = options.slots();
        this.stateSize = options.stateSize();
        this.cellInputSize = options.cellInputSize();
        this.dropout = new DropoutStream(options.seed());
        initialise();
        if (backend.device() == dev.mnemo.nn.Device.CUDA) {
            useStepGraphs(RecurrentLayer.graphSightings(System.getProperty(RecurrentLayer.GRAPHS_PROPERTY, "auto")));
        }
    }

    /** Draws every parameter in buffer order from one stream (see the class comment for the laws). */
    private void initialise() {
        var rnd = new SplittableRandom(options.seed());
        double[] host = new double[(int) params.values().numel()];
        int at = 0;
        for (var e : params.valueViews().entrySet()) {
            String name = e.getKey();
            int fanIn = name.startsWith("qkv.") ? cellInputSize
                    : name.startsWith("state_out.") ? stateSize
                    : name.startsWith("read_out.") ? valueSize
                    : 0;   // h0, c0
            double bound = fanIn == 0 ? 0 : 1.0 / Math.sqrt(fanIn);
            for (long i = 0; i < e.getValue().numel(); i++) {
                host[at++] = fanIn == 0 ? 0.1 * rnd.nextGaussian() : (2.0 * rnd.nextDouble() - 1.0) * bound;
            }
        }
        backend.copy(Tensor.of(host, host.length), params.values());
    }

    // ---- parameters and modes ----

    public MemNetOptions options() {
        return options;
    }

    /**
     * Records the step loops in CUDA Graphs where no one-launch kernel runs them (e.g. more than 256 slots) and
     * replays them: the sequence loops for later calls of the same shape ({@link MemNetGraphs}), a state's
     * streaming step once its ring is full ({@link MemNetStepGraph}); off runs them eagerly. On CUDA the default follows {@value RecurrentLayer#GRAPHS_PROPERTY} as for the recurrent layers:
     * {@code auto} records a shape when a call repeats the previous call's.
     */
    public void setStepGraphs(boolean on) {
        useStepGraphs(on ? 1 : 0);
    }

    /** Whether the step loops may be recorded ({@link #setStepGraphs}). */
    public boolean usesStepGraphs() {
        return graphs != null;
    }

    /** Graph mode by sightings: 0 off, else a shape records on that many calls in a row. */
    void useStepGraphs(int sightings) {
        if (graphs != null && graphs.sightings() == sightings) {
            return;
        }
        if (graphs != null) {
            graphs.close();
        }
        graphs = sightings > 0 ? new MemNetGraphs(this, backend, sightings) : null;
    }

    @Override
    DropoutStream dropoutStreamOrNull() {
        return dropout;
    }

    /** The graph path's bookkeeping, null when off; for tests. */
    MemNetGraphs stepGraphs() {
        return graphs;
    }

    /** Restarts the dropout stream at {@code seed} (initially the options' seed). */
    public void seedDropout(long seed) {
        dropout.reseed(seed);
    }

    // ---- teacher-forced sequence ----

    /**
     * Runs a whole sequence from the learned initial state and an empty memory. In training mode with
     * dropout > 0, step t's mask takes elements {@code offset + t·B·S …} of the dropout stream, and the
     * stream then advances by {@code T·B·S}.
     *
     * @param x {@code [T, B, d_in]} ({@code [B, T, d_in]} when batchFirst), T ≥ 1, B ≥ 1 (copied into
     *          the saved activations: it may be reused at once)
     * @return {@code y} {@code [T, B, d_out]} (batchFirst: {@code [B, T, d_out]}) and the saved activations
     * @throws IllegalArgumentException on a wrong shape, device or element type, more than
     *                                  {@code maxSteps} steps, or (checkFinite) a non-finite element
     */
    public MemNetOutput forward(Tensor x) {
        Tensor xt = timeMajorInput("x", x);
        int steps = xt.dim(0);
        int batch = xt.dim(1);
        if (options.maxSteps() > 0 && steps > options.maxSteps()) {
            throw new IllegalArgumentException("x has " + steps + " steps, more than maxSteps "
                    + options.maxSteps() + " of " + this);
        }
        MemNetSaved saved = run(xt, steps, batch);
        if (xt != x) {
            backend.release(xt);   // batchFirst: the time-major copy, now in u
        }
        Tensor y = backend.zeros(steps, batch, outputSize);
        output(saved.o.reshape(steps * batch, stateSize), saved.c.reshape(steps * batch, valueSize),
                y.reshape(steps * batch, outputSize));
        return new MemNetOutput(options.batchFirst() ? swapAndRelease(y) : y, saved);
    }

    /**
     * The forward's loop; the saved's dropout scale is 1/(1 − p), or 0 at p = 1, where nothing is fed back and
     * so no gradient may flow back either (1/(1 − p) would be ∞, and 0·∞ NaN).
     */
    private MemNetSaved run(Tensor x, int steps, int batch) {
        int tb = steps * batch;
        Tensor u = backend.zeros(steps, batch, cellInputSize);
        Tensor o = backend.zeros(steps, batch, stateSize);
        Tensor r = backend.zeros(steps, batch, stateSize);
        Tensor c = backend.zeros(steps, batch, valueSize);
        Tensor lse = backend.zeros(steps, batch);
        backend.copyColumns(x.reshape(tb, inputSize), 0, u.reshape(tb, cellInputSize), 0, inputSize);
        boolean drop = isTraining() && options.dropout() > 0;
        double p = drop ? options.dropout() : 0.0;
        // CUDA runs the whole loop as one launch where the cell fits; otherwise, and on the CPU, step by step
        // (on CUDA recorded in a graph once a shape repeats)
        boolean oneLaunch = backend.memNetForward(new Backend.MemNetForward(cell(), params.value("qkv.weight"),
                params.value("qkv.bias"), params.value("h0"), params.value("c0"), p, dropout.seed(), dropout.offset(),
                u, o, r, c, lse));
        if (!oneLaunch && (graphs == null
                || !graphs.forward(steps, batch, p, dropout.seed(), dropout.offset(), u, o, r, c, lse))) {
            forwardSteps(steps, batch, p, u, o, r, c, lse);
        }
        if (drop) {
            dropout.advance(steps * (long) batch * stateSize);
        }
        return new MemNetSaved(this, steps, batch, u, o, r, c, lse, !drop ? 1.0 : p < 1.0 ? 1.0 / (1.0 - p) : 0.0);
    }

    /** The forward's step loop: what {@link Backend#memNetForward} does in one call. */
    private void forwardSteps(int steps, int batch, double p, Tensor u, Tensor o, Tensor r, Tensor c, Tensor lse) {
        ForwardScratch scratch = ForwardScratch.allocate(backend, batch, stateSize, valueSize, p > 0);
        long seed = dropout.seed();
        long offset = dropout.offset();
        forwardLoop(steps, batch, u, o, r, c, lse, scratch, (rt, mask, stepOffset) ->
                backend.dropout(rt, p, seed, offset + stepOffset, mask, rt));
        // scratch back to the backend once its last kernel is queued (stream order keeps that safe), so
        // a CUDA loop reuses the same blocks instead of asking the driver until a collection runs
        scratch.release(backend);
    }

    /** The fed-back state's dropout at one step: {@code r ← dropout(r)}, its mask into {@code mask}. */
    interface StepDropout {
        /** @param stepOffset the step's first element in the call's stream, {@code t·B·S} */
        void apply(Tensor r, Tensor mask, long stepOffset);
    }

    /**
     * What the forward loop needs besides its inputs and outputs: h0, c0 broadcast (empty: the loop fills them),
     * a zero, the dropout mask.
     */
    record ForwardScratch(Tensor h0, Tensor c0, Tensor zero, Tensor mask) {
        static ForwardScratch allocate(Backend backend, int batch, int stateSize, int valueSize, boolean drop) {
            return new ForwardScratch(backend.empty(batch, stateSize), backend.empty(batch, valueSize),
                    backend.zeros(batch, stateSize), drop ? backend.zeros(batch, stateSize) : null);
        }

        void release(Backend backend) {
            Release.all(backend, h0, c0, zero, mask);
        }
    }

    /**
     * The forward's steps on the given buffers, allocating nothing (a recording's region, {@link MemNetGraphs}):
     * x already in u's first columns; with a mask in the scratch, {@code drop} applies each step's dropout.
     */
    void forwardLoop(int steps, int batch, Tensor u, Tensor o, Tensor r, Tensor c, Tensor lse, ForwardScratch s,
                     StepDropout drop) {
        broadcastInto(params.value("h0"), s.h0());
        broadcastInto(params.value("c0"), s.c0());
        long stepElements = (long) batch * stateSize;
        for (int t = 0; t < steps; t++) {
            Tensor rt = r.select(t);
            Tensor ut = u.select(t);
            relu(t == 0 ? s.h0() : o.select(t - 1), s.zero(), rt);
            if (s.mask() != null) {
                drop.apply(rt, s.mask(), t * stepElements);
            }
            backend.copyColumns(rt, 0, ut, inputSize, stateSize);
            backend.copyColumns(t == 0 ? s.c0() : c.select(t - 1), 0, ut, inputSize + stateSize, valueSize);
            Tensor ot = o.select(t);
            backend.gemm(false, true, 1.0, ut, params.value("qkv.weight"), 0.0, ot);
            backend.addRowVector(ot, params.value("qkv.bias"));
            Window w = window(o, t, batch);
            backend.memoryReadForward(read(batch, t, w), c.select(t), lse.select(t));
        }
    }

    /** The cell's sizes and read options, for {@link Backend#memNetForward} and {@link Backend#memNetBackward}. */
    private Backend.MemNetCell cell() {
        return new Backend.MemNetCell(inputSize, keySize, valueSize, outputSize, slots, options.maskEmptySlots(),
                options.scale());
    }

    /**
     * Back-propagates through the pass that produced {@code saved}, in reverse time (on CUDA one launch
     * where the cell fits, as the forward), then forms the parameter gradients over all steps at once.
     *
     * <p>Parameter gradients are <b>accumulated</b> into {@link #flatGradients()} (like PyTorch's
     * {@code .grad}); call {@link #zeroGradients()} between updates.
     *
     * @param saved   from this layer's {@code forward}
     * @param dOutput ∂L/∂y, shaped like the output
     * @return ∂L/∂x, shaped like the input
     */
    public Tensor backward(MemNetSaved saved, Tensor dOutput) {
        if (saved == null || saved.layer != this) {
            throw new IllegalArgumentException("saved must come from a forward of this layer (" + this + ")"
                    + (saved == null ? ", got null" : ", it comes from another layer"));
        }
        if (saved.released()) {
            throw new IllegalStateException("saved was released (MemNetSaved.release): its activations are gone; run "
                    + "forward again, and release a saved only after its last backward");
        }
        saved.versions.check();
        int steps = saved.steps;
        int batch = saved.batch;
        boolean bf = options.batchFirst();
        int[] outShape = bf ? new int[]{batch, steps, outputSize} : new int[]{steps, batch, outputSize};
        if (dOutput == null || !dOutput.hasShape(outShape)) {
            throw new IllegalArgumentException("dOutput must have shape " + Tensor.shapeString(outShape)
                    + " (the output's), got " + InputCheck.describe(dOutput));
        }
        checkTensor("dOutput", dOutput);
        Tensor dy = bf ? swap01(dOutput) : dOutput;   // batchFirst: a time-major copy, released below
        int tb = steps * batch;
        Tensor dy2 = dy.reshape(tb, outputSize);

        // the output layers, over all steps at once
        backend.gemm(true, false, 1.0, dy2, saved.o.reshape(tb, stateSize), 1.0, params.gradient("state_out.weight"));
        backend.addColumnSums(dy2, params.gradient("state_out.bias"));
        backend.gemm(true, false, 1.0, dy2, saved.c.reshape(tb, valueSize), 1.0, params.gradient("read_out.weight"));
        backend.addColumnSums(dy2, params.gradient("read_out.bias"));

        Tensor dO = backend.zeros(steps, batch, stateSize);      // ∂L/∂o_t; reads accumulate into it
        Tensor dU = backend.zeros(steps, batch, cellInputSize);  // ∂L/∂u_t
        Tensor dh = backend.zeros(batch, stateSize);             // ∂L/∂h_t through step t+1
        Tensor dc = backend.zeros(batch, valueSize);             // ∂L/∂c_t
        if (!backend.memNetBackward(new Backend.MemNetBackward(cell(), params.value("qkv.weight"),
                params.value("state_out.weight"), params.value("read_out.weight"), saved.dropoutScale, saved.o,
                saved.r, saved.c, saved.lse, dy, dO, dU, dh, dc))) {
            if (graphs == null || !graphs.backward(saved, dy, dO, dU, dh, dc)) {
                backwardSteps(saved, dy, dO, dU, dh, dc);
            }
        }
        // h0 and c0 are broadcast over the batch: their gradients sum over it
        backend.addColumnSums(dh, params.gradient("h0"));
        backend.addColumnSums(dc, params.gradient("c0"));
        backend.gemm(true, false, 1.0, dO.reshape(tb, stateSize), saved.u.reshape(tb, cellInputSize), 1.0,
                params.gradient("qkv.weight"));
        backend.addColumnSums(dO.reshape(tb, stateSize), params.gradient("qkv.bias"));
        Tensor dx = backend.zeros(steps, batch, inputSize);
        backend.copyColumns(dU.reshape(tb, cellInputSize), 0, dx.reshape(tb, inputSize), 0, inputSize);
        Release.all(backend, dO, dU, dh, dc, dy == dOutput ? null : dy);
        return bf ? swapAndRelease(dx) : dx;
    }

    /**
     * The backward's step loop, t = T−1 … 0: what {@link Backend#memNetBackward} does in one call. The read at
     * step t sends its key and value gradients straight into the rows of the steps in its window, so each
     * step's ∂L/∂o_t is complete when the loop reaches it.
     */
    private void backwardSteps(MemNetSaved saved, Tensor dy, Tensor dO, Tensor dU, Tensor dh, Tensor dc) {
        BackwardScratch scratch = BackwardScratch.allocate(backend, saved.batch, stateSize);
        backwardLoop(saved.steps, saved.batch, saved.dropoutScale, saved.o, saved.r, saved.c, saved.lse, dy, dO, dU, dh,
                dc, scratch);
        scratch.release(backend);
    }

    /** What the backward loop needs besides its inputs and outputs: ∂L/∂r and a zero. */
    record BackwardScratch(Tensor dr, Tensor zero) {
        static BackwardScratch allocate(Backend backend, int batch, int stateSize) {
            return new BackwardScratch(backend.zeros(batch, stateSize), backend.zeros(batch, stateSize));
        }

        void release(Backend backend) {
            Release.all(backend, dr, zero);
        }
    }

    /**
     * The backward's steps on the given buffers (the forward's o, r, c, lse; dO, dh, dc zero before it),
     * allocating nothing (a recording's region, {@link MemNetGraphs}).
     */
    void backwardLoop(int steps, int batch, double dropoutScale, Tensor o, Tensor r, Tensor c, Tensor lse, Tensor dy,
                      Tensor dO, Tensor dU, Tensor dh, Tensor dc, BackwardScratch s) {
        Tensor wS = params.value("state_out.weight");
        Tensor wC = params.value("read_out.weight");
        Tensor w = params.value("qkv.weight");
        for (int t = steps - 1; t >= 0; t--) {
            Tensor dyt = dy.select(t);
            Tensor dOt = dO.select(t);
            Tensor dUt = dU.select(t);
            backend.gemm(false, false, 1.0, dyt, wC, 1.0, dc);
            // dq overwrites the q columns of dO_t, which nothing else has written yet
            Window g = window(dO, t, batch);
            backend.memoryReadBackward(read(batch, t, window(o, t, batch)), c.select(t), lse.select(t), dc, g.q(),
                    g.keys(), g.values());
            backend.gemm(false, false, 1.0, dyt, wS, 1.0, dOt);
            if (t < steps - 1) {
                accumulate(dh, dOt);
            }
            backend.gemm(false, false, 1.0, dOt, w, 0.0, dUt);
            // to step t−1: through r_{t−1} = dropout(relu(h_{t−1})), and c_{t−1}
            backend.copyColumns(dUt, inputSize, s.dr(), 0, stateSize);
            // r > 0 exactly where the mask kept a positive relu, so relu′ of r is mask ≠ 0 ∧ h > 0
            backend.rnnCellBackward(Nonlinearity.RELU, r.select(t), s.dr(), s.zero(), dh);
            if (dropoutScale != 1.0) {
                backend.scale(dh, dropoutScale);
            }
            backend.copyColumns(dUt, inputSize + stateSize, dc, 0, valueSize);
        }
    }

    // ---- streaming ----

    /**
     * The state before the first step of {@code batch} streams: {@code h0}, {@code c0} broadcast, and
     * an empty memory.
     */
    public MemNetState initialState(int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be > 0, got " + batch);
        }
        return new MemNetState(this, batch, broadcast(params.value("h0"), batch),
                broadcast(params.value("c0"), batch), backend.zeros(batch, slots, keySize),
                backend.zeros(batch, slots, valueSize), 0);
    }

    /** The state after a forward pass (see {@link MemNetOutput#finalState()}). */
    MemNetState stateAfter(MemNetSaved saved) {
        if (saved.released()) {   // the CPU would still answer from the unreleased arrays; CUDA failed on a copy
            throw new IllegalStateException("saved was released (MemNetSaved.release): the final state is built from "
                    + "its activations; take finalState() before releasing");
        }
        int steps = saved.steps;
        int batch = saved.batch;
        var state = new MemNetState(this, batch, backend.copyOf(saved.o.select(steps - 1)),
                backend.copyOf(saved.c.select(steps - 1)), backend.zeros(batch, slots, keySize),
                backend.zeros(batch, slots, valueSize), steps);
        for (int t = Math.max(0, steps - slots); t < steps; t++) {
            store(saved.o.select(t), t % slots, state);
        }
        return state;
    }

    /**
     * One step of {@code B} streams: reads {@code state}'s memory, writes this step's event into it
     * and advances {@code state} in place. Inference only: no backward, and no dropout whatever the
     * mode (as {@link #forward} in evaluation mode). {@code batchFirst} does not apply.
     *
     * @param xT    {@code [B, d_in]}
     * @param state from {@link #initialState}, {@link MemNetOutput#finalState()} or earlier steps
     * @return {@code y_t} {@code [B, d_out]}
     */
    public Tensor step(Tensor xT, MemNetState state) {
        if (xT == null || xT.rank() != 2 || xT.dim(1) != inputSize || xT.dim(0) < 1) {
            throw new IllegalArgumentException("xT must have shape [B, " + inputSize + "] (inputSize "
                    + inputSize + ", B ≥ 1), got " + InputCheck.describe(xT));
        }
        checkTensor("xT", xT);
        checkState(state, xT.dim(0));
        Tensor y = backend.zeros(1, state.batch, outputSize);
        if (!stream(xT.reshape(1, state.batch, inputSize), y, state)) {   // CUDA: one launch
            advanceStep(xT, state, y.reshape(state.batch, outputSize));
        }
        return y.reshape(state.batch, outputSize);
    }

    /** {@link #advance}, replayed from the state's recording once its ring is full (CUDA, graphs on). */
    private void advanceStep(Tensor xT, MemNetState state, Tensor y) {
        if (graphs != null) {
            if (state.stepGraph == null) {
                state.stepGraph = new MemNetStepGraph(this, backend, state, graphs.sightings());
            }
            if (state.stepGraph.step(xT, y)) {
                return;
            }
        }
        advance(xT, state, y);
    }

    /**
     * {@link Backend#memNetStream}: {@code y.dim(0)} steps of {@code state}, the first {@code x.dim(0)} from x, the
     * rest free-running; false (nothing done) where the backend has no such path.
     */
    private boolean stream(Tensor x, Tensor y, MemNetState state) {
        if (!backend.memNetStream(new Backend.MemNetStream(cell(), params.value("qkv.weight"), params.value("qkv.bias"),
                params.value("state_out.weight"), params.value("state_out.bias"), params.value("read_out.weight"),
                params.value("read_out.bias"), x, y, state.h, state.c, state.keys, state.values, state.steps))) {
            return false;
        }
        state.steps += y.dim(0);
        return true;
    }

    /** One step of {@code state}'s streams, step by step; its output into {@code y} {@code [B, d_out]}. */
    private void advance(Tensor xT, MemNetState state, Tensor y) {
        StepScratch scratch = StepScratch.allocate(backend, state.batch, cellInputSize, stateSize, valueSize);
        int slot = state.nextSlot();
        advanceLoop(xT, state, y, scratch, o -> store(o, slot, state));
        state.steps++;
        scratch.release(backend);
    }

    /** What a streaming step needs besides its input, output and state. */
    record StepScratch(Tensor u, Tensor r, Tensor o, Tensor c, Tensor lse, Tensor zero) {
        static StepScratch allocate(Backend backend, int batch, int cellInputSize, int stateSize, int valueSize) {
            return new StepScratch(backend.zeros(batch, cellInputSize), backend.zeros(batch, stateSize),
                    backend.zeros(batch, stateSize), backend.zeros(batch, valueSize), backend.zeros(batch),
                    backend.zeros(batch, stateSize));
        }

        void release(Backend backend) {
            Release.all(backend, u, r, o, c, lse, zero);
        }
    }

    /**
     * One streaming step on the given buffers, allocating nothing (a recording's region, {@link MemNetStepGraph}):
     * reads {@code state}'s memory, writes o's k and v through {@code write}, moves h and c on, y out. Leaves
     * {@code state.steps} to the caller (a replay cannot count on the host).
     */
    void advanceLoop(Tensor xT, MemNetState state, Tensor y, StepScratch s, java.util.function.Consumer<Tensor> write) {
        int batch = state.batch;
        backend.copyColumns(xT, 0, s.u(), 0, inputSize);
        relu(state.h, s.zero(), s.r());
        backend.copyColumns(s.r(), 0, s.u(), inputSize, stateSize);
        backend.copyColumns(state.c, 0, s.u(), inputSize + stateSize, valueSize);
        backend.gemm(false, true, 1.0, s.u(), params.value("qkv.weight"), 0.0, s.o());
        backend.addRowVector(s.o(), params.value("qkv.bias"));
        int filled = state.filled();
        var read = new MemoryRead(batch, filled, options.maskEmptySlots() ? 0 : slots - filled, keySize, valueSize,
                options.scale(), new Strided(s.o(), 0, stateSize, 0),
                new Strided(state.keys, 0, (long) slots * keySize, keySize),
                new Strided(state.values, 0, (long) slots * valueSize, valueSize));
        backend.memoryReadForward(read, s.c(), s.lse());
        write.accept(s.o());      // after the read: it sees events up to t−1
        backend.copy(s.o(), state.h);
        backend.copy(s.c(), state.c);
        output(s.o(), s.c(), y);
    }

    /** Writes the k and v columns of {@code o} [B, S] into the ring slot of {@code step}'s value, on the device. */
    void storeAt(Tensor o, MemNetState state, Backend.DevicePosition step) {
        backend.ringWrite(o, keySize, 2 * keySize, state.keys, state.values, step);
    }

    /** Writes the k and v columns of {@code o} [B, S] into ring slot {@code slot} of every stream. */
    private void store(Tensor o, int slot, MemNetState state) {
        int batch = state.batch;
        backend.copyColumns(o, keySize, state.keys.reshape(batch, slots * keySize), slot * keySize, keySize);
        backend.copyColumns(o, 2 * keySize, state.values.reshape(batch, slots * valueSize), slot * valueSize,
                valueSize);
    }

    /**
     * Free-running continuation (autoregressive; needs d_in = d_out): reads {@code prefix}
     * {@code x_0 … x_{P−1}} teacher-forced, then feeds each output back as the next input. Returns the
     * {@code n} predictions {@code x̂_P … x̂_{P+n−1}}, where {@code x̂_P = y_{P−1}} and
     * {@code x̂_{t+1} = y_t} for the {@code n − 1} free-running steps. Inference only (as {@link #step}:
     * no dropout, no backward); {@code maxSteps} does not apply (the memory is a ring buffer).
     *
     * @param prefix {@code [P, B, d_in]} ({@code [B, P, d_in]} when batchFirst), P ≥ 1, B ≥ 1
     * @param n      ≥ 1
     * @return {@code [n, B, d_out]} ({@code [B, n, d_out]} when batchFirst)
     */
    public Tensor generate(Tensor prefix, int n) {
        if (inputSize != outputSize) {
            throw new IllegalArgumentException("generate feeds y_t back as x_{t+1} and needs inputSize == "
                    + "outputSize, got " + inputSize + " and " + outputSize);
        }
        if (n < 1) {
            throw new IllegalArgumentException("n must be > 0, got " + n);
        }
        Tensor xt = timeMajorInput("prefix", prefix);
        int batch = xt.dim(1);
        MemNetState state = initialState(batch);
        Tensor out = backend.zeros(n, batch, outputSize);
        int p = xt.dim(0);
        Tensor all = backend.zeros(p + n - 1, batch, outputSize);   // every step's y
        if (!stream(xt, all, state)) {   // CUDA: one launch; else step by step, free-running from step P
            for (int t = 0; t < p + n - 1; t++) {
                advanceStep(t < p ? xt.select(t) : all.select(t - 1), state, all.select(t));
            }
        }
        backend.copy(all.slice(p - 1, p - 1 + n), out);   // x̂_P … : the outputs from step P − 1 on
        if (state.stepGraph != null) {   // its recording and buffers, else held until a GC finds the state
            state.stepGraph.close();
        }
        Release.all(backend, all, state.h, state.c, state.keys, state.values, xt == prefix ? null : xt);
        return options.batchFirst() ? swapAndRelease(out) : out;
    }

    // ---- pieces ----

    /** The three operands of the read at step t, over the step history {@code base} [T, B, S]. */
    private record Window(Strided q, Strided keys, Strided values) {
    }

    /** Step t's query row and its memory: rows {@code max(0, t−M) … t−1} of {@code base}, slots one step apart. */
    private Window window(Tensor base, int t, int batch) {
        long row = (long) batch * stateSize;
        long first = Math.max(0, t - slots) * row;
        return new Window(new Strided(base, t * row, stateSize, 0),
                new Strided(base, first + keySize, stateSize, row),
                new Strided(base, first + 2L * keySize, stateSize, row));
    }

    private MemoryRead read(int batch, int t, Window w) {
        int filled = Math.min(t, slots);
        return new MemoryRead(batch, filled, options.maskEmptySlots() ? 0 : slots - filled, keySize, valueSize,
                options.scale(), w.q(), w.keys(), w.values());
    }

    /** {@code y ← o W_sᵀ + b_s + c W_cᵀ + b_c}, rows of {@code o} [N, S] and {@code c} [N, d_v]. */
    private void output(Tensor o, Tensor c, Tensor y) {
        backend.gemm(false, true, 1.0, o, params.value("state_out.weight"), 0.0, y);
        backend.gemm(false, true, 1.0, c, params.value("read_out.weight"), 1.0, y);
        backend.addRowVector(y, params.value("state_out.bias"));
        backend.addRowVector(y, params.value("read_out.bias"));
    }

    /** {@code out ← relu(in)}: the Backend has no bare relu; an RNN cell with a zero recurrent term is one. */
    private void relu(Tensor in, Tensor zero, Tensor out) {
        backend.rnnCellForward(Nonlinearity.RELU, in, zero, null, null, out);
    }

    /**
     * {@code dst += src} (same numel): the Backend has no elementwise add; the column sums of a
     * one-row matrix are that row.
     */
    private void accumulate(Tensor src, Tensor dst) {
        int n = Math.toIntExact(src.numel());
        backend.addColumnSums(src.reshape(1, n), dst.reshape(n));
    }

    /** {@code v} [w] repeated as the rows of a new {@code [batch, w]} tensor. */
    private Tensor broadcast(Tensor v, int batch) {
        Tensor t = backend.zeros(batch, v.dim(0));
        backend.addRowVector(t, v);
        return t;
    }

    /** {@code v} [w] repeated as the rows of {@code t} {@code [batch, w]}: zeros, then v added (as {@link #broadcast}). */
    private void broadcastInto(Tensor v, Tensor t) {
        backend.fill(t, 0.0);
        backend.addRowVector(t, v);
    }

    /** {@link #swap01}, handing {@code t}, a tensor of this layer's own, back. */
    private Tensor swapAndRelease(Tensor t) {
        Tensor s = swap01(t);
        backend.release(t);
        return s;
    }

    private Tensor swap01(Tensor t) {
        Tensor s = backend.zeros(t.dim(1), t.dim(0), t.dim(2));
        backend.transpose01(t, s);
        return s;
    }

    // ---- validation ----

    /** Checks a sequence input and returns it time-major. */
    private Tensor timeMajorInput(String name, Tensor x) {
        boolean bf = options.batchFirst();
        if (x == null || x.rank() != 3 || x.dim(2) != inputSize) {
            throw new IllegalArgumentException(name + " must have shape " + (bf ? "[B, T, " : "[T, B, ") + inputSize
                    + "] (" + (bf ? "batchFirst, " : "") + "inputSize " + inputSize + "), got "
                    + InputCheck.describe(x));
        }
        if (x.dim(0) < 1 || x.dim(1) < 1) {
            throw new IllegalArgumentException(name + " must have at least one step and one batch row, got "
                    + InputCheck.describe(x));
        }
        checkTensor(name, x);
        return bf ? swap01(x) : x;
    }

    private void checkState(MemNetState state, int batch) {
        if (state == null || state.layer != this) {
            throw new IllegalArgumentException("state must come from initialState, finalState or step of this "
                    + "layer (" + this + ")" + (state == null ? ", got null" : ", it comes from another layer"));
        }
        if (state.batch != batch) {
            throw new IllegalArgumentException("state holds " + state.batch + " streams, xT has " + batch
                    + " batch rows");
        }
    }

    private void checkTensor(String name, Tensor t) {
        InputCheck.require(name, t, backend, this, options.checkFinite());
    }

    /** {@code MemNet(1, 1, keySize=32, valueSize=32, slots=8)}, plus the non-default options. */
    @Override
    public String toString() {
        String extra = options.nonDefaults();
        return "MemNet(" + inputSize + ", " + outputSize + ", keySize=" + keySize + ", valueSize=" + valueSize
                + ", slots=" + slots + (extra.isEmpty() ? "" : ", " + extra)
                + (backend == Backend.cpu() ? "" : ", backend=" + backend) + ")";
    }
}
