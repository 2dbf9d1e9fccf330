package dev.mnemo.experiments.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.experiments.tasks.ChaoticSeries;
import dev.mnemo.experiments.tasks.Windows;
import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.layers.MemNetOptions;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@code --cell memnet} through the shared model interface: sizes, training, free-running, bad settings. */
class MemNetModelTest {

    private static RunSettings settings(int hidden, Map<String, String> params, int layers, String init) {
        return new RunSettings("memnet", init, params, hidden, layers, 1, 4, 0.01, 1.0, 3, "cpu");
    }

    @Test
    void hiddenIsTheKeyAndValueWidthUnlessGiven() {
        MemNetOptions o = MemNetModel.options(settings(6, Map.of(), 1, "pytorch"), 2, 3);
        assertEquals(6, o.keySize());
        assertEquals(6, o.valueSize());
        assertEquals(8, o.slots());
        assertEquals(3, o.seed());
        MemNetOptions p = MemNetModel.options(settings(6, Map.of("slots", "3", "key-width", "4", "value-width", "5"), 1,
                "pytorch"), 2, 3);
        assertEquals(4, p.keySize());
        assertEquals(5, p.valueSize());
        assertEquals(3, p.slots());
        SequenceModel m = SequenceModels.build(settings(6, Map.of(), 1, "pytorch"), 2, 3, null, Backend.cpu());
        assertTrue(m.describe().startsWith("memnet(2 → S 18 = 2·d_k 6 + d_v 6, M 8 slots"), m.describe());
        assertTrue(m.parameters().containsKey("memnet.qkv.weight"));
        assertArrayEquals(new int[] {18, 2 + 18 + 6}, m.parameters().get("memnet.qkv.weight").shape());
        assertArrayEquals(new int[] {3, 18}, m.parameters().get("memnet.state_out.weight").shape());
        assertTrue(m.recurrentLayers().isEmpty());
        assertArrayEquals(new int[] {5, 2, 3}, m.forward(Tensor.zeros(5, 2, 2)).output().shape());
    }

    @Test
    void stepsLowerTheLossOnAFixedBatch() {
        FixedBatchFit.assertStepsLowerTheLoss(TrainingSetup.create(settings(8, Map.of("slots", "4"), 1, "pytorch"), 1, 1, null));
    }

    @Test
    void freeRunningWorksThroughTheWindowsWithMemNet() {
        // the first free-running step predicts from true values only, so it is the one-step prediction at
        // those starts; later steps feed MemNet's own outputs back and must stay finite
        TrainingSetup setup = TrainingSetup.create(settings(4, Map.of("slots", "3"), 1, "pytorch"), 1, 1, null);
        Windows w = new Windows(ChaoticSeries.generate("mackey-glass17", 400, 1), 0.5, 10);
        float[] test = w.testValues();
        int[] starts = IntStream.iterate(0, k -> k + 5).takeWhile(k -> k + 10 + 6 <= w.testSteps()).toArray();
        double[] byStep = new double[6];
        double pooled = ChaoticTrainer.freeRunning(setup, w, test, starts, 6, byStep);
        assertEquals(ChaoticTrainer.oneStep(setup, w, test, starts), byStep[0], 1e-9);
        assertTrue(Double.isFinite(pooled) && pooled > 0, "pooled " + pooled);
        for (double v : byStep) {
            assertTrue(Double.isFinite(v), java.util.Arrays.toString(byStep));
        }
    }

    @Test
    void badSettingsAreOneClearMessage() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> MemNetModel.options(settings(4, Map.of(), 2, "pytorch"), 1, 1));
        assertEquals("memnet has one layer; --layers must be 1, got 2", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> MemNetModel.options(settings(4, Map.of(), 1, "xavier"), 1, 1));
        assertTrue(e.getMessage().contains("use --init pytorch, got 'xavier'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> MemNetModel.options(settings(4, Map.of("r-min", "0.9"), 1, "pytorch"), 1, 1));
        assertEquals("memnet takes the parameters slots, key-width, value-width; got 'r-min'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> MemNetModel.options(settings(4, Map.of("slots", "0"), 1, "pytorch"), 1, 1));
        assertEquals("--slots must be >= 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> MemNetModel.options(settings(4, Map.of("key-width", "x"), 1, "pytorch"), 1, 1));
        assertEquals("--key-width must be an integer, got 'x'", e.getMessage());
    }
}
