package dev.mnemo.nn.optim;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.SequencedMap;

/**
 * RMSprop (Hinton's lecture 6e; centered variant after Graves, 2013): PyTorch's
 * {@code torch.optim.RMSprop}. Per element, with gradient {@code g}:
 * <pre>
 *   g = g + weightDecay·θ                                 (weightDecay ≠ 0)
 *   s = α·s + (1 − α)·g²
 *   centered:  ḡ = α·ḡ + (1 − α)·g;   d = √max(s − ḡ², 0) + eps
 *   else:      d = √s + eps
 *   momentum > 0:  b = momentum·b + g/d;   θ = θ − lr·b
 *   else:          θ = θ − lr·g/d
 * </pre>
 * {@code s}, {@code ḡ} and {@code b} start at zero; {@code ḡ} exists only when centered, {@code b}
 * only with momentum. One {@link Backend#rmsPropUpdate} pass per buffer and step.
 *
 * <p><b>Differs from PyTorch</b>: see {@link Optimizer} and {@link RmsPropOptions}; and centered, s − ḡ²
 * is clamped at 0 before the root. In exact arithmetic it is a variance, never negative, but rounding
 * can take it below 0 when the gradient barely varies (α near 0), and PyTorch's root then gives NaN
 * parameters.
 */
public final class RmsProp extends BufferOptimizer {

    private final RmsPropOptions options;
    private final Tensor[] squareAvg;
    private final Tensor[] momentumBuffers;
    private final Tensor[] gradAvg;

    /** Updates one layer's flat buffers. */
    public RmsProp(RmsPropOptions options, Tensor flatParameters, Tensor flatGradients) {
        this(options, single(flatParameters, flatGradients));
    }

    /** Updates every buffer of {@code buffers} (they must not overlap). */
    public RmsProp(RmsPropOptions options, List<ParameterBuffer> buffers) {
        super(buffers, Objects.requireNonNull(options, "options").lr());
        this.options = options;
        this.squareAvg = buffers().stream().map(BufferOptimizer::state).toArray(Tensor[]::new);
        this.momentumBuffers = options.momentum() > 0.0
                ? buffers().stream().map(BufferOptimizer::state).toArray(Tensor[]::new) : null;
        this.gradAvg = options.centered()
                ? buffers().stream().map(BufferOptimizer::state).toArray(Tensor[]::new) : null;
    }

    /** The options this optimizer was built with ({@link #lr()} may have changed since). */
    @Override
    public RmsPropOptions options() {
        return options;
    }

    /** PyTorch's {@code square_avg} of buffer {@code index}. */
    public Tensor squareAvg(int index) {
        return squareAvg[index];
    }

    /** PyTorch's {@code momentum_buffer} of buffer {@code index}; null without momentum. */
    public Tensor momentumBuffer(int index) {
        return momentumBuffers == null ? null : momentumBuffers[index];
    }

    /** PyTorch's {@code grad_avg} of buffer {@code index}; null unless centered. */
    public Tensor gradAvg(int index) {
        return gradAvg == null ? null : gradAvg[index];
    }

    /** {@code square_avg}, then {@code momentum_buffer} with momentum and {@code grad_avg} when centered (PyTorch's order). */
    @Override
    SequencedMap<String, Tensor[]> stateTensors() {
        SequencedMap<String, Tensor[]> out = new LinkedHashMap<>();
        out.put("square_avg", squareAvg);
        if (momentumBuffers != null) {
            out.put("momentum_buffer", momentumBuffers);
        }
        if (gradAvg != null) {
            out.put("grad_avg", gradAvg);
        }
        return out;
    }

    @Override
    void update(int index, ParameterBuffer b, long step) {
        b.backend().rmsPropUpdate(b.parameters(), b.gradients(), squareAvg[index], momentumBuffer(index),
                gradAvg(index), new Backend.RmsPropParams(lr(), options.alpha(), options.eps(),
                        options.weightDecay(), options.momentum(), options.centered()));
    }

    /** {@code RmsProp(momentum=0.9, centered=true)}: the non-default options. */
    @Override
    public String toString() {
        return "RmsProp(" + options.nonDefaults() + ")";
    }
}
