package dev.mnemo.nn.init;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.Nonlinearity;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.analysis.GateBlock;
import dev.mnemo.nn.analysis.GateBlocks;
import dev.mnemo.nn.analysis.SpectrumTracker;
import dev.mnemo.nn.layers.Gru;
import dev.mnemo.nn.layers.Lstm;
import dev.mnemo.nn.layers.RecurrentLayer;
import dev.mnemo.nn.layers.RecurrentOptions;
import dev.mnemo.nn.layers.Rnn;
import dev.mnemo.nn.linalg.Eigen;
import dev.mnemo.nn.linalg.EigenEngine;
import dev.mnemo.nn.linalg.EigenOptions;
import dev.mnemo.nn.linalg.EigenResult;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The table of reference/eigen.md, the registry, reproducibility and records. */
class InitializersTest {

    static final long SEED = Long.getLong("mnemo.test.seed", 20261129L);
    static final EigenOptions CPU = EigenOptions.builder().engine(EigenEngine.CPU).build();

    static double std(double[] a) {
        double s = 0;
        double s2 = 0;
        for (double x : a) {
            s += x;
            s2 += x * x;
        }
        double m = s / a.length;
        return Math.sqrt(s2 / a.length - m * m);
    }

    @ParameterizedTest
    @ValueSource(strings = {"xavier-uniform", "xavier-normal", "kaiming-uniform-relu", "kaiming-normal-tanh",
            "kaiming-auto-relu-rnn"})
    void varianceScalingMatchesItsFormulaOn512By512(String which) {
        int n = 512;
        BlockContext ctx = which.endsWith("rnn") ? new BlockContext("rnn", Nonlinearity.RELU, "l0", "h",
                "weight_hh_l0", n, n) : BlockContext.of(n, n);
        BlockInit recipe;
        double expected;
        switch (which) {
            case "xavier-uniform" -> {
                recipe = new Xavier(Distribution.UNIFORM, 1.5);
                expected = 1.5 * Math.sqrt(2.0 / (n + n));
            }
            case "xavier-normal" -> {
                recipe = new Xavier(Distribution.NORMAL, 1.0);
                expected = Math.sqrt(2.0 / (n + n));
            }
            case "kaiming-uniform-relu" -> {
                recipe = Kaiming.of(Distribution.UNIFORM, "relu");
                expected = Math.sqrt(2.0) / Math.sqrt(n);
            }
            case "kaiming-normal-tanh" -> {
                recipe = Kaiming.of(Distribution.NORMAL, "tanh");
                expected = 5.0 / 3.0 / Math.sqrt(n);
            }
            default -> {
                recipe = Kaiming.of(Distribution.NORMAL, "auto");
                expected = Math.sqrt(2.0) / Math.sqrt(n);
            }
        }
        double[] w = recipe.sample(ctx, new SplittableRandom(SEED));
        assertEquals(1.0, std(w) / expected, 0.02, which);
        if (which.startsWith("xavier-uniform")) {
            double bound = 1.5 * Math.sqrt(6.0 / (n + n));
            for (double x : w) {
                assertTrue(Math.abs(x) <= bound);
            }
        }
    }

    @Test
    void orthogonalBlocksSatisfyQtQEqualsI() {
        var lstm = new Lstm(RecurrentOptions.of(3, 48));
        Initializers.orthogonal(1.0, SEED).apply(lstm);
        for (GateBlock b : GateBlocks.recurrent(lstm)) {
            double[] q = b.view().toDoubleArray();
            int n = 48;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double dot = 0;
                    for (int k = 0; k < n; k++) {
                        dot += q[k * n + i] * q[k * n + j];
                    }
                    assertEquals(i == j ? 1.0 : 0.0, dot, 1e-5, b.label());
                }
            }
        }
        // rectangular blocks (weight_ih through the orthogonal recipe): orthonormal rows when wide
        double[] wide = new Orthogonal(2.0).sample(BlockContext.of(3, 7), new SplittableRandom(SEED));
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                double dot = 0;
                for (int k = 0; k < 7; k++) {
                    dot += wide[i * 7 + k] * wide[j * 7 + k];
                }
                assertEquals(i == j ? 4.0 : 0.0, dot, 1e-12);
            }
        }
    }

    @Test
    void irnnIsScaledIdentityWithTinyInputWeights() {
        var rnn = new Rnn(RecurrentOptions.builder(64, 32).nonlinearity(Nonlinearity.RELU).build());
        InitRecord rec = Initializers.irnn(0.9, SEED).apply(rnn);
        assertTrue(rec.notes().isEmpty(), rec.notes().toString());
        Tensor w = rnn.parameters().get("weight_hh_l0");
        for (int i = 0; i < 32; i++) {
            for (int j = 0; j < 32; j++) {
                assertEquals(i == j ? 0.9f : 0.0f, (float) w.get(i, j), 0);
            }
        }
        assertEquals(1.0, std(rnn.parameters().get("weight_ih_l0").toDoubleArray()) / 0.001, 0.05);
        for (double b : rnn.parameters().get("bias_hh_l0").toDoubleArray()) {
            assertEquals(0.0, b);
        }
        // on a tanh RNN it still applies, with a note
        InitRecord tanh = Initializers.irnn(1.0, SEED).apply(new Rnn(RecurrentOptions.of(2, 4)));
        assertTrue(tanh.notes().get(0).startsWith("irnn is defined for a ReLU RNN"), tanh.notes().toString());
    }

    @Test
    void spRnnHasTopEigenvalueOneAndAllRealPositive() {
        int n = 64;
        double[] w = new SpRnn().sample(BlockContext.of(n, n), new SplittableRandom(SEED));
        EigenResult e = Eigen.of(w, n, CPU);
        assertEquals(1.0, e.re(0), 1e-12);
        for (int k = 0; k < n; k++) {
            assertEquals(0.0, e.im(k));
            assertTrue(e.re(k) > 0 && e.re(k) <= 1.0 + 1e-12);
        }
        // through a layer, in float32
        var gru = new Gru(RecurrentOptions.of(2, n));
        Initializers.spRnn(SEED).apply(gru);
        for (GateBlock b : GateBlocks.recurrent(gru)) {
            EigenResult f = Eigen.of(b.view(), CPU);
            assertEquals(1.0, f.spectralRadius(), 1e-5);
            for (int k = 0; k < n; k++) {
                assertTrue(f.re(k) > 0);
                assertEquals(0.0, f.im(k), 1e-6);
            }
        }
        assertTrue(new SpRnn().describe().contains("our reading"));
    }

    @Test
    void theSameSeedGivesTheSameLayerAndAnotherSeedAnother() {
        for (String name : Initializers.NAMES) {
            if (name.equals("spectrum-matched")) {
                continue;
            }
            RecurrentLayer a = new Lstm(RecurrentOptions.of(3, 16));
            RecurrentLayer b = new Lstm(RecurrentOptions.builder(3, 16).seed(99).build());
            RecurrentLayer c = new Lstm(RecurrentOptions.of(3, 16));
            Initializers.byName(name, Map.of("seed", 5)).apply(a);
            Initializers.byName(name, Map.of("seed", 5)).apply(b);
            Initializers.byName(name, Map.of("seed", 6)).apply(c);
            assertArrayEquals(a.flatParameters().toFloatArray(), b.flatParameters().toFloatArray(), name);
            boolean randomRecipe = !name.equals("irnn");
            if (randomRecipe) {
                assertFalse(java.util.Arrays.equals(a.flatParameters().toFloatArray(),
                        c.flatParameters().toFloatArray()), name);
            }
        }
    }

    @Test
    void forgetBiasIsASeparateReportedSwitch() {
        var lstm = new Lstm(RecurrentOptions.builder(2, 8).numLayers(2).build());
        RecurrentInit init = Initializers.byName("xavier", Map.of("forget-bias", 1));
        InitRecord rec = init.apply(lstm);
        for (int k = 0; k < 2; k++) {
            double[] bih = lstm.parameters().get("bias_ih_l" + k).toDoubleArray();
            double[] bhh = lstm.parameters().get("bias_hh_l" + k).toDoubleArray();
            for (int i = 0; i < 32; i++) {
                assertEquals(i >= 8 && i < 16 ? 1.0 : 0.0, bih[i]);
                assertEquals(0.0, bhh[i]);
            }
        }
        assertTrue(init.describe().contains("forget bias 1.0"), init.describe());
        assertTrue(rec.applied().contains("bias_ih_l1[f] ← 1.0, bias_hh_l1[f] ← 0"), rec.applied().toString());
        InitRecord gru = init.apply(new Gru(RecurrentOptions.of(2, 4)));
        assertEquals("forget bias 1.0 ignored: gru has no forget gate", gru.notes().get(0));
    }

    @Test
    void applyingRecordsWhatWasDone() {
        var lstm = new Lstm(RecurrentOptions.of(2, 8));
        assertTrue(Initializers.recordOf(lstm).isEmpty());
        RecurrentInit init = Initializers.byName("eigen", Map.of("magnitude", "two-level", "share", 0.5, "seed", 11,
                "mask", "candidate", "theta-max", "pi"));
        InitRecord rec = init.apply(lstm);
        assertEquals(rec, Initializers.recordOf(lstm).orElseThrow());
        assertEquals("eigen", rec.initializer());
        assertEquals("Lstm(2, 8)", rec.layer());
        String d = rec.description();
        for (String part : List.of("eigen(our reading", "magnitude=two-level(share=0.5, high=0.99, low=0.5)",
                "phase=uniform[0, 3.141592653589793]", "basis=orthogonal", "gain=1.0", "weight_hh blocks [candidate]",
                "other weight_hh blocks xavier-uniform(gain=1.0)", "weight_ih xavier-uniform(gain=1.0) per gate block",
                "biases 0", "forget bias off", "seed 11")) {
            assertTrue(d.contains(part), () -> "missing '" + part + "' in " + d);
        }
        assertTrue(rec.summary().startsWith("Lstm(2, 8) initialised by eigen: "), rec.summary());
        // 4 weight_ih blocks + 4 weight_hh blocks + 2 biases
        assertEquals(10, rec.applied().size(), rec.applied().toString());
    }

    @Test
    void seedsAreReadExactlyEvenAboveTwoToThe53() {
        // read as a double, 2^53 and 2^53 + 1 were one seed
        long big = 1L << 53;
        RecurrentLayer a = new Lstm(RecurrentOptions.of(3, 16));
        RecurrentLayer b = new Lstm(RecurrentOptions.of(3, 16));
        Initializers.byName("orthogonal", Map.of("seed", big)).apply(a);
        Initializers.byName("orthogonal", Map.of("seed", big + 1)).apply(b);
        assertFalse(java.util.Arrays.equals(a.flatParameters().toFloatArray(), b.flatParameters().toFloatArray()));
        assertTrue(Initializers.byName("orthogonal", Map.of("seed", big + 1)).describe().contains(Long.toString(big + 1)),
                Initializers.byName("orthogonal", Map.of("seed", big + 1)).describe());
    }

    @Test
    void theRegistryExplainsItsErrors() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> Initializers.byName("he", Map.of()));
        assertEquals("unknown initializer 'he'; valid names: xavier, kaiming, orthogonal, irnn, sp-rnn, eigen, "
                + "spectrum-matched, pytorch", unknown.getMessage());
        IllegalArgumentException param = assertThrows(IllegalArgumentException.class,
                () -> Initializers.byName("orthogonal", Map.of("gian", 1)));
        assertTrue(param.getMessage().startsWith("unknown parameter 'gian' for initializer orthogonal; valid: seed, "
                + "mask, others, input, bias, forget-bias, gain"), param.getMessage());
        IllegalArgumentException unused = assertThrows(IllegalArgumentException.class,
                () -> Initializers.byName("eigen", Map.of("r", 0.9)));
        assertTrue(unused.getMessage().startsWith("parameter 'r' is not used by eigen"), unused.getMessage());
        IllegalArgumentException number = assertThrows(IllegalArgumentException.class,
                () -> Initializers.byName("xavier", Map.of("gain", "big")));
        assertEquals("parameter gain of xavier must be a number, got 'big'", number.getMessage());
        IllegalArgumentException fraction = assertThrows(IllegalArgumentException.class,
                () -> Initializers.byName("xavier", Map.of("seed", "1.7")));
        assertEquals("parameter seed of xavier must be a whole number, got '1.7'", fraction.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Initializers.byName("spectrum-matched", Map.of()));
        // an infinite gain or std would fill the weights with ±∞: refused as eigen's is
        for (String[] p : new String[][]{{"xavier", "gain"}, {"kaiming", "gain"}, {"orthogonal", "gain"},
                {"irnn", "gain"}, {"irnn", "input-std"}, {"eigen", "gain"}}) {
            IllegalArgumentException inf = assertThrows(IllegalArgumentException.class,
                    () -> Initializers.byName(p[0], Map.of(p[1], "1e309")).apply(new Rnn(RecurrentOptions.of(2, 3))),
                    p[0] + " " + p[1]);
            assertTrue(inf.getMessage().contains("must be > 0") && inf.getMessage().contains("Infinity"),
                    p[0] + " " + p[1] + ": " + inf.getMessage());
        }
        // a finite gain whose weights float32 cannot hold wrote ±∞ silently: refused, nothing written
        for (String name : new String[]{"xavier", "kaiming", "orthogonal", "irnn", "eigen"}) {
            Lstm lstm = new Lstm(RecurrentOptions.of(3, 4));
            float[] before = lstm.flatParameters().toFloatArray();
            IllegalArgumentException huge = assertThrows(IllegalArgumentException.class,
                    () -> Initializers.byName(name, Map.of("gain", "1e39")).apply(lstm), name);
            assertTrue(huge.getMessage().contains("which float32 cannot hold") && huge.getMessage().contains(
                    "nothing was written"), name + ": " + huge.getMessage());
            assertArrayEquals(before, lstm.flatParameters().toFloatArray(), name);
            Lstm wide = new Lstm(RecurrentOptions.builder(3, 4).build(), dev.mnemo.nn.CpuBackend.float64());
            Initializers.byName(name, Map.of("gain", "1e39")).apply(wide);   // float64 holds them
        }
        IllegalArgumentException bias = assertThrows(IllegalArgumentException.class,
                () -> Initializers.byName("xavier", Map.of("forget-bias", "1e39")).apply(new Lstm(RecurrentOptions.of(3, 4))));
        assertTrue(bias.getMessage().contains("does not fit float32"), bias.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Initializers.byName("eigen", Map.of("mask", "x"))
                .apply(new Lstm(RecurrentOptions.of(1, 2))));
        // every name builds with its defaults and describes itself
        for (String name : Initializers.NAMES) {
            if (!name.equals("spectrum-matched")) {
                RecurrentInit i = Initializers.byName(name, Map.of());
                assertEquals(name, i.name());
                assertTrue(i.describe().startsWith(name + ": "), i.describe());
            }
        }
    }

    @Test
    void pytorchDefaultIsTheBaseline() {
        var lstm = new Lstm(RecurrentOptions.of(4, 64));
        Initializers.pytorch(SEED).apply(lstm);
        double bound = 1 / Math.sqrt(64);
        for (float x : lstm.flatParameters().toFloatArray()) {
            assertTrue(Math.abs(x) <= bound);
        }
        double radius = Eigen.of(GateBlocks.recurrent(lstm).get(0).view(), CPU).spectralRadius();
        assertEquals(0.58, radius, 0.1);
    }

    @Test
    void spectrumMatchedReproducesATrainedLayerAndReadsTheTrackerCsv(@TempDir Path dir) {
        int n = 32;
        var trained = new Lstm(RecurrentOptions.builder(2, n).seed(7).build());
        Initializers.eigen(new EigenInit(new Magnitude.Uniform(0.3, 1.05), new Phase.Uniform(2.0), Basis.RANDOM, 1.0),
                3).apply(trained);
        // from the layer: exact when the sizes match
        var fresh = new Lstm(RecurrentOptions.of(2, n));
        InitRecord rec = Initializers.spectrumMatched(SpectrumSource.fromLayer(trained), SEED).apply(fresh);
        assertTrue(rec.description().contains("spectrum-matched(ours"), rec.description());
        for (int g = 0; g < 4; g++) {
            EigenResult want = Eigen.of(GateBlocks.recurrent(trained).get(g).view(), CPU);
            EigenResult got = Eigen.of(GateBlocks.recurrent(fresh).get(g).view(), CPU);
            assertTrue(got.maxDistanceTo(want) < 1e-4, "gate " + g + ": " + got.maxDistanceTo(want));
        }
        // from the tracker's CSV, into a bigger layer: (r, θ) resampled from the recorded modes
        try (SpectrumTracker t = SpectrumTracker.builder(dir).track(trained).build()) {
            t.snapshot(0);
            t.snapshot(40);
        }
        var bigger = new Lstm(RecurrentOptions.of(2, 2 * n));
        RecurrentInit fromCsv = Initializers.byName("spectrum-matched", Map.of("csv",
                dir.resolve(SpectrumTracker.SPECTRUM_FILE).toString(), "seed", 1));
        assertTrue(fromCsv.describe().contains("spectrum.csv step 40 (4 blocks)"), fromCsv.describe());
        fromCsv.apply(bigger);
        EigenResult source = Eigen.of(GateBlocks.recurrent(trained).get(1).view(), CPU);
        EigenResult made = Eigen.of(GateBlocks.recurrent(bigger).get(1).view(), CPU);
        // every eigenvalue made is (up to float32) one of the source's
        for (int k = 0; k < made.n(); k++) {
            double best = Double.POSITIVE_INFINITY;
            for (int j = 0; j < source.n(); j++) {
                best = Math.min(best, Math.min(Math.hypot(made.re(k) - source.re(j), made.im(k) - source.im(j)),
                        Math.hypot(made.re(k) - source.re(j), made.im(k) + source.im(j))));
            }
            assertTrue(best < 1e-4, "eigenvalue " + k + " is " + best + " from the recorded spectrum");
        }
        // a missing block is named
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RecurrentInit.builder(new SpectrumMatched(SpectrumSource.fromLayer(trained), "l3", null, false,
                        Basis.ORTHOGONAL, 1)).build().apply(fresh));
        assertTrue(e.getMessage().contains("has no spectrum for l3/i"), e.getMessage());
    }

    /**
     * Inputs no recipe can build from give an IllegalArgumentException naming the problem: a spectrum that is not
     * a real matrix's (it built another one silently), a missing CSV (an UncheckedIOException), a negative block
     * size (a one-element block), a gain × magnitude past double (a NaN matrix from construct).
     */
    @Test
    void impossibleRecipesAreRefusedWithTheReason(@TempDir Path dir) throws java.io.IOException {
        Path csv = dir.resolve("hand-made.csv");
        java.nio.file.Files.writeString(csv, dev.mnemo.nn.analysis.SpectrumCsv.HEADER
                + "\n0,l0,h,0.5,0.3,0.58\n0,l0,h,0.4,-0.2,0.45\n");
        SpectrumMatched unpaired = SpectrumMatched.of(SpectrumSource.fromCsv(csv));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> unpaired.sample(BlockContext.of(2, 2), new SplittableRandom(1)));
        assertTrue(e.getMessage().contains("the spectrum of l0/h is not that of a real matrix: 0.4 - 0.2i has no "
                + "conjugate 0.4 + 0.2i"), e.getMessage());
        java.nio.file.Files.writeString(csv, dev.mnemo.nn.analysis.SpectrumCsv.HEADER
                + "\n0,l0,h,0.5,0.3,0.58\n0,l0,h,0.5,-0.3000000001,0.58\n0,l0,h,0.7,0,0.7\n");
        assertEquals(9, SpectrumMatched.of(SpectrumSource.fromCsv(csv)).sample(BlockContext.of(3, 3),
                new SplittableRandom(1)).length, "pairs rounded in the file still match");

        e = assertThrows(IllegalArgumentException.class, () -> Initializers.byName("spectrum-matched",
                Map.of("csv", dir.resolve("missing.csv").toString())));
        assertTrue(e.getMessage().startsWith("spectrum-matched: cannot read csv=" + dir.resolve("missing.csv")),
                e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> BlockContext.of(-1, -1));
        assertEquals("a block must be at least 1×1, got -1×-1 (weight_hh_l0 l0/h)", e.getMessage());

        EigenInit huge = new EigenInit(new Magnitude.Fixed(1e200), new Phase.Uniform(1), Basis.ORTHOGONAL, 1e200);
        e = assertThrows(IllegalArgumentException.class, () -> huge.construct(4, new SplittableRandom(1)));
        assertTrue(e.getMessage().endsWith("is not finite: gain × magnitude overflows double"), e.getMessage());
        EigenInit large = new EigenInit(new Magnitude.Fixed(1e300), new Phase.Uniform(1), Basis.RANDOM, 1e8);
        e = assertThrows(IllegalArgumentException.class, () -> large.construct(16, new SplittableRandom(1)));
        assertTrue(e.getMessage().contains("overflows double"), e.getMessage());
    }

    /**
     * describe() (config.txt) gives every parameter as the shortest text that reads back exactly: six significant
     * digits recorded r-min 0.9000001 as 0.9 and π as 3.14159, and copied back they made other weights.
     */
    @Test
    void describeRecordsParametersExactly() {
        String d = Initializers.byName("eigen", Map.of("r-min", "0.9000001", "gain", "1.00000001")).describe();
        assertTrue(d.contains("0.9000001") && d.contains("gain=1.00000001"), d);
        String byDefault = Initializers.byName("eigen", Map.of()).describe();
        assertTrue(byDefault.contains("3.141592653589793"), byDefault);
    }
}
