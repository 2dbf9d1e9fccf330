package dev.mnemo.nn.optim.schedule;

import dev.mnemo.nn.optim.Optimizer;

/**
 * Anneals the learning rate from its base value to {@code etaMin} along half a cosine over
 * {@code tMax} epochs (PyTorch's {@code torch.optim.lr_scheduler.CosineAnnealingLR}, the SGDR
 * schedule of Loshchilov and Hutter without restarts), in PyTorch's closed form:
 * <pre>
 *   lr(epoch) = etaMin + (baseLr − etaMin) · (1 + cos(π · epoch / tMax)) / 2
 * </pre>
 * so {@code lr(0) = baseLr} and {@code lr(tMax) = etaMin}. Past {@code tMax} the cosine goes on (the lr
 * rises again, period {@code 2·tMax}), as PyTorch's closed form does.
 */
public final class CosineAnnealingLr extends LrScheduler {

    private final int tMax;
    private final double etaMin;

    /** {@code etaMin} 0, PyTorch's default. */
    public CosineAnnealingLr(Optimizer optimizer, int tMax) {
        this(optimizer, tMax, 0.0);
    }

    /**
     * @param tMax   epochs from the base lr to {@code etaMin}; > 0
     * @param etaMin the smallest lr; finite and ≥ 0
     */
    public CosineAnnealingLr(Optimizer optimizer, int tMax, double etaMin) {
        super(optimizer);
        if (tMax <= 0) {
            throw new IllegalArgumentException("tMax must be > 0, got " + tMax);
        }
        if (!(etaMin >= 0.0) || !Double.isFinite(etaMin)) {
            throw new IllegalArgumentException("etaMin must be >= 0 and finite, got " + etaMin);
        }
        this.tMax = tMax;
        this.etaMin = etaMin;
        start();
    }

    @Override
    public double lrAt(int epoch) {
        requireEpoch(epoch);
        if (epoch == 0) {   // exactly the base lr, as PyTorch starts: the formula may round it an ulp off
            return baseLr();
        }
        return etaMin + (baseLr() - etaMin) * (1.0 + Math.cos(Math.PI * epoch / tMax)) / 2.0;
    }

    public int tMax() {
        return tMax;
    }

    public double etaMin() {
        return etaMin;
    }

    @Override
    public String toString() {
        return "CosineAnnealingLr(tMax=" + tMax + (etaMin != 0.0 ? ", etaMin=" + etaMin : "") + ")";
    }
}
