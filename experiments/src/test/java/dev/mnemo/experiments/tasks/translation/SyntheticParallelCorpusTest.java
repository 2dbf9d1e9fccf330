package dev.mnemo.experiments.tasks.translation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The generated pairs are checked against the grammar by a separate parser: the source is parsed with
 * the English word classes, the target is read position by position as the rules say, and every
 * agreement the rules promise is checked over many pairs.
 */
class SyntheticParallelCorpusTest {

    private static final Set<String> DETERMINERS = Set.of("the", "a");
    private static final Set<String> NOUNS = Set.of("dog", "man", "bird", "tree", "cat", "woman", "ball", "house",
            "child", "box", "car", "park");
    private static final Set<String> ADJECTIVES = Set.of("big", "small", "red", "blue", "old", "young", "happy",
            "black");
    private static final Set<String> VERBS = Set.of("saw", "liked", "chased", "found", "pushed", "followed",
            "heard", "watched");
    private static final Set<String> PREPOSITIONS = Set.of("in", "on", "near", "behind");

    private static final List<SentencePair> PAIRS = SyntheticParallelCorpus.generate(4000, 20240607L);

    /** One noun phrase, its role (0 subject, 1 object, 2 after a preposition) and its target tokens. */
    private record Phrase(int role, boolean definite, String adjective, String noun,
                          String targetDeterminer, String targetNoun, String targetAdjective) {
    }

    /** A parsed pair. */
    private record Parse(List<Phrase> phrases, String verb, String targetVerb, String prep, String targetPrep) {
    }

    /** Parses the source with the word classes and reads the target in the order the rules give. */
    private static Parse parse(SentencePair pair) {
        List<String> s = pair.source();
        List<String> t = pair.target();
        int[] si = {0};
        int[] ti = {0};
        List<Phrase> phrases = new ArrayList<>();
        phrases.add(phrase(s, si, t, ti, 0, pair));
        String verb = s.get(si[0]++);
        assertTrue(VERBS.contains(verb), "a verb after the subject: " + pair);
        phrases.add(phrase(s, si, t, ti, 1, pair));
        String prep = null;
        String targetPrep = null;
        if (si[0] < s.size()) {
            prep = s.get(si[0]++);
            assertTrue(PREPOSITIONS.contains(prep), "a preposition after the object: " + pair);
            targetPrep = t.get(ti[0]++);
            phrases.add(phrase(s, si, t, ti, 2, pair));
        }
        assertEquals(s.size(), si[0], "nothing after the last phrase: " + pair);
        assertEquals(t.size() - 1, ti[0], "the target has exactly one token left, the verb: " + pair);
        return new Parse(phrases, verb, t.get(t.size() - 1), prep, targetPrep);
    }

    private static Phrase phrase(List<String> s, int[] si, List<String> t, int[] ti, int role, SentencePair pair) {
        String det = s.get(si[0]++);
        assertTrue(DETERMINERS.contains(det), "a determiner: " + pair);
        String adjective = ADJECTIVES.contains(s.get(si[0])) ? s.get(si[0]++) : null;
        String noun = s.get(si[0]++);
        assertTrue(NOUNS.contains(noun), "a noun at " + (si[0] - 1) + ": " + pair);
        String targetDet = t.get(ti[0]++);
        String targetNoun = t.get(ti[0]++);
        String targetAdj = adjective == null ? null : t.get(ti[0]++);
        return new Phrase(role, det.equals("the"), adjective, noun, targetDet, targetNoun, targetAdj);
    }

    /** Puts {@code key → value} and fails if {@code key} already maps to something else. */
    private static <K, V> void function(Map<K, V> map, K key, V value, String what) {
        V old = map.putIfAbsent(key, value);
        if (old != null) {
            assertEquals(old, value, what + " of " + key);
        }
    }

    @Test
    void theSameSeedGivesTheSamePairsAndAnotherSeedOthers() {
        assertEquals(SyntheticParallelCorpus.generate(300, 5), SyntheticParallelCorpus.generate(300, 5));
        assertNotEquals(SyntheticParallelCorpus.generate(300, 5), SyntheticParallelCorpus.generate(300, 6));
        assertEquals(SyntheticParallelCorpus.generate(300, 5).subList(0, 10), SyntheticParallelCorpus.generate(10, 5),
                "a prefix does not depend on how many pairs follow");
    }

    @Test
    void sentencesFollowTheSourceGrammarWithinLengthBounds() {
        int withPrep = 0;
        int adjectives = 0;
        int slots = 0;
        for (SentencePair p : PAIRS) {
            assertTrue(p.source().size() >= 5 && p.source().size() <= 11, "5-11 source tokens: " + p);
            assertEquals(p.source().size(), p.target().size(), "one target token per source token: " + p);
            Parse parse = parse(p);
            withPrep += parse.prep() == null ? 0 : 1;
            for (Phrase ph : parse.phrases()) {
                slots++;
                adjectives += ph.adjective() == null ? 0 : 1;
            }
        }
        // Each is a fair coin: with 4000 pairs, 0.45–0.55 is more than 6 standard deviations wide.
        assertEquals(0.5, (double) withPrep / PAIRS.size(), 0.05, "PP probability");
        assertEquals(0.5, (double) adjectives / slots, 0.05, "adjective probability");
        Set<Integer> lengths = new HashSet<>();
        PAIRS.forEach(p -> lengths.add(p.source().size()));
        assertEquals(Set.of(5, 6, 7, 8, 9, 10, 11), lengths, "every length occurs");
    }

    @Test
    void theTargetIsVerbFinal() {
        Map<String, String> verbForm = new HashMap<>();
        Set<String> notLast = new HashSet<>();
        for (SentencePair p : PAIRS) {
            Parse parse = parse(p);
            function(verbForm, parse.verb(), parse.targetVerb(), "last target token");
            notLast.addAll(p.target().subList(0, p.target().size() - 1));
        }
        assertEquals(VERBS, verbForm.keySet());
        assertEquals(8, new HashSet<>(verbForm.values()).size(), "one distinct form per verb");
        for (String form : verbForm.values()) {
            assertFalse(notLast.contains(form), "a verb form only ever comes last: " + form);
        }
    }

    @Test
    void nounsHaveOneStemAndAdjectivesAGenderSuffix() {
        Map<String, String> nounStem = new HashMap<>();
        Map<String, Character> suffixOfNoun = new HashMap<>();
        Map<String, String> adjectiveStem = new HashMap<>();
        Map<String, String> prepForm = new HashMap<>();
        for (SentencePair p : PAIRS) {
            Parse parse = parse(p);
            if (parse.prep() != null) {
                function(prepForm, parse.prep(), parse.targetPrep(), "preposition");
            }
            for (Phrase ph : parse.phrases()) {
                function(nounStem, ph.noun(), ph.targetNoun(), "noun stem");
                if (ph.adjective() != null) {
                    String form = ph.targetAdjective();
                    function(suffixOfNoun, ph.noun(), form.charAt(form.length() - 1), "adjective suffix after");
                    function(adjectiveStem, ph.adjective(), form.substring(0, form.length() - 1), "adjective stem");
                }
            }
        }
        assertEquals(12, new HashSet<>(nounStem.values()).size(), "distinct noun stems");
        assertEquals(8, new HashSet<>(adjectiveStem.values()).size(), "distinct adjective stems");
        assertEquals(4, new HashSet<>(prepForm.values()).size(), "distinct prepositions");
        assertEquals(3, new HashSet<>(suffixOfNoun.values()).size(), "three genders");
    }

    @Test
    void determinersAgreeWithDefinitenessGenderAndCase() {
        Map<String, Character> gender = new HashMap<>();
        Map<List<Object>, String> byNoun = new HashMap<>();
        for (SentencePair p : PAIRS) {
            for (Phrase ph : parse(p).phrases()) {
                function(byNoun, List.of(ph.definite(), ph.noun(), ph.role()), ph.targetDeterminer(), "determiner");
                if (ph.targetAdjective() != null) {
                    gender.put(ph.noun(), ph.targetAdjective().charAt(ph.targetAdjective().length() - 1));
                }
            }
        }
        assertEquals(2 * 12 * 3, byNoun.size(), "every (definiteness, noun, case) occurs");
        // The determiner depends on the noun only through its gender, as the adjective suffix shows it.
        Map<List<Object>, String> byGender = new HashMap<>();
        byNoun.forEach((k, det) -> function(byGender, List.of(k.get(0), gender.get(k.get(1)), k.get(2)),
                det, "determiner for (definite, gender suffix, case)"));
        assertEquals(2 * 3 * 3, byGender.size());
        // Each factor matters somewhere: case, gender and definiteness.
        Set<String> theNominative = new HashSet<>();
        boolean caseShows = false;
        for (String noun : NOUNS) {
            theNominative.add(byNoun.get(List.of(true, noun, 0)));
            caseShows |= !byNoun.get(List.of(true, noun, 0)).equals(byNoun.get(List.of(true, noun, 1)));
            assertNotEquals(byNoun.get(List.of(true, noun, 2)), byNoun.get(List.of(false, noun, 2)),
                    "the/a differ for " + noun);
        }
        assertTrue(caseShows, "subject and object determiners differ for some noun");
        assertEquals(3, theNominative.size(), "a definite subject has one determiner per gender");
    }

    @Test
    void theSameSourceSentenceAlwaysGivesTheSameTarget() {
        Map<List<String>, List<String>> translation = new HashMap<>();
        int repeats = 0;
        for (SentencePair p : SyntheticParallelCorpus.generate(20000, 3)) {
            List<String> old = translation.putIfAbsent(p.source(), p.target());
            if (old != null) {
                repeats++;
                assertEquals(old, p.target(), "translation of " + p.source());
            }
        }
        assertTrue(repeats > 100, "short sentences repeat, so the check has material: " + repeats);
    }

    @Test
    void theDescriptionSaysSyntheticAndBadCountsAreRejected() {
        assertTrue(SyntheticParallelCorpus.DESCRIPTION.startsWith(
                "SYNTHETIC parallel corpus (Mnemo's generator, not Multi30k): "), SyntheticParallelCorpus.DESCRIPTION);
        assertFalse(SyntheticParallelCorpus.DESCRIPTION.contains("\n"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SyntheticParallelCorpus.generate(0, 1));
        assertTrue(e.getMessage().contains("pairs") && e.getMessage().contains("0"), e.getMessage());
        assertNotNull(SyntheticParallelCorpus.generate(1, 1).get(0));
    }
}
