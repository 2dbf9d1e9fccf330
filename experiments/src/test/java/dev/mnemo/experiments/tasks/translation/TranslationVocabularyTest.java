package dev.mnemo.experiments.tasks.translation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Reserved ids, frequency order, the cut-off, and encoding / decoding. */
class TranslationVocabularyTest {

    // Counts: the 4, cat 2, dog 2, a 2, sat 1, ran 1.
    private static final List<List<String>> SENTENCES = List.of(
            List.of("the", "cat", "sat"),
            List.of("the", "dog", "ran"),
            List.of("a", "cat", "the"),
            List.of("a", "dog", "the"));

    @Test
    void specialIdsThenDescendingCountThenStringOrder() {
        assertEquals(0, TranslationVocabulary.PAD);
        assertEquals(1, TranslationVocabulary.UNK);
        assertEquals(2, TranslationVocabulary.BOS);
        assertEquals(3, TranslationVocabulary.EOS);
        TranslationVocabulary v = TranslationVocabulary.fit(SENTENCES, 1);
        assertEquals(List.of("<pad>", "<unk>", "<bos>", "<eos>", "the", "a", "cat", "dog", "ran", "sat"), v.tokens());
        assertEquals(10, v.size());
        assertEquals(4, v.id("the"));
        assertEquals("dog", v.token(7));
        assertEquals(TranslationVocabulary.EOS_TOKEN, v.token(TranslationVocabulary.EOS));
    }

    @Test
    void minFrequencyCutsRareTokensToUnk() {
        TranslationVocabulary v = TranslationVocabulary.fit(SENTENCES, 2);
        assertEquals(List.of("<pad>", "<unk>", "<bos>", "<eos>", "the", "a", "cat", "dog"), v.tokens());
        assertEquals(TranslationVocabulary.UNK, v.id("sat"));
        assertFalse(v.contains("sat"));
        assertEquals(4, TranslationVocabulary.fit(SENTENCES, 5).size(), "nothing is seen 5 times");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TranslationVocabulary.fit(SENTENCES, 0));
        assertTrue(e.getMessage().contains("minFrequency") && e.getMessage().contains("0"), e.getMessage());
    }

    @Test
    void orderDoesNotDependOnInputOrder() {
        TranslationVocabulary reference = TranslationVocabulary.fit(SENTENCES, 1);
        Random rnd = new Random(7);
        for (int trial = 0; trial < 5; trial++) {
            List<List<String>> shuffled = new ArrayList<>();
            for (List<String> s : SENTENCES) {
                List<String> copy = new ArrayList<>(s);
                Collections.shuffle(copy, rnd);
                shuffled.add(copy);
            }
            Collections.shuffle(shuffled, rnd);
            assertEquals(reference.tokens(), TranslationVocabulary.fit(shuffled, 1).tokens());
        }
    }

    @Test
    void specialTokensInTheDataAreNotAddedTwice() {
        TranslationVocabulary v = TranslationVocabulary.fit(List.of(List.of("<eos>", "<unk>", "x", "<pad>")), 1);
        assertEquals(List.of("<pad>", "<unk>", "<bos>", "<eos>", "x"), v.tokens());
        assertEquals(TranslationVocabulary.EOS, v.id("<eos>"));
    }

    @Test
    void encodeMapsUnknownTokensToUnk() {
        TranslationVocabulary v = TranslationVocabulary.fit(SENTENCES, 1);
        assertArrayEquals(new int[] {4, 6, 1, 9}, v.encode(List.of("the", "cat", "flew", "sat")));
        assertEquals(TranslationVocabulary.UNK, v.id("The"), "the vocabulary is case-sensitive; tokenize first");
    }

    @Test
    void decodeStopsAtEosSkipsPadAndBosKeepsUnk() {
        TranslationVocabulary v = TranslationVocabulary.fit(SENTENCES, 1);
        int[] ids = {TranslationVocabulary.BOS, 4, TranslationVocabulary.PAD, 6, TranslationVocabulary.UNK, 9,
                TranslationVocabulary.EOS, 5, 7};
        assertEquals(List.of("the", "cat", "<unk>", "sat"), v.decode(ids));
        assertEquals(List.of(), v.decode(new int[] {TranslationVocabulary.EOS, 4}));
        assertEquals(List.of("a", "dog"), v.decode(new int[] {5, 7}), "no EOS: everything");
        List<String> sentence = List.of("a", "cat", "ran");
        assertEquals(sentence, v.decode(v.encode(sentence)));
    }

    @Test
    void outOfRangeIdsAreRejected() {
        TranslationVocabulary v = TranslationVocabulary.fit(SENTENCES, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> v.token(10));
        assertTrue(e.getMessage().contains("[0, 10)") && e.getMessage().contains("10"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> v.token(-1));
        assertThrows(IllegalArgumentException.class, () -> v.decode(new int[] {4, 42}));
    }
}
