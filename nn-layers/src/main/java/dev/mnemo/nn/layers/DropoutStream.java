package dev.mnemo.nn.layers;

/**
 * Where a layer's next dropout masks come from: a seed and a position in the counter-based stream of
 * {@link dev.mnemo.nn.Backend#dropout}. Each forward in training mode takes the next elements, so two
 * passes never share a mask, and {@link #reseed} replays a run's masks.
 */
final class DropoutStream {

    private long seed;
    private long offset;

    DropoutStream(long seed) {
        this.seed = seed;
    }

    /** Restarts at element 0 of {@code seed}'s stream. */
    void reseed(long seed) {
        this.seed = seed;
        this.offset = 0;
    }

    long seed() {
        return seed;
    }

    /** The position of the next mask element. */
    long offset() {
        return offset;
    }

    /** Continues at element {@code offset} of {@code seed}'s stream (a checkpoint's position). */
    void moveTo(long seed, long offset) {
        this.seed = seed;
        this.offset = offset;
    }

    /** Marks {@code elements} of the stream as used. */
    void advance(long elements) {
        offset += elements;
    }
}
