package dev.mnemo.experiments.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.Tensor;
import org.junit.jupiter.api.Test;

/** Windows: shapes, one-step targets, the split in time and standardisation; NMSE and its baselines. */
class WindowsTest {

    /** A 2-dimensional series whose value is its own step index (dimension 1: minus it). */
    private static ChaoticSeries ramp(int n) {
        double[] v = new double[2 * n];
        for (int t = 0; t < n; t++) {
            v[2 * t] = t;
            v[2 * t + 1] = -t;
        }
        return new ChaoticSeries("ramp", 2, v, "test ramp");
    }

    @Test
    void windowsHaveTheRightShapesAndTargets() {
        Windows w = new Windows(ramp(100), 0.8, 10);
        assertEquals(80, w.trainSteps());
        assertEquals(20, w.testSteps());
        assertEquals(70, w.trainCount(1));          // starts 0..69: the last target is step 79
        assertEquals(14, w.trainCount(5));          // starts 0, 5, …, 65
        assertEquals(10, w.testCount(1));
        assertEquals(1, w.count(11, 1));            // a window needs W + 1 = 11 steps
        assertEquals(0, w.count(10, 1), "no window fits in W steps");
        assertEquals(0, w.count(2, 5), "nor in fewer (the division used to round -9/5 up to a window)");
        float[] train = w.trainValues();
        Tensor x = w.inputs(train, new int[] {0, 7, 69});
        Tensor y = w.targets(train, new int[] {0, 7, 69});
        assertArrayEquals(new int[] {10, 3, 2}, x.shape());
        assertArrayEquals(new int[] {10, 3, 2}, y.shape());
        // standardised with the training part's mean 39.5 and population std sqrt((80² − 1)/12)
        double std = Math.sqrt((80.0 * 80 - 1) / 12);
        assertEquals((7 + 3 - 39.5) / std, x.get(3, 1, 0), 1e-5);
        assertEquals(-(7 + 3 - 39.5) / std, x.get(3, 1, 1), 1e-5);
        assertEquals((7 + 4 - 39.5) / std, y.get(3, 1, 0), 1e-5);       // next step
        assertEquals((79 - 39.5) / std, y.get(9, 2, 0), 1e-5);          // last training step
        // the test part is later in time, standardised with the training statistics
        float[] test = w.testValues();
        assertEquals((80 - 39.5) / std, test[0], 1e-5);
        assertThrows(IndexOutOfBoundsException.class, () -> w.targets(train, new int[] {70}));
        assertThrows(IndexOutOfBoundsException.class, () -> w.inputs(train, new int[] {71}));
        assertThrows(IllegalArgumentException.class, () -> new Windows(ramp(30), 0.8, 10));
    }

    @Test
    void nmseOfMeanIsOneAndOfTruthIsZero() {
        double[] target = {1, 10, 2, 20, 4, 40, 5, 50};
        double[] mean = {3, 30, 3, 30, 3, 30, 3, 30};
        assertEquals(1.0, Nmse.of(mean, target, 2), 1e-12);
        assertEquals(0.0, Nmse.of(target, target, 2), 0.0);
        // dimension 0 off by 1 everywhere: MSE 1, var 2.5 → 0.4; dimension 1 exact → mean 0.2
        double[] shifted = {2, 10, 3, 20, 5, 40, 6, 50};
        assertEquals(0.2, Nmse.of(shifted, target, 2), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Nmse.of(new double[] {1, 1}, new double[] {2, 2}, 1));
    }

    @Test
    void persistenceBaselineOfASineHasTheClosedForm() {
        // x_t = sin(ω t): persistence error x_{t+1} − x_t = 2 sin(ω/2) cos(ω t + ω/2), so NMSE → 4 sin²(ω/2)
        double w = 0.1;
        int n = 20_000;
        double[] x = new double[n];
        for (int t = 0; t < n; t++) {
            x[t] = Math.sin(w * t);
        }
        double expected = 4 * Math.pow(Math.sin(w / 2), 2);
        assertEquals(expected, Nmse.persistence(x, 1), 2e-4);
        // on Mackey-Glass 17 sampled every 1.0 persistence is good but far from perfect
        double mg = Nmse.persistence(MackeyGlass.series(17, 2000, 1), 1);
        assertTrue(mg > 0.005 && mg < 0.1, "persistence NMSE " + mg);
    }
}
