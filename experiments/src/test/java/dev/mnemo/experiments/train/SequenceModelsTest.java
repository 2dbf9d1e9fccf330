package dev.mnemo.experiments.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shared set-up: models built by name, reproducible initial weights, and one training step. */
class SequenceModelsTest {

    private static RunSettings settings(String cell, String init, long seed) {
        return new RunSettings(cell, init, Map.of(), 5, 1, 1, 4, 0.01, 1.0, seed, "cpu");
    }

    @Test
    void sizesAndNamesFollowTheCell() {
        SequenceModel lstm = SequenceModels.build(settings("lstm", "eigen", 1), 3, 2, null, Backend.cpu());
        // 4 gates × H × (I + H) + two 4H biases, then Linear(H, 2)
        assertEquals(4 * 5 * (3 + 5) + 2 * 4 * 5 + 5 * 2 + 2, lstm.parameterCount());
        assertTrue(lstm.parameters().containsKey("rnn.weight_hh_l0"));
        assertTrue(lstm.parameters().containsKey("head.bias"));
        assertEquals("lstm(3 → 5) → Linear(5, 2) on every step", lstm.describe());
        assertTrue(lstm.initDescription().startsWith("eigen"), lstm.initDescription());
        SequenceModel gru = SequenceModels.build(settings("gru", "xavier", 1), 1, 1, null, Backend.cpu());
        assertEquals(3 * 5 * (1 + 5) + 2 * 3 * 5 + 5 + 1, gru.parameterCount());
        var output = gru.forward(Tensor.zeros(7, 2, 1)).output();
        assertArrayEquals(new int[] {7, 2, 1}, output.shape());
    }

    @Test
    void predictIsTheForwardsOutput() {
        for (String cell : new String[] {"rnn", "lstm", "gru", "memnet"}) {
            SequenceModel m = SequenceModels.build(settings(cell, cell.equals("memnet") ? "pytorch" : "xavier", 2), 3, 2,
                    null, Backend.cpu());
            m.setTraining(false);   // as evaluation runs it: the same dropout-free pass twice
            float[] x = new float[6 * 4 * 3];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) Math.sin(0.3 * i);
            }
            Tensor in = Tensor.of(x, 6, 4, 3);
            assertArrayEquals(m.forward(in).output().toFloatArray(), m.predict(in).toFloatArray(), cell);
        }
    }

    @Test
    void theSameSeedGivesTheSameInitialWeights() {
        // reproduce spectra rebuilds the untrained model this way for its "before" spectrum
        var a = SequenceModels.build(settings("lstm", "orthogonal", 3), 2, 2, null, Backend.cpu()).parameters();
        var b = SequenceModels.build(settings("lstm", "orthogonal", 3), 2, 2, null, Backend.cpu()).parameters();
        var c = SequenceModels.build(settings("lstm", "orthogonal", 4), 2, 2, null, Backend.cpu()).parameters();
        for (String name : a.keySet()) {
            assertArrayEquals(a.get(name).toFloatArray(), b.get(name).toFloatArray(), name);
        }
        assertTrue(!java.util.Arrays.equals(a.get("rnn.weight_hh_l0").toFloatArray(),
                c.get("rnn.weight_hh_l0").toFloatArray()));
    }

    @Test
    void stepsLowerTheLossOnAFixedBatch() {
        FixedBatchFit.assertStepsLowerTheLoss(TrainingSetup.create(settings("gru", "orthogonal", 1), 1, 1, null));
    }

    @Test
    void badSettingsAreOneClearMessage() {
        var e = assertThrows(IllegalArgumentException.class, () -> settings("memnet2", "xavier", 1));
        assertEquals("unknown cell 'memnet2'; valid cells: rnn, lstm, gru, memnet", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new RunSettings("gru", "xavier", Map.of(), 0, 1, 1, 1, 0.01, 1, 1, "cpu"));
        assertThrows(IllegalArgumentException.class,
                () -> new RunSettings("gru", "xavier", Map.of(), 4, 1, 1, 1, -1, 1, 1, "cpu"));
    }
}
