package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;

import java.util.Objects;
import java.util.SequencedMap;

/**
 * What every layer shares (the part of PyTorch's {@code nn.Module} that Mnemo's layers need): its
 * parameters in one flat buffer on one backend, their gradients in a second buffer of the same
 * layout, and a training mode.
 *
 * <p>Each named parameter is a view into {@link #flatParameters()} (PyTorch's
 * {@code flatten_parameters}, always on), so writing a view changes the layer, and an optimizer can
 * step the whole layer as one tensor ({@code ParameterBuffer}). Names and order are PyTorch's
 * {@code state_dict} keys for the same module; each layer's class comment lists them.
 */
public abstract sealed class Layer permits Linear, Embedding, MemNet, RecurrentLayer {

    /** The backend that holds the parameters and runs the computation. */
    final Backend backend;
    final FlatParameters params;
    private boolean training = true;

    /** Allocates (zeroed) the parameters of {@code layout} on {@code backend}; the subclass initialises them. */
    Layer(Backend backend, FlatParameters.Layout layout) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.params = layout.allocate(backend);
    }

    /** The backend that holds the parameters and runs the computation. */
    public final Backend backend() {
        return backend;
    }

    /** The parameters by name, in buffer order: views into {@link #flatParameters()}. */
    public final SequencedMap<String, Tensor> parameters() {
        return params.valueViews();
    }

    /** The gradients, same names and order as {@link #parameters()}, views into {@link #flatGradients()}. */
    public final SequencedMap<String, Tensor> gradients() {
        return params.gradientViews();
    }

    /** All parameters as one flat tensor. */
    public final Tensor flatParameters() {
        return params.values();
    }

    /** All gradients as one flat tensor, in the layout of {@link #flatParameters()}. */
    public final Tensor flatGradients() {
        return params.gradients();
    }

    /** Sets every gradient to zero (backward accumulates, as in PyTorch). */
    public final void zeroGradients() {
        backend.fill(params.gradients(), 0.0);
    }

    /**
     * Training mode (the default) applies dropout where a layer has it; evaluation mode does not.
     * Layers without dropout ({@link Linear}, {@link Embedding}) compute the same in both.
     */
    public final void setTraining(boolean training) {
        this.training = training;
    }

    public final boolean isTraining() {
        return training;
    }

    /** This layer's dropout stream; null for a layer without dropout ({@link Linear}, {@link Embedding}). */
    DropoutStream dropoutStreamOrNull() {
        return null;
    }

    /**
     * Where this layer's dropout masks continue from (empty for a layer without dropout): what a checkpoint
     * saves, as a run's masks depend on every training pass before ({@code Checkpoint.write} with the layers).
     */
    public final java.util.Optional<DropoutPosition> dropoutPosition() {
        DropoutStream s = dropoutStreamOrNull();
        return s == null ? java.util.Optional.empty() : java.util.Optional.of(new DropoutPosition(s.seed(), s.offset()));
    }

    /**
     * Continues this layer's dropout masks from {@code position}, as {@link #dropoutPosition()} gave it in the
     * run being resumed.
     *
     * @throws IllegalArgumentException for a layer without dropout
     */
    public final void continueDropout(DropoutPosition position) {
        Objects.requireNonNull(position, "position");
        DropoutStream s = dropoutStreamOrNull();
        if (s == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " has no dropout to continue");
        }
        s.moveTo(position.seed(), position.elements());
    }
}
