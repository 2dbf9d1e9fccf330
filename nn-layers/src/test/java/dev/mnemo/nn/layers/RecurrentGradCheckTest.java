package dev.mnemo.nn.layers;

import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.Tensor;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Analytic gradients (dx, dh0, dc0, every parameter) against central differences, in float64, over the
 * option cross-product: cell × bias × numLayers {1, 2} × bidirectional × batchFirst × state given.
 * Sizes rotate through T ∈ {5, 7}, B ∈ {1, 3, 6}; I = 4, H = 5 (not a multiple of anything).
 * Cases are independent (each builds its own layer) and run concurrently.
 */
@Execution(ExecutionMode.CONCURRENT)
class RecurrentGradCheckTest {

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        int n = 0;
        for (Cell cell : Cell.values()) {
            for (boolean bias : new boolean[]{true, false}) {
                for (int layers = 1; layers <= 2; layers++) {
                    for (boolean bidir : new boolean[]{false, true}) {
                        for (boolean batchFirst : new boolean[]{false, true}) {
                            for (boolean withState : new boolean[]{true, false}) {
                                int steps = n % 2 == 0 ? 5 : 7;
                                int batch = new int[]{1, 3, 6}[n % 3];
                                out.add(Arguments.of(cell, bias, layers, bidir, batchFirst, withState, steps, batch));
                                n++;
                            }
                        }
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} bias={1} layers={2} bidir={3} batchFirst={4} state={5} T={6} B={7}")
    @MethodSource("cases")
    void gradientsMatchFiniteDifferences(Cell cell, boolean bias, int layers, boolean bidir, boolean batchFirst,
                                         boolean withState, int steps, int batch) {
        var be = CpuBackend.float64();
        int in = 4;
        int hidden = 5;
        long seed = cell.ordinal() * 1000L + steps * 10L + batch;
        var opts = cell.options(in, hidden).bias(bias).numLayers(layers).bidirectional(bidir)
                .batchFirst(batchFirst).seed(seed).build();
        RecurrentLayer layer = cell.create(opts, be);
        Tensor x = TestData.uniform(be, seed + 11, 1.0, batchFirst ? new int[]{batch, steps, in}
                : new int[]{steps, batch, in});
        RecurrentState state = null;
        if (withState) {
            int ld = layers * opts.directions();
            state = new RecurrentState(TestData.uniform(be, seed + 12, 0.5, ld, batch, hidden),
                    cell.hasCellState() ? TestData.uniform(be, seed + 13, 0.5, ld, batch, hidden) : null);
        }
        new GradCheck(layer, x, state, seed).run();
    }
}
