package dev.mnemo.experiments.train;

import dev.mnemo.experiments.tasks.translation.TranslationVocabulary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Beam search over a decoder that advances B·K rows at once (K hypotheses per sentence), scored by
 * the sum of word log-probabilities divided by the number of words including {@code <eos>} (so
 * short hypotheses do not win by having fewer terms). As fairseq does it: each step ranks every live
 * hypothesis's extensions; an {@code <eos>} among the K best finishes that hypothesis, the K best
 * other extensions live on; a sentence is done when K hypotheses have finished, or at the step limit,
 * where the best live one is taken if none finished. With K = 1 this is greedy decoding, word for word.
 * {@code <pad>} and {@code <bos>} are never produced.
 */
final class BeamSearch {

    /** The decoder as beam search drives it: B·K rows, row b·K + k being hypothesis k of sentence b. */
    interface Decoder {
        /** Each row's log-probabilities {@code [B·K][V]} of the next word after {@code previous} (one word per row). */
        double[][] step(int[] previous);

        /** Row i of every state continues the old row {@code parents[i]} from here on. */
        void reorder(int[] parents);
    }

    private record Hypothesis(int[] words, double score) {
        double normalized(boolean finished) {
            return score / Math.max(1, words.length + (finished ? 1 : 0));
        }
    }

    private record Candidate(int parent, int word, double score) {
    }

    private BeamSearch() {
    }

    /**
     * The best translation of each of {@code batch} sentences: its word ids without {@code <eos>}, at
     * most {@code maxSteps} of them.
     */
    static int[][] run(Decoder decoder, int batch, int beam, int maxSteps) {
        if (beam < 1) {
            throw new IllegalArgumentException("beam must be >= 1, got " + beam);
        }
        if (maxSteps < 1) {
            throw new IllegalArgumentException("maxSteps must be >= 1, got " + maxSteps);
        }
        Hypothesis[][] live = new Hypothesis[batch][beam];
        List<List<Hypothesis>> finished = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            live[b][0] = new Hypothesis(new int[0], 0);   // one start per sentence: no duplicate beams
            finished.add(new ArrayList<>());
        }
        int[] previous = new int[batch * beam];
        Arrays.fill(previous, TranslationVocabulary.BOS);
        boolean[] done = new boolean[batch];
        for (int step = 0; step < maxSteps && !allDone(done); step++) {
            double[][] logp = decoder.step(previous);
            int[] parents = new int[batch * beam];
            for (int b = 0; b < batch; b++) {
                int base = b * beam;
                Arrays.fill(parents, base, base + beam, base);   // rows no hypothesis continues copy row 0
                if (done[b]) {
                    continue;
                }
                List<Candidate> ranked = candidates(live[b], logp, base);
                Hypothesis[] next = new Hypothesis[beam];
                int kept = 0;
                for (int i = 0; i < ranked.size() && kept < beam; i++) {
                    Candidate c = ranked.get(i);
                    int[] prefix = live[b][c.parent()].words();
                    if (c.word() == TranslationVocabulary.EOS) {
                        if (i < beam) {
                            finished.get(b).add(new Hypothesis(prefix, c.score()));
                        }
                        continue;
                    }
                    int[] words = Arrays.copyOf(prefix, prefix.length + 1);
                    words[prefix.length] = c.word();
                    next[kept] = new Hypothesis(words, c.score());
                    parents[base + kept] = base + c.parent();
                    previous[base + kept] = c.word();
                    kept++;
                }
                live[b] = next;
                done[b] = finished.get(b).size() >= beam || kept == 0;
            }
            decoder.reorder(parents);
        }
        int[][] out = new int[batch][];
        for (int b = 0; b < batch; b++) {
            out[b] = best(finished.get(b), live[b]).words();
        }
        return out;
    }

    /** Every extension of every live hypothesis but {@code <pad>} and {@code <bos>}, best first (ties: lower row, then word). */
    private static List<Candidate> candidates(Hypothesis[] live, double[][] logp, int base) {
        List<Candidate> all = new ArrayList<>();
        for (int k = 0; k < live.length; k++) {
            if (live[k] == null) {
                continue;
            }
            double[] row = logp[base + k];
            for (int w = 0; w < row.length; w++) {
                if (w != TranslationVocabulary.PAD && w != TranslationVocabulary.BOS) {
                    all.add(new Candidate(k, w, live[k].score() + row[w]));
                }
            }
        }
        all.sort(Comparator.comparingDouble(Candidate::score).reversed());   // stable: ties keep (row, word) order
        return all;
    }

    /** The finished hypothesis with the best normalized score, or the best live one when none finished. */
    private static Hypothesis best(List<Hypothesis> finished, Hypothesis[] live) {
        Hypothesis best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (Hypothesis h : finished) {
            if (best == null || h.normalized(true) > bestScore) {
                best = h;
                bestScore = h.normalized(true);
            }
        }
        if (best != null) {
            return best;
        }
        for (Hypothesis h : live) {
            if (h != null && (best == null || h.normalized(false) > bestScore)) {
                best = h;
                bestScore = h.normalized(false);
            }
        }
        return best == null ? new Hypothesis(new int[0], 0) : best;
    }

    private static boolean allDone(boolean[] done) {
        for (boolean d : done) {
            if (!d) {
                return false;
            }
        }
        return true;
    }
}
