package dev.mnemo.nn.optim;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.SequencedMap;

/**
 * Adam (Kingma and Ba, 2015), and with {@link AdamOptions#decoupled()} AdamW (Loshchilov and Hutter,
 * 2019): PyTorch's {@code torch.optim.Adam} and {@code torch.optim.AdamW} with {@code amsgrad=False}.
 * Per element, at step t (counting from 1) with gradient {@code g}:
 * <pre>
 *   weightDecay ≠ 0:  Adam:  g = g + weightDecay·θ          AdamW:  θ = θ·(1 − lr·weightDecay)
 *   m = β₁·m + (1 − β₁)·g                                  (PyTorch's lerp form)
 *   v = β₂·v + (1 − β₂)·g²
 *   θ = θ − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + eps)       (bias-corrected: lr·m̂/(√v̂ + eps))
 * </pre>
 * {@code m} and {@code v} start at zero. One {@link Backend#adamUpdate} pass per buffer and step.
 *
 * <p><b>Differs from PyTorch</b>: see {@link Optimizer} and {@link AdamOptions}; no {@code amsgrad}.
 * AdamW is this class with {@code decoupled}, not a separate one.
 */
public final class Adam extends BufferOptimizer {

    private final AdamOptions options;
    private final Tensor[] expAvg;
    private final Tensor[] expAvgSq;

    /** Updates one layer's flat buffers. */
    public Adam(AdamOptions options, Tensor flatParameters, Tensor flatGradients) {
        this(options, single(flatParameters, flatGradients));
    }

    /** Updates every buffer of {@code buffers} (they must not overlap). */
    public Adam(AdamOptions options, List<ParameterBuffer> buffers) {
        super(buffers, Objects.requireNonNull(options, "options").lr());
        this.options = options;
        this.expAvg = buffers().stream().map(BufferOptimizer::state).toArray(Tensor[]::new);
        this.expAvgSq = buffers().stream().map(BufferOptimizer::state).toArray(Tensor[]::new);
    }

    /** The options this optimizer was built with ({@link #lr()} may have changed since). */
    @Override
    public AdamOptions options() {
        return options;
    }

    /** PyTorch's {@code exp_avg} (first moment) of buffer {@code index}. */
    public Tensor expAvg(int index) {
        return expAvg[index];
    }

    /** PyTorch's {@code exp_avg_sq} (second moment) of buffer {@code index}. */
    public Tensor expAvgSq(int index) {
        return expAvgSq[index];
    }

    /** {@code exp_avg}, {@code exp_avg_sq}. */
    @Override
    SequencedMap<String, Tensor[]> stateTensors() {
        SequencedMap<String, Tensor[]> out = new LinkedHashMap<>();
        out.put("exp_avg", expAvg);
        out.put("exp_avg_sq", expAvgSq);
        return out;
    }

    @Override
    void update(int index, ParameterBuffer b, long step) {
        b.backend().adamUpdate(b.parameters(), b.gradients(), expAvg[index], expAvgSq[index],
                new Backend.AdamParams(lr(), options.beta1(), options.beta2(), options.eps(), options.weightDecay(),
                        step, options.decoupled()));
    }

    /** {@code Adam(lr=0.01, decoupled=true)}: the non-default options. */
    @Override
    public String toString() {
        return "Adam(" + options.nonDefaults() + ")";
    }
}
