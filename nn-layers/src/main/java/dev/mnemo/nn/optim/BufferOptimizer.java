package dev.mnemo.nn.optim;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.BackendChecks;
import dev.mnemo.nn.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.SequencedMap;

/** What {@link Sgd}, {@link Adam} and {@link RmsProp} share: the buffers, the lr, the step count. */
abstract sealed class BufferOptimizer implements Optimizer permits Sgd, Adam, RmsProp {

    static final System.Logger LOG = System.getLogger(Optimizer.class.getName());

    private final List<ParameterBuffer> buffers;
    private double lr;
    private long steps;

    BufferOptimizer(List<ParameterBuffer> buffers, double lr) {
        Objects.requireNonNull(buffers, "buffers");
        if (buffers.isEmpty()) {
            throw new IllegalArgumentException("buffers must not be empty: an optimizer needs parameters");
        }
        this.buffers = List.copyOf(buffers);
        // A shared parameter would be updated twice, a shared gradient scaled twice by clipping, and a
        // gradient that is another buffer's parameter overwritten by its update.
        for (int i = 0; i < this.buffers.size(); i++) {
            ParameterBuffer a = this.buffers.get(i);
            for (int j = 0; j < i; j++) {
                ParameterBuffer b = this.buffers.get(j);
                if (ParameterBuffer.overlaps(a.parameters(), b.parameters())) {
                    throw new IllegalArgumentException("buffers " + j + " and " + i + " overlap: each parameter "
                            + "must be updated once");
                }
                if (ParameterBuffer.overlaps(a.gradients(), b.gradients())
                        || ParameterBuffer.overlaps(a.gradients(), b.parameters())
                        || ParameterBuffer.overlaps(a.parameters(), b.gradients())) {
                    throw new IllegalArgumentException("buffers " + j + " and " + i + " share memory between their "
                            + "gradients, or a gradient and a parameter: each buffer needs its own");
                }
            }
        }
        this.lr = lr;
    }

    static List<ParameterBuffer> single(Tensor flatParameters, Tensor flatGradients) {
        return List.of(new ParameterBuffer(flatParameters, flatGradients));
    }

    /** Allocates a zero-filled state buffer shaped like {@code buffer}'s parameters. */
    static Tensor state(ParameterBuffer buffer) {
        return buffer.backend().zeros(buffer.parameters().shape());
    }

    /** One fused update of buffer {@code index}; {@code step} counts from 1. */
    abstract void update(int index, ParameterBuffer buffer, long step);

    @Override
    public final void step() {
        long step = steps + 1;
        for (int i = 0; i < buffers.size(); i++) {
            ParameterBuffer b = buffers.get(i);
            b.parameters().storage().recordWrite();   // a backward of an earlier forward now refuses
            update(i, b, step);
        }
        steps = step;
    }

    @Override
    public final void zeroGrad() {
        for (ParameterBuffer b : buffers) {
            b.backend().fill(b.gradients(), 0.0);
        }
    }

    @Override
    public final double lr() {
        return lr;
    }

    @Override
    public final void setLr(double lr) {
        this.lr = requireLr(lr);
    }

    @Override
    public final long stepCount() {
        return steps;
    }

    @Override
    public final List<ParameterBuffer> buffers() {
        return buffers;
    }

    static double requireLr(double lr) {
        return OptionChecks.atLeastZero("lr", lr);
    }

    // ---- state dict (checks in StateDictChecks) ----

    /** The options record this optimizer was built with (each subclass's public {@code options()}). */
    abstract Record options();

    /**
     * The state tensors by PyTorch name, each an array indexed by buffer, in PyTorch's order; only the
     * kinds this optimizer's options allocate.
     */
    abstract SequencedMap<String, Tensor[]> stateTensors();

    @Override
    public final OptimizerState stateDict() {
        SequencedMap<String, Tensor> tensors = new LinkedHashMap<>();
        SequencedMap<String, Tensor[]> kinds = stateTensors();
        for (int i = 0; i < buffers.size(); i++) {
            for (var e : kinds.entrySet()) {
                tensors.put(i + "." + e.getKey(), e.getValue()[i]);
            }
        }
        return new OptimizerState(getClass().getSimpleName(), StateDictChecks.optionValues(options()), buffers.size(),
                steps, lr, tensors);
    }

    @Override
    public final void loadStateDict(OptimizerState state) {
        Objects.requireNonNull(state, "state");
        OptimizerState mine = stateDict();
        StateDictChecks.requireLoadable(this, mine, state);
        SequencedMap<String, Tensor> sources = new LinkedHashMap<>();
        for (var e : mine.tensors().entrySet()) {
            Tensor dst = e.getValue();
            Tensor src = state.tensors().get(e.getKey());
            if (src == dst && state.step() != steps) {
                // stateDict() hands out the live tensors with the step count of that moment: they have moved on
                // since, so step and moments would disagree (Adam's bias correction of another step)
                throw new IllegalArgumentException("the state's tensors are this optimizer's own, which have moved on "
                        + (steps - state.step()) + " step(s) since the state was taken at step " + state.step()
                        + ": copy its tensors when taking it (or write a Checkpoint) to go back to it");
            }
            sources.put(e.getKey(), src);
        }
        for (var e : sources.entrySet()) {   // a source over another name's tensor (a swap) is read before written
            Tensor src = e.getValue();
            boolean overwritten = mine.tensors().entrySet().stream().anyMatch(m -> !m.getKey().equals(e.getKey())
                    && BackendChecks.overlap(src, m.getValue()));
            if (overwritten) {
                e.setValue(src.copy());
            }
        }
        for (var e : mine.tensors().entrySet()) {
            Tensor dst = e.getValue();
            Tensor src = sources.get(e.getKey());
            if (src != dst) {       // this optimizer's own stateDict(): nothing to copy
                Backend.of(dst).copy(src, dst);
            }
        }
        steps = state.step();
        lr = state.lr();
    }
}
