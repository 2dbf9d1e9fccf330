package dev.mnemo.nn.layers;

import dev.mnemo.nn.Tensor;

/**
 * The recurrent state of a layer stack, PyTorch's {@code h_0}/{@code h_n} (and {@code c_0}/{@code c_n}).
 *
 * @param h hidden state {@code [numLayers·directions, B, H]}; entry {@code k·directions + d} belongs to
 *          layer {@code k}, direction {@code d} (1 = reverse)
 * @param c {@link Lstm} only: cell state, same shape as {@code h}; null for {@link Rnn} and {@link Gru}
 */
public record RecurrentState(Tensor h, Tensor c) {

    /** A state without a cell state ({@link Rnn}, {@link Gru}). */
    public static RecurrentState of(Tensor h) {
        return new RecurrentState(h, null);
    }
}
