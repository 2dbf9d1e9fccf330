package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;

/**
 * The running state of a {@link MemNet} over a stream: {@code h_t}, {@code c_t} and the event memory
 * as a ring buffer of M slots, all on the layer's backend. {@link MemNet#step} reads it and advances
 * it <b>in place</b> (the memory is not copied per step); {@link #copy()} branches a stream.
 *
 * <p>Step {@code t} (counting from 0) writes its key and value to slot {@code t mod M}, so the filled
 * slots are always {@code 0 … filled−1}. The read is a softmax over the slots, which is order-free:
 * the ring buffer is the authors' shifting FIFO of the last M events up to summation order.
 *
 * <p>Not thread-safe. Tied to the layer that made it ({@link MemNet#initialState},
 * {@link MemNetOutput#finalState()}).
 */
public final class MemNetState {

    final MemNet layer;
    final int batch;
    final Tensor h;         // [B, S]: h_{t−1} = [q; k; v] of the last step (h0 at the start)
    final Tensor c;         // [B, d_v]: the last read (c0 at the start)
    final Tensor keys;      // [B, M, d_k]
    final Tensor values;    // [B, M, d_v]
    long steps;
    MemNetStepGraph stepGraph;   // the recorded step (CUDA, graphs on), made by the layer's first step

    MemNetState(MemNet layer, int batch, Tensor h, Tensor c, Tensor keys, Tensor values, long steps) {
        this.layer = layer;
        this.batch = batch;
        this.h = h;
        this.c = c;
        this.keys = keys;
        this.values = values;
        this.steps = steps;
    }

    /** B, the number of independent streams. */
    public int batch() {
        return batch;
    }

    /** Steps taken since the memory was empty. */
    public long steps() {
        return steps;
    }

    /** Filled memory slots: {@code min(steps, M)}. */
    public int filled() {
        return (int) Math.min(steps, layer.options().slots());
    }

    /** The ring slot the next step writes: {@code steps mod M}. */
    int nextSlot() {
        return (int) (steps % layer.options().slots());
    }

    /** {@code h_{t−1}} {@code [B, S]} (a view: do not modify). */
    public Tensor h() {
        return h;
    }

    /** {@code c_{t−1}} {@code [B, d_v]} (a view: do not modify). */
    public Tensor c() {
        return c;
    }

    /** The keys {@code [B, M, d_k]}, in ring order; slots at or past {@link #filled()} are zero. */
    public Tensor keys() {
        return keys;
    }

    /** The values {@code [B, M, d_v]}, in ring order; slots at or past {@link #filled()} are zero. */
    public Tensor values() {
        return values;
    }

    /** An independent copy on the same backend. */
    public MemNetState copy() {
        Backend be = layer.backend();
        return new MemNetState(layer, batch, be.copyOf(h), be.copyOf(c), be.copyOf(keys), be.copyOf(values), steps);
    }
}
