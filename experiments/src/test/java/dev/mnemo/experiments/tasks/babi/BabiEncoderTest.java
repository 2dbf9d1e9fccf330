package dev.mnemo.experiments.tasks.babi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tokenizer, vocabularies, the (story, question) encoding, batches and per-task accuracy. */
class BabiEncoderTest {

    private static final List<BabiExample> EXAMPLES = BabiStory.examples(BabiReader.parse(List.of(
            "1 Mary moved to the bathroom.",
            "2 John went to the hallway.",
            "3 Where is Mary? \tbathroom\t1",
            "4 Mary went to the garden.",
            "5 Where is Mary? \tgarden\t4"), "t", 1));

    @Test
    void tokenizerLowercasesAndSplitsPunctuation() {
        assertEquals(List.of("where", "is", "mary", "?"), BabiTokenizer.tokenize("Where is Mary?"));
        assertEquals(List.of("mary", "got", "the", "football", "there", "."),
                BabiTokenizer.tokenize("  Mary got the football there. "));
        assertEquals(List.of("a", ",", "b", "!", "o'neil", "x-ray", ";", ":"), BabiTokenizer.tokenize("A,b! O'Neil x-ray;:"));
        assertEquals(List.of(), BabiTokenizer.tokenize(" \t"));
    }

    @Test
    void vocabulariesAreSortedWithReservedIds() {
        Vocabulary w = Vocabulary.words(List.of("to", "mary", "to", Vocabulary.PAD));
        assertEquals(List.of("<pad>", "<unk>", "mary", "to"), w.tokens());
        assertEquals(2, w.id("mary"));
        assertEquals(1, w.id("zebra"), "unknown word → <unk>");
        Vocabulary c = Vocabulary.classes(List.of("no", "yes", "no"));
        assertEquals(List.of("no", "yes"), c.tokens());
        assertEquals("unknown class 'maybe'; known: no, yes",
                assertThrows(IllegalArgumentException.class, () -> c.id("maybe")).getMessage());
        assertEquals("id must be in [0, 2), got 2", assertThrows(IllegalArgumentException.class, () -> c.token(2)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Vocabulary.classes(List.of()));
    }

    @Test
    void encodesStoryQueryQuestion() {
        BabiEncoder enc = BabiEncoder.fit(EXAMPLES, 50);
        assertEquals(List.of("<pad>", "<unk>", ".", "<query>", "?", "bathroom", "garden", "hallway", "is", "john",
                "mary", "moved", "the", "to", "went", "where"), enc.words().tokens());
        assertEquals(List.of("bathroom", "garden"), enc.answers().tokens());
        Vocabulary w = enc.words();
        int[] expected = ids(w, "mary moved to the bathroom . john went to the hallway . <query> where is mary ?");
        assertArrayEquals(expected, enc.encode(EXAMPLES.get(0)));
        assertEquals(0, enc.answerClass(EXAMPLES.get(0)));
        assertEquals(1, enc.answerClass(EXAMPLES.get(1)));
        BabiEncoder lastFact = new BabiEncoder(w, enc.answers(), 1);
        assertArrayEquals(ids(w, "mary went to the garden . <query> where is mary ?"), lastFact.encode(EXAMPLES.get(1)));
    }

    /** A question whose supporting fact was cut by maxFacts is not answerable from the input, and is counted. */
    @Test
    void saysWhetherTheKeptFactsHoldTheSupport() {
        BabiEncoder all = BabiEncoder.fit(EXAMPLES, 50);
        BabiEncoder lastFact = new BabiEncoder(all.words(), all.answers(), 1);
        // question 1 (after facts 1, 2) rests on fact 1; question 2 (after facts 1, 2, 4) on fact 4
        assertTrue(all.keepsSupport(EXAMPLES.get(0)));
        assertFalse(lastFact.keepsSupport(EXAMPLES.get(0)), "fact 1 cut: only fact 2 kept");
        assertTrue(lastFact.keepsSupport(EXAMPLES.get(1)));
        assertEquals(List.of(4), lastFact.keptFacts(EXAMPLES.get(1)).stream().map(BabiLine.Fact::id).toList());
        assertEquals(2, all.countKeepingSupport(EXAMPLES));
        assertEquals(1, lastFact.countKeepingSupport(EXAMPLES));
    }

    private static int[] ids(Vocabulary w, String text) {
        return java.util.Arrays.stream(text.split(" ")).mapToInt(w::id).toArray();
    }

    @Test
    void batchesAreRightPaddedTimeMajor() {
        BabiEncoder enc = BabiEncoder.fit(EXAMPLES, 50);
        BabiBatch batch = enc.batch(EXAMPLES, 0, 2);
        int[] a = enc.encode(EXAMPLES.get(0));
        int[] b = enc.encode(EXAMPLES.get(1));
        assertEquals(b.length, batch.steps(), "the longer (3 facts) sets T");
        assertArrayEquals(new int[] {a.length, b.length}, batch.lengths());
        for (int t = 0; t < batch.steps(); t++) {
            assertEquals(b[t], batch.token(t, 1));
            assertEquals(t < a.length ? a[t] : 0, batch.token(t, 0));
        }
        assertArrayEquals(new int[] {0, 1}, batch.answers());
        assertArrayEquals(new int[] {1, 1}, batch.tasks());
        Tensor x = batch.oneHot();
        assertArrayEquals(new int[] {batch.steps(), 2, enc.words().size()}, x.shape());
        double sum = 0;
        for (double v : x.toDoubleArray()) {
            sum += v;
        }
        assertEquals(a.length + b.length, sum, "one hot entry per real token, none for padding");
        assertEquals(1.0, x.get(0, 0, a[0]));
        assertEquals(1.0, x.get(a.length - 1, 0, enc.words().id("?")));
        assertEquals(1.0, x.get(batch.steps() - 1, 1, enc.words().id("?")));
        assertEquals("need 0 <= from < to <= 2, got 1, 1",
                assertThrows(IllegalArgumentException.class, () -> enc.batch(EXAMPLES, 1, 1)).getMessage());
        assertEquals("every length must be in [1, T = 2], got 3", assertThrows(IllegalArgumentException.class,
                () -> new BabiBatch(new int[] {2, 3, 4, 5}, new int[] {3, 1}, new int[] {0, 0}, new int[] {1, 1}, 8))
                .getMessage());
    }

    @Test
    void generatedTrainAndTestShareOneEncoder() {
        List<BabiExample> train = BabiStory.examples(BabiGenerator.generate(BabiTask.COUNTING, 40, 1L));
        List<BabiExample> test = BabiStory.examples(BabiGenerator.generate(BabiTask.COUNTING, 10, 2L));
        List<BabiExample> all = new java.util.ArrayList<>(train);
        all.addAll(test);
        BabiEncoder enc = BabiEncoder.fit(all, 50);
        BabiBatch batch = enc.batch(test, 0, test.size());
        for (int i = 0; i < test.size(); i++) {
            assertEquals(test.get(i).question().answer(), enc.answers().token(batch.answers()[i]));
            assertEquals(7, batch.tasks()[i]);
        }
    }

    @Test
    void accuracyPerTask() {
        BabiAccuracy acc = new BabiAccuracy();
        for (int i = 0; i < 100; i++) {
            acc.add(1, i < 97);    // 3% error: passes
            acc.add(2, i < 50);    // 50% error: fails
        }
        BabiBatch batch = new BabiBatch(new int[] {2, 3}, new int[] {1, 1}, new int[] {4, 5}, new int[] {6, 6}, 8);
        acc.add(batch, new int[] {4, 0});
        Map<Integer, BabiAccuracy.Score> s = acc.perTask();
        assertEquals(List.of(1, 2, 6), List.copyOf(s.keySet()));
        assertEquals(new BabiAccuracy.Score(1, 97, 100), s.get(1));
        assertEquals(0.03, s.get(1).error(), 1e-12);
        assertEquals(0.5, s.get(6).accuracy());
        assertEquals((0.03 + 0.5 + 0.5) / 3, acc.meanError(), 1e-12);
        assertEquals(2, acc.failedTasks());
        assertEquals("predicted must have B = 2 entries, got 1",
                assertThrows(IllegalArgumentException.class, () -> acc.add(batch, new int[1])).getMessage());
    }

    @Test
    void exactlyFivePercentErrorPassesAndOneMoreWrongAnswerFails() {
        BabiAccuracy acc = new BabiAccuracy();
        for (int i = 0; i < 1000; i++) {
            acc.add(1, i < 950);   // 95.0 %: 1 − 0.95 is above 0.05 in doubles
            acc.add(2, i < 949);   // 94.9 %
            acc.add(3, i % 20 != 0);   // 19 of 20
        }
        assertEquals(1, acc.failedTasks());
        assertFalse(acc.perTask().get(1).failed());
        assertTrue(acc.perTask().get(2).failed());
        assertFalse(acc.perTask().get(3).failed());
    }
}
