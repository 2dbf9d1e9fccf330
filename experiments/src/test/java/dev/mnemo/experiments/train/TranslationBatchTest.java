package dev.mnemo.experiments.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.experiments.tasks.translation.SentencePair;
import dev.mnemo.experiments.tasks.translation.TranslationVocabulary;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TranslationBatchTest {

    private static final List<SentencePair> PAIRS = List.of(
            new SentencePair(List.of("a", "b", "c"), List.of("x", "y")),
            new SentencePair(List.of("b", "c", "a"), List.of("z", "x", "y")));
    private static final TranslationVocabulary SOURCE = TranslationVocabulary.fit(
            PAIRS.stream().map(SentencePair::source).toList(), 1);
    private static final TranslationVocabulary TARGET = TranslationVocabulary.fit(
            PAIRS.stream().map(SentencePair::target).toList(), 1);

    @Test
    void sourcesAreTimeMajorAndOptionallyReversedTargetsShiftedAndRightPadded() {
        int a = SOURCE.id("a");
        int b = SOURCE.id("b");
        int c = SOURCE.id("c");
        int x = TARGET.id("x");
        int y = TARGET.id("y");
        int z = TARGET.id("z");
        int pad = TranslationVocabulary.PAD;
        int bos = TranslationVocabulary.BOS;
        int eos = TranslationVocabulary.EOS;
        TranslationBatch forward = TranslationBatch.of(PAIRS, SOURCE, TARGET, false);
        assertEquals(3, forward.sourceSteps());
        // time-major [T, B]: row t holds step t of sentence 0, then of sentence 1
        assertArrayEquals(new int[] {a, b, b, c, c, a}, forward.source());
        TranslationBatch reversed = TranslationBatch.of(PAIRS, SOURCE, TARGET, true);
        assertArrayEquals(new int[] {c, a, b, c, a, b}, reversed.source());
        assertEquals(4, forward.targetSteps());
        assertArrayEquals(new int[] {bos, bos, x, z, y, x, pad, y}, forward.decoderInput());
        assertArrayEquals(new int[] {x, z, y, x, eos, y, pad, eos}, forward.decoderTarget());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 7}, forward.scoredRows());
        assertArrayEquals(new int[] {x, z, y, x, eos, y, eos}, forward.scoredTargets());
    }

    /** Padding would reach the encoder's state and the unmasked attention: a batch is of one source length. */
    @Test
    void sourcesOfDifferentLengthsAreRefused() {
        List<SentencePair> mixed = List.of(PAIRS.getFirst(), new SentencePair(List.of("b"), List.of("x")));
        var e = assertThrows(IllegalArgumentException.class, () -> TranslationBatch.of(mixed, SOURCE, TARGET, true));
        assertEquals("a batch's sources must have one length, at least 1: got 3 and 1 tokens (padding would reach "
                + "the encoder and the attention; group sentences by source length, as TranslationBatch.buckets does)",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TranslationBatch.sourceIds(
                List.of(List.of("a"), List.of()), SOURCE, false));
    }

    /** Built by hand, a batch is checked as TranslationBatch.of builds it: a padded source trained unnoticed. */
    @Test
    void aBatchBuiltByHandIsChecked() {
        TranslationBatch good = TranslationBatch.of(PAIRS, SOURCE, TARGET, false);
        int[] padded = good.source().clone();
        padded[0] = TranslationVocabulary.PAD;
        var e = assertThrows(IllegalArgumentException.class, () -> new TranslationBatch(padded, good.sourceSteps(),
                good.decoderInput(), good.decoderTarget(), good.targetSteps(), good.pairs()));
        assertTrue(e.getMessage().startsWith("source holds <pad> at step 0 of sentence 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TranslationBatch(good.source(), good.sourceSteps(),
                good.decoderInput(), java.util.Arrays.copyOf(good.decoderTarget(), 3), good.targetSteps(), good.pairs()));
        assertEquals("decoderTarget must hold steps × batch ids with steps >= 1: got 3 ids for " + good.targetSteps()
                + " steps of " + PAIRS.size() + " sentences", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TranslationBatch(new int[0], 0,
                good.decoderInput(), good.decoderTarget(), good.targetSteps(), good.pairs()));
        assertTrue(e.getMessage().startsWith("source must hold steps × batch ids with steps >= 1"), e.getMessage());
        int[] noTarget = new int[good.decoderTarget().length];   // all <pad>
        e = assertThrows(IllegalArgumentException.class, () -> new TranslationBatch(good.source(), good.sourceSteps(),
                good.decoderInput(), noTarget, good.targetSteps(), good.pairs()));
        assertTrue(e.getMessage().startsWith("sentence 0's target starts with <pad>"), e.getMessage());
    }

    @Test
    void bucketsHoldOneSourceLengthCoverEveryPairOnceAndChangeWithTheSeed() {
        List<SentencePair> pairs = new ArrayList<>();
        for (int i = 0; i < 43; i++) {
            List<String> s = new ArrayList<>();
            for (int k = 0; k <= i % 8; k++) {
                s.add("w" + i + "_" + k);
            }
            pairs.add(new SentencePair(s, List.of("t" + i)));
        }
        List<List<SentencePair>> one = TranslationBatch.buckets(pairs, 4, new SplittableRandom(1));
        // lengths 1..3 have 6 pairs (two batches: 4 + 2), lengths 4..8 have 5 (4 + 1)
        assertEquals(16, one.size());
        var seen = new HashSet<SentencePair>();
        for (List<SentencePair> batch : one) {
            int len = batch.getFirst().source().size();
            batch.forEach(p -> assertEquals(len, p.source().size(), "one source length a batch"));
            assertEquals(len, TranslationBatch.of(batch, SOURCE, TARGET, true).sourceSteps());
            seen.addAll(batch);
        }
        assertEquals(43, seen.size());
        assertNotEquals(one, TranslationBatch.buckets(pairs, 4, new SplittableRandom(2)));
        assertThrows(IllegalArgumentException.class, () -> TranslationBatch.buckets(pairs, 0, new SplittableRandom(1)));
        assertThrows(IllegalArgumentException.class, () -> TranslationBatch.of(List.of(), SOURCE, TARGET, true));
    }
}
