package dev.mnemo.experiments.tasks.translation;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A <b>SYNTHETIC</b> language pair made by a fixed grammar, for testing translation models offline (no
 * real corpus such as Multi30k can be downloaded here). Results on it must say so; {@link #DESCRIPTION} is
 * the line to print.
 *
 * <p>Source, English-like: {@code NP_subj VERB NP_obj [PP]}, with NP = det [adj] noun and PP = prep det
 * [adj] noun; det ∈ {the, a}; 12 nouns, 8 adjectives, 8 past-tense verbs, 4 prepositions; each adjective
 * slot and the PP are filled with probability ½. Sentences have 5–11 tokens.
 *
 * <p>Target, an invented German-like language, so that word-by-word lookup is not enough:
 * <ul>
 *   <li>every source word has exactly one target stem (dog → hunt, big → grot, saw → sahda, in → inna);</li>
 *   <li>each noun has a gender, m, f or n (hunt m, mieze f, kint n);</li>
 *   <li>the determiner depends on definiteness, the noun's gender and the case: subject nominative, object
 *       accusative, after a preposition dative, like German der/den/dem:
 *       <pre>
 *                 nom   acc   dat
 *       the  m    dar   dan   dam
 *            f    di    di    dir
 *            n    dat   dat   dam
 *       a    m    en    enen  enem
 *            f    ena   ena   enar
 *            n    en    en    enem</pre></li>
 *   <li>an adjective follows its noun, as one token of stem + gender suffix: m -e, f -a, n -o;</li>
 *   <li>the verb comes last: subject NP, object NP, [PP], verb.</li>
 * </ul>
 * {@code the big dog saw a red ball in the park} → {@code dar hunt grote ena kugla roda inna dam gartel sahda}.
 * Source and target always have the same number of tokens, in a different order (the verb moves to the
 * end, adjectives move behind their nouns).
 */
public final class SyntheticParallelCorpus {

    /** One line naming this data as synthetic and summarising its rules, for logs and result tables. */
    public static final String DESCRIPTION = "SYNTHETIC parallel corpus (Mnemo's generator, not Multi30k): "
            + "English-like 'det [adj] noun verb det [adj] noun [prep det [adj] noun]' (12 nouns, 8 adjectives, "
            + "8 verbs, 4 prepositions, 5-11 tokens) -> an invented German-like language with verb-final order, "
            + "3 noun genders, determiners inflected for definiteness, gender and case "
            + "(subject nominative, object accusative, after a preposition dative), "
            + "and adjectives after the noun with a gender suffix";

    private static final int M = 0;
    private static final int F = 1;
    private static final int N = 2;

    private static final int NOMINATIVE = 0;
    private static final int ACCUSATIVE = 1;
    private static final int DATIVE = 2;

    /** A noun: English word, target stem, target gender. */
    private record Noun(String source, String target, int gender) {
    }

    /** An English word and its one target stem. */
    private record Word(String source, String target) {
    }

    private static final List<Noun> NOUNS = List.of(
            new Noun("dog", "hunt", M), new Noun("man", "mensk", M),
            new Noun("bird", "fogal", M), new Noun("tree", "boom", M),
            new Noun("cat", "mieze", F), new Noun("woman", "frova", F),
            new Noun("ball", "kugla", F), new Noun("house", "hutta", F),
            new Noun("child", "kint", N), new Noun("box", "kastel", N),
            new Noun("car", "wagel", N), new Noun("park", "gartel", N));

    private static final List<Word> ADJECTIVES = List.of(
            new Word("big", "grot"), new Word("small", "lutt"), new Word("red", "rod"), new Word("blue", "blav"),
            new Word("old", "olt"), new Word("young", "jung"), new Word("happy", "frol"), new Word("black", "swart"));

    private static final List<Word> VERBS = List.of(
            new Word("saw", "sahda"), new Word("liked", "mochda"), new Word("chased", "jagda"),
            new Word("found", "fundda"), new Word("pushed", "schubda"), new Word("followed", "folgda"),
            new Word("heard", "horda"), new Word("watched", "wachda"));

    private static final List<Word> PREPOSITIONS = List.of(
            new Word("in", "inna"), new Word("on", "obba"), new Word("near", "neba"), new Word("behind", "hinta"));

    /** Adjective suffix by gender. */
    private static final String[] SUFFIX = {"e", "a", "o"};

    /** Determiner by [definite ? 0 : 1][gender][case]. */
    private static final String[][][] DETERMINER = {
            {{"dar", "dan", "dam"}, {"di", "di", "dir"}, {"dat", "dat", "dam"}},
            {{"en", "enen", "enem"}, {"ena", "ena", "enar"}, {"en", "en", "enem"}}};

    private SyntheticParallelCorpus() {
    }

    /**
     * {@code pairs} sentence pairs drawn independently; the same {@code seed} gives the same list. Short
     * sentences repeat (there are 4,608 without adjectives or PP), so split the result before training
     * only if repeats across splits are acceptable, or deduplicate.
     *
     * @param pairs how many pairs (≥ 1)
     * @param seed  the random seed
     */
    public static List<SentencePair> generate(int pairs, long seed) {
        if (pairs < 1) {
            throw new IllegalArgumentException("pairs must be >= 1, got " + pairs);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        List<SentencePair> out = new ArrayList<>(pairs);
        for (int i = 0; i < pairs; i++) {
            out.add(sentence(rnd));
        }
        return out;
    }

    private static SentencePair sentence(SplittableRandom rnd) {
        List<String> source = new ArrayList<>();
        List<String> target = new ArrayList<>();
        nounPhrase(rnd, NOMINATIVE, source, target);
        Word verb = pick(rnd, VERBS);
        source.add(verb.source());
        nounPhrase(rnd, ACCUSATIVE, source, target);
        if (rnd.nextBoolean()) {
            Word prep = pick(rnd, PREPOSITIONS);
            source.add(prep.source());
            target.add(prep.target());
            nounPhrase(rnd, DATIVE, source, target);
        }
        target.add(verb.target());
        return new SentencePair(source, target);
    }

    /** Source {@code det [adj] noun}; target {@code det(definiteness, gender, case) noun [adj+suffix]}. */
    private static void nounPhrase(SplittableRandom rnd, int grammaticalCase, List<String> source,
                                   List<String> target) {
        boolean definite = rnd.nextBoolean();
        Word adjective = rnd.nextBoolean() ? pick(rnd, ADJECTIVES) : null;
        Noun noun = pick(rnd, NOUNS);
        source.add(definite ? "the" : "a");
        if (adjective != null) {
            source.add(adjective.source());
        }
        source.add(noun.source());
        target.add(DETERMINER[definite ? 0 : 1][noun.gender()][grammaticalCase]);
        target.add(noun.target());
        if (adjective != null) {
            target.add(adjective.target() + SUFFIX[noun.gender()]);
        }
    }

    private static <T> T pick(SplittableRandom rnd, List<T> items) {
        return items.get(rnd.nextInt(items.size()));
    }
}
