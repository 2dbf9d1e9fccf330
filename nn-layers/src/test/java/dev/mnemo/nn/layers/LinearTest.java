package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.FiniteDifferences;
import dev.mnemo.nn.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LinearTest {

    /**
     * W = [[1, 2], [3, 4]], b = [0.5, −1], x = [[1, 1], [2, 0]]:
     * y = x Wᵀ + b = [[1 + 2 + 0.5, 3 + 4 − 1], [2 + 0.5, 6 − 1]] = [[3.5, 6], [2.5, 5]].
     */
    @Test
    void knownAnswer() {
        var lin = new Linear(LinearOptions.of(2, 2));
        lin.parameters().get("weight").copyFrom(Tensor.of(new float[]{1, 2, 3, 4}, 2, 2));
        lin.parameters().get("bias").copyFrom(Tensor.of(new float[]{0.5f, -1}, 2));
        var out = lin.forward(Tensor.of(new float[]{1, 1, 2, 0}, 2, 2));
        assertArrayEquals(new float[]{3.5f, 6, 2.5f, 5}, out.output().toFloatArray());
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void gradientsMatchFiniteDifferences(boolean bias) {
        Backend be = CpuBackend.float64();
        var lin = new Linear(LinearOptions.builder(4, 3).bias(bias).seed(5).build(), be);
        Tensor x = TestData.uniform(be, 1, 1.0, 5, 2, 4);
        Tensor r = TestData.uniform(be, 2, 1.0, 5, 2, 3);
        var out = lin.forward(x);
        Tensor dx = lin.backward(out.saved(), r);
        List<String> failures = new ArrayList<>();
        java.util.function.DoubleSupplier loss = () -> TestData.dot(lin.forward(x).output(), r);
        failures.add(FiniteDifferences.compare("x", x, dx, loss));
        for (var e : lin.parameters().entrySet()) {
            failures.add(FiniteDifferences.compare(e.getKey(), e.getValue(), lin.gradients().get(e.getKey()), loss));
        }
        failures.removeIf(java.util.Objects::isNull);
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertEquals(bias ? List.of("weight", "bias") : List.of("weight"), List.copyOf(lin.parameters().keySet()));
    }

    @Test
    void badInputNamesTheShapes() {
        var lin = new Linear(LinearOptions.of(4, 3));
        var e = assertThrows(IllegalArgumentException.class, () -> lin.forward(Tensor.zeros(3, 5)));
        assertEquals("x must have shape [*, 4] (in_features 4, at least one row), got [3, 5]", e.getMessage());
        var out = lin.forward(Tensor.zeros(2, 3, 4));
        e = assertThrows(IllegalArgumentException.class, () -> lin.backward(out.saved(), Tensor.zeros(6, 3)));
        assertEquals("dOutput must have shape [2, 3, 3] (the output's), got [6, 3]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LinearOptions.of(0, 3));
        assertEquals("inFeatures must be > 0, got 0", e.getMessage());
        assertEquals("Linear(4, 3)", lin.toString());
        assertEquals("Linear(4, 3, bias=false)", new Linear(LinearOptions.builder(4, 3).bias(false).build()).toString());
        // more parameters than one flat buffer holds: was Math.toIntExact's bare "integer overflow"
        e = assertThrows(IllegalArgumentException.class, () -> new Linear(LinearOptions.of(50_000, 50_000)));
        assertEquals("the parameters hold 2500050000 elements, more than the 2147483639 one flat buffer holds (the "
                + "largest, weight, is [50000, 50000]): choose smaller sizes", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Embedding(50_000, 50_000, 1));
        assertTrue(e.getMessage().startsWith("the parameters hold 2500000000 elements"), e.getMessage());
    }
}
