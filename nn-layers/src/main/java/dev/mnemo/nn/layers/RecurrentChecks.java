package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;

/**
 * The argument checks of a {@link RecurrentLayer} that need its options: initial states, the
 * gradients handed to {@code backward}, and the saved they go with. Each throws before any work, naming
 * the argument, the shape it must have and why.
 */
final class RecurrentChecks {

    private final RecurrentLayer layer;
    private final Backend backend;
    private final RecurrentOptions options;

    RecurrentChecks(RecurrentLayer layer) {
        this.layer = layer;
        this.backend = layer.backend;
        this.options = layer.options();
    }

    /** The saved is this layer's, from a training pass, not released; the gradients have the output's and the state's shapes. */
    void backward(RecurrentSaved saved, Tensor dOutput, RecurrentState dState) {
        if (saved == null || saved.layer != layer) {
            throw new IllegalArgumentException("saved must come from a forward or step of this layer (" + layer
                    + ")" + (saved == null ? ", got null" : ", it comes from another layer"));
        }
        if (saved.inference) {
            throw new IllegalArgumentException("saved comes from infer or inferStep, which keep nothing for a "
                    + "backward; run forward (or step) for a pass to back-propagate through");
        }
        if (saved.released()) {
            throw new IllegalStateException("saved was released (RecurrentSaved.release): its traces are gone; run "
                    + "forward again, and release a saved only after its last backward");
        }
        // what the caller gave forward, or got from it, and the backward reads: named here, not as a GEMM operand
        notReleased(saved.layerInputs[0], "x given to forward");
        notReleased(saved.h0, "the initial state's h given to forward");
        notReleased(saved.c0, "the initial state's c given to forward");
        for (RecurrentSaved.Trace t : saved.traces) {
            notReleased(t.h(), "the output of forward (the backward reads it)");
        }
        saved.versions.check();   // nor changed since: an optimizer step, a load, an in-place edit
        int steps = saved.steps;
        int batch = saved.batch;
        int p = options.outputSize();
        int dirs = options.directions();
        boolean bf = options.batchFirst() && !saved.fromStep;
        int[] outShape = saved.fromStep ? new int[]{batch, p}
                : bf ? new int[]{batch, steps, dirs * p} : new int[]{steps, batch, dirs * p};
        if (dOutput != null) {
            if (!dOutput.hasShape(outShape)) {
                throw new IllegalArgumentException("dOutput must have shape " + Tensor.shapeString(outShape)
                        + " (the output's), got " + describe(dOutput));
            }
            // a packed pass checks finiteness at each row's own steps only, once sorted (backward)
            InputCheck.require("dOutput", dOutput, backend, layer, options.checkFinite() && saved.packed == null);
        }
        if (dState != null) {
            stateTensor("dState.h", dState.h(), batch, true);
            stateTensor("dState.c", dState.c(), batch, layer.hasCellState());
        }
    }

    private static void notReleased(Tensor t, String what) {
        if (t != null && t.storage().released()) {
            throw new IllegalStateException(what + " was released (Backend.release) before this backward: release "
                    + "it after the last backward that uses its forward");
        }
    }

    /**
     * Checks an initial state and returns it as the pass reads it: null for zeros, also when its h is
     * null (and its c, which must then be null too), as {@code backward} reads a null dState component.
     */
    RecurrentState state(String name, RecurrentState state, int batch) {
        if (state == null) {
            return null;
        }
        if (layer.hasCellState() && (state.h() == null) != (state.c() == null)) {
            throw new IllegalArgumentException(name + " of " + layer.kind() + " needs both h and c or neither (null "
                    + "for zeros), got h " + describe(state.h()) + " and c " + describe(state.c()));
        }
        stateTensor(name + ".h", state.h(), batch, true);
        stateTensor(name + ".c", state.c(), batch, layer.hasCellState());
        return state.h() == null ? null : state;
    }

    private void stateTensor(String name, Tensor t, int batch, boolean allowed) {
        if (t == null) {
            return;
        }
        if (!allowed) {
            throw new IllegalArgumentException(name + " must be null: " + layer.kind() + " has no cell state, got "
                    + describe(t));
        }
        int ld = options.numLayers() * options.directions();
        boolean projectedH = options.projSize() > 0 && name.endsWith(".h");   // c keeps H features
        int features = projectedH ? options.projSize() : options.hiddenSize();
        if (!t.hasShape(ld, batch, features)) {
            throw new IllegalArgumentException(name + " must have shape " + Tensor.shapeString(ld, batch,
                    features) + " (num_layers·directions " + ld + ", batch " + batch + " from the "
                    + "input, " + (projectedH ? "proj_size " : "hidden_size ") + features + "), got " + describe(t));
        }
        tensor(name, t);
    }

    void tensor(String name, Tensor t) {
        InputCheck.require(name, t, backend, layer, options.checkFinite());
    }

    static String describe(Tensor t) {
        return InputCheck.describe(t);
    }
}
