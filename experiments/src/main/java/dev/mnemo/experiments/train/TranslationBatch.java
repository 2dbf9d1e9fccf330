package dev.mnemo.experiments.train;

import dev.mnemo.experiments.tasks.translation.SentencePair;
import dev.mnemo.experiments.tasks.translation.TranslationVocabulary;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A batch of sentence pairs as token ids, time-major ({@code [T, B]} flattened, row t·B + b).
 *
 * <ul>
 *   <li>{@code source}: reversed when asked (Sutskever et al. 2014: the first source words then sit
 *       next to the first target words). Every source of a batch has one length ({@link #buckets}
 *       and {@link Translator} group them so), and a batch of mixed lengths is refused: padding
 *       would enter the encoder's state and the attention, which has no mask, so a sentence's
 *       translation would depend on its batch.</li>
 *   <li>{@code decoderInput}: {@code <bos> y1 … yn}, {@code decoderTarget}: {@code y1 … yn <eos>}
 *       (teacher forcing), both right-padded; padded steps are never scored.</li>
 * </ul>
 *
 * @param pairs the sentences, in batch order (their targets are the BLEU references)
 */
public record TranslationBatch(int[] source, int sourceSteps, int[] decoderInput, int[] decoderTarget,
                               int targetSteps, List<SentencePair> pairs) {

    /**
     * @throws IllegalArgumentException on arrays that do not hold {@code steps × pairs} ids, a {@code <pad>}
     *                                  in a source (it would train the encoder and the attention), or a
     *                                  sentence whose first target is {@code <pad>} (nothing to score)
     */
    public TranslationBatch {
        Objects.requireNonNull(pairs, "pairs");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(decoderInput, "decoderInput");
        Objects.requireNonNull(decoderTarget, "decoderTarget");
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one sentence pair");
        }
        pairs = List.copyOf(pairs);
        int b = pairs.size();
        requireSteps("source", source, sourceSteps, b);
        requireSteps("decoderInput", decoderInput, targetSteps, b);
        requireSteps("decoderTarget", decoderTarget, targetSteps, b);
        for (int i = 0; i < source.length; i++) {
            if (source[i] == TranslationVocabulary.PAD) {
                throw new IllegalArgumentException("source holds <pad> at step " + i / b + " of sentence " + i % b
                        + ": every source of a batch has one length, with no padding (it would reach the encoder "
                        + "and the attention)");
            }
        }
        for (int i = 0; i < b; i++) {
            if (decoderTarget[i] == TranslationVocabulary.PAD) {
                throw new IllegalArgumentException("sentence " + i + "'s target starts with <pad>: each target "
                        + "holds its words and <eos> before any padding");
            }
        }
    }

    private static void requireSteps(String name, int[] ids, int steps, int batch) {
        if (steps < 1 || ids.length != (long) steps * batch) {
            throw new IllegalArgumentException(name + " must hold steps × batch ids with steps >= 1: got "
                    + ids.length + " ids for " + steps + " steps of " + batch + " sentences");
        }
    }

    /** The batch of {@code pairs}, encoded with the two vocabularies. */
    public static TranslationBatch of(List<SentencePair> pairs, TranslationVocabulary sourceVocabulary,
                                      TranslationVocabulary targetVocabulary, boolean reverseSource) {
        int b = pairs.size();
        List<List<String>> sources = pairs.stream().map(SentencePair::source).toList();
        int tt = longest(pairs.stream().map(SentencePair::target).toList()) + 1;
        int[] input = new int[tt * b];   // <pad> = 0
        int[] target = new int[tt * b];
        for (int i = 0; i < b; i++) {
            int[] y = targetVocabulary.encode(pairs.get(i).target());
            input[i] = TranslationVocabulary.BOS;
            for (int k = 0; k < y.length; k++) {
                input[(k + 1) * b + i] = y[k];
                target[k * b + i] = y[k];
            }
            target[y.length * b + i] = TranslationVocabulary.EOS;
        }
        return new TranslationBatch(sourceIds(sources, sourceVocabulary, reverseSource),
                sources.isEmpty() ? 0 : sources.getFirst().size(), input, target, tt, pairs);
    }

    /**
     * {@code sources} as the encoder reads them: time-major {@code [T, B]} ids, reversed when asked.
     *
     * @throws IllegalArgumentException unless every source has the same length, at least 1
     */
    public static int[] sourceIds(List<List<String>> sources, TranslationVocabulary vocabulary, boolean reverse) {
        int b = sources.size();
        int ts = sources.isEmpty() ? 0 : sources.getFirst().size();
        for (List<String> source : sources) {
            if (source.size() != ts || ts == 0) {
                throw new IllegalArgumentException("a batch's sources must have one length, at least 1: got " + ts
                        + " and " + source.size() + " tokens (padding would reach the encoder and the attention; "
                        + "group sentences by source length, as TranslationBatch.buckets does)");
            }
        }
        int[] ids = new int[ts * b];
        for (int i = 0; i < b; i++) {
            int[] s = vocabulary.encode(sources.get(i));
            for (int k = 0; k < ts; k++) {
                ids[k * b + i] = s[reverse ? ts - 1 - k : k];
            }
        }
        return ids;
    }

    private static int longest(List<List<String>> sentences) {
        return sentences.stream().mapToInt(List::size).max().orElse(0);
    }

    /** Sentences in the batch. */
    public int batch() {
        return pairs.size();
    }

    /** The rows of the {@code [T·B, V]} logits that have a target (not padding). */
    public int[] scoredRows() {
        int n = 0;
        for (int y : decoderTarget) {
            n += y == TranslationVocabulary.PAD ? 0 : 1;
        }
        int[] rows = new int[n];
        n = 0;
        for (int r = 0; r < decoderTarget.length; r++) {
            if (decoderTarget[r] != TranslationVocabulary.PAD) {
                rows[n++] = r;
            }
        }
        return rows;
    }

    /** The targets of {@link #scoredRows()}, in the same order. */
    public int[] scoredTargets() {
        int[] rows = scoredRows();
        int[] y = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            y[i] = decoderTarget[rows[i]];
        }
        return y;
    }

    /**
     * {@code pairs} cut into batches of at most {@code size} sentences whose sources all have the same
     * length, in random order, with a random grouping within each length: the encoder then reads no
     * padding, so a sentence's translation does not depend on the batch it is in.
     */
    public static List<List<SentencePair>> buckets(List<SentencePair> pairs, int size, SplittableRandom rnd) {
        if (size < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + size);
        }
        List<SentencePair> shuffled = new ArrayList<>(pairs);
        shuffle(shuffled, rnd);
        Map<Integer, List<SentencePair>> byLength = new TreeMap<>();
        for (SentencePair p : shuffled) {
            byLength.computeIfAbsent(p.source().size(), k -> new ArrayList<>()).add(p);
        }
        List<List<SentencePair>> batches = new ArrayList<>();
        for (List<SentencePair> same : byLength.values()) {
            for (int from = 0; from < same.size(); from += size) {
                batches.add(List.copyOf(same.subList(from, Math.min(same.size(), from + size))));
            }
        }
        shuffle(batches, rnd);
        return batches;
    }

    private static <T> void shuffle(List<T> list, SplittableRandom rnd) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }
}
