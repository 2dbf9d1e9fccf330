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

    /**
     * This optimizer's state (PyTorch's {@code state_dict()}): its kind and options, the step count, the
     * current lr and its state tensors under PyTorch's names ({@code exp_avg}, {@code exp_avg_sq},
     * {@code momentum_buffer}, {@code square_avg}, {@code grad_avg}); see {@link OptimizerState}. The
     * tensors are this optimizer's own, not copies.
     */
    OptimizerState stateDict();

    /**
     * Restores a state from {@link #stateDict()} (PyTorch's {@code load_state_dict}): copies the state
     * tensors into this optimizer's, and sets the step count and the lr, so the following steps are
     * those of the optimizer that was saved. Everything is checked before anything changes.
     *
     * <p>The source tensors may be on this optimizer's device or on the host (a file's tensors, which
     * are uploaded). The options' {@code lr} is not compared: the state's current lr replaces this
     * optimizer's, as PyTorch's load restores a group's lr.
     *
     * @throws IllegalArgumentException naming every mismatch: another kind, other options (but lr),
     *                                  another number of buffers, missing or unexpected tensors, and
     *                                  tensors of another shape, element type or device; or a state
     *                                  that no optimizer can reach (a NaN or infinite element, a
     *                                  negative {@code exp_avg_sq} or {@code square_avg}); or a state whose
     *                                  tensors are this optimizer's own, kept from {@link #stateDict()} while
     *                                  it took more steps (its step count and moments would disagree: copy
     *                                  the tensors to keep a state)
     */
    void loadStateDict(OptimizerState state);
}
