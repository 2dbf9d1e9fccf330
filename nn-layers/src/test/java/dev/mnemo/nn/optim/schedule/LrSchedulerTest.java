package dev.mnemo.nn.optim.schedule;

import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.optim.Optimizer;
import dev.mnemo.nn.optim.Sgd;
import dev.mnemo.nn.optim.SgdOptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LrSchedulerTest {

    static Optimizer sgd(double lr) {
        return new Sgd(SgdOptions.of(lr), Tensor.zeros(2), Tensor.zeros(2));
    }

    @Test
    void stepLrFollowsTheClosedForm() {
        Optimizer opt = sgd(0.5);
        var s = new StepLr(opt, 3, 0.1);
        assertEquals(0, s.lastEpoch());
        assertEquals(0.5, opt.lr());
        for (int epoch = 1; epoch <= 10; epoch++) {
            s.step();
            assertEquals(epoch, s.lastEpoch());
            assertEquals(0.5 * Math.pow(0.1, epoch / 3), opt.lr(), 1e-18, "epoch " + epoch);
            assertEquals(opt.lr(), s.lastLr());
        }
        // by hand: epochs 0-2 0.5, 3-5 0.05, 6-8 0.005, 9 0.0005
        assertEquals(0.5, s.lrAt(2));
        assertEquals(0.05, s.lrAt(3), 1e-17);
        assertEquals(0.0005, s.lrAt(9), 1e-18);
        assertEquals("StepLr(stepSize=3)", s.toString());
    }

    @Test
    void cosineAnnealingFollowsTheClosedForm() {
        Optimizer opt = sgd(0.1);
        var s = new CosineAnnealingLr(opt, 10, 0.001);
        assertEquals(0.1, opt.lr());
        for (int epoch = 1; epoch <= 25; epoch++) {
            s.step();
            double expected = 0.001 + (0.1 - 0.001) * (1 + Math.cos(Math.PI * epoch / 10)) / 2;
            assertEquals(expected, opt.lr(), 1e-17, "epoch " + epoch);
        }
        assertEquals(0.001, s.lrAt(10), 1e-17);                 // the minimum at tMax
        assertEquals((0.1 + 0.001) / 2, s.lrAt(5), 1e-17);      // halfway: the mean
        assertEquals(0.1, s.lrAt(20), 1e-17);                   // the closed form is periodic
        assertEquals(s.baseLr(), 0.1);
        // epoch 0 is the base lr exactly, as PyTorch starts (the formula gives 0.010000000000000002 here)
        Optimizer small = sgd(0.01);
        assertEquals(0.01, new CosineAnnealingLr(small, 10, 0.001).lrAt(0));
        assertEquals(0.01, small.lr());
    }

    @Test
    void cosineToZeroEndsAtZero() {
        Optimizer opt = sgd(1.0);
        var s = new CosineAnnealingLr(opt, 4);
        for (int i = 0; i < 4; i++) {
            s.step();
        }
        assertEquals(0.0, opt.lr(), 1e-16);
        assertEquals(0.0, s.lrAt(4), 1e-16);
    }

    /**
     * A schedule can leave the lr an optimizer takes (gamma 10 reaches ∞ at epoch 306 from 1e-3): the step or move
     * that gets there throws and changes nothing. It used to advance the epoch first, so lastEpoch() and lastLr()
     * told of an lr the optimizer never had.
     */
    @Test
    void anEpochWhoseLrNoOptimizerTakesChangesNothing() {
        Optimizer opt = sgd(1e-3);
        var s = new StepLr(opt, 1, 10.0);
        s.setLastEpoch(300);
        double lr = opt.lr();
        var e = assertThrows(IllegalArgumentException.class, () -> {
            for (int i = 0; i < 10; i++) {
                s.step();
            }
        });
        assertTrue(e.getMessage().startsWith("StepLr(stepSize=1, gamma=10.0) gives lr Infinity at epoch "),
                e.getMessage());
        int reached = s.lastEpoch();
        assertEquals(opt.lr(), s.lastLr(), "the epoch stopped where the lr did");
        assertTrue(Double.isFinite(opt.lr()) && opt.lr() > lr, "the last lr reached: " + opt.lr());
        assertThrows(IllegalArgumentException.class, () -> s.setLastEpoch(1000));
        assertEquals(reached, s.lastEpoch());
        assertEquals(opt.lr(), s.lastLr());
        assertThrows(IllegalArgumentException.class, () -> s.checkedLrAt(1000));
        assertEquals(s.lrAt(5), s.checkedLrAt(5));
    }

    @Test
    void argumentsAreValidated() {
        Optimizer opt = sgd(0.1);
        var e = assertThrows(IllegalArgumentException.class, () -> new StepLr(opt, 0));
        assertEquals("stepSize must be > 0, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new StepLr(opt, 2, -0.5));
        assertEquals("gamma must be > 0 and finite, got -0.5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new CosineAnnealingLr(opt, -1));
        assertEquals("tMax must be > 0, got -1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new CosineAnnealingLr(opt, 5, -1e-3));
        assertEquals("etaMin must be >= 0 and finite, got -0.001", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new StepLr(opt, 2).lrAt(-1));
        assertEquals("epoch must be >= 0, got -1", e.getMessage());
    }
}
