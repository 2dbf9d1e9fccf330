package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.optim.ParameterBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What every layer shares through {@link Layer}: flat buffers and their views, gradients, the mode. */
class LayerTest {

    private static List<Layer> oneOfEach() {
        return List.of(
                new Linear(LinearOptions.of(3, 2)),
                new Embedding(5, 3, 1L),
                new MemNet(MemNetOptions.of(2, 1)),
                new Rnn(RecurrentOptions.builder(2, 3).bidirectional(true).build()),
                new Lstm(RecurrentOptions.builder(2, 3).numLayers(2).build()),
                new Gru(RecurrentOptions.builder(2, 3).bias(false).build()));
    }

    @Test
    void namedParametersAreViewsThatTileTheFlatBuffer() {
        for (Layer layer : oneOfEach()) {
            long total = 0;
            for (var e : layer.parameters().entrySet()) {
                Tensor view = e.getValue();
                assertTrue(view.sharesStorageWith(layer.flatParameters()), layer + " " + e.getKey());
                assertEquals(total, view.offset() - layer.flatParameters().offset(), layer + " " + e.getKey());
                total += view.numel();
            }
            assertEquals(layer.flatParameters().numel(), total, layer.toString());
            assertEquals(layer.parameters().sequencedKeySet().stream().toList(),
                    layer.gradients().sequencedKeySet().stream().toList(), layer.toString());
        }
    }

    @Test
    void writingAViewChangesTheLayer() {
        var lin = new Linear(LinearOptions.of(3, 2));
        lin.parameters().get("bias").fill(7.0);
        double[] flat = lin.flatParameters().toDoubleArray();
        assertEquals(7.0, flat[flat.length - 1]);
        assertEquals(7.0, flat[flat.length - 2]);
    }

    @Test
    void zeroGradientsClearsEveryGradient() {
        for (Layer layer : oneOfEach()) {
            layer.flatGradients().fill(3.0);
            layer.zeroGradients();
            for (double g : layer.flatGradients().toDoubleArray()) {
                assertEquals(0.0, g, layer.toString());
            }
        }
    }

    @Test
    void trainingModeStartsOnAndFollowsTheSetter() {
        for (Layer layer : oneOfEach()) {
            assertTrue(layer.isTraining(), layer.toString());
            layer.setTraining(false);
            assertFalse(layer.isTraining(), layer.toString());
        }
    }

    @Test
    void parameterBufferOfALayerIsItsFlatBuffers() {
        for (Layer layer : oneOfEach()) {
            ParameterBuffer buffer = ParameterBuffer.of(layer);
            assertSame(layer.flatParameters(), buffer.parameters());
            assertSame(layer.flatGradients(), buffer.gradients());
            assertSame(Backend.cpu(), layer.backend());
        }
        var e = assertThrows(NullPointerException.class, () -> ParameterBuffer.of(null));
        assertEquals("layer", e.getMessage());
    }

    @Test
    void nullOptionsOrBackendAreNamed() {
        assertEquals("options", assertThrows(NullPointerException.class,
                () -> new Linear(null, Backend.cpu())).getMessage());
        assertEquals("options", assertThrows(NullPointerException.class,
                () -> new MemNet(null, Backend.cpu())).getMessage());
        assertEquals("options", assertThrows(NullPointerException.class,
                () -> new Lstm(null, Backend.cpu())).getMessage());
        assertEquals("backend", assertThrows(NullPointerException.class,
                () -> new Linear(LinearOptions.of(3, 2), null)).getMessage());
        assertEquals("backend", assertThrows(NullPointerException.class,
                () -> new Embedding(5, 3, 1L, null)).getMessage());
    }
}
