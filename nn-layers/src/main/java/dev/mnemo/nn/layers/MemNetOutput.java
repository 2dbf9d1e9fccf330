package dev.mnemo.nn.layers;

import dev.mnemo.nn.Tensor;

/**
 * What {@link MemNet#forward} returns.
 *
 * @param output {@code y} {@code [T, B, d_out]} ({@code [B, T, d_out]} when batchFirst)
 * @param saved  activations for {@link MemNet#backward}
 */
public record MemNetOutput(Tensor output, MemNetSaved saved) {

    /**
     * The state after the last step, to continue the stream with {@link MemNet#step}: {@code h_{T−1}},
     * {@code c_{T−1}} and the last {@code min(T, M)} events in their ring slots. Built on demand (a
     * copy), so training loops that do not need it pay nothing. It reads the saved activations: take
     * it before {@code saved().release()}.
     *
     * @throws IllegalStateException after {@code saved().release()}
     */
    public MemNetState finalState() {
        return saved.layer.stateAfter(saved);
    }
}
