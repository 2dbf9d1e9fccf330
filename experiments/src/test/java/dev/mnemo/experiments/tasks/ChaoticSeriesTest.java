package dev.mnemo.experiments.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Known properties of the Mackey-Glass and Lorenz integrators. */
class ChaoticSeriesTest {

    /** The smallest mean |x(t + L) − x(t)| over lags L in [minLag, maxLag], relative to the series' std. */
    private static double closestReturn(double[] x, int minLag, int maxLag) {
        double mean = Arrays.stream(x).average().orElseThrow();
        double std = Math.sqrt(Arrays.stream(x).map(v -> (v - mean) * (v - mean)).average().orElseThrow());
        double best = Double.POSITIVE_INFINITY;
        for (int lag = minLag; lag <= maxLag; lag++) {
            double s = 0;
            for (int t = 0; t + lag < x.length; t++) {
                s += Math.abs(x[t + lag] - x[t]);
            }
            best = Math.min(best, s / (x.length - lag) / std);
        }
        return best;
    }

    @Test
    void mackeyGlass17StaysInItsRangeAndIsNotPeriodic() {
        double[] x = MackeyGlass.series(17, 3000, 1);
        double min = Arrays.stream(x).min().orElseThrow();
        double max = Arrays.stream(x).max().orElseThrow();
        // the τ = 17 attractor lives in about [0.4, 1.35]
        assertTrue(min > 0.2 && min < 0.6, "min " + min);
        assertTrue(max > 1.1 && max < 1.4, "max " + max);
        // chaotic: no lag up to 600 brings the series back onto itself ...
        double chaotic = closestReturn(x, 5, 600);
        assertTrue(chaotic > 0.05, "closest return " + chaotic);
        // ... while τ = 8 settles on a limit cycle, which this measure does see
        double periodic = closestReturn(MackeyGlass.series(8, 3000, 1), 5, 600);
        assertTrue(periodic < 0.01, "τ = 8 closest return " + periodic);
    }

    @Test
    void mackeyGlassSeedsDifferAndRepeat() {
        assertArrayEquals(MackeyGlass.series(30, 200, 4), MackeyGlass.series(30, 200, 4));
        assertFalse(Arrays.equals(MackeyGlass.series(30, 200, 4), MackeyGlass.series(30, 200, 5)));
        double[] x30 = MackeyGlass.series(30, 2000, 2);
        assertTrue(Arrays.stream(x30).allMatch(v -> v > 0.1 && v < 1.5));
    }

    @Test
    void mackeyGlassConvergesAsTheStepShrinks() {
        // the same trajectory (constant history, no warm-up) at dt, dt/2, dt/4, compared at t = 1..200
        double[] coarse = MackeyGlass.series(17, 200, 0, 0.2, 1.0, 0, 0);
        double[] mid = MackeyGlass.series(17, 200, 0, 0.1, 1.0, 0, 0);
        double[] fine = MackeyGlass.series(17, 200, 0, 0.05, 1.0, 0, 0);
        double e1 = maxDiff(coarse, mid);
        double e2 = maxDiff(mid, fine);
        assertTrue(e2 < 1e-3, "error " + e2);
        // at least second order (the linear interpolation of the delayed term limits RK4 to order 2)
        assertTrue(e1 / e2 > 3.0, "ratio " + e1 / e2);
    }

    @Test
    void lorenzStaysOnTheAttractorAndVisitsBothWings() {
        double[] s = Lorenz.series(4000, 3);
        int signChanges = 0;
        for (int i = 0; i < 4000; i++) {
            double x = s[3 * i];
            double y = s[3 * i + 1];
            double z = s[3 * i + 2];
            assertTrue(Math.abs(x) < 22 && Math.abs(y) < 30 && z > 0 && z < 52, "off the attractor at " + i);
            if (i > 0 && Math.signum(x) != Math.signum(s[3 * (i - 1)])) {
                signChanges++;
            }
        }
        assertTrue(signChanges > 20, "wing switches " + signChanges);
    }

    @Test
    void lorenzRk4IsFourthOrder() {
        double[] start = {1, 1, 25};
        double[] exact = Lorenz.integrate(start, 0.5, 0.0003125);
        double e1 = maxDiff(Lorenz.integrate(start, 0.5, 0.01), exact);
        double e2 = maxDiff(Lorenz.integrate(start, 0.5, 0.005), exact);
        double ratio = e1 / e2;
        assertTrue(ratio > 12 && ratio < 20, "error ratio for half the step " + ratio + " (16 expected)");
    }

    @Test
    void badSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> MackeyGlass.series(17, 10, 1, 0.3, 1.0, 0));   // τ/dt
        assertThrows(IllegalArgumentException.class, () -> MackeyGlass.series(17, 0, 1));
        var e = assertThrows(IllegalArgumentException.class, () -> ChaoticSeries.generate("henon", 10, 1));
        assertTrue(e.getMessage().contains("mackey-glass17, mackey-glass30, lorenz"), e.getMessage());
        assertEquals(3, ChaoticSeries.generate("lorenz", 10, 1).dims());
    }

    private static double maxDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
