package dev.mnemo.nn.layers;

import dev.mnemo.nn.Tensor;
import java.util.List;

/**
 * Activations a forward pass keeps for its backward pass: opaque outside this package. An inference
 * pass ({@link RecurrentLayer#infer}) returns one that keeps nothing ({@link #keepsActivations()}
 * false), which a backward rejects. They reference (do not copy) the layer's weights, the input, the
 * initial state and, in some layouts (unidirectional, time-major, unpacked, and every {@code step}),
 * the returned output itself, so a {@link RecurrentLayer#backward} after any of them was written since
 * (an optimizer step, a load, an in-place edit: {@link dev.mnemo.nn.Storage#version()}) throws, as
 * PyTorch refuses such an edit: copy the output first to change it. One saved may be used for several
 * backward calls.
 *
 * <p>Its device memory goes back to the backend when the saved becomes unreachable, or at once with
 * {@link #release()} after the last backward (what PyTorch does when backward frees the graph): a
 * training loop that releases each step's saved reuses the same blocks every step instead of asking
 * the driver for new ones until the garbage collector runs.
 */
public final class RecurrentSaved {

    /** What one direction of one layer keeps, all time-major and indexed by actual time step. */
    record Trace(Tensor gates, Tensor h, Tensor c, Tensor hn, Tensor m) {
        // gates [T, B, G·H]: activated gates (LSTM, GRU) or the input projection (RNN, unused)
        // h [T, B, P] (P = H unless projected); c [T, B, H] LSTM only; hn [T, B, H] = W_hn h_{t−1} + b_hn,
        // GRU only; m [T, B, H] a projected LSTM's cell outputs o ⊙ tanh(c), h_t = m_t·W_hrᵀ
        Trace(Tensor gates, Tensor h, Tensor c, Tensor hn) {
            this(gates, h, c, hn, null);
        }

        /** Everything but h, which a saved never shares with a recording (see {@link StepGraphs}). */
        Tensor[] lendable() {
            return new Tensor[] {gates, c, hn, m};
        }
    }

    final RecurrentLayer layer;
    final int steps;
    final int batch;
    final boolean fromStep;
    final Tensor[] layerInputs;   // [numLayers], time-major [T, B, in_k]; [0] is x
    final Tensor[] dropoutMasks;  // [numLayers], the mask that made layerInputs[k]; null if none
    final Trace[] traces;         // [numLayers·directions]
    final Tensor h0;
    final Tensor c0;              // LSTM only
    final boolean zeroInitialState; // the forward got no state: h0 and c0 are its own zeros
    final boolean inference;      // from infer or inferStep: nothing kept, no backward
    final PackedLengths packed;   // a variable-length pass: every tensor here has its rows sorted; else null
    private final List<Tensor> owned;   // made by the forward and seen by no caller
    final SavedVersions versions; // of what the backward reads that others may write; null for inference
    private boolean released;

    RecurrentSaved(RecurrentLayer layer, int steps, int batch, boolean fromStep, Tensor[] layerInputs,
                   Tensor[] dropoutMasks, Trace[] traces, Tensor h0, Tensor c0, boolean zeroInitialState,
                   PackedLengths packed, List<Tensor> owned, SavedVersions versions) {
        this.layer = layer;
        this.steps = steps;
        this.batch = batch;
        this.fromStep = fromStep;
        this.layerInputs = layerInputs;
        this.dropoutMasks = dropoutMasks;
        this.traces = traces;
        this.h0 = h0;
        this.c0 = c0;
        this.zeroInitialState = zeroInitialState;
        this.packed = packed;
        this.owned = owned;
        this.versions = versions;
        this.inference = traces == null;
    }

    /** What an inference pass returns in place of a saved: no traces, nothing to release. */
    static RecurrentSaved inference(RecurrentLayer layer, int steps, int batch, boolean fromStep) {
        return new RecurrentSaved(layer, steps, batch, fromStep, null, null, null, null, null, false, null,
                new java.util.ArrayList<>(), null);
    }

    /** Adds a tensor the forward made and returns to no caller. */
    void own(Tensor t) {
        owned.add(t);
    }

    /**
     * Direction {@code index}'s trace becomes {@code t}, whose gates, c, hn and m are copies this saved
     * owns (a lent trace given back, see {@link StepGraphs}); h stays.
     */
    void replaceTrace(int index, Trace t) {
        traces[index] = t;
        for (Tensor x : t.lendable()) {
            if (x != null) {
                owned.add(x);
            }
        }
    }

    /**
     * Hands the traces' device memory back now ({@link dev.mnemo.nn.Backend#release}): the activations
     * kept for backward, the inner layers' outputs, dropout masks, and zero initial states the forward
     * made. The output, the final state, {@code x} and a given initial state are not touched. A later
     * {@link RecurrentLayer#backward} with this saved throws; a second release does nothing.
     */
    public void release() {
        if (released) {
            return;
        }
        released = true;
        for (Tensor t : owned) {
            layer.backend().release(t);
        }
        owned.clear();
    }

    /** False when this comes from an inference pass ({@code infer}, {@code inferStep}): no backward can use it. */
    public boolean keepsActivations() {
        return !inference;
    }

    /** Whether {@link #release()} ran. */
    public boolean released() {
        return released;
    }

    /** Number of time steps of the forward pass. */
    public int steps() {
        return steps;
    }

    /** Batch size of the forward pass. */
    public int batch() {
        return batch;
    }
}
