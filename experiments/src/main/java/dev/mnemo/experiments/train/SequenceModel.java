package dev.mnemo.experiments.train;

import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.layers.RecurrentLayer;
import dev.mnemo.nn.optim.ParameterBuffer;
import java.util.List;
import java.util.SequencedMap;

/**
 * What the trainers need of a model: a sequence in, a sequence out. Every task trains through this
 * interface, so a new model (say a memory network) plugs into {@code mnemo train --cell NAME} by
 * implementing it and adding a case to {@link SequenceModels}.
 *
 * <p>Shapes are time-major: input {@code [T, B, I]}, output {@code [T, B, O]} (one output per step;
 * a classifier reads the last step). Not thread-safe: one training loop per model.
 */
public interface SequenceModel {

    /** One forward pass: its output and whatever {@link #backward} needs (opaque to the trainer). */
    interface Pass {
        /** {@code [T, B, O]}. */
        Tensor output();
    }

    /** Runs the model over {@code x} {@code [T, B, I]} from a zero state. */
    Pass forward(Tensor x);

    /**
     * The output of {@link #forward} on {@code x}, keeping nothing for a backward (evaluation: the
     * recurrent model runs its layer's {@code infer}).
     */
    default Tensor predict(Tensor x) {
        return forward(x).output();
    }

    /** Accumulates the parameter gradients of {@code pass} for {@code dOutput} = ∂L/∂output. */
    void backward(Pass pass, Tensor dOutput);

    /** Parameters and gradients as flat buffers, one per part, for the optimizer. */
    List<ParameterBuffer> parameterBuffers();

    /** Every parameter by a stable name (as saved to safetensors: {@code rnn.weight_hh_l0}, {@code head.weight}). */
    SequencedMap<String, Tensor> parameters();

    /** The number of trainable scalars. */
    default long parameterCount() {
        return parameterBuffers().stream().mapToLong(ParameterBuffer::numel).sum();
    }

    /** Training mode (dropout on) or evaluation mode. */
    void setTraining(boolean training);

    /** One line: the architecture, e.g. {@code lstm(2 → 32) → Linear(32, 2)}. */
    String describe();

    /** The initializer as applied, in one line (for config.txt and the tables). */
    String initDescription();

    /** The recurrent layers whose {@code weight_hh} spectra are tracked, by name ("" = unprefixed); may be empty. */
    SequencedMap<String, RecurrentLayer> recurrentLayers();
}
