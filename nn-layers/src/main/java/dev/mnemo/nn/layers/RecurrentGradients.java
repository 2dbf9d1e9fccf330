package dev.mnemo.nn.layers;

/**
 * What {@link RecurrentLayer#backward} returns; the parameter gradients are accumulated into the
 * layer's flat gradient buffer ({@link RecurrentLayer#gradients()}).
 *
 * @param dx     ∂L/∂x, shaped like the input
 * @param dState ∂L/∂ of the initial state ({@code h_0}, and {@code c_0} for {@link Lstm}), whether it
 *               was given or defaulted to zeros
 */
public record RecurrentGradients(dev.mnemo.nn.Tensor dx, RecurrentState dState) {
}
