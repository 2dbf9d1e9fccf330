package dev.mnemo.experiments.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.experiments.tasks.translation.Bleu;
import dev.mnemo.experiments.tasks.translation.SentencePair;
import dev.mnemo.nn.CpuBackend;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** An encoder-decoder learns the synthetic language pair on the CPU, scored on sentences it never saw. */
class TranslationLearningTest {

    @Test
    void anLstmEncoderDecoderLearnsTheSyntheticPair() {
        // 12 epochs of 2,000 pairs measured 84.5 test BLEU (seed 1, 6 s on the 2-core CI machine); the
        // bar leaves room for other machines' rounding, and an untrained model scores about 0.
        var s = new RunSettings("lstm", "xavier", Map.of(), 64, 1, 12, 32, 0.01, 1.0, 1, "cpu");
        var c = new TranslationTrainer.Config(s, null, "en", "de", 2000, 200, 1, 50, 64, true, false, 1);
        TranslationTrainer.Result r = TranslationTrainer.run(c, null, null);
        assertTrue(r.test().bleu() >= 60, "test " + r.test());
        assertTrue(r.validation().bleu() >= 60, "validation " + r.validation());
        assertTrue(r.lastLoss() < 0.3, "loss per word " + r.lastLoss());
        assertEquals(200, r.testSize());
    }

    @Test
    void syntheticValidationAndTestHoldNoTrainingSentence() {
        var s = new RunSettings("gru", "xavier", Map.of(), 8, 1, 1, 32, 0.01, 1.0, 5, "cpu");
        var c = new TranslationTrainer.Config(s, null, "en", "de", 1000, 100, 1, 50, 8, true, false, 1);
        TranslationTrainer.Corpus corpus = TranslationTrainer.corpus(c);
        var seen = new HashSet<List<String>>();
        corpus.train().forEach(p -> seen.add(p.source()));
        for (SentencePair p : corpus.validation()) {
            assertTrue(!seen.contains(p.source()), "validation repeats a training sentence: " + p.source());
        }
        for (SentencePair p : corpus.test()) {
            assertTrue(!seen.contains(p.source()), "test repeats a training sentence: " + p.source());
        }
        assertEquals(100, corpus.validation().size());
        assertEquals(100, corpus.test().size());
        assertTrue(corpus.description().contains("SYNTHETIC"), corpus.description());
    }

    /** Translating puts the model in evaluation mode meanwhile and back in its own mode after, whichever it was. */
    @Test
    void translatingLeavesTheModelInItsOwnMode() {
        var s = new RunSettings("gru", "xavier", Map.of(), 8, 1, 1, 32, 0.01, 1.0, 5, "cpu");
        var words = dev.mnemo.experiments.tasks.translation.TranslationVocabulary.fit(List.of(List.of("a", "b")), 1);
        Seq2SeqModel m = Seq2SeqModel.build(s, words.size(), words.size(), 4, false, CpuBackend.float64());
        var translator = new Translator(m, words, words, true);
        for (boolean training : new boolean[] {false, true}) {
            m.setTraining(training);
            assertEquals(1, translator.translate(List.of(List.of("a", "b")), 1).size());
            assertEquals(training, m.isTraining(), "it used to end in training mode whatever the mode before");
        }
    }

    @ParameterizedTest(name = "attention {0}")
    @ValueSource(booleans = {false, true})
    void theScoreIsCorpusBleuOfTheGreedyTranslationsInTheirOrder(boolean attention) {
        var s = new RunSettings("gru", "xavier", Map.of(), 8, 1, 1, 32, 0.01, 1.0, 5, "cpu");
        var c = new TranslationTrainer.Config(s, null, "en", "de", 300, 50, 1, 50, 8, true, false, 1);
        TranslationTrainer.Corpus corpus = TranslationTrainer.corpus(c);
        var sourceWords = dev.mnemo.experiments.tasks.translation.TranslationVocabulary.fit(
                corpus.train().stream().map(SentencePair::source).toList(), 1);
        var targetWords = dev.mnemo.experiments.tasks.translation.TranslationVocabulary.fit(
                corpus.train().stream().map(SentencePair::target).toList(), 1);
        // float64: batches of other sizes round the same sums differently only far below any arg-max gap
        Seq2SeqModel m = Seq2SeqModel.build(s, sourceWords.size(), targetWords.size(), 8, attention, CpuBackend.float64());
        var scored = TranslationTrainer.score(m, corpus.test(), sourceWords, targetWords, true, 1);
        // each sentence translated alone gives the same words: no padding, so its batch changes nothing
        for (int i = 0; i < 12; i++) {
            var alone = TranslationTrainer.score(m, List.of(corpus.test().get(i)), sourceWords, targetWords, true, 1);
            assertEquals(alone.hypotheses().getFirst(), scored.hypotheses().get(i), "sentence " + i);
        }
        Bleu.Score expected = Bleu.corpus(scored.hypotheses(), corpus.test().stream().map(SentencePair::target).toList());
        assertEquals(expected.bleu(), scored.bleu().bleu(), 0.0);
    }
}
