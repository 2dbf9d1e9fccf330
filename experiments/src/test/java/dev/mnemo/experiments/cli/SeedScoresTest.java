package dev.mnemo.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.experiments.train.TomitaTrainer;
import org.junit.jupiter.api.Test;

class SeedScoresTest {

    @Test
    void aDivergedRunHasNoScoreAndIsCountedApart() {
        assertTrue(Double.isNaN(SeedScores.of(0.178, Double.NaN)), "a chance-level leftover is not a result");
        assertTrue(Double.isNaN(SeedScores.of(0.5, Double.POSITIVE_INFINITY)));
        assertEquals(0.9, SeedScores.of(0.9, 0.31));
        SeedScores s = new SeedScores(new double[] {0.9, Double.NaN, 0.8});
        assertEquals(1, s.diverged());
        assertEquals(0.85, s.mean(), 1e-12);
        assertEquals(Math.sqrt(0.005), s.std(), 1e-12);
        assertEquals("0.850 ± 0.071 (1 of 3 diverged)", s.summary("%.3f"));
        assertEquals("0.9000;diverged;0.8000", s.each("%.4f", ";"));
    }

    @Test
    void allDivergedOrNone() {
        SeedScores all = new SeedScores(new double[] {Double.NaN, Double.NaN});
        assertEquals("diverged (2 of 2)", all.summary("%.3f"));
        assertTrue(Double.isNaN(all.mean()));
        assertEquals("0.500 ± 0.000", new SeedScores(new double[] {0.5, 0.5}).summary("%.3f"));
        assertEquals("0.775 (one seed)", new SeedScores(new double[] {0.775}).summary("%.3f"), "no std of one value");
        assertEquals("0.850 (one seed) (2 of 3 diverged)",
                new SeedScores(new double[] {Double.NaN, 0.85, Double.NaN}).summary("%.3f"));
        // the std the CSVs and charts write: none (NaN) below two scored seeds, where it was 0, "no spread"
        assertTrue(Double.isNaN(new SeedScores(new double[] {0.9, Double.NaN, Double.NaN}).std()));
        assertTrue(Double.isNaN(all.std()));
        assertEquals(0.0, new SeedScores(new double[] {0.5, 0.5}).std());
    }

    /** A spectrum-matched run whose eigen source diverged is not run, and its place counts as diverged. */
    @Test
    void aRunNotRunForADivergedSourceCountsAsDiverged() {
        var source = new TomitaTrainer.Result(0.5, 0.5, Double.NaN, 12, 1.0, "eigen", null, 40, 32, 0.5, 16);
        var notRun = TomitaTrainer.Result.notRunSourceDiverged(source);
        assertTrue(notRun.notRun());
        assertEquals(null, notRun.layer());
        assertEquals(40, notRun.trainSize());
        assertEquals(32, notRun.testSize());
        assertTrue(Double.isNaN(SeedScores.of(notRun.testAccuracy(), notRun.lastLoss())));
        assertEquals("spectrum-matched: not run, its eigen run diverged", notRun.initDescription());
    }
}
