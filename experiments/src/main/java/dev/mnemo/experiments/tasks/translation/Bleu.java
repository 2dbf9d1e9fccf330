package dev.mnemo.experiments.tasks.translation;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Corpus-level BLEU-4 (Papineni et al., 2002) with one reference per sentence, computed as multi-bleu.perl
 * does on tokenized text (use {@link TranslationTokenizer} on both sides: tokenized, lower-cased BLEU, not
 * sacreBLEU).
 *
 * <ul>
 *   <li>For n = 1 … 4, p<sub>n</sub> = Σ clipped matches / Σ candidate n-grams, both summed over the whole
 *       corpus; a candidate n-gram's matches are clipped to its count in the reference.</li>
 *   <li>BP = 1 if c &gt; r, else exp(1 − r/c), with c and r the total candidate and reference lengths.</li>
 *   <li>BLEU = 100 · BP · exp(¼ Σ log p<sub>n</sub>).</li>
 * </ul>
 * There is no smoothing: BLEU is 0 when any p<sub>n</sub> is 0 (e.g. no 4-gram matches anywhere) or the
 * candidate corpus is empty. Summing before dividing makes corpus BLEU differ from the mean of sentence
 * BLEUs; the corpus figure is the one papers report.
 */
public final class Bleu {

    /** The n-gram orders, 1 … 4. */
    public static final int MAX_ORDER = 4;

    private Bleu() {
    }

    /**
     * A BLEU score and its parts.
     *
     * @param bleu            BLEU on the 0–100 scale
     * @param precisions      the modified n-gram precisions p<sub>1</sub> … p<sub>4</sub>, each in [0, 1]
     * @param brevityPenalty  BP in [0, 1]
     * @param candidateLength c, the total candidate tokens
     * @param referenceLength r, the total reference tokens
     */
    public record Score(double bleu, double[] precisions, double brevityPenalty, long candidateLength,
                        long referenceLength) {

        /** Copies {@code precisions}; checks the ranges. */
        public Score {
            Objects.requireNonNull(precisions, "precisions");
            if (precisions.length != MAX_ORDER) {
                throw new IllegalArgumentException("precisions must hold " + MAX_ORDER + " values (n = 1 … "
                        + MAX_ORDER + "), got " + precisions.length);
            }
            precisions = precisions.clone();
            for (double p : precisions) {
                if (!(p >= 0 && p <= 1)) {
                    throw new IllegalArgumentException("precisions must be in [0, 1], got "
                            + Arrays.toString(precisions));
                }
            }
            if (!(bleu >= 0 && bleu <= 100)) {
                throw new IllegalArgumentException("bleu must be in [0, 100], got " + bleu);
            }
            if (!(brevityPenalty >= 0 && brevityPenalty <= 1)) {
                throw new IllegalArgumentException("brevityPenalty must be in [0, 1], got " + brevityPenalty);
            }
            if (candidateLength < 0 || referenceLength < 0) {
                throw new IllegalArgumentException("lengths must be >= 0, got candidate " + candidateLength
                        + " and reference " + referenceLength);
            }
        }

        /** A copy of p<sub>1</sub> … p<sub>4</sub>, so the score stays immutable. */
        @Override
        public double[] precisions() {
            return precisions.clone();
        }

        /** Equal when all parts are, the precisions compared element by element. */
        @Override
        public boolean equals(Object o) {
            return o instanceof Score s
                    && Double.compare(bleu, s.bleu) == 0
                    && Arrays.equals(precisions, s.precisions)
                    && Double.compare(brevityPenalty, s.brevityPenalty) == 0
                    && candidateLength == s.candidateLength
                    && referenceLength == s.referenceLength;
        }

        /** Consistent with {@link #equals}. */
        @Override
        public int hashCode() {
            return Objects.hash(bleu, Arrays.hashCode(precisions), brevityPenalty, candidateLength,
                    referenceLength);
        }

        /** E.g. {@code BLEU 27.31 (58.2/33.0/21.4/13.9, BP 0.967, 1210/1250 tokens)}: precisions in percent. */
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "BLEU %.2f (%.1f/%.1f/%.1f/%.1f, BP %.3f, %d/%d tokens)", bleu,
                    100 * precisions[0], 100 * precisions[1], 100 * precisions[2], 100 * precisions[3],
                    brevityPenalty, candidateLength, referenceLength);
        }
    }

    /**
     * Corpus BLEU-4 of {@code candidates} against {@code references}, sentence i against reference i.
     *
     * @throws IllegalArgumentException if the lists differ in size or hold a null sentence or token
     */
    public static Score corpus(List<List<String>> candidates, List<List<String>> references) {
        Objects.requireNonNull(candidates, "candidates");
        Objects.requireNonNull(references, "references");
        if (candidates.size() != references.size()) {
            throw new IllegalArgumentException("need one reference per candidate, got " + candidates.size()
                    + " candidates and " + references.size() + " references");
        }
        long[] matches = new long[MAX_ORDER];
        long[] totals = new long[MAX_ORDER];
        long c = 0;
        long r = 0;
        for (int i = 0; i < candidates.size(); i++) {
            List<String> cand = checked(candidates.get(i), "candidate", i);
            List<String> ref = checked(references.get(i), "reference", i);
            c += cand.size();
            r += ref.size();
            for (int n = 1; n <= MAX_ORDER; n++) {
                Map<List<String>, Integer> refCounts = ngrams(ref, n);
                for (Map.Entry<List<String>, Integer> e : ngrams(cand, n).entrySet()) {
                    matches[n - 1] += Math.min(e.getValue(), refCounts.getOrDefault(e.getKey(), 0));
                }
                totals[n - 1] += Math.max(0, cand.size() - n + 1);
            }
        }
        double[] precisions = new double[MAX_ORDER];
        double logSum = 0;
        boolean anyZero = false;
        for (int n = 0; n < MAX_ORDER; n++) {
            precisions[n] = totals[n] == 0 ? 0 : (double) matches[n] / totals[n];
            anyZero |= matches[n] == 0;
            logSum += anyZero ? 0 : Math.log(precisions[n]);
        }
        double bp = c == 0 ? 0 : c > r ? 1 : Math.exp(1 - (double) r / c);
        double bleu = anyZero ? 0 : Math.min(100, 100 * bp * Math.exp(logSum / MAX_ORDER));
        return new Score(bleu, precisions, bp, c, r);
    }

    /** BLEU of one sentence, i.e. {@link #corpus} of a one-sentence corpus (unsmoothed: often 0). */
    public static Score sentence(List<String> candidate, List<String> reference) {
        return corpus(Collections.singletonList(candidate), Collections.singletonList(reference));
    }

    private static List<String> checked(List<String> sentence, String side, int i) {
        if (sentence == null) {
            throw new IllegalArgumentException(side + " " + i + " is null");
        }
        if (sentence.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException(side + " " + i + " contains a null token: " + sentence);
        }
        return sentence;
    }

    private static Map<List<String>, Integer> ngrams(List<String> tokens, int n) {
        Map<List<String>, Integer> counts = new HashMap<>();
        for (int i = 0; i + n <= tokens.size(); i++) {
            counts.merge(tokens.subList(i, i + n), 1, Integer::sum);
        }
        return counts;
    }
}
