package dev.mnemo.nn.optim;

import dev.mnemo.nn.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Optimizer#stateDict()} and {@link Optimizer#loadStateDict}: PyTorch's names and order, an
 * exact resume (a restored optimizer takes bit for bit the steps the saved one takes), and every
 * refusal with its message. Seed: {@code -Dmnemo.test.seed=…}.
 */
class OptimizerStateTest {

    static final long SEED = Long.getLong("mnemo.test.seed", 20240611L);
    static final int[] SIZES = {7, 5};

    /** Two buffers (sizes 7 and 5), float32, with random parameters. */
    record Setup(List<ParameterBuffer> buffers) {
        static Setup random(long seed) {
            var rnd = new SplittableRandom(seed);
            List<ParameterBuffer> b = Stream.of(SIZES[0], SIZES[1]).map(n -> {
                Tensor p = Tensor.zeros(n);
                for (int i = 0; i < n; i++) {
                    p.setFlat(i, rnd.nextDouble(-1, 1));
                }
                return new ParameterBuffer(p, Tensor.zeros(n));
            }).toList();
            return new Setup(b);
        }

        /** Gradients of step {@code step}, the same for every setup. */
        void gradients(int step) {
            var rnd = new SplittableRandom(SEED * 31 + step);
            for (ParameterBuffer b : buffers) {
                for (int i = 0; i < b.numel(); i++) {
                    b.gradients().setFlat(i, rnd.nextDouble(-1, 1));
                }
            }
        }

        float[][] parameters() {
            return buffers.stream().map(b -> b.parameters().toFloatArray()).toArray(float[][]::new);
        }
    }

    record Kind(String name, Function<List<ParameterBuffer>, Optimizer> make, List<String> stateNames) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Kind> kinds() {
        return Stream.of(
                new Kind("Adam", b -> new Adam(AdamOptions.builder().lr(0.01).weightDecay(0.1).build(), b),
                        List.of("exp_avg", "exp_avg_sq")),
                new Kind("AdamW", b -> new Adam(AdamOptions.adamW().lr(0.01).build(), b),
                        List.of("exp_avg", "exp_avg_sq")),
                new Kind("Sgd", b -> new Sgd(SgdOptions.of(0.1), b), List.of()),
                new Kind("Sgd momentum", b -> new Sgd(SgdOptions.builder().lr(0.1).momentum(0.9).dampening(0.1)
                        .build(), b), List.of("momentum_buffer")),
                new Kind("Sgd nesterov", b -> new Sgd(SgdOptions.builder().lr(0.1).momentum(0.9).nesterov(true)
                        .build(), b), List.of("momentum_buffer")),
                new Kind("RmsProp", b -> new RmsProp(RmsPropOptions.of(0.01), b), List.of("square_avg")),
                new Kind("RmsProp centered momentum", b -> new RmsProp(RmsPropOptions.builder().lr(0.01)
                        .momentum(0.5).centered(true).build(), b), List.of("square_avg", "momentum_buffer", "grad_avg")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void theStateHasPyTorchsNamesInBufferOrder(Kind kind) {
        Optimizer opt = kind.make.apply(Setup.random(SEED).buffers);
        OptimizerState s = opt.stateDict();
        List<String> expected = Stream.of("0", "1")
                .flatMap(i -> kind.stateNames.stream().map(n -> i + "." + n)).toList();
        assertEquals(expected, List.copyOf(s.tensors().keySet()));
        assertEquals(opt.getClass().getSimpleName(), s.kind());
        assertEquals(2, s.buffers());
        assertEquals(0, s.step());
        assertEquals(opt.lr(), s.lr());
        for (var e : s.tensors().entrySet()) {      // each shaped like its buffer
            int i = e.getKey().charAt(0) - '0';
            assertEquals(SIZES[i], e.getValue().numel(), e.getKey());
        }
    }

    @Test
    void optionsAreTheRecordsComponentsExactly() {
        var adam = new Adam(AdamOptions.builder().lr(0.1 + 0.2).betas(0.8, 0.95).eps(1e-7).build(),
                Setup.random(SEED).buffers);
        assertEquals(List.of("lr", "beta1", "beta2", "eps", "weightDecay", "decoupled"),
                List.copyOf(adam.stateDict().options().keySet()));
        assertEquals(0.1 + 0.2, Double.parseDouble(adam.stateDict().options().get("lr")));   // shortest exact form
        assertEquals("0.95", adam.stateDict().options().get("beta2"));
        assertEquals("false", adam.stateDict().options().get("decoupled"));
        var rms = new RmsProp(RmsPropOptions.builder().centered(true).build(), Setup.random(SEED).buffers);
        assertEquals(List.of("lr", "alpha", "eps", "weightDecay", "momentum", "centered"),
                List.copyOf(rms.stateDict().options().keySet()));
        var sgd = new Sgd(SgdOptions.of(0.1), Setup.random(SEED).buffers);
        assertEquals(List.of("lr", "momentum", "dampening", "weightDecay", "nesterov"),
                List.copyOf(sgd.stateDict().options().keySet()));
    }

    @Test
    void theStateTensorsAreTheOptimizersOwn() {
        var adam = new Adam(AdamOptions.of(0.01), Setup.random(SEED).buffers);
        assertSame(adam.expAvg(1), adam.stateDict().tensors().get("1.exp_avg"));
        assertSame(adam.expAvgSq(0), adam.stateDict().tensors().get("0.exp_avg_sq"));
    }

    /** k steps, a snapshot, n more; a fresh optimizer on the snapshot's parameters takes the same n steps, bit for bit. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void aRestoredOptimizerTakesTheSameStepsBitForBit(Kind kind) {
        int k = 3;
        int n = 4;
        Setup a = Setup.random(SEED);
        Optimizer first = kind.make.apply(a.buffers);
        for (int step = 0; step < k; step++) {
            a.gradients(step);
            first.step();
        }
        first.setLr(first.lr() * 0.5);      // a scheduler's change, say
        OptimizerState snapshot = copy(first.stateDict());
        float[][] params = a.parameters();
        for (int step = k; step < k + n; step++) {
            a.gradients(step);
            first.step();
        }

        Setup b = Setup.random(SEED + 1);      // other parameters, overwritten below
        for (int i = 0; i < params.length; i++) {
            b.buffers.get(i).parameters().copyFrom(Tensor.of(params[i], params[i].length));
        }
        Optimizer second = kind.make.apply(b.buffers);
        second.loadStateDict(snapshot);
        assertEquals(k, second.stepCount());
        assertEquals(snapshot.lr(), second.lr());
        for (int step = k; step < k + n; step++) {
            b.gradients(step);
            second.step();
        }
        float[][] want = a.parameters();
        float[][] got = b.parameters();
        for (int i = 0; i < want.length; i++) {
            assertArrayEquals(want[i], got[i], kind + " buffer " + i);
        }
        for (var e : first.stateDict().tensors().entrySet()) {
            assertArrayEquals(e.getValue().toFloatArray(), second.stateDict().tensors().get(e.getKey()).toFloatArray(),
                    e.getKey());
        }
    }

    /** The test above would see a lost state: without it, Adam's resumed steps differ. */
    @Test
    void withoutTheStateAdamsResumedStepsDiffer() {
        Setup a = Setup.random(SEED);
        Optimizer first = new Adam(AdamOptions.of(0.01), a.buffers);
        for (int step = 0; step < 3; step++) {
            a.gradients(step);
            first.step();
        }
        float[] before = a.parameters()[0];
        Setup b = Setup.random(SEED);
        b.buffers.get(0).parameters().copyFrom(Tensor.of(before, before.length));
        b.buffers.get(1).parameters().copyFrom(Tensor.of(a.parameters()[1], SIZES[1]));
        Optimizer second = new Adam(AdamOptions.of(0.01), b.buffers);
        a.gradients(3);
        first.step();
        b.gradients(3);
        second.step();
        assertNotEquals(a.parameters()[0][0], b.parameters()[0][0]);
    }

    @Test
    void loadingItsOwnStateChangesNothing() {
        Setup a = Setup.random(SEED);
        var adam = new Adam(AdamOptions.of(0.01), a.buffers);
        a.gradients(0);
        adam.step();
        float[] m = adam.expAvg(0).toFloatArray();
        adam.loadStateDict(adam.stateDict());
        assertArrayEquals(m, adam.expAvg(0).toFloatArray());
        assertEquals(1, adam.stepCount());
    }

    /**
     * A kept stateDict() holds the live tensors with the step count of its moment: reloaded after more steps it set
     * the count back while the moments stayed (Adam's next step used another step's bias correction). Refused now,
     * saying to copy the tensors; a copied state goes back exactly.
     */
    @Test
    void aKeptLiveStateThatMovedOnIsRefusedACopiedOneGoesBack() {
        Setup a = Setup.random(SEED);
        var adam = new Adam(AdamOptions.of(0.01), a.buffers);
        a.gradients(0);
        adam.step();
        OptimizerState live = adam.stateDict();
        SequencedMap<String, Tensor> copies = new LinkedHashMap<>();
        live.tensors().forEach((k, v) -> copies.put(k, v.copy()));
        OptimizerState copied = with(live, copies);
        float[] m1 = adam.expAvg(0).toFloatArray();
        a.gradients(1);
        adam.step();
        adam.step();
        var e = assertThrows(IllegalArgumentException.class, () -> adam.loadStateDict(live));
        assertTrue(e.getMessage().contains("moved on 2 step(s) since the state was taken at step 1"), e.getMessage());
        assertEquals(3, adam.stepCount(), "nothing changed");
        adam.loadStateDict(copied);
        assertEquals(1, adam.stepCount());
        assertArrayEquals(m1, adam.expAvg(0).toFloatArray());
    }

    /** State tensors given under each other's names (a swap of this optimizer's own) are read before written. */
    @Test
    void aStateOverTheOptimizersOwnTensorsUnderOtherNamesLoadsAsGiven() {
        Setup a = Setup.random(SEED);
        var adam = new Adam(AdamOptions.of(0.01), a.buffers);
        a.gradients(0);
        adam.step();
        OptimizerState s = adam.stateDict();
        float[] m = adam.expAvg(0).toFloatArray();
        float[] v = adam.expAvgSq(0).toFloatArray();
        SequencedMap<String, Tensor> swapped = new LinkedHashMap<>(s.tensors());
        swapped.put("0.exp_avg", adam.expAvgSq(0));
        swapped.put("0.exp_avg_sq", adam.expAvg(0));
        for (int i = 0; i < m.length; i++) {   // a swap must still be a reachable state: exp_avg_sq >= 0
            m[i] = Math.abs(m[i]);
        }
        adam.expAvg(0).copyFrom(Tensor.of(m, m.length));
        adam.loadStateDict(with(s, swapped));
        assertArrayEquals(v, adam.expAvg(0).toFloatArray(), "exp_avg got exp_avg_sq's values");
        assertArrayEquals(m, adam.expAvgSq(0).toFloatArray(), "and exp_avg_sq exp_avg's, not its own new ones");
    }

    // ---- refusals ----

    static Adam adam(Setup s) {
        return new Adam(AdamOptions.of(0.01), s.buffers);
    }

    static OptimizerState with(OptimizerState s, SequencedMap<String, Tensor> tensors) {
        return new OptimizerState(s.kind(), s.options(), s.buffers(), s.step(), s.lr(), tensors);
    }

    @Test
    void anotherKindIsRefused() {
        OptimizerState adamState = adam(Setup.random(SEED)).stateDict();
        var sgd = new Sgd(SgdOptions.builder().lr(0.1).momentum(0.9).build(), Setup.random(SEED).buffers);
        var e = assertThrows(IllegalArgumentException.class, () -> sgd.loadStateDict(adamState));
        assertEquals("cannot load the Adam state into Sgd(lr=0.1, momentum=0.9): the optimizer kind must be Sgd, "
                + "got Adam", e.getMessage());
    }

    @Test
    void otherOptionsAreRefusedButLrIsNot() {
        var saved = new Adam(AdamOptions.builder().lr(0.5).betas(0.9, 0.99).build(), Setup.random(SEED).buffers);
        var target = new Adam(AdamOptions.builder().lr(0.01).decoupled(true).build(), Setup.random(SEED).buffers);
        var e = assertThrows(IllegalArgumentException.class, () -> target.loadStateDict(saved.stateDict()));
        assertEquals("cannot load the Adam state into Adam(lr=0.01, decoupled=true) (nothing was changed): option beta2 "
                + "is 0.99 in the state, 0.999 here; option decoupled is false in the state, true here", e.getMessage());
        // lr alone differs: loaded, the state's lr wins
        var other = new Adam(AdamOptions.builder().lr(0.01).betas(0.9, 0.99).build(), Setup.random(SEED).buffers);
        other.loadStateDict(saved.stateDict());
        assertEquals(0.5, other.lr());
    }

    @Test
    void sgdWithAndWithoutMomentumDiffer() {
        var plain = new Sgd(SgdOptions.of(0.1), Setup.random(SEED).buffers);
        var momentum = new Sgd(SgdOptions.builder().lr(0.1).momentum(0.9).build(), Setup.random(SEED).buffers);
        var e = assertThrows(IllegalArgumentException.class, () -> plain.loadStateDict(momentum.stateDict()));
        assertTrue(e.getMessage().endsWith("option momentum is 0.9 in the state, 0.0 here"), e.getMessage());
    }

    @Test
    void anotherNumberOfBuffersIsRefused() {
        Setup s = Setup.random(SEED);
        var two = adam(s);
        var one = new Adam(AdamOptions.of(0.01), List.of(Setup.random(SEED).buffers.getFirst()));
        var e = assertThrows(IllegalArgumentException.class, () -> one.loadStateDict(two.stateDict()));
        assertTrue(e.getMessage().endsWith("(nothing was changed): the state has 2 buffers, this optimizer 1"),
                e.getMessage());
    }

    @Test
    void missingUnexpectedAndMisShapedTensorsAreAllNamed() {
        Adam target = adam(Setup.random(SEED));
        SequencedMap<String, Tensor> t = new LinkedHashMap<>(copy(target.stateDict()).tensors());
        t.remove("1.exp_avg_sq");
        t.put("1.max_exp_avg_sq", Tensor.zeros(5));
        t.put("0.exp_avg", Tensor.zeros(8));
        var e = assertThrows(IllegalArgumentException.class, () -> target.loadStateDict(with(target.stateDict(), t)));
        assertEquals("cannot load the Adam state into Adam(lr=0.01) (nothing was changed): missing state tensors "
                + "[1.exp_avg_sq]; unexpected state tensors [1.max_exp_avg_sq]; 0.exp_avg: shape [8] in the state, [7] "
                + "here", e.getMessage());
    }

    @Test
    void anotherElementTypeIsRefused() {
        Adam target = adam(Setup.random(SEED));
        SequencedMap<String, Tensor> t = new LinkedHashMap<>(copy(target.stateDict()).tensors());
        t.put("1.exp_avg", Tensor.of(new double[5], 5));
        var e = assertThrows(IllegalArgumentException.class, () -> target.loadStateDict(with(target.stateDict(), t)));
        assertTrue(e.getMessage().endsWith("1.exp_avg: element type float64 in the state, float32 here (a conversion "
                + "would not resume exactly)"), e.getMessage());
    }

    @Test
    void impossibleStateIsRefusedAndNothingChanges() {
        Setup s = Setup.random(SEED);
        Adam target = adam(s);
        s.gradients(0);
        target.step();
        float[] m = target.expAvg(0).toFloatArray();
        SequencedMap<String, Tensor> t = new LinkedHashMap<>(copy(target.stateDict()).tensors());
        t.get("0.exp_avg").setFlat(0, 0.25);
        t.get("0.exp_avg").setFlat(3, Double.NaN);
        t.get("1.exp_avg_sq").setFlat(2, -1e-3);
        var e = assertThrows(IllegalArgumentException.class,
                () -> target.loadStateDict(new OptimizerState("Adam", target.stateDict().options(), 2, 9, 0.5, t)));
        assertTrue(e.getMessage().endsWith("0.exp_avg: element 3 is NaN: state must be finite; 1.exp_avg_sq: element 2 is "
                + "-0.001: exp_avg_sq averages squares, so it must be >= 0"), e.getMessage());
        assertArrayEquals(m, target.expAvg(0).toFloatArray());
        assertEquals(1, target.stepCount());
        assertEquals(0.01, target.lr());

        var rms = new RmsProp(RmsPropOptions.of(0.01), Setup.random(SEED).buffers);
        SequencedMap<String, Tensor> r = new LinkedHashMap<>(copy(rms.stateDict()).tensors());
        r.get("1.square_avg").setFlat(0, Double.POSITIVE_INFINITY);
        var e2 = assertThrows(IllegalArgumentException.class, () -> rms.loadStateDict(with(rms.stateDict(), r)));
        assertTrue(e2.getMessage().endsWith("1.square_avg: element 0 is Infinity: state must be finite"), e2.getMessage());
    }

    @Test
    void theStateRecordChecksItsScalars() {
        SequencedMap<String, String> o = new LinkedHashMap<>();
        SequencedMap<String, Tensor> t = new LinkedHashMap<>();
        assertEquals("step must be >= 0, got -1", assertThrows(IllegalArgumentException.class,
                () -> new OptimizerState("Adam", o, 1, -1, 0.1, t)).getMessage());
        assertEquals("lr must be finite, got NaN", assertThrows(IllegalArgumentException.class,
                () -> new OptimizerState("Adam", o, 1, 0, Double.NaN, t)).getMessage());
        assertEquals("lr must be >= 0, got -0.1", assertThrows(IllegalArgumentException.class,
                () -> new OptimizerState("Adam", o, 1, 0, -0.1, t)).getMessage());
        assertEquals("buffers must be > 0, got 0", assertThrows(IllegalArgumentException.class,
                () -> new OptimizerState("Adam", o, 0, 0, 0.1, t)).getMessage());
        assertEquals("kind must not be blank, got \" \"", assertThrows(IllegalArgumentException.class,
                () -> new OptimizerState(" ", o, 1, 0, 0.1, t)).getMessage());
    }

    /** A snapshot: the same state with copied tensors. */
    static OptimizerState copy(OptimizerState s) {
        SequencedMap<String, Tensor> t = new LinkedHashMap<>();
        s.tensors().forEach((k, v) -> t.put(k, v.copy()));
        return with(s, t);
    }
}
