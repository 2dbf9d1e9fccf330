package dev.mnemo.nn.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.layers.Gru;
import dev.mnemo.nn.layers.Lstm;
import dev.mnemo.nn.layers.RecurrentOptions;
import dev.mnemo.nn.layers.Rnn;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Summaries of constructed matrices with known answers, and the gate-block layout of layers. */
class SpectrumAnalysisTest {

    @Test
    void aDiagonalMatrixHasKnownTimeConstantsAndHistogram() {
        double[] d = {1.2, 1.0, 0.99, 0.5, 0.0, -0.9};
        int n = d.length;
        Tensor t = Tensor.zeros(n, n);
        for (int i = 0; i < n; i++) {
            t.set(d[i], i, i);
        }
        SpectrumSummary s = SpectrumSummary.of("l0", "h", t);
        assertEquals(1.2, s.spectralRadius(), 1e-6);
        assertArrayEquals(new double[]{1.2, 1.0, 0.99, 0.9, 0.5, 0.0}, s.magnitudes(), 1e-6);
        double[] tau = s.timeConstants();
        assertEquals(Double.POSITIVE_INFINITY, tau[0]);
        assertTrue(tau[1] > 1e12); // |λ| = 1 up to rounding: ∞ or astronomically long
        assertEquals(-1 / Math.log(0.99f), tau[2], 1e-6);
        assertEquals(-1 / Math.log(0.9f), tau[3], 1e-6);
        assertEquals(0.0, tau[5]);
        // τ(0.99) ≈ 99.5, τ(0.9) ≈ 9.5
        assertEquals(3, s.modesLongerThan(50));
        assertEquals(4, s.modesLongerThan(5));
        assertEquals(2, s.modesLongerThan(1000));
        Histogram h = s.histogram(4, 1.0);
        assertArrayEquals(new int[]{1, 0, 1, 4}, h.counts());
        assertEquals(n, s.histogram().total());
        assertEquals(SpectrumSummary.DEFAULT_BINS, s.histogram().counts().length);
        assertEquals(1.2, s.histogram().edges()[SpectrumSummary.DEFAULT_BINS], 1e-6);
        // singular values of a diagonal matrix: |d| sorted
        assertArrayEquals(new double[]{1.2, 1.0, 0.99, 0.9, 0.5, 0.0}, s.singularValues(), 1e-6);
        assertTrue(s.toString().startsWith("l0/h: n=6, radius=1.2"), s.toString());
    }

    @Test
    void retentionThresholdMatchesTheSpec() {
        assertEquals(0.9971, SpectrumSummary.magnitudeToRetain(0.1, 784), 1e-4);
        assertEquals(Double.POSITIVE_INFINITY, SpectrumSummary.timeConstant(1.0));
        assertEquals(-1 / Math.log(0.5), SpectrumSummary.timeConstant(0.5), 0);
        assertThrows(IllegalArgumentException.class, () -> SpectrumSummary.magnitudeToRetain(1.5, 10));
    }

    @Test
    void everyGateBlockOfEveryLayerIsAnalysed() {
        var lstm = new Lstm(RecurrentOptions.builder(3, 8).numLayers(2).bidirectional(true).build());
        List<SpectrumSummary> s = SpectrumAnalysis.of(lstm);
        assertEquals(2 * 2 * 4, s.size());
        assertEquals("l0", s.get(0).layer());
        assertEquals("i", s.get(0).gate());
        assertEquals("o", s.get(3).gate());
        assertEquals("l0_reverse", s.get(4).layer());
        assertEquals("l1_reverse", s.get(15).layer());
        // block g of l1 is rows [2H, 3H) of weight_hh_l1
        Tensor w = lstm.parameters().get("weight_hh_l1");
        SpectrumSummary direct = SpectrumSummary.of("x", "g", w.slice(16, 24));
        assertArrayEquals(direct.re(), s.get(8 + 2).re(), 0);
        for (SpectrumSummary x : s) {
            assertEquals(8, x.n());
            assertTrue(x.eigen().notes().isEmpty());
        }
        var gru = new Gru(RecurrentOptions.of(2, 5));
        assertEquals(List.of("r", "z", "n"), SpectrumAnalysis.of(gru).stream().map(SpectrumSummary::gate).toList());
        var rnn = new Rnn(RecurrentOptions.of(2, 5));
        assertEquals(List.of("h"), SpectrumAnalysis.of(rnn).stream().map(SpectrumSummary::gate).toList());
        assertEquals("n", GateBlocks.candidateGate(gru));
        assertEquals(List.of("weight_ih_l0[r]", "weight_ih_l0[z]", "weight_ih_l0[n]"),
                GateBlocks.input(gru).stream().map(GateBlock::label).toList());
        assertArrayEquals(new int[]{5, 2}, GateBlocks.input(gru).get(0).view().shape());
    }

    /** A value equal to an edge lands in the bin that edge opens, whatever the quotient's rounding. */
    @Test
    void histogramPutsEachEdgeInTheBinItOpens() {
        for (double hi : new double[]{1.1, 1.5, 2.7}) {
            for (int bins : new int[]{7, 20, 33}) {
                double[] edges = Histogram.of(new double[0], bins, 0, hi).edges();
                double[] atEdges = java.util.Arrays.copyOf(edges, bins);   // edges[0..bins-1]
                int[] counts = Histogram.of(atEdges, bins, 0, hi).counts();
                for (int k = 0; k < bins; k++) {
                    assertEquals(1, counts[k], "hi " + hi + ", " + bins + " bins: bin " + k + " holds edges[" + k + "]");
                }
                assertEquals(2, Histogram.of(new double[]{hi, 2 * hi}, bins, 0, hi).counts()[bins - 1]);
                assertEquals(1, Histogram.of(new double[]{-1}, bins, 0, hi).counts()[0]);
            }
        }
    }

    @Test
    void histogramRejectsBadBins() {
        assertThrows(IllegalArgumentException.class, () -> Histogram.of(new double[]{1}, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> Histogram.of(new double[]{1}, 3, 1, 1));
        // infinite edges, or a width that overflows, gave NaN and infinite edges and put every value in bin 0
        assertThrows(IllegalArgumentException.class,
                () -> Histogram.of(new double[]{0.5}, 4, 0, Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class,
                () -> Histogram.of(new double[]{0.5}, 4, -Double.MAX_VALUE, Double.MAX_VALUE));
        // a NaN was counted as a value at lo
        assertThrows(IllegalArgumentException.class, () -> Histogram.of(new double[]{0.5, Double.NaN}, 4, 0, 1));
        // bins + 1 edges overflowed int: NegativeArraySizeException
        assertThrows(IllegalArgumentException.class, () -> Histogram.of(new double[]{1}, Integer.MAX_VALUE, 0, 1));
        // ±∞ are values below lo and above hi: first and last bin
        assertArrayEquals(new int[]{1, 0, 0, 1},
                Histogram.of(new double[]{Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY}, 4, 0, 1).counts());
    }
}
