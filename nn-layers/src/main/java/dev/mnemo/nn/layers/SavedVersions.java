package dev.mnemo.nn.layers;

import dev.mnemo.nn.Storage;
import dev.mnemo.nn.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The write counts ({@link Storage#version()}) of the tensors a forward's saved references but does not
 * own: the layer's parameters and the caller's input and initial state. A backward checks them first,
 * so a weight update or an edit of the input between forward and backward is refused instead of
 * mixing new values with the forward's activations into silently wrong gradients (PyTorch's "modified
 * by an inplace operation").
 */
final class SavedVersions {

    private record Entry(String name, String hint, Storage storage, long version) {
    }

    private final List<Entry> entries = new ArrayList<>(4);

    /** Records the layer's parameters: an optimizer step, a load or an in-place write changes them. */
    SavedVersions parameters(Layer layer) {
        return add("the layer's parameters", "an optimizer step, a load or an in-place write", layer.flatParameters());
    }

    /** Records a caller's tensor the saved references; null records nothing. */
    SavedVersions input(String name, Tensor t) {
        return add(name, "an in-place write; change a copy instead", t);
    }

    private SavedVersions add(String name, String hint, Tensor t) {
        if (t != null) {
            entries.add(new Entry(name, hint, t.storage(), t.storage().version()));
        }
        return this;
    }

    /**
     * @throws IllegalStateException naming the first recorded tensor written since the forward
     */
    void check() {
        for (Entry e : entries) {
            if (e.storage.version() != e.version) {
                throw new IllegalStateException(e.name + " changed after the forward that made this saved ("
                        + e.hint + "): the backward would combine the new values with the forward's activations. "
                        + "Run backward before the change (before optimizer.step()), or forward again");
            }
        }
    }
}
