package dev.mnemo.experiments.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mnemo.experiments.tasks.babi.BabiBatch;
import dev.mnemo.experiments.tasks.babi.BabiEncoder;
import dev.mnemo.experiments.tasks.babi.BabiExample;
import dev.mnemo.experiments.tasks.babi.BabiGenerator;
import dev.mnemo.experiments.tasks.babi.BabiStory;
import dev.mnemo.experiments.tasks.babi.BabiTask;
import dev.mnemo.nn.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A bAbI question gets the answer it would get alone, whatever the lengths of the others in its batch. */
class BabiScoringTest {

    @Test
    void eachAnswerIsTheModelsOnItsQuestionAlone() {
        List<BabiExample> examples = BabiStory.examples(BabiGenerator.generate(BabiTask.SINGLE_SUPPORTING_FACT, 4, 9L));
        BabiEncoder enc = BabiEncoder.fit(examples, 3);
        BabiBatch all = enc.batch(examples, 0, examples.size());
        int shortest = java.util.Arrays.stream(all.lengths()).min().orElseThrow();
        assertEquals(true, shortest < all.steps(), "the batch must pad some questions");
        for (String cell : List.of("rnn", "gru", "memnet")) {
            var settings = new RunSettings(cell, cell.equals("memnet") ? "pytorch" : "xavier", Map.of(), 6, 1, 1, 8,
                    0.01, 1.0, 4, "cpu");
            TrainingSetup setup = TrainingSetup.create(settings, enc.words().size(), enc.answers().size(), null);
            Tensor together = BabiTrainer.answerLogits(setup, all);
            for (int i = 0; i < examples.size(); i++) {
                Tensor alone = BabiTrainer.answerLogits(setup, enc.batch(examples, i, i + 1));
                for (int c = 0; c < together.dim(1); c++) {
                    assertEquals(alone.get(0, c), together.get(i, c), 1e-5, cell + ", question " + i + ", class " + c);
                }
            }
        }
    }
}
