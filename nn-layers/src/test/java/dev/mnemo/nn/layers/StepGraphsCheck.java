package dev.mnemo.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Device;
import dev.mnemo.nn.Tensor;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The graph path of the recurrent forward loop against the eager loop, on one backend: two layers
 * with equal options (so equal weights and dropout streams), one with {@link RecurrentLayer#setStepGraphs},
 * must give bit-identical outputs, states and gradients call after call (forward and backward loops
 * both through recordings), and record again exactly when the shape changes.
 */
final class StepGraphsCheck {
    private StepGraphsCheck() {
    }

    static RecurrentOptions options() {
        return RecurrentOptions.builder(5, 7).numLayers(2).bidirectional(true).dropout(0.3).seed(99).build();
    }

    /** {@link #options()} with h projected to 4 features (LSTM only). */
    static RecurrentOptions projectedOptions() {
        return RecurrentOptions.builder(5, 7).projSize(4).numLayers(2).bidirectional(true).dropout(0.3).seed(99)
                .build();
    }

    static void run(Backend be, Function<RecurrentOptions, RecurrentLayer> make) {
        run(be, make, options());
    }

    static void run(Backend be, Function<RecurrentOptions, RecurrentLayer> make, RecurrentOptions opt) {
        RecurrentLayer eager = make.apply(opt);
        RecurrentLayer graphs = make.apply(opt);
        eager.setStepGraphs(false);     // the CUDA backend's layers start in the auto graph mode
        assertNull(eager.stepGraphs());
        graphs.setStepGraphs(true);
        assertTrue(graphs.usesStepGraphs());
        int perShape = opt.numLayers() * opt.directions();
        var rnd = new SplittableRandom(5);
        int[][] shapes = {{6, 3}, {6, 3}, {6, 3}, {4, 3}, {4, 2}, {6, 3}, {6, 3}};
        int[] recordingsAfter = {1, 1, 1, 2, 3, 4, 4};
        for (int call = 0; call < shapes.length; call++) {
            int steps = shapes[call][0];
            int batch = shapes[call][1];
            Tensor x = random(be, rnd, steps, batch, opt.inputSize());
            boolean withState = call % 2 == 1;
            RecurrentState state = null;
            if (withState) {
                Tensor h = random(be, rnd, perShape, batch, opt.outputSize());
                Tensor c = eager instanceof Lstm ? random(be, rnd, perShape, batch, opt.hiddenSize()) : null;
                state = new RecurrentState(h, c);
            }
            RecurrentOutput a = eager.forward(x, state);
            RecurrentOutput b = graphs.forward(x, state);
            String at = eager.kind() + " call " + call + " (T=" + steps + ", B=" + batch + ")";
            assertBits(a.output(), b.output(), at + ": output");
            assertBits(a.state().h(), b.state().h(), at + ": final h");
            if (a.state().c() != null) {
                assertBits(a.state().c(), b.state().c(), at + ": final c");
            }
            assertEquals(recordingsAfter[call] * perShape, graphs.stepGraphs().recordings(), at + ": recordings");

            backwardsAgree(eager, graphs, a, b, random(be, rnd, a.output().shape()), at);
            assertEquals(recordingsAfter[call] * perShape, graphs.stepGraphs().backwardRecordings(),
                    at + ": backward recordings");
        }
        // Two forwards, then the backward of the older one (its trace is no longer in the recording's
        // buffers and must be copied in), then of the newer one.
        Tensor x1 = random(be, rnd, 6, 3, opt.inputSize());
        Tensor x2 = random(be, rnd, 6, 3, opt.inputSize());
        RecurrentOutput a1 = eager.forward(x1, null);
        RecurrentOutput a2 = eager.forward(x2, null);
        RecurrentOutput b1 = graphs.forward(x1, null);
        RecurrentOutput b2 = graphs.forward(x2, null);
        Tensor dy = random(be, rnd, a1.output().shape());
        for (RecurrentOutput[] pair : new RecurrentOutput[][] {{a1, b1}, {a2, b2}, {a1, b1}}) {
            eager.zeroGradients();
            graphs.zeroGradients();
            assertBits(eager.backward(pair[0].saved(), dy, null).dx(), graphs.backward(pair[1].saved(), dy, null).dx(),
                    eager.kind() + ": dx of an older forward");
            assertBits(eager.flatGradients(), graphs.flatGradients(), eager.kind() + ": gradients of an older forward");
        }
        assertTrue(graphs.stepGraphs().loans() > 0 && graphs.stepGraphs().loansCopiedOut() > 0,
                "live saveds lent traces and had them copied out: " + graphs.stepGraphs().loans() + ", "
                        + graphs.stepGraphs().loansCopiedOut());
        // A forward in the lent trace, then one that needs it while the first is live: the first's
        // trace is copied out before the replay overwrites it, and its backward keeps the eager bits.
        int copiedOut = graphs.stepGraphs().loansCopiedOut();
        Tensor x3 = random(be, rnd, 6, 3, opt.inputSize());
        Tensor x4 = random(be, rnd, 6, 3, opt.inputSize());
        RecurrentOutput a3 = eager.forward(x3, null);
        RecurrentOutput b3 = graphs.forward(x3, null);
        eager.forward(x4, null);
        graphs.forward(x4, null);
        assertEquals(copiedOut + perShape, graphs.stepGraphs().loansCopiedOut(), "the live loan was copied out");
        backwardsAgree(eager, graphs, a3, b3, dy, eager.kind() + ": a loan copied out");
        // An earlier output is not overwritten by a later call (the graph's buffers are copied out).
        Tensor x = random(be, rnd, 6, 3, opt.inputSize());
        RecurrentOutput first = graphs.forward(x, null);
        float[] before = first.output().to(Device.CPU).toFloatArray();
        graphs.forward(random(be, rnd, 6, 3, opt.inputSize()), null);
        assertArrayEquals(before, first.output().to(Device.CPU).toFloatArray(), "an earlier output changed");
        graphs.setStepGraphs(false);
        assertNull(graphs.stepGraphs());
        assertNotNull(graphs.forward(x, null).output());
    }

    /** Both layers' backward of their forward {@code a}, {@code b} give the same bits: ∂x, ∂ initial state, parameters. */
    static void backwardsAgree(RecurrentLayer eager, RecurrentLayer graphs, RecurrentOutput a, RecurrentOutput b,
                               Tensor dy, String at) {
        eager.zeroGradients();
        graphs.zeroGradients();
        RecurrentGradients ga = eager.backward(a.saved(), dy, null);
        RecurrentGradients gb = graphs.backward(b.saved(), dy, null);
        assertBits(ga.dx(), gb.dx(), at + ": dx");
        assertBits(ga.dState().h(), gb.dState().h(), at + ": dh0");
        assertBits(eager.flatGradients(), graphs.flatGradients(), at + ": parameter gradients");
        if (ga.dState().c() != null) {
            assertBits(ga.dState().c(), gb.dState().c(), at + ": dc0");
        }
    }

    /** Two layers of {@code opt}: one that never records, one that records every shape on its first call. */
    static RecurrentLayer[] eagerAndRecorded(Function<RecurrentOptions, RecurrentLayer> make, RecurrentOptions opt) {
        RecurrentLayer eager = make.apply(opt);
        RecurrentLayer graphs = make.apply(opt);
        eager.setStepGraphs(false);
        graphs.setStepGraphs(true);
        return new RecurrentLayer[] {eager, graphs};
    }

    /**
     * A training loop that releases each saved after its backward: once recorded, every forward runs
     * in the recording's own trace (a loan, nothing copied but h) and never has to copy a borrower
     * out; the results stay the eager loop's bits, and an output survives the next call.
     */
    static void runReleasing(Backend be, Function<RecurrentOptions, RecurrentLayer> make) {
        runReleasing(be, make, options());
    }

    static void runReleasing(Backend be, Function<RecurrentOptions, RecurrentLayer> make, RecurrentOptions opt) {
        RecurrentLayer[] layers = eagerAndRecorded(make, opt);
        RecurrentLayer eager = layers[0];
        RecurrentLayer graphs = layers[1];
        int perShape = opt.numLayers() * opt.directions();
        var rnd = new SplittableRandom(11);
        Tensor previousOutput = null;
        float[] previousValues = null;
        for (int call = 0; call < 5; call++) {
            Tensor x = random(be, rnd, 6, 3, opt.inputSize());
            RecurrentOutput a = eager.forward(x, null);
            RecurrentOutput b = graphs.forward(x, null);
            String at = eager.kind() + " releasing call " + call;
            assertBits(a.output(), b.output(), at + ": output");
            assertEquals(call * perShape, graphs.stepGraphs().loans(), at + ": loans (the first call records)");
            backwardsAgree(eager, graphs, a, b, random(be, rnd, a.output().shape()), at);
            if (previousOutput != null) {
                assertArrayEquals(previousValues, previousOutput.to(Device.CPU).toFloatArray(), at
                        + ": the previous call's output changed");
            }
            previousOutput = b.output();
            previousValues = previousOutput.to(Device.CPU).toFloatArray();
            a.saved().release();
            b.saved().release();
        }
        assertEquals(0, graphs.stepGraphs().loansCopiedOut(), "a released saved is never copied out");
    }

    /**
     * Shapes that alternate (bucketed lengths): each switch records again and hands the old buffers back at
     * once, so after the first switches the loop asks the driver for no more memory and holds a steady
     * amount, with no garbage collection. A saved still holding the old shape's lent trace keeps it (it
     * becomes the saved's own) and back-propagates with the eager bits.
     */
    static void runAlternating(Backend be, Function<RecurrentOptions, RecurrentLayer> make) {
        runAlternating(be, make, options());
    }

    static void runAlternating(Backend be, Function<RecurrentOptions, RecurrentLayer> make, RecurrentOptions opt) {
        RecurrentLayer[] layers = eagerAndRecorded(make, opt);
        RecurrentLayer eager = layers[0];
        RecurrentLayer graphs = layers[1];
        var rnd = new SplittableRandom(17);
        long allocationsAtWarmup = -1;
        long inUseAtWarmup = -1;
        RecurrentOutput keptA = null;
        RecurrentOutput keptB = null;
        Tensor keptDy = null;
        for (int call = 0; call < 12; call++) {
            int steps = call / 2 % 2 == 0 ? 6 : 5;   // 6, 6, 5, 5, 6, 6, …: a switch every other call
            Tensor x = random(be, rnd, steps, 3, opt.inputSize());
            RecurrentOutput a = eager.forward(x, null);
            RecurrentOutput b = graphs.forward(x, null);
            String at = eager.kind() + " alternating call " + call + " (T=" + steps + ")";
            assertBits(a.output(), b.output(), at + ": output");
            if (call == 1) {   // the second T = 6 call runs in the lent trace; keep its saved past the switch
                keptA = a;
                keptB = b;
                keptDy = random(be, rnd, a.output().shape());
                continue;
            }
            Tensor dy = random(be, rnd, a.output().shape());
            eager.zeroGradients();
            graphs.zeroGradients();
            RecurrentGradients ga = eager.backward(a.saved(), dy, null);
            RecurrentGradients gb = graphs.backward(b.saved(), dy, null);
            assertBits(ga.dx(), gb.dx(), at + ": dx");
            assertBits(eager.flatGradients(), graphs.flatGradients(), at + ": parameter gradients");
            a.saved().release();
            b.saved().release();
            for (Tensor t : new Tensor[] {x, dy, a.output(), b.output(), a.state().h(), b.state().h(), a.state().c(),
                    b.state().c(), ga.dx(), gb.dx(), ga.dState().h(), gb.dState().h(), ga.dState().c(),
                    gb.dState().c()}) {
                if (t != null) {
                    be.release(t);
                }
            }
            // calls 4..7 see both shapes once more after their first recordings: the most either holds
            var stats = ((dev.mnemo.nn.cuda.CudaBackend) be).memoryStats();
            if (call >= 4 && call <= 7) {
                allocationsAtWarmup = stats.deviceAllocations();
                inUseAtWarmup = Math.max(inUseAtWarmup, stats.inUseBytes());
            } else if (call > 7) {
                assertEquals(allocationsAtWarmup, stats.deviceAllocations(), at + ": fresh device memory");
                assertTrue(stats.inUseBytes() <= inUseAtWarmup, at + ": memory held " + stats.inUseBytes() + " > "
                        + inUseAtWarmup);
            }
        }
        assertTrue(graphs.stepGraphs().loans() > 0, "some forward ran in a lent trace");
        backwardsAgree(eager, graphs, keptA, keptB, keptDy, eager.kind() + ": the saved kept across the switches");
        keptB.saved().release();
    }

    /**
     * The default CUDA mode (a shape records when a call repeats the previous call's shape): shapes
     * that change every call stay eager, a repeated one records on its second call and replays after,
     * short loops stay eager, and every call's results equal the eager loop's.
     */
    static void runAuto(Backend be, Function<RecurrentOptions, RecurrentLayer> make) {
        runAuto(be, make, options());
    }

    static void runAuto(Backend be, Function<RecurrentOptions, RecurrentLayer> make, RecurrentOptions opt) {
        RecurrentLayer eager = make.apply(opt);
        RecurrentLayer graphs = make.apply(opt);
        eager.setStepGraphs(false);
        graphs.useStepGraphs(2);
        int perShape = opt.numLayers() * opt.directions();
        var rnd = new SplittableRandom(7);
        int[][] shapes = {{6, 3}, {6, 3}, {6, 3}, {4, 3}, {6, 3}, {4, 3}, {4, 3}, {5, 3}, {4, 2}, {5, 3}, {3, 3}, {3, 3},
            {3, 3}};
        // T = 3 < AUTO_MIN_STEPS: never recorded, however often it repeats
        int[] recordingsAfter = {0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2};
        for (int call = 0; call < shapes.length; call++) {
            Tensor x = random(be, rnd, shapes[call][0], shapes[call][1], opt.inputSize());
            RecurrentOutput a = eager.forward(x, null);
            RecurrentOutput b = graphs.forward(x, null);
            String at = eager.kind() + " call " + call + " (T=" + shapes[call][0] + ", B=" + shapes[call][1] + ")";
            assertBits(a.output(), b.output(), at + ": output");
            assertEquals(recordingsAfter[call] * perShape, graphs.stepGraphs().recordings(), at + ": recordings");
            backwardsAgree(eager, graphs, a, b, random(be, rnd, a.output().shape()), at);
            assertEquals(recordingsAfter[call] * perShape, graphs.stepGraphs().backwardRecordings(),
                    at + ": backward recordings");
        }
    }

    static Tensor random(Backend be, SplittableRandom rnd, int... shape) {
        Tensor host = Tensor.zeros(shape);
        for (long i = 0; i < host.numel(); i++) {
            host.setFlat(i, 2 * rnd.nextDouble() - 1);
        }
        return be.copyOf(host);
    }

    static void assertBits(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.to(Device.CPU).toFloatArray(), actual.to(Device.CPU).toFloatArray(), what);
    }
}
