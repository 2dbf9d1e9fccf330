package dev.mnemo.experiments.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.experiments.tasks.translation.TranslationVocabulary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link BeamSearch} against a decoder whose next-word distribution is a fixed random function of
 * the sentence and the words so far, so that every hypothesis's score can be computed by brute force.
 */
class BeamSearchTest {

    private static final int WORDS = 7;   // <pad> <unk> <bos> <eos> and three words

    /** log p(word | sentence, prefix): a seeded random softmax per (sentence, prefix). */
    private static double[] distribution(int sentence, List<Integer> prefix, boolean favourPadAndBos) {
        SplittableRandom rnd = new SplittableRandom(31L * sentence + prefix.hashCode());
        double[] logits = new double[WORDS];
        for (int w = 0; w < WORDS; w++) {
            logits[w] = 2 * rnd.nextDouble();
        }
        if (favourPadAndBos) {
            logits[TranslationVocabulary.PAD] = 10;
            logits[TranslationVocabulary.BOS] = 10;
        }
        double max = Arrays.stream(logits).max().orElseThrow();
        double sum = Arrays.stream(logits).map(v -> Math.exp(v - max)).sum();
        return Arrays.stream(logits).map(v -> v - max - Math.log(sum)).toArray();
    }

    /** The decoder: each row remembers its sentence's words so far; reorder moves the memories. */
    private static final class FakeDecoder implements BeamSearch.Decoder {
        private final int beam;
        private final boolean favourPadAndBos;
        private List<List<Integer>> prefixes = new ArrayList<>();
        private boolean started;

        FakeDecoder(int batch, int beam, boolean favourPadAndBos) {
            this.beam = beam;
            this.favourPadAndBos = favourPadAndBos;
            for (int i = 0; i < batch * beam; i++) {
                prefixes.add(List.of());
            }
        }

        @Override
        public double[][] step(int[] previous) {
            double[][] out = new double[previous.length][];
            for (int row = 0; row < previous.length; row++) {
                if (started) {
                    List<Integer> p = new ArrayList<>(prefixes.get(row));
                    p.add(previous[row]);
                    prefixes.set(row, List.copyOf(p));
                } else {
                    assertTrue(previous[row] == TranslationVocabulary.BOS, "the first step reads <bos>");
                }
                out[row] = distribution(row / beam, prefixes.get(row), favourPadAndBos);
            }
            started = true;
            return out;
        }

        @Override
        public void reorder(int[] parents) {
            List<List<Integer>> moved = new ArrayList<>();
            for (int parent : parents) {
                moved.add(prefixes.get(parent));
            }
            prefixes = moved;
        }
    }

    /** The sum of log-probabilities of {@code words} then {@code <eos>}, over their count (words + 1). */
    private static double normalized(int sentence, List<Integer> words) {
        double sum = 0;
        List<Integer> prefix = new ArrayList<>();
        for (int w : words) {
            sum += distribution(sentence, prefix, false)[w];
            prefix.add(w);
        }
        sum += distribution(sentence, prefix, false)[TranslationVocabulary.EOS];
        return sum / (words.size() + 1);
    }

    /** Every translation of at most {@code length} words (no <pad>, <bos> or <eos> among them). */
    private static List<List<Integer>> all(int length) {
        List<List<Integer>> out = new ArrayList<>();
        out.add(List.of());
        List<List<Integer>> frontier = List.of(List.of());
        for (int n = 1; n <= length; n++) {
            List<List<Integer>> next = new ArrayList<>();
            for (List<Integer> p : frontier) {
                for (int w = 0; w < WORDS; w++) {
                    if (w != TranslationVocabulary.PAD && w != TranslationVocabulary.BOS && w != TranslationVocabulary.EOS) {
                        List<Integer> q = new ArrayList<>(p);
                        q.add(w);
                        next.add(List.copyOf(q));
                    }
                }
            }
            out.addAll(next);
            frontier = next;
        }
        return out;
    }

    @Test
    void aBeamWithRoomForEveryHypothesisFindsTheBestTranslation() {
        // 3 steps: translations of 0, 1 or 2 words then <eos> (1 + 4 + 16); 4·5·4 = 80 extensions at most a step
        int batch = 3;
        int beam = 80;
        int[][] found = BeamSearch.run(new FakeDecoder(batch, beam, false), batch, beam, 3);
        for (int sentence = 0; sentence < batch; sentence++) {
            List<Integer> best = null;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (List<Integer> c : all(2)) {
                double score = normalized(sentence, c);
                if (score > bestScore) {
                    bestScore = score;
                    best = c;
                }
            }
            assertArrayEquals(best.stream().mapToInt(Integer::intValue).toArray(), found[sentence], "sentence " + sentence);
        }
    }

    @Test
    void aBeamOfOneIsGreedyDecoding() {
        int batch = 4;
        int steps = 6;
        int[][] found = BeamSearch.run(new FakeDecoder(batch, 1, false), batch, 1, steps);
        for (int sentence = 0; sentence < batch; sentence++) {
            List<Integer> words = new ArrayList<>();
            for (int step = 0; step < steps; step++) {
                double[] p = distribution(sentence, words, false);
                int arg = -1;
                for (int w = 0; w < WORDS; w++) {
                    if (w != TranslationVocabulary.PAD && w != TranslationVocabulary.BOS && (arg < 0 || p[w] > p[arg])) {
                        arg = w;
                    }
                }
                if (arg == TranslationVocabulary.EOS) {
                    break;
                }
                words.add(arg);
            }
            assertArrayEquals(words.stream().mapToInt(Integer::intValue).toArray(), found[sentence], "sentence " + sentence);
        }
    }

    @Test
    void neverProducesPaddingOrBosAndWidensNothingWithoutNeed() {
        int[][] found = BeamSearch.run(new FakeDecoder(2, 3, true), 2, 3, 5);
        for (int[] words : found) {
            for (int w : words) {
                assertTrue(w != TranslationVocabulary.PAD && w != TranslationVocabulary.BOS, Arrays.toString(words));
            }
        }
        assertThrows(IllegalArgumentException.class, () -> BeamSearch.run(new FakeDecoder(1, 1, false), 1, 0, 3));
    }
}
