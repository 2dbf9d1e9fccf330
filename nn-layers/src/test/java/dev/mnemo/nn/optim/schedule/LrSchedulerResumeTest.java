package dev.mnemo.nn.optim.schedule;

import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.optim.Optimizer;
import dev.mnemo.nn.optim.Sgd;
import dev.mnemo.nn.optim.SgdOptions;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link LrScheduler#setLastEpoch}: a scheduler rebuilt at epoch k is the one stepped k times (PyTorch's last_epoch). */
class LrSchedulerResumeTest {

    static Optimizer sgd(double lr) {
        return new Sgd(SgdOptions.of(lr), Tensor.zeros(2), Tensor.zeros(2));
    }

    @Test
    void aSchedulerRebuiltAtAnEpochContinuesAsTheSteppedOne() {
        List<Function<Optimizer, LrScheduler>> makers = List.of(
                o -> new StepLr(o, 3, 0.5),
                o -> new CosineAnnealingLr(o, 7, 0.001));
        for (var make : makers) {
            for (int k = 0; k <= 12; k++) {
                Optimizer a = sgd(0.1);
                LrScheduler stepped = make.apply(a);
                for (int i = 0; i < k; i++) {
                    stepped.step();
                }
                Optimizer b = sgd(0.1);
                LrScheduler rebuilt = make.apply(b);
                rebuilt.setLastEpoch(k);
                assertEquals(k, rebuilt.lastEpoch());
                assertEquals(stepped.lastLr(), rebuilt.lastLr(), stepped + " epoch " + k);
                assertEquals(a.lr(), b.lr(), stepped + " epoch " + k);      // bit for bit: the same closed form
                for (int i = 0; i < 5; i++) {
                    stepped.step();
                    rebuilt.step();
                    assertEquals(a.lr(), b.lr(), stepped + " epoch " + (k + i + 1));
                }
            }
        }
    }

    @Test
    void aNegativeEpochIsRefusedAndChangesNothing() {
        Optimizer o = sgd(0.1);
        var s = new StepLr(o, 2);
        s.step();
        s.step();
        assertEquals("epoch must be >= 0, got -1",
                assertThrows(IllegalArgumentException.class, () -> s.setLastEpoch(-1)).getMessage());
        assertEquals(2, s.lastEpoch());
        assertEquals(0.1 * 0.1, o.lr(), 1e-18);
    }

    @Test
    void movingBackIsAllowed() {
        Optimizer o = sgd(0.1);
        var s = new CosineAnnealingLr(o, 4);
        s.setLastEpoch(4);
        assertEquals(0.0, o.lr(), 1e-18);
        s.setLastEpoch(0);
        assertEquals(0.1, o.lr());
        assertEquals(0, s.lastEpoch());
    }
}
