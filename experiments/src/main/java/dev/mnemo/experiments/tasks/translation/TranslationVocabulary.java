package dev.mnemo.experiments.tasks.translation;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The token ↔ id map of one language in a translation model.
 *
 * <p>Ids 0–3 are reserved: {@link #PAD} (padding of shorter sentences in a batch), {@link #UNK} (any token
 * not in the vocabulary), {@link #BOS} (begin of sentence, the decoder's first input) and {@link #EOS} (end
 * of sentence, the decoder's last output). Then come the tokens seen at least {@code minFrequency} times,
 * most frequent first, ties in {@link String#compareTo} order, so the same data gives the same ids whatever
 * order it came in. Frequent tokens first keeps the ids of common words small and stable when the cut-off
 * changes.
 */
public final class TranslationVocabulary {

    /** Id of {@link #PAD_TOKEN}, padding. */
    public static final int PAD = 0;
    /** Id of {@link #UNK_TOKEN}, an unknown token. */
    public static final int UNK = 1;
    /** Id of {@link #BOS_TOKEN}, the begin-of-sentence marker. */
    public static final int BOS = 2;
    /** Id of {@link #EOS_TOKEN}, the end-of-sentence marker. */
    public static final int EOS = 3;

    /** Padding. */
    public static final String PAD_TOKEN = "<pad>";
    /** An unknown token. */
    public static final String UNK_TOKEN = "<unk>";
    /** Begin of sentence. */
    public static final String BOS_TOKEN = "<bos>";
    /** End of sentence. */
    public static final String EOS_TOKEN = "<eos>";

    private static final List<String> SPECIALS = List.of(PAD_TOKEN, UNK_TOKEN, BOS_TOKEN, EOS_TOKEN);

    private final List<String> tokens;
    private final Map<String, Integer> ids;

    private TranslationVocabulary(List<String> tokens) {
        this.tokens = List.copyOf(tokens);
        this.ids = HashMap.newHashMap(tokens.size());
        for (int i = 0; i < this.tokens.size(); i++) {
            ids.put(this.tokens.get(i), i);
        }
    }

    /**
     * The special tokens, then every token of {@code sentences} seen at least {@code minFrequency} times,
     * by descending count, ties in String order. The special token strings, if present in the data, keep
     * their reserved ids and are not added again.
     *
     * @param sentences    tokenized sentences (typically the training side of one language only: validation
     *                     and test tokens must stay unknown to the model)
     * @param minFrequency the least count a token needs (≥ 1); rarer tokens map to {@link #UNK}
     */
    public static TranslationVocabulary fit(Collection<List<String>> sentences, int minFrequency) {
        Objects.requireNonNull(sentences, "sentences");
        if (minFrequency < 1) {
            throw new IllegalArgumentException("minFrequency must be >= 1, got " + minFrequency);
        }
        Map<String, Integer> counts = new HashMap<>();
        for (List<String> sentence : sentences) {
            Objects.requireNonNull(sentence, "a sentence to fit the vocabulary on is null");
            for (String token : sentence) {
                Objects.requireNonNull(token, "a token to fit the vocabulary on is null");
                counts.merge(token, 1, Integer::sum);
            }
        }
        SPECIALS.forEach(counts::remove);
        List<String> all = new ArrayList<>(SPECIALS);
        counts.entrySet().stream()
                .filter(e -> e.getValue() >= minFrequency)
                .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> all.add(e.getKey()));
        return new TranslationVocabulary(all);
    }

    /**
     * The vocabulary whose id i is {@code tokens[i]}, as a run folder saves it: the four special tokens
     * first, in their order, and no token twice.
     *
     * @throws IllegalArgumentException naming the first problem
     */
    public static TranslationVocabulary of(List<String> tokens) {
        Objects.requireNonNull(tokens, "tokens");
        if (tokens.size() < SPECIALS.size() || !tokens.subList(0, SPECIALS.size()).equals(SPECIALS)) {
            throw new IllegalArgumentException("a vocabulary starts with " + SPECIALS + ", got "
                    + tokens.subList(0, Math.min(tokens.size(), SPECIALS.size())));
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < tokens.size(); i++) {
            String t = Objects.requireNonNull(tokens.get(i), "token " + i);
            if (t.isBlank() || !seen.add(t)) {
                throw new IllegalArgumentException("token " + i + " is " + (t.isBlank() ? "blank" : "'" + t
                        + "' again") + "; a vocabulary has one non-blank token per id");
            }
        }
        return new TranslationVocabulary(tokens);
    }

    /** How many ids there are, the four special ones included. */
    public int size() {
        return tokens.size();
    }

    /** The id of {@code token}, or {@link #UNK} if it is not in the vocabulary. */
    public int id(String token) {
        Objects.requireNonNull(token, "token");
        return ids.getOrDefault(token, UNK);
    }

    /** Whether {@code token} has its own id (the special tokens do). */
    public boolean contains(String token) {
        return ids.containsKey(token);
    }

    /** The token with id {@code id}. */
    public String token(int id) {
        if (id < 0 || id >= tokens.size()) {
            throw new IllegalArgumentException("token id must be in [0, " + tokens.size() + "), got " + id);
        }
        return tokens.get(id);
    }

    /** The ids of {@code tokens}, unknown ones as {@link #UNK}; no {@link #BOS} or {@link #EOS} is added. */
    public int[] encode(List<String> tokens) {
        Objects.requireNonNull(tokens, "tokens");
        int[] out = new int[tokens.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = id(tokens.get(i));
        }
        return out;
    }

    /**
     * The tokens of a decoder output: up to but excluding the first {@link #EOS}, with {@link #PAD} and
     * {@link #BOS} left out and {@link #UNK} kept as {@value #UNK_TOKEN} (so BLEU counts it as a miss).
     *
     * @throws IllegalArgumentException for an id outside [0, {@link #size()})
     */
    public List<String> decode(int[] ids) {
        Objects.requireNonNull(ids, "ids");
        List<String> out = new ArrayList<>(ids.length);
        for (int id : ids) {
            String token = token(id);
            if (id == EOS) {
                break;
            }
            if (id != PAD && id != BOS) {
                out.add(token);
            }
        }
        return out;
    }

    /** All tokens in id order, the special ones first. */
    public List<String> tokens() {
        return tokens;
    }

    /** The size and the first few tokens after the special ones, for logs. */
    @Override
    public String toString() {
        List<String> head = tokens.subList(SPECIALS.size(), Math.min(tokens.size(), SPECIALS.size() + 8));
        return "TranslationVocabulary[" + size() + " tokens: " + String.join(" ", head)
                + (tokens.size() > SPECIALS.size() + head.size() ? " …]" : "]");
    }
}
