package dev.mnemo.nn.optim;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.SequencedMap;

/**
 * Stochastic gradient descent, optionally with momentum, weight decay and Nesterov momentum
 * (PyTorch's {@code torch.optim.SGD}). Per element, at step t with gradient {@code g}:
 * <pre>
 *   g = g + weightDecay·θ                               (weightDecay ≠ 0)
 *   momentum ≠ 0:
 *     b = g                                            (t = 1: the buffer starts as the gradient)
 *     b = momentum·b + (1 − dampening)·g               (t > 1)
 *     g = nesterov ? g + momentum·b : b
 *   θ = θ − lr·g
 * </pre>
 * One {@link Backend#sgdUpdate} pass per buffer and step. State: one momentum buffer per parameter
 * buffer, allocated only when momentum ≠ 0.
 *
 * <p><b>Differs from PyTorch</b>: see {@link Optimizer}.
 */
public final class Sgd extends BufferOptimizer {

    private final SgdOptions options;
    private final Tensor[] momentumBuffers;

    /** Updates one layer's flat buffers. */
    public Sgd(SgdOptions options, Tensor flatParameters, Tensor flatGradients) {
        this(options, single(flatParameters, flatGradients));
    }

    /** Updates every buffer of {@code buffers} (they must not overlap). */
    public Sgd(SgdOptions options, List<ParameterBuffer> buffers) {
        super(buffers, Objects.requireNonNull(options, "options").lr());
        this.options = options;
        this.momentumBuffers = options.momentum() == 0.0 ? null
                : buffers().stream().map(BufferOptimizer::state).toArray(Tensor[]::new);
    }

    /** The options this optimizer was built with ({@link #lr()} may have changed since). */
    @Override
    public SgdOptions options() {
        return options;
    }

    /** The momentum buffer of buffer {@code index}; null without momentum. */
    public Tensor momentumBuffer(int index) {
        return momentumBuffers == null ? null : momentumBuffers[index];
    }

    /** {@code momentum_buffer} with momentum, else nothing. */
    @Override
    SequencedMap<String, Tensor[]> stateTensors() {
        SequencedMap<String, Tensor[]> out = new LinkedHashMap<>();
        if (momentumBuffers != null) {
            out.put("momentum_buffer", momentumBuffers);
        }
        return out;
    }

    @Override
    void update(int index, ParameterBuffer b, long step) {
        b.backend().sgdUpdate(b.parameters(), b.gradients(), momentumBuffer(index),
                new Backend.SgdParams(lr(), options.momentum(), options.dampening(), options.weightDecay(),
                        options.nesterov(), step == 1));
    }

    /** {@code Sgd(lr=0.1, momentum=0.9)}: the non-default options. */
    @Override
    public String toString() {
        return "Sgd(" + options.nonDefaults() + ")";
    }
}
