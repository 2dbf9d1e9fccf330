package dev.mnemo.nn.optim;

import dev.mnemo.nn.Tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SequencedMap;

/**
 * Everything an optimizer needs to continue exactly where it stopped: PyTorch's
 * {@code optimizer.state_dict()}, from {@link Optimizer#stateDict()}, for
 * {@link Optimizer#loadStateDict}. {@code dev.mnemo.nn.io.Checkpoint} writes it to a safetensors file.
 *
 * <p>The tensors are named {@code "<buffer index>.<name>"} in buffer order, with PyTorch's names:
 * <pre>
 *   Adam      0.exp_avg, 0.exp_avg_sq, 1.exp_avg, …
 *   Sgd       0.momentum_buffer, …                  (none without momentum)
 *   RmsProp   0.square_avg[, 0.momentum_buffer][, 0.grad_avg], …   (momentum > 0; centered)
 * </pre>
 *
 * <p><b>Differs from PyTorch</b>: the state is kept per flat buffer ({@link ParameterBuffer}), not per
 * named parameter, so index {@code i} is the optimizer's buffer {@code i}; one {@code step} for the
 * whole optimizer instead of one per parameter; the hyper-parameters are the options record's
 * components ({@code weightDecay}, not {@code weight_decay}), and loading checks them instead of
 * replacing them (the options of an optimizer are final).
 *
 * @param kind    the optimizer's class: {@code Adam}, {@code Sgd} or {@code RmsProp}
 * @param options the options' components by name ({@code lr}, {@code beta1}, …), as
 *                {@link String#valueOf} writes them (a double's shortest exact form)
 * @param buffers number of parameter buffers; > 0
 * @param step    {@link Optimizer#stepCount()}: steps taken so far (PyTorch's {@code step}); ≥ 0
 * @param lr      the current learning rate (a scheduler's, or {@link Optimizer#setLr}'s); finite, ≥ 0
 * @param tensors the state tensors by name, as listed above; {@link Optimizer#stateDict()} gives the
 *                optimizer's own tensors (live: copy them to keep a snapshot, as in PyTorch)
 */
public record OptimizerState(String kind, SequencedMap<String, String> options, int buffers, long step, double lr,
                             SequencedMap<String, Tensor> tensors) {

    /**
     * Validates the scalars (rule, then value) and copies the maps (the tensors stay shared).
     *
     * @throws IllegalArgumentException on a blank kind, buffers ≤ 0, a negative step, an lr that is
     *                                  negative or not finite, or a null name, value or tensor
     */
    public OptimizerState {
        Objects.requireNonNull(kind, "kind");
        if (kind.isBlank()) {
            throw new IllegalArgumentException("kind must not be blank, got \"" + kind + "\"");
        }
        if (buffers <= 0) {
            throw new IllegalArgumentException("buffers must be > 0, got " + buffers);
        }
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        OptionChecks.atLeastZero("lr", lr);
        options = copy("options", options);
        tensors = copy("tensors", tensors);
    }

    private static <V> SequencedMap<String, V> copy(String what, Map<String, V> map) {
        Objects.requireNonNull(map, what);
        SequencedMap<String, V> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(Objects.requireNonNull(k, () -> what + ": a name is null"),
                Objects.requireNonNull(v, () -> what + ": " + k + " is null")));
        return Collections.unmodifiableSequencedMap(out);
    }
}
