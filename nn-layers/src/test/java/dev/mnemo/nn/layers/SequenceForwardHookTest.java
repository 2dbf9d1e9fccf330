package dev.mnemo.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.Nonlinearity;
import dev.mnemo.nn.Tensor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The layer's use of {@link Backend#sequenceForward} and {@link Backend#sequenceBackward}: a CPU
 * backend that claims the whole-sequence paths and runs them with its own loops (the contract as documented: gates in place, h0/c0 of the
 * right layer and direction, reverse order, c and hn saved; in inference one running c) must give
 * bit-identical outputs, states and gradients to the plain per-step layer, and be asked once per layer and direction with the right
 * cell. This is what the CUDA persistent kernel plugs into.
 */
class SequenceForwardHookTest {
    /** Backward calls seen by the claiming backends of the current test. */
    static final java.util.concurrent.atomic.AtomicInteger backwardCalls = new java.util.concurrent.atomic.AtomicInteger();

    /** Runs a {@link Backend.SequenceForward} step by step with CPU primitives. */
    static void runSequence(Backend cpu, Backend.SequenceForward f) {
        int steps = f.h().dim(0);
        int batch = f.h().dim(1);
        int g = f.wHh().dim(0);
        if (f.x() != null) {   // the projection still to form: a backend that takes the sequence forms it
            int tb = steps * batch;
            cpu.gemm(false, true, 1.0, f.x().reshape(tb, f.x().dim(2)), f.wIh(), 0.0, f.gates().reshape(tb, g));
        }
        Tensor rh = cpu.zeros(batch, g);
        for (int s = 0; s < steps; s++) {
            int t = f.reverse() ? steps - 1 - s : s;
            int tPrev = f.reverse() ? t + 1 : t - 1;
            Tensor hPrev = s == 0 ? f.h0() : f.h().select(tPrev);
            cpu.gemm(false, true, 1.0, hPrev, f.wHh(), 0.0, rh);
            Tensor gates = f.gates().select(t);
            switch (f.cell()) {
                case RNN_TANH -> cpu.rnnCellForward(Nonlinearity.TANH, gates, rh, f.bih(), f.bhh(), f.h().select(t));
                case RNN_RELU -> cpu.rnnCellForward(Nonlinearity.RELU, gates, rh, f.bih(), f.bhh(), f.h().select(t));
                // inference: c is the running [B, H], overwritten in place
                case LSTM -> cpu.lstmCellForward(gates, rh, f.bih(), f.bhh(),
                        s == 0 ? f.c0() : f.saves() ? f.c().select(tPrev) : f.c(),
                        f.saves() ? gates : null, f.saves() ? f.c().select(t) : f.c(), f.h().select(t));
                case GRU -> cpu.gruCellForward(gates, rh, f.bih(), f.bhh(), hPrev, f.saves() ? gates : null,
                        f.saves() ? f.hn().select(t) : null, f.h().select(t));
            }
        }
    }

    /** Runs a {@link Backend.SequenceBackward} step by step with CPU primitives, as the layer's loop does. */
    static void runSequenceBackward(Backend cpu, Backend.SequenceBackward f) {
        int steps = f.h().dim(0);
        for (int s = steps - 1; s >= 0; s--) {
            int t = f.reverse() ? steps - 1 - s : s;
            int tPrev = f.reverse() ? t + 1 : t - 1;
            boolean first = s == 0;
            Tensor dRh = f.dRh() == null ? f.dWx() : f.dRh();
            switch (f.cell()) {
                case RNN_TANH -> cpu.rnnCellBackward(Nonlinearity.TANH, f.h().select(t), f.dy().select(t), f.dh(),
                        f.dWx().select(t));
                case RNN_RELU -> cpu.rnnCellBackward(Nonlinearity.RELU, f.h().select(t), f.dy().select(t), f.dh(),
                        f.dWx().select(t));
                case LSTM -> cpu.lstmCellBackward(f.gates().select(t), first ? f.c0() : f.c().select(tPrev),
                        f.c().select(t), f.dy().select(t), f.dh(), f.dc(), f.dWx().select(t));
                case GRU -> cpu.gruCellBackward(f.gates().select(t), f.hn().select(t),
                        first ? f.h0() : f.h().select(tPrev), f.dy().select(t), f.dh(), f.dWx().select(t),
                        f.dRh().select(t));
            }
            cpu.gemm(false, false, 1.0, dRh.select(t), f.wHh(), 1.0, f.dh());
        }
    }

    /** The CPU backend, except that it takes the whole-sequence path when {@code claim}, recording the calls. */
    static Backend claiming(CpuBackend cpu, boolean claim, List<Backend.SequenceForward> calls) {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("sequenceForward")) {
                        var f = (Backend.SequenceForward) args[0];
                        calls.add(f);
                        if (claim) {
                            runSequence(cpu, f);
                        }
                        return claim;
                    }
                    if (method.getName().equals("sequenceBackward")) {
                        backwardCalls.incrementAndGet();
                        if (claim) {
                            runSequenceBackward(cpu, (Backend.SequenceBackward) args[0]);
                        }
                        return claim;
                    }
                    if (method.getName().equals("toString") && method.getParameterCount() == 0) {
                        return "claiming " + cpu;
                    }
                    try {
                        return method.invoke(cpu, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    enum Kind { RNN_TANH, RNN_RELU, LSTM, GRU }

    static RecurrentLayer layer(Kind kind, RecurrentOptions o, Backend be) {
        return switch (kind) {
            case RNN_TANH, RNN_RELU -> new Rnn(o, be);
            case LSTM -> new Lstm(o, be);
            case GRU -> new Gru(o, be);
        };
    }

    static Tensor random(long salt, int... shape) {
        var rnd = new SplittableRandom(salt * 0x9E3779B97F4A7C15L + 7);
        Tensor t = Tensor.zeros(shape);
        for (long i = 0; i < t.numel(); i++) {
            t.setFlat(i, 2 * rnd.nextDouble() - 1);
        }
        return t;
    }

    static float[] values(Tensor t) {
        float[] v = new float[(int) t.numel()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) t.getFlat(i);
        }
        return v;
    }

    @ParameterizedTest(name = "{0} T={1} B={2} H={3} layers={4} bidir={5} bias={6}")
    @CsvSource({"RNN_TANH, 5, 3, 7, 2, true, true", "RNN_RELU, 4, 1, 5, 1, false, false",
            "LSTM, 6, 2, 9, 2, true, true", "LSTM, 1, 1, 3, 1, true, false", "GRU, 5, 3, 11, 2, true, true",
            "GRU, 1, 2, 4, 1, false, true"})
    void wholeSequencePathMatchesThePerStepLoopBitForBit(Kind kind, int steps, int batch, int hidden, int layers,
                                                          boolean bidirectional, boolean bias) {
        int input = 4;
        var options = RecurrentOptions.builder(input, hidden).numLayers(layers).bidirectional(bidirectional).bias(bias)
                .nonlinearity(kind == Kind.RNN_RELU ? Nonlinearity.RELU : Nonlinearity.TANH).seed(11).build();
        CpuBackend cpu = CpuBackend.float32();
        List<Backend.SequenceForward> calls = new ArrayList<>();
        RecurrentLayer plain = layer(kind, options, cpu);
        RecurrentLayer hooked = layer(kind, options, claiming(cpu, true, calls));
        cpu.copy(plain.flatParameters(), hooked.flatParameters());
        int dirs = bidirectional ? 2 : 1;
        Tensor x = random(1, steps, batch, input);
        boolean lstm = kind == Kind.LSTM;
        int[] s = {layers * dirs, batch, hidden};
        RecurrentState state = new RecurrentState(random(2, s), lstm ? random(3, s) : null);
        Tensor dy = random(4, steps, batch, dirs * hidden);
        RecurrentState dState = new RecurrentState(random(5, s), lstm ? random(6, s) : null);

        RecurrentOutput a = plain.forward(x, state);
        RecurrentOutput b = hooked.forward(x, state);
        assertEquals(layers * dirs, calls.size(), "one whole-sequence call per layer and direction");
        for (int i = 0; i < calls.size(); i++) {
            var f = calls.get(i);
            assertEquals(i % dirs == 1, f.reverse(), "direction of call " + i);
            // the input still to project: the layer's input (layer 0) or the layer below's output
            assertEquals(i < dirs ? x.dim(2) : dirs * hidden, f.x().dim(2), "input width of call " + i);
            assertEquals(f.gates().dim(2), f.wIh().dim(0));
            assertEquals(switch (kind) {
                case RNN_TANH -> Backend.RecurrentCell.RNN_TANH;
                case RNN_RELU -> Backend.RecurrentCell.RNN_RELU;
                case LSTM -> Backend.RecurrentCell.LSTM;
                case GRU -> Backend.RecurrentCell.GRU;
            }, f.cell());
        }
        assertArrayEquals(values(a.output()), values(b.output()));
        assertArrayEquals(values(a.state().h()), values(b.state().h()));
        if (lstm) {
            assertArrayEquals(values(a.state().c()), values(b.state().c()));
        }
        // inference through the hook: the same output and final state; an LSTM's c is one running [B, H]
        calls.clear();
        RecurrentOutput ia = plain.infer(x, state);
        RecurrentOutput ib = hooked.infer(x, state);
        assertEquals(layers * dirs, calls.size(), "one whole-sequence inference call per layer and direction");
        for (var f : calls) {
            assertFalse(f.saves());
            if (lstm) {
                assertArrayEquals(new int[] {batch, hidden}, f.c().shape(), "the running c");
            }
        }
        assertArrayEquals(values(a.output()), values(ib.output()));
        assertArrayEquals(values(ia.output()), values(ib.output()));
        assertArrayEquals(values(ia.state().h()), values(ib.state().h()));
        if (lstm) {
            assertArrayEquals(values(a.state().c()), values(ib.state().c()));
            assertArrayEquals(values(ia.state().c()), values(ib.state().c()));
        }
        plain.zeroGradients();
        hooked.zeroGradients();
        backwardCalls.set(0);
        RecurrentGradients ga = plain.backward(a.saved(), dy, dState);
        RecurrentGradients gb = hooked.backward(b.saved(), dy, dState);
        assertEquals(layers * dirs, backwardCalls.get(), "one whole-sequence backward per layer and direction");
        assertArrayEquals(values(ga.dx()), values(gb.dx()));
        assertArrayEquals(values(ga.dState().h()), values(gb.dState().h()));
        assertArrayEquals(values(plain.flatGradients()), values(hooked.flatGradients()));
    }

    @ParameterizedTest
    @CsvSource({"LSTM", "GRU"})
    void aBackendThatDeclinesGetsThePerStepLoop(Kind kind) {
        var options = RecurrentOptions.builder(3, 5).seed(3).build();
        CpuBackend cpu = CpuBackend.float32();
        List<Backend.SequenceForward> calls = new ArrayList<>();
        RecurrentLayer plain = layer(kind, options, cpu);
        RecurrentLayer declined = layer(kind, options, claiming(cpu, false, calls));
        cpu.copy(plain.flatParameters(), declined.flatParameters());
        Tensor x = random(9, 4, 2, 3);
        assertArrayEquals(values(plain.forward(x, null).output()), values(declined.forward(x, null).output()));
        assertEquals(1, calls.size());
        assertFalse(CpuBackend.float32().sequenceForward(calls.getFirst()), "the CPU backend has no whole-sequence path");
    }
}
