package dev.mnemo.nn.optim.schedule;

import dev.mnemo.nn.optim.Optimizer;

import java.util.Objects;

/**
 * Sets an optimizer's learning rate once per epoch from a closed-form schedule (PyTorch's
 * {@code torch.optim.lr_scheduler.LRScheduler}). Construction records the optimizer's current lr as
 * the base lr and sets the lr of epoch 0; each {@link #step()} (call it at the end of an epoch, after
 * the optimizer's steps) advances the epoch and sets its lr:
 * <pre>
 *   for (int epoch = 0; epoch &lt; epochs; epoch++) {
 *       for (batch : data) { ...; optimizer.step(); }
 *       scheduler.step();
 *   }
 * </pre>
 *
 * <p><b>Differs from PyTorch</b>: always the closed form ({@code _get_closed_form_lr}) instead of the
 * chainable recursive form, so the lr does not depend on other changes to it between steps (a
 * second scheduler or a manual {@code setLr} is overwritten at the next step); no {@code step(epoch)}
 * ({@link #setLastEpoch} moves to an epoch to resume a run).
 * Not thread-safe.
 */
public abstract sealed class LrScheduler permits StepLr, CosineAnnealingLr {

    private final Optimizer optimizer;
    private final double baseLr;
    private int lastEpoch;

    /** Records {@code optimizer.lr()} as the base lr; the subclass constructor then calls {@link #start()}. */
    LrScheduler(Optimizer optimizer) {
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        this.baseLr = optimizer.lr();
    }

    /** Sets the lr of epoch 0 (after the subclass has its fields). */
    final void start() {
        optimizer.setLr(lrAt(0));
    }

    /** The learning rate of {@code epoch} ≥ 0 under this schedule. */
    public abstract double lrAt(int epoch);

    /**
     * {@link #lrAt}{@code (epoch)}, checked as an optimizer's lr must be (finite, ≥ 0): a schedule can leave that
     * range ({@code StepLr} with gamma 10 reaches ∞ in about 300 epochs).
     *
     * @throws IllegalArgumentException naming the schedule and the epoch, if the lr is not finite and ≥ 0
     */
    public final double checkedLrAt(int epoch) {
        double lr = lrAt(epoch);
        if (!(lr >= 0 && lr < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(this + " gives lr " + lr + " at epoch " + epoch
                    + ": an optimizer's lr must be finite and >= 0");
        }
        return lr;
    }

    /**
     * Ends an epoch: advances {@link #lastEpoch()} and sets the optimizer's lr to its value. When that lr is not
     * one an optimizer takes, throws and leaves the epoch and the lr as they were.
     *
     * @throws IllegalArgumentException if the next epoch's lr is not finite and ≥ 0
     */
    public final void step() {
        int next = Math.incrementExact(lastEpoch);
        optimizer.setLr(checkedLrAt(next));
        lastEpoch = next;
    }

    /** The current epoch: 0 after construction, +1 per {@link #step()} (PyTorch's {@code last_epoch}). */
    public final int lastEpoch() {
        return lastEpoch;
    }

    /**
     * Moves this schedule to {@code epoch} and sets the optimizer's lr to {@code lrAt(epoch)}: the state
     * after {@code epoch} calls of {@link #step()}, to resume a run (PyTorch's {@code last_epoch}, as
     * given to the constructor or restored by {@code load_state_dict}). Build the scheduler as at the
     * start of the run, on the optimizer before its lr changed, so {@link #baseLr()} is the same:
     * <pre>
     *   var scheduler = new StepLr(new Adam(options, buffers), 10, 0.5);
     *   scheduler.setLastEpoch(savedEpoch);     // scheduler.lastLr() is the saved run's
     * </pre>
     *
     * @throws IllegalArgumentException if {@code epoch} &lt; 0, or its lr is not finite and ≥ 0 (nothing changed)
     */
    public final void setLastEpoch(int epoch) {
        requireEpoch(epoch);
        optimizer.setLr(checkedLrAt(epoch));
        lastEpoch = epoch;
    }

    /** The lr this scheduler last set (PyTorch's {@code get_last_lr()}). */
    public final double lastLr() {
        return lrAt(lastEpoch);
    }

    /** The optimizer's lr when this scheduler was created (PyTorch's {@code base_lrs}). */
    public final double baseLr() {
        return baseLr;
    }

    /** The optimizer this scheduler drives. */
    public final Optimizer optimizer() {
        return optimizer;
    }

    static void requireEpoch(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
        }
    }
}
