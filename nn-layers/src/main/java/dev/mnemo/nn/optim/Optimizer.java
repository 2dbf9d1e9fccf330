package dev.mnemo.nn.optim;

import java.util.List;

/**
 * Updates a model's parameters from their gradients (PyTorch's {@code torch.optim.Optimizer}), working
 * on whole flat buffers ({@link ParameterBuffer}): one fused {@link dev.mnemo.nn.Backend} pass per
 * buffer and step, whatever the number of named parameters.
 *
 * <p>Typical loop: {@code zeroGrad()}, forward, loss, backward (which accumulates into the gradient
 * buffers), optionally {@link GradientClipping#clipGlobalNorm}, {@code step()}; a
 * {@link dev.mnemo.nn.optim.schedule.LrScheduler} changes {@link #lr()} once per epoch.
 *
 * <p><b>Differs from PyTorch</b>: one parameter group (one set of hyper-parameters) per optimizer;
 * no {@code maximize}, {@code foreach}/{@code fused} switches (the update is always one fused pass) or
 * closures; {@code zeroGrad()} fills with zeros (there is no {@code None} gradient). Not thread-safe.
 */
public interface Optimizer {

    /** Applies one update to every buffer from its current gradients. */
    void step();

    /** Sets every gradient buffer to zero (backward passes accumulate). */
    void zeroGrad();

    /** The current learning rate (the options' {@code lr} until a scheduler or {@link #setLr} changes it). */
    double lr();

    /**
     * Sets the learning rate used by the following steps.
     *
     * @throws IllegalArgumentException unless {@code lr} is finite and ≥ 0
     */
    void setLr(double lr);

    /** Number of {@link #step()} calls so far. */
    long stepCount();

    /** The buffers this optimizer updates, in order. */
    List<ParameterBuffer> buffers();
}
