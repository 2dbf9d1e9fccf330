package dev.mnemo.experiments.tasks.babi;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A fixed map between tokens and ids 0 … size−1, in sorted order so that it does not depend on the order
 * the data came in.
 *
 * <ul>
 *   <li>{@link #words}: ids 0 = {@value #PAD} (padding), 1 = {@value #UNK} (any unknown token), then the
 *       sorted tokens; {@link #id} maps an unknown token to 1.</li>
 *   <li>{@link #classes}: only the sorted tokens (answers as classes); {@link #id} of an unknown one is an
 *       error.</li>
 * </ul>
 */
public final class Vocabulary {

    /** Padding; id 0 of a word vocabulary. */
    public static final String PAD = "<pad>";
    /** An unknown word; id 1 of a word vocabulary. */
    public static final String UNK = "<unk>";

    private final List<String> tokens;
    private final Map<String, Integer> ids = new HashMap<>();
    private final boolean open;

    private Vocabulary(List<String> tokens, boolean open) {
        this.tokens = List.copyOf(tokens);
        this.open = open;
        for (int i = 0; i < this.tokens.size(); i++) {
            ids.put(this.tokens.get(i), i);
        }
    }

    /** {@value #PAD}, {@value #UNK}, then the distinct {@code tokens} sorted. */
    public static Vocabulary words(Collection<String> tokens) {
        TreeSet<String> sorted = new TreeSet<>(tokens);
        sorted.remove(PAD);
        sorted.remove(UNK);
        List<String> all = new ArrayList<>(List.of(PAD, UNK));
        all.addAll(sorted);
        return new Vocabulary(all, true);
    }

    /** The distinct {@code tokens} sorted, nothing reserved. */
    public static Vocabulary classes(Collection<String> tokens) {
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException("a class vocabulary needs at least one token, got none");
        }
        return new Vocabulary(List.copyOf(new TreeSet<>(tokens)), false);
    }

    public int size() {
        return tokens.size();
    }

    /** The id of {@code token}: {@link #UNK}'s for an unknown word; an error for an unknown class. */
    public int id(String token) {
        Integer id = ids.get(token);
        if (id != null) {
            return id;
        }
        if (open) {
            return 1;
        }
        throw new IllegalArgumentException("unknown class '" + token + "'; known: " + String.join(", ", tokens));
    }

    public boolean contains(String token) {
        return ids.containsKey(token);
    }

    public String token(int id) {
        if (id < 0 || id >= tokens.size()) {
            throw new IllegalArgumentException("id must be in [0, " + tokens.size() + "), got " + id);
        }
        return tokens.get(id);
    }

    /** All tokens in id order. */
    public List<String> tokens() {
        return tokens;
    }
}
