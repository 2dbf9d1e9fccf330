package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.Nonlinearity;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.layers.Gru;
import dev.mnemo.nn.layers.Lstm;
import dev.mnemo.nn.layers.RecurrentGradients;
import dev.mnemo.nn.layers.RecurrentLayer;
import dev.mnemo.nn.layers.RecurrentOptions;
import dev.mnemo.nn.layers.RecurrentOutput;
import dev.mnemo.nn.layers.RecurrentState;
import dev.mnemo.nn.layers.Rnn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Rnn (tanh, relu), Lstm and Gru on CUDA against the CPU, identical weights and inputs, forward and
 * every gradient, across the option cross-product (bias, layers, bidirectional, batchFirst, initial
 * state given or not) at T = 7, B = 6, plus tile-breaking sizes (B = 1, H = 33) and dropout.
 *
 * <p>Tolerance (STYLE.md §14): each result is compared with a float64 CPU run of the same weights;
 * the CUDA error must be at most {@code max(2 × the float32 CPU error, 1e-5)} relative to the
 * reference's largest magnitude, and {@code 1e-3} for TF32 GEMMs. The float32 CPU error itself must be below
 * 1e-3 (every caller of {@link #compare}): above it the case's state explodes and float32 results say nothing.
 */
@Tag("gpu")
class RecurrentCudaGpuTest {
    static final long SEED = Long.getLong("mnemo.test.seed", 20261126L);

    enum Kind { RNN_TANH, RNN_RELU, LSTM, GRU }

    @BeforeEach
    void assumeCuda() {
        CudaAssume.available();
    }

    static Stream<Arguments> crossProduct() {
        List<Arguments> out = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            for (int bits = 0; bits < 32; bits++) {
                out.add(Arguments.of(kind, 7, 6, 5, 8, (bits & 1) != 0, (bits & 2) != 0 ? 2 : 1, (bits & 4) != 0,
                        (bits & 8) != 0, (bits & 16) != 0, 0.0));
            }
            out.add(Arguments.of(kind, 7, 1, 5, 8, true, 2, true, false, true, 0.0));    // B = 1
            out.add(Arguments.of(kind, 5, 6, 4, 33, true, 2, true, true, true, 0.0));    // H = 33
            out.add(Arguments.of(kind, 6, 3, 4, 8, true, 3, false, false, true, 0.4));   // dropout between layers
        }
        return out.stream();
    }

    static Stream<Arguments> tf32Cases() {
        return Stream.of(Kind.values()).map(k -> Arguments.of(k, 7, 6, 5, 33, true, 2, true, false, true, 0.0));
    }

    @ParameterizedTest(name = "{0} T={1} B={2} I={3} H={4} bias={5} layers={6} bidir={7} batchFirst={8} state={9} dropout={10}")
    @MethodSource("crossProduct")
    void cudaMatchesCpu(Kind kind, int steps, int batch, int input, int hidden, boolean bias, int layers,
                        boolean bidirectional, boolean batchFirst, boolean withState, double dropout) {
        compare(CudaBackend.float32(), kind, steps, batch, input, hidden, bias, layers, bidirectional, batchFirst,
                withState, dropout, 1e-5, 2.0);
    }

    @ParameterizedTest(name = "tf32 {0}")
    @MethodSource("tf32Cases")
    void tf32StaysWithin1e3(Kind kind, int steps, int batch, int input, int hidden, boolean bias, int layers,
                            boolean bidirectional, boolean batchFirst, boolean withState, double dropout) {
        compare(CudaBackend.tf32(), kind, steps, batch, input, hidden, bias, layers, bidirectional, batchFirst,
                withState, dropout, 1e-3, 0.0);
    }

    static void compare(Backend gpu, Kind kind, int steps, int batch, int input, int hidden, boolean bias, int layers,
                        boolean bidirectional, boolean batchFirst, boolean withState, double dropout, double floor,
                        double k) {
        compare(gpu, kind, steps, batch, input, hidden, bias, layers, bidirectional, batchFirst, withState, dropout,
                floor, k, null);
    }

    /**
     * {@link #compare} of a variable-length batch ({@code lengths} per row; null: every row runs all
     * steps).
     *
     * @return the CUDA run's results on the host, by name (see {@link #run})
     */
    static Map<String, Tensor> compare(Backend gpu, Kind kind, int steps, int batch, int input, int hidden,
                                       boolean bias, int layers, boolean bidirectional, boolean batchFirst,
                                       boolean withState, double dropout, double floor, double k, int[] lengths) {
        RecurrentOptions options = RecurrentOptions.builder(input, hidden).numLayers(layers).bias(bias)
                .batchFirst(batchFirst).bidirectional(bidirectional).dropout(dropout)
                .nonlinearity(kind == Kind.RNN_RELU ? Nonlinearity.RELU : Nonlinearity.TANH).seed(SEED).build();
        CpuBackend cpu32 = CpuBackend.float32();
        CpuBackend cpu64 = CpuBackend.float64();
        RecurrentLayer ref = layer(kind, options, cpu64);
        RecurrentLayer cpu = layer(kind, options, cpu32);
        RecurrentLayer dev = layer(kind, options, gpu);
        // one set of float32 weights for all three
        cpu64.copy(cpu.flatParameters(), ref.flatParameters());
        gpu.copy(cpu.flatParameters(), dev.flatParameters());

        int dirs = bidirectional ? 2 : 1;
        int[] xShape = batchFirst ? new int[] {batch, steps, input} : new int[] {steps, batch, input};
        int[] yShape = batchFirst ? new int[] {batch, steps, dirs * hidden} : new int[] {steps, batch, dirs * hidden};
        int[] sShape = {layers * dirs, batch, hidden};
        boolean lstm = kind == Kind.LSTM;
        Tensor x = random(1, xShape);
        Tensor h0 = withState ? random(2, sShape) : null;
        Tensor c0 = withState && lstm ? random(3, sShape) : null;
        Tensor dy = random(4, yShape);
        Tensor dh = random(5, sShape);
        Tensor dc = lstm ? random(6, sShape) : null;

        Map<String, Tensor> r = run(ref, cpu64, x, h0, c0, dy, dh, dc, lengths);
        Map<String, Tensor> c = run(cpu, cpu32, x, h0, c0, dy, dh, dc, lengths);
        Map<String, Tensor> g = run(dev, gpu, x, h0, c0, dy, dh, dc, lengths);
        for (String name : r.keySet()) {
            double cpuErr = relError(c.get(name), r.get(name));
            double gpuErr = relError(g.get(name), r.get(name));
            // a case whose float32 CPU run is already far from float64 (exploding state) tests nothing
            assertTrue(cpuErr < 1e-3, name + " of " + dev + ": ill-conditioned case, the float32 CPU error is " + cpuErr);
            double tol = Math.max(k * cpuErr, floor);
            assertTrue(gpuErr <= tol, name + " of " + dev + ": CUDA error " + gpuErr + " > " + tol + " (CPU float32 error "
                    + cpuErr + ", seed " + SEED + (lengths == null ? "" : ", lengths " + Arrays.toString(lengths))
                    + ")");
        }
        return g;
    }

    static RecurrentLayer layer(Kind kind, RecurrentOptions options, Backend backend) {
        return switch (kind) {
            case RNN_TANH, RNN_RELU -> new Rnn(options, backend);
            case LSTM -> new Lstm(options, backend);
            case GRU -> new Gru(options, backend);
        };
    }

    /** Forward then backward on {@code be}; every result on the host. */
    static Map<String, Tensor> run(RecurrentLayer layer, Backend be, Tensor x, Tensor h0, Tensor c0, Tensor dy,
                                   Tensor dh, Tensor dc) {
        return run(layer, be, x, h0, c0, dy, dh, dc, null);
    }

    /** {@link #run} of a variable-length batch ({@code lengths} null: every row runs all steps). */
    static Map<String, Tensor> run(RecurrentLayer layer, Backend be, Tensor x, Tensor h0, Tensor c0, Tensor dy,
                                   Tensor dh, Tensor dc, int[] lengths) {
        RecurrentState state = h0 == null ? null : new RecurrentState(be.copyOf(h0), c0 == null ? null : be.copyOf(c0));
        layer.zeroGradients();
        RecurrentOutput out = layer.forward(be.copyOf(x), state, lengths);
        RecurrentGradients grads = layer.backward(out.saved(), be.copyOf(dy),
                new RecurrentState(be.copyOf(dh), dc == null ? null : be.copyOf(dc)));
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("output", host(out.output()));
        m.put("h_n", host(out.state().h()));
        if (out.state().c() != null) {
            m.put("c_n", host(out.state().c()));
        }
        m.put("dx", host(grads.dx()));
        m.put("dh0", host(grads.dState().h()));
        if (grads.dState().c() != null) {
            m.put("dc0", host(grads.dState().c()));
        }
        m.put("gradients", host(layer.flatGradients()));
        return m;
    }

    static Tensor host(Tensor t) {
        return CpuBackend.float64().copyOf(t);
    }

    static Tensor random(long salt, int... shape) {
        var rnd = new SplittableRandom(SEED ^ (salt * 0x9E3779B97F4A7C15L));
        Tensor t = Tensor.zeros(shape);
        for (long i = 0; i < t.numel(); i++) {
            t.setFlat(i, 2 * rnd.nextDouble() - 1);
        }
        return t;
    }

    /** max |a − ref| / max |ref|. */
    static double relError(Tensor a, Tensor ref) {
        double err = 0;
        double scale = 1e-30;
        for (long i = 0; i < ref.numel(); i++) {
            err = Math.max(err, Math.abs(a.getFlat(i) - ref.getFlat(i)));
            scale = Math.max(scale, Math.abs(ref.getFlat(i)));
        }
        return err / scale;
    }
}
