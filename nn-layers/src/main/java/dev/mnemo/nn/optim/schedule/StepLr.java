package dev.mnemo.nn.optim.schedule;

import dev.mnemo.nn.optim.Optimizer;

/**
 * Decays the learning rate by {@code gamma} every {@code stepSize} epochs (PyTorch's
 * {@code torch.optim.lr_scheduler.StepLR}):
 * <pre>
 *   lr(epoch) = baseLr · gamma^⌊epoch / stepSize⌋
 * </pre>
 */
public final class StepLr extends LrScheduler {

    private final int stepSize;
    private final double gamma;

    /** {@code gamma} 0.1, PyTorch's default. */
    public StepLr(Optimizer optimizer, int stepSize) {
        this(optimizer, stepSize, 0.1);
    }

    /**
     * @param stepSize epochs between decays; > 0
     * @param gamma    multiplicative factor; finite and > 0
     */
    public StepLr(Optimizer optimizer, int stepSize, double gamma) {
        super(optimizer);
        if (stepSize <= 0) {
            throw new IllegalArgumentException("stepSize must be > 0, got " + stepSize);
        }
        if (!(gamma > 0.0) || !Double.isFinite(gamma)) {
            throw new IllegalArgumentException("gamma must be > 0 and finite, got " + gamma);
        }
        this.stepSize = stepSize;
        this.gamma = gamma;
        start();
    }

    @Override
    public double lrAt(int epoch) {
        requireEpoch(epoch);
        return baseLr() * Math.pow(gamma, epoch / stepSize);
    }

    public int stepSize() {
        return stepSize;
    }

    public double gamma() {
        return gamma;
    }

    @Override
    public String toString() {
        return "StepLr(stepSize=" + stepSize + (gamma != 0.1 ? ", gamma=" + gamma : "") + ")";
    }
}
