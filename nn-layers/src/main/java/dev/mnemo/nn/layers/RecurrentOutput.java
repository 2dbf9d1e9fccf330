package dev.mnemo.nn.layers;

import dev.mnemo.nn.Tensor;

/**
 * What {@link RecurrentLayer#forward} and {@link RecurrentLayer#step} return.
 *
 * @param output the last layer's hidden states: {@code [T, B, directions·H]} ({@code [B, T, ·]} when
 *               batchFirst); {@code [B, H]} from {@code step}
 * @param state  the final state {@code h_n} (and {@code c_n}), {@code [numLayers·directions, B, H]}
 * @param saved  activations for {@link RecurrentLayer#backward}
 */
public record RecurrentOutput(Tensor output, RecurrentState state, RecurrentSaved saved) {
}
