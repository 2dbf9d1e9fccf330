package dev.mnemo.experiments.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.experiments.tasks.Tomita;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.loss.SoftmaxCrossEntropy;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A Tomita string's prediction is the model's on that string alone, whatever else its batch holds. */
class TomitaTrainerTest {

    private static final Tomita.Data DATA = Tomita.generate(4, 1, 9, 6, 11);
    private static final int[] ALL = IntStream.range(0, DATA.size()).toArray();

    /** An RNN after a few mixed-length batches: its predictions vary, and zero-input steps move its state. */
    private static TrainingSetup partlyTrained(String cell) {
        var settings = new RunSettings(cell, cell.equals("memnet") ? "pytorch" : "irnn", Map.of(), 8, 1, 1, 16, 0.05,
                1.0, 3, "cpu");
        TrainingSetup setup = TrainingSetup.create(settings, 2, 2, null);
        var ce = new SoftmaxCrossEntropy(setup.backend());
        for (int from = 0; from < DATA.size(); from += 16) {
            int to = Math.min(DATA.size(), from + 16);
            int[] y = Tomita.labels(DATA, ALL, from, to);
            int[] lengths = Tomita.steps(DATA, ALL, from, to);
            setup.step(Tomita.oneHot(DATA, ALL, from, to), logits -> ce.lastStep(logits, y, lengths, false));
        }
        return setup;
    }

    @Test
    void eachStringIsReadAtItsOwnLastStep() {
        for (String cell : new String[] {"rnn", "lstm", "memnet"}) {
            TrainingSetup setup = partlyTrained(cell);
            Tensor together = TomitaTrainer.lastLogits(setup, DATA, ALL, 0, DATA.size());   // padded to 9 steps
            int correct = 0;
            for (int i = 0; i < DATA.size(); i++) {
                Tensor alone = TomitaTrainer.lastLogits(setup, DATA, ALL, i, i + 1);
                for (int c = 0; c < 2; c++) {
                    assertEquals(alone.get(0, c), together.get(i, c), 1e-5, cell + ", string " + DATA.text(i));
                }
                int predicted = alone.get(0, 1) > alone.get(0, 0) ? 1 : 0;
                correct += predicted == DATA.labels()[i] ? 1 : 0;
            }
            if (cell.equals("rnn")) {
                assertTrue(correct > 0 && correct < DATA.size(), "a model that predicts one class tests nothing: " + correct);
            }
            assertEquals((double) correct / DATA.size(), TomitaTrainer.accuracy(setup, DATA), 0.0, cell);
        }
    }
}
