package dev.mnemo.experiments.train;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Backend.MemoryRead;
import dev.mnemo.nn.Backend.Strided;
import dev.mnemo.nn.Tensor;

/**
 * Luong et al.'s (2015) dot attention of decoder states over the encoder's outputs, one read per
 * decoder step: {@code a = softmax_s(⟨e_s, q_t⟩)}, {@code context_t = Σ_s a_s e_s}, keys and values
 * both the encoder outputs. It runs on the backend's key-value memory read (MemNet's, with its
 * log-sum-exp saved for the backward), reading the time-major tensors in place through strides: no
 * copy of the encoder outputs per step. On CUDA that read takes widths up to 256.
 */
final class DotAttention {

    /** The forward's results: {@code context [Tq, B, H]}, and {@code lse [Tq, B]} for the backward. */
    record Read(Tensor context, Tensor lse) {
    }

    private DotAttention() {
    }

    /**
     * Every step's context: query step t of {@code queries} {@code [Tq, B, H]} over all steps of
     * {@code memory} {@code [Ts, B, H]}.
     */
    static Read forward(Backend be, Tensor queries, Tensor memory) {
        int steps = queries.dim(0);
        int batch = queries.dim(1);
        int width = queries.dim(2);
        Tensor context = be.empty(steps, batch, width);
        Tensor lse = be.empty(steps, batch);
        for (int t = 0; t < steps; t++) {
            be.memoryReadForward(read(queries, t, memory), context.select(t), lse.select(t));
        }
        return new Read(context, lse);
    }

    /**
     * The gradients of {@link #forward}'s read for ∂L/∂context {@code dContext}: ∂L/∂queries into
     * {@code dQueries} (overwritten), the key and the value parts of ∂L/∂memory accumulated into
     * {@code dKeys} and {@code dValues} (two buffers: the read's backward must not write one twice).
     */
    static void backward(Backend be, Tensor queries, Tensor memory, Read r, Tensor dContext, Tensor dQueries,
                         Tensor dKeys, Tensor dValues) {
        int batch = queries.dim(1);
        int width = queries.dim(2);
        for (int t = 0; t < queries.dim(0); t++) {
            be.memoryReadBackward(read(queries, t, memory), r.context().select(t), r.lse().select(t),
                    dContext.select(t), new Strided(dQueries, (long) t * batch * width, width, 0),
                    slots(dKeys, batch, width), slots(dValues, batch, width));
        }
    }

    /** Step {@code t} of {@code queries} {@code [Tq, B, H]} reading every step of {@code memory}. */
    static MemoryRead read(Tensor queries, int t, Tensor memory) {
        int batch = queries.dim(1);
        int width = queries.dim(2);
        Strided q = new Strided(queries, (long) t * batch * width, width, 0);
        Strided m = slots(memory, batch, width);
        return new MemoryRead(batch, memory.dim(0), 0, width, width, 1.0, q, m, m);
    }

    /** A time-major {@code [Ts, B, H]} tensor as B rows of Ts slots: slot s of row b is step s's row b. */
    private static Strided slots(Tensor memory, int batch, int width) {
        return new Strided(memory, 0, width, (long) batch * width);
    }
}
