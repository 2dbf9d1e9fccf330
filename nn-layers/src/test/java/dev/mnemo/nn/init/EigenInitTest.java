package dev.mnemo.nn.init;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.analysis.GateBlock;
import dev.mnemo.nn.analysis.GateBlocks;
import dev.mnemo.nn.layers.Gru;
import dev.mnemo.nn.layers.Lstm;
import dev.mnemo.nn.layers.RecurrentOptions;
import dev.mnemo.nn.linalg.Eigen;
import dev.mnemo.nn.linalg.EigenEngine;
import dev.mnemo.nn.linalg.EigenOptions;
import dev.mnemo.nn.linalg.EigenResult;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The eigen initializer builds exactly the spectrum it is asked for. */
class EigenInitTest {

    static final long SEED = Long.getLong("mnemo.test.seed", 20261128L);
    static final EigenOptions CPU = EigenOptions.builder().engine(EigenEngine.CPU).build();

    @ParameterizedTest
    @ValueSource(ints = {64, 256})
    void aLayerBlockHasExactlyTheRequestedSpectrum(int n) {
        // float32 storage in the layer; target recomputed from the block's own stream
        EigenInit recipe = EigenInit.defaults();
        var gru = new Gru(RecurrentOptions.of(3, n));
        RecurrentInit init = Initializers.eigen(recipe, SEED).toBuilder().mask(GateMask.candidate()).build();
        init.apply(gru);
        GateBlock g = GateBlocks.recurrent(gru).get(2);
        assertEquals("n", g.gate());
        EigenInit.Construction target = recipe.construct(n,
                new SplittableRandom(RecurrentInit.blockSeed(SEED, g.parameter(), g.gateIndex())));
        EigenResult computed = Eigen.of(g.view(), CPU);
        double d = computed.maxDistanceTo(target.re(), target.im());
        assertTrue(d < 1e-4, "n=" + n + ": |computed − target| = " + d);
        assertTrue(computed.spectralRadius() <= 1.0 + 1e-4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"uniform", "fixed", "linspace", "two-level", "zero-phase", "random-basis", "odd"})
    void everyMagnitudePhaseAndBasisGivesItsSpectrum(String variant) {
        int n = variant.equals("odd") ? 33 : 64;
        EigenInit recipe = switch (variant) {
            case "fixed" -> new EigenInit(new Magnitude.Fixed(0.9), new Phase.Uniform(Math.PI), Basis.ORTHOGONAL, 1.0);
            case "linspace" -> new EigenInit(new Magnitude.Linspace(0.2, 1.0), new Phase.Uniform(1.0), Basis.ORTHOGONAL,
                    1.1);
            case "two-level" -> new EigenInit(new Magnitude.TwoLevel(0.25, 0.999, 0.3), new Phase.Uniform(Math.PI),
                    Basis.ORTHOGONAL, 1.0);
            case "zero-phase" -> new EigenInit(new Magnitude.Uniform(0.1, 0.95), new Phase.Zero(), Basis.ORTHOGONAL,
                    1.0);
            case "random-basis" -> new EigenInit(new Magnitude.Uniform(0.5, 1.0), new Phase.Uniform(Math.PI),
                    Basis.RANDOM, 1.0);
            default -> EigenInit.defaults();
        };
        EigenInit.Construction c = recipe.construct(n, new SplittableRandom(SEED));
        EigenResult e = Eigen.of(c.matrix(), n, CPU);
        // in float64 the construction is exact to rounding (a non-orthogonal basis amplifies it by κ(V))
        double tol = variant.equals("random-basis") ? 1e-8 : 1e-11;
        assertTrue(e.maxDistanceTo(c.re(), c.im()) < tol, variant + ": " + e.maxDistanceTo(c.re(), c.im()));
        double[] mags = e.magnitudes();
        switch (variant) {
            case "fixed" -> {
                for (double m : mags) {
                    assertEquals(0.9, m, 1e-12);
                }
            }
            case "linspace" -> {
                assertEquals(1.1, mags[0], 1e-12);
                assertEquals(0.22, mags[n - 1], 1e-12);
                for (int k = 0; k < n; k++) {
                    assertTrue(Math.abs(e.arg(k)) <= 1.0 + 1e-12);
                }
            }
            case "two-level" -> {
                // 32 modes, round(0.25·32) = 8 pairs at 0.999: 16 eigenvalues
                assertEquals(16, java.util.Arrays.stream(mags).filter(m -> Math.abs(m - 0.999) < 1e-9).count());
                assertEquals(48, java.util.Arrays.stream(mags).filter(m -> Math.abs(m - 0.3) < 1e-9).count());
            }
            case "zero-phase" -> {
                for (int k = 0; k < n; k++) {
                    assertEquals(0.0, e.im(k), 1e-12);
                    assertTrue(e.re(k) > 0);
                }
            }
            case "odd" -> assertEquals(1, java.util.Arrays.stream(c.im()).filter(x -> x == 0).count());
            default -> {
            }
        }
        if (variant.equals("uniform")) {
            // the orthogonal basis makes W normal: W·Wᵀ = Wᵀ·W
            double[] w = c.matrix();
            double worst = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double a = 0;
                    double b = 0;
                    for (int k = 0; k < n; k++) {
                        a += w[i * n + k] * w[j * n + k];
                        b += w[k * n + i] * w[k * n + j];
                    }
                    worst = Math.max(worst, Math.abs(a - b));
                }
            }
            assertTrue(worst < 1e-12, "normality " + worst);
        }
    }

    @Test
    void theMaskDecidesWhichBlocksGetTheRecipe() {
        var lstm = new Lstm(RecurrentOptions.of(2, 32));
        EigenInit fixed = new EigenInit(new Magnitude.Fixed(0.5), new Phase.Uniform(Math.PI), Basis.ORTHOGONAL, 1.0);
        RecurrentInit init = RecurrentInit.builder(fixed).mask(GateMask.of("f", "o")).seed(1).build();
        InitRecord rec = init.apply(lstm);
        for (GateBlock b : GateBlocks.recurrent(lstm)) {
            EigenResult e = Eigen.of(b.view(), CPU);
            boolean masked = b.gate().equals("f") || b.gate().equals("o");
            if (masked) {
                assertEquals(0.5, e.spectralRadius(), 1e-5, b.label());
                assertEquals(0.5, e.abs(e.n() - 1), 1e-5, b.label());
            } else {
                // xavier-uniform per block: radius ≈ 1
                assertTrue(e.spectralRadius() > 0.7 && e.spectralRadius() < 1.3, b.label() + " " + e.spectralRadius());
            }
        }
        assertTrue(rec.applied().contains("weight_hh_l0[f] ← eigen"), rec.applied().toString());
        assertTrue(rec.applied().contains("weight_hh_l0[i] ← xavier"), rec.applied().toString());
        assertTrue(init.describe().contains("weight_hh blocks [f,o]"), init.describe());
        assertTrue(init.describe().contains("other weight_hh blocks xavier-uniform(gain=1.0)"), init.describe());

        // keepOthers leaves the unselected blocks untouched
        var again = new Lstm(RecurrentOptions.of(2, 32));
        Tensor before = again.parameters().get("weight_hh_l0").copy();
        RecurrentInit.builder(fixed).mask(GateMask.candidate()).keepOthers().build().apply(again);
        Tensor after = again.parameters().get("weight_hh_l0");
        for (int i = 0; i < 32 * 32; i++) {
            assertEquals(before.getFlat(i), after.getFlat(i), 0); // gate i untouched
        }
        assertThrows(IllegalArgumentException.class, () -> GateMask.of("x").resolve(again));
        // "," named no gate: the recipe went to no block while the record named it
        var empty = assertThrows(IllegalArgumentException.class, () -> new GateMask(",").resolve(again));
        assertEquals("mask ',' has an empty gate name; name gates like i,f", empty.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GateMask("i,").resolve(again));
    }

    @Test
    void badParametersAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Magnitude.Uniform(0.9, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new Magnitude.TwoLevel(1.5, 1, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new Phase.Uniform(4.0));
        assertThrows(IllegalArgumentException.class, () -> new EigenInit(new Magnitude.Fixed(1), new Phase.Zero(),
                Basis.ORTHOGONAL, 0));
        assertThrows(IllegalArgumentException.class,
                () -> EigenInit.defaults().sample(new BlockContext("lstm", dev.mnemo.nn.Nonlinearity.TANH, "l0", "g",
                        "weight_ih_l0", 4, 3), new SplittableRandom(1)));
    }
}
