package dev.mnemo.nn.layers;

/**
 * Where a layer's dropout masks continue from: the seed of its counter-based stream and how many elements
 * of it its training passes have used. A checkpoint saves it, so a resumed run draws the masks the
 * uninterrupted run would have ({@link Layer#dropoutPosition}, {@link Layer#continueDropout}).
 *
 * @param seed     the stream's seed (the options' seed, or the last {@code seedDropout})
 * @param elements the elements used so far, ≥ 0
 */
public record DropoutPosition(long seed, long elements) {
    /** Checks the count. */
    public DropoutPosition {
        if (elements < 0) {
            throw new IllegalArgumentException("elements must be >= 0, got " + elements);
        }
    }
}
