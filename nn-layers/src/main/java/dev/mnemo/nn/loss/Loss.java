package dev.mnemo.nn.loss;

import dev.mnemo.nn.Tensor;

/**
 * A loss value and its gradient with respect to the loss's input (logits or predictions), shaped like
 * that input. Both use mean reduction.
 */
public record Loss(double value, Tensor gradient) {
}
