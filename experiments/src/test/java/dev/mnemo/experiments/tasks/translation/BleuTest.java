package dev.mnemo.experiments.tasks.translation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Corpus BLEU-4 against hand-computed values. */
class BleuTest {

    private static final double EPS = 1e-9;

    private static List<String> t(String sentence) {
        return List.of(sentence.split(" "));
    }

    @Test
    void anIdenticalCorpusScores100() {
        List<List<String>> corpus = List.of(t("a man rides a horse ."), t("two dogs play in the snow"));
        Bleu.Score s = Bleu.corpus(corpus, corpus);
        assertEquals(100, s.bleu(), EPS);
        assertArrayEquals(new double[] {1, 1, 1, 1}, s.precisions(), EPS);
        assertEquals(1, s.brevityPenalty(), EPS);
        assertEquals(12, s.candidateLength());
        assertEquals(12, s.referenceLength());
    }

    @Test
    void noFourGramMatchScoresZero() {
        // candidate: the cat on the sat mat      reference: the cat sat on the mat
        // p1: every word occurs, "the" twice in both → 6/6
        // p2: the cat ✓, cat on ✗, on the ✓, the sat ✗, sat mat ✗ → 2/5
        // p4: the cat on the, cat on the sat, on the sat mat; the reference has only
        //     the cat sat on, cat sat on the, sat on the mat → 0/3, so BLEU = 0 (no smoothing)
        Bleu.Score s = Bleu.corpus(List.of(t("the cat on the sat mat")), List.of(t("the cat sat on the mat")));
        assertEquals(0, s.bleu(), EPS);
        assertEquals(1.0, s.precisions()[0], EPS);
        assertEquals(2.0 / 5, s.precisions()[1], EPS);
        assertEquals(0, s.precisions()[3], EPS);
    }

    @Test
    void matchesAreClippedToTheReferenceCount() {
        // Papineni et al.'s example: "the" occurs 7 times in the candidate but at most 2 times in the
        // reference, so p1 = 2/7; no bigram "the the" in the reference, so p2 = 0/6 and BLEU = 0.
        // c = 7 > r = 6, so BP = 1.
        Bleu.Score s = Bleu.corpus(List.of(t("the the the the the the the")), List.of(t("the cat is on the mat")));
        assertEquals(2.0 / 7, s.precisions()[0], EPS);
        assertEquals(0, s.precisions()[1], EPS);
        assertEquals(1, s.brevityPenalty(), EPS);
        assertEquals(0, s.bleu(), EPS);
    }

    @Test
    void aWorkedExampleWithPartialMatches() {
        // candidate: the cat sat on a mat        reference: the cat sat on the mat
        // p1: the cat sat on mat match, a does not                  → 5/6
        // p2: the cat, cat sat, sat on match; on a, a mat do not    → 3/5
        // p3: the cat sat, cat sat on match; sat on a, on a mat not → 2/4
        // p4: the cat sat on matches; cat sat on a, sat on a mat not → 1/3
        // c = r = 6 → BP = exp(1 − 6/6) = 1
        // BLEU = 100 · (5/6 · 3/5 · 2/4 · 1/3)^(1/4) = 100 · (1/12)^(1/4) = 53.7284965911771…
        Bleu.Score s = Bleu.corpus(List.of(t("the cat sat on a mat")), List.of(t("the cat sat on the mat")));
        assertArrayEquals(new double[] {5.0 / 6, 3.0 / 5, 2.0 / 4, 1.0 / 3}, s.precisions(), EPS);
        assertEquals(1, s.brevityPenalty(), EPS);
        assertEquals(100 * Math.pow(1.0 / 12, 0.25), s.bleu(), EPS);
        assertEquals(53.7284965911771, s.bleu(), 1e-9);
        assertEquals("BLEU 53.73 (83.3/60.0/50.0/33.3, BP 1.000, 6/6 tokens)", s.toString());
    }

    @Test
    void aShortCandidateIsPenalised() {
        // candidate: the cat sat on (4 tokens, every n-gram matches: 4/4, 3/3, 2/2, 1/1)
        // reference: the cat sat on the mat (6 tokens)
        // c = 4 ≤ r = 6 → BP = exp(1 − 6/4) = exp(−0.5) = 0.60653…; BLEU = 100 · BP · 1 = 60.653…
        Bleu.Score s = Bleu.corpus(List.of(t("the cat sat on")), List.of(t("the cat sat on the mat")));
        assertArrayEquals(new double[] {1, 1, 1, 1}, s.precisions(), EPS);
        assertEquals(Math.exp(-0.5), s.brevityPenalty(), EPS);
        assertEquals(60.653065971263345, s.bleu(), 1e-9);
        // A longer candidate is not rewarded: c = 7 > r = 6 → BP = 1, and p1 = 6/7 only.
        Bleu.Score longer = Bleu.corpus(List.of(t("the cat sat on the mat today")),
                List.of(t("the cat sat on the mat")));
        assertEquals(1, longer.brevityPenalty(), EPS);
        assertEquals(6.0 / 7, longer.precisions()[0], EPS);
    }

    @Test
    void corpusBleuSumsCountsBeforeDividing() {
        // Sentence 1: identical, 6 tokens → sentence BLEU 100.
        // Sentence 2: "a dog ran" vs "a dog ran fast": no candidate 4-gram at all, so p4 = 0/0 → 0, BLEU 0.
        // Mean of sentence BLEUs: 50.
        // Corpus: p1 = (6+3)/(6+3), p2 = (5+2)/(5+2), p3 = (4+1)/(4+1), p4 = (3+0)/(3+0): all 1;
        // c = 9, r = 10 → BP = exp(1 − 10/9) = exp(−1/9) = 0.894839…; BLEU = 89.4839…
        List<List<String>> candidates = List.of(t("the cat sat on the mat"), t("a dog ran"));
        List<List<String>> references = List.of(t("the cat sat on the mat"), t("a dog ran fast"));
        assertEquals(100, Bleu.sentence(candidates.get(0), references.get(0)).bleu(), EPS);
        assertEquals(0, Bleu.sentence(candidates.get(1), references.get(1)).bleu(), EPS);
        Bleu.Score corpus = Bleu.corpus(candidates, references);
        assertEquals(100 * Math.exp(-1.0 / 9), corpus.bleu(), EPS);
        assertEquals(89.48393168143699, corpus.bleu(), 1e-9);
        assertEquals(9, corpus.candidateLength());
        assertEquals(10, corpus.referenceLength());
    }

    @Test
    void anEmptyCandidateCorpusScoresZero() {
        Bleu.Score empty = Bleu.corpus(List.of(List.of()), List.of(t("a cat")));
        assertEquals(0, empty.bleu(), EPS);
        assertEquals(0, empty.brevityPenalty(), EPS);
        assertEquals(0, Bleu.corpus(List.of(), List.of()).bleu(), EPS);
    }

    @Test
    void badInputIsRejected() {
        IllegalArgumentException sizes = assertThrows(IllegalArgumentException.class,
                () -> Bleu.corpus(List.of(t("a")), List.of(t("a"), t("b"))));
        assertTrue(sizes.getMessage().contains("1 candidates") && sizes.getMessage().contains("2 references"),
                sizes.getMessage());
        IllegalArgumentException nullSentence = assertThrows(IllegalArgumentException.class,
                () -> Bleu.corpus(Arrays.asList(t("a"), null), List.of(t("a"), t("b"))));
        assertTrue(nullSentence.getMessage().contains("candidate 1"), nullSentence.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Bleu.corpus(List.of(t("a")), List.of(Arrays.asList("a", null))));
        assertThrows(NullPointerException.class, () -> Bleu.corpus(null, List.of()));
    }

    @Test
    void scoresAreImmutableValues() {
        Bleu.Score s = Bleu.corpus(List.of(t("the cat sat on a mat")), List.of(t("the cat sat on the mat")));
        s.precisions()[0] = 0;
        assertEquals(5.0 / 6, s.precisions()[0], EPS);
        assertEquals(s, Bleu.corpus(List.of(t("the cat sat on a mat")), List.of(t("the cat sat on the mat"))));
        assertEquals(s.hashCode(), Bleu.corpus(List.of(t("the cat sat on a mat")),
                List.of(t("the cat sat on the mat"))).hashCode());
        assertThrows(IllegalArgumentException.class, () -> new Bleu.Score(50, new double[] {1, 1, 1}, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Bleu.Score(50, new double[] {1, 1, 1, 1.5}, 1, 1, 1));
    }
}
