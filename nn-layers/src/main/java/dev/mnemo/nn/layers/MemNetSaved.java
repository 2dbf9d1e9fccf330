package dev.mnemo.nn.layers;

import dev.mnemo.nn.Tensor;

/**
 * Activations a {@link MemNet} forward pass keeps for its backward pass; opaque outside this package.
 * All time-major. The memory is not saved: the window of step t is rows {@code max(0, t−M) … t−1} of
 * the step history {@code o}. One saved may be used for several backward calls.
 *
 * <p>Its device memory goes back to the backend when the saved becomes unreachable, or at once with
 * {@link #release()} after the last backward (or, for an evaluation pass, right after the forward).
 */
public final class MemNetSaved {

    final MemNet layer;
    final int steps;
    final int batch;
    final Tensor u;      // [T, B, d_in + S + d_v]: u_t = [x_t, r_{t−1}, c_{t−1}], the GEMM input
    final Tensor o;      // [T, B, S]: o_t = h_t = [q_t; k_t; v_t]
    final Tensor r;      // [T, B, S]: r_{t−1} = dropout(relu(h_{t−1})), the fed-back part of u_t
    final Tensor c;      // [T, B, d_v]: the reads c_t
    final Tensor lse;    // [T, B]: the reads' log-sum-exp
    final double dropoutScale;   // 1/(1−p) when dropout was applied, else 1
    final SavedVersions versions = new SavedVersions();   // the weights (x is copied into u)
    private boolean released;

    MemNetSaved(MemNet layer, int steps, int batch, Tensor u, Tensor o, Tensor r, Tensor c, Tensor lse,
                double dropoutScale) {
        this.layer = layer;
        this.steps = steps;
        this.batch = batch;
        this.u = u;
        this.o = o;
        this.r = r;
        this.c = c;
        this.lse = lse;
        this.dropoutScale = dropoutScale;
        versions.parameters(layer);
    }

    /**
     * Hands u, o, r, c and lse back to the backend now ({@link dev.mnemo.nn.Backend#release}); the
     * forward's output is its own tensor and stays. A later {@link MemNet#backward} or
     * {@link MemNetOutput#finalState()} with this saved throws; a second release does nothing.
     */
    public void release() {
        if (released) {
            return;
        }
        released = true;
        for (Tensor t : new Tensor[] {u, o, r, c, lse}) {
            layer.backend().release(t);
        }
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
