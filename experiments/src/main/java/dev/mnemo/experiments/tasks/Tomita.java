package dev.mnemo.experiments.tasks;

import dev.mnemo.nn.Tensor;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The seven Tomita grammars over {0, 1} (reference/tasks.md), a balanced generator by length, and the
 * one-hot encoding the recurrent layers take.
 *
 * <table>
 *   <tr><th>#</th><th>language</th></tr>
 *   <tr><td>1</td><td>1*</td></tr>
 *   <tr><td>2</td><td>(10)*</td></tr>
 *   <tr><td>3</td><td>no odd-length (maximal) run of 1s that is later — anywhere later, not only
 *       immediately — followed by an odd-length (maximal) run of 0s</td></tr>
 *   <tr><td>4</td><td>no substring 000</td></tr>
 *   <tr><td>5</td><td>even number of 0s and even number of 1s</td></tr>
 *   <tr><td>6</td><td>(#0 − #1) ≡ 0 (mod 3)</td></tr>
 *   <tr><td>7</td><td>0*1*0*1*</td></tr>
 * </table>
 * The empty string is in every language except none: it is accepted by all seven.
 *
 * <p><b>Generator.</b> For each length L, every one of the 2^L strings is enumerated (L ≤
 * {@value #MAX_LENGTH}) and split into accepted and rejected ones; then {@code n = min(perClass, #accepted,
 * #rejected)} distinct strings of each class are drawn without replacement (seeded). So every length is
 * balanced; a length where one class is empty (odd lengths in Tomita 2 and 5) contributes nothing, and a
 * sparse language (Tomita 1: one string per length) contributes few, but all of its, strings.
 */
public final class Tomita {

    /** The longest length the generator enumerates. */
    public static final int MAX_LENGTH = 22;

    private Tomita() {
    }

    /** A set of strings: {@code bits[i]} holds string i's symbols (symbol t at bit t), {@code lengths[i]} its length. */
    public record Data(int grammar, int[] bits, int[] lengths, int[] labels) {
        public int size() {
            return bits.length;
        }

        /** Positives / size. */
        public double positiveShare() {
            int p = 0;
            for (int y : labels) {
                p += y;
            }
            return size() == 0 ? 0 : (double) p / size();
        }

        /** The string i as text ({@code ""} for the empty string). */
        public String text(int i) {
            return Tomita.text(bits[i], lengths[i]);
        }
    }

    /** Symbol t of a string is bit t of {@code bits}. */
    public static String text(int bits, int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int t = 0; t < length; t++) {
            sb.append((bits >> t & 1) == 1 ? '1' : '0');
        }
        return sb.toString();
    }

    /** Whether grammar {@code grammar} (1–7) accepts {@code s} (characters 0 and 1). */
    public static boolean accepts(int grammar, String s) {
        int bits = 0;
        for (int t = 0; t < s.length(); t++) {
            char c = s.charAt(t);
            if (c != '0' && c != '1') {
                throw new IllegalArgumentException("Tomita strings hold 0 and 1 only, got '" + s + "'");
            }
            if (c == '1') {
                bits |= 1 << t;
            }
        }
        if (s.length() > 31) {
            throw new IllegalArgumentException("strings up to 31 symbols, got " + s.length());
        }
        return accepts(grammar, bits, s.length());
    }

    /** Whether grammar {@code grammar} (1–7) accepts the string whose symbol t is bit t of {@code bits}. */
    public static boolean accepts(int grammar, int bits, int length) {
        return switch (grammar) {
            case 1 -> ones(bits, length) == length;
            case 2 -> {
                if (length % 2 != 0) {
                    yield false;
                }
                for (int t = 0; t < length; t++) {
                    if (sym(bits, t) != (t % 2 == 0 ? 1 : 0)) {
                        yield false;
                    }
                }
                yield true;
            }
            case 3 -> {
                boolean seenOddOnes = false;
                int t = 0;
                while (t < length) {
                    int symbol = sym(bits, t);
                    int run = 0;
                    while (t < length && sym(bits, t) == symbol) {
                        run++;
                        t++;
                    }
                    boolean odd = run % 2 == 1;
                    if (symbol == 1 && odd) {
                        seenOddOnes = true;
                    } else if (symbol == 0 && odd && seenOddOnes) {
                        yield false;
                    }
                }
                yield true;
            }
            case 4 -> {
                int zeros = 0;
                for (int t = 0; t < length; t++) {
                    zeros = sym(bits, t) == 0 ? zeros + 1 : 0;
                    if (zeros == 3) {
                        yield false;
                    }
                }
                yield true;
            }
            case 5 -> {
                int ones = ones(bits, length);
                yield ones % 2 == 0 && (length - ones) % 2 == 0;
            }
            case 6 -> {
                int ones = ones(bits, length);
                yield Math.floorMod((length - ones) - ones, 3) == 0;
            }
            case 7 -> {
                // 0*1*0*1*: at most three changes of symbol, and a string starting with 1 at most two
                int changes = 0;
                for (int t = 1; t < length; t++) {
                    changes += sym(bits, t) != sym(bits, t - 1) ? 1 : 0;
                }
                boolean startsWithOne = length > 0 && sym(bits, 0) == 1;
                yield changes + (startsWithOne ? 1 : 0) <= 3;
            }
            default -> throw new IllegalArgumentException("Tomita grammars are 1 to 7, got " + grammar);
        };
    }

    private static int sym(int bits, int t) {
        return bits >> t & 1;
    }

    private static int ones(int bits, int length) {
        return Integer.bitCount(length >= 32 ? bits : bits & (int) ((1L << length) - 1));
    }

    /** Parses {@code tomita4} / {@code 4} to 4; an error naming the valid tasks otherwise. */
    public static int parseTask(String task) {
        String s = task == null ? "" : task.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.startsWith("tomita")) {
            s = s.substring("tomita".length());
        }
        if (s.length() == 1 && s.charAt(0) >= '1' && s.charAt(0) <= '7') {
            return s.charAt(0) - '0';
        }
        throw new IllegalArgumentException("unknown task '" + task + "'; valid tasks: tomita1 … tomita7");
    }

    /**
     * Balanced strings of lengths {@code minLength..maxLength}: per length up to {@code perClass} distinct
     * accepted and as many distinct rejected strings (see the class comment), shuffled, seeded.
     */
    public static Data generate(int grammar, int minLength, int maxLength, int perClass, long seed) {
        return generate(grammar, minLength, maxLength, perClass, seed, null);
    }

    /**
     * As {@link #generate(int, int, int, int, long)}, drawing only strings that are not in {@code exclude}
     * (nullable): a set held out from it, e.g. test strings of the training lengths that training never saw.
     * With {@code exclude} null the draws are those of the other overload, bit for bit.
     */
    public static Data generate(int grammar, int minLength, int maxLength, int perClass, long seed, Data exclude) {
        if (grammar < 1 || grammar > 7) {
            throw new IllegalArgumentException("Tomita grammars are 1 to 7, got " + grammar);
        }
        if (minLength < 0 || maxLength < minLength || maxLength > MAX_LENGTH) {
            throw new IllegalArgumentException("lengths must satisfy 0 <= min <= max <= " + MAX_LENGTH + ", got "
                    + minLength + ".." + maxLength);
        }
        if (perClass < 1) {
            throw new IllegalArgumentException("perClass must be >= 1, got " + perClass);
        }
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x70A17AL * grammar);
        List<int[]> rows = new ArrayList<>();   // {bits, length, label}
        for (int len = minLength; len <= maxLength; len++) {
            int count = 1 << len;
            int[] pos = new int[count];
            int[] neg = new int[count];
            int np = 0;
            int nn = 0;
            BitSet excluded = excluded(exclude, len);
            for (int b = 0; b < count; b++) {
                if (excluded.get(b)) {
                    continue;
                }
                if (accepts(grammar, b, len)) {
                    pos[np++] = b;
                } else {
                    neg[nn++] = b;
                }
            }
            int n = Math.min(perClass, Math.min(np, nn));
            for (int b : draw(pos, np, n, rnd)) {
                rows.add(new int[] {b, len, 1});
            }
            for (int b : draw(neg, nn, n, rnd)) {
                rows.add(new int[] {b, len, 0});
            }
        }
        for (int i = rows.size() - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int[] tmp = rows.get(i);
            rows.set(i, rows.get(j));
            rows.set(j, tmp);
        }
        int[] bits = new int[rows.size()];
        int[] lengths = new int[rows.size()];
        int[] labels = new int[rows.size()];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = rows.get(i)[0];
            lengths[i] = rows.get(i)[1];
            labels[i] = rows.get(i)[2];
        }
        return new Data(grammar, bits, lengths, labels);
    }

    /** The strings of length {@code len} in {@code data} (none for null), as a set of their bits. */
    private static BitSet excluded(Data data, int len) {
        BitSet set = new BitSet();
        if (data != null) {
            for (int i = 0; i < data.size(); i++) {
                if (data.lengths()[i] == len) {
                    set.set(data.bits()[i]);
                }
            }
        }
        return set;
    }

    /** n distinct of the first {@code size} entries (partial Fisher–Yates, in place). */
    private static int[] draw(int[] pool, int size, int n, SplittableRandom rnd) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int j = i + rnd.nextInt(size - i);
            int tmp = pool[i];
            pool[i] = pool[j];
            pool[j] = tmp;
            out[i] = pool[i];
        }
        return out;
    }

    /**
     * One-hot inputs [T, B, 2] of the strings {@code index[from..to)} of {@code data}: T is their longest
     * length (at least 1); string b occupies steps {@code 0 … length − 1}, then zero vectors
     * (right-padded), so its label belongs to its own last step ({@link #steps}). The empty string is all
     * zeros.
     */
    public static Tensor oneHot(Data data, int[] index, int from, int to) {
        int t = 1;
        for (int i = from; i < to; i++) {
            t = Math.max(t, data.lengths()[index[i]]);
        }
        Tensor x = Tensor.zeros(t, to - from, 2);
        for (int i = from; i < to; i++) {
            int k = index[i];
            for (int s = 0; s < data.lengths()[k]; s++) {
                x.set(1.0, s, i - from, sym(data.bits()[k], s));
            }
        }
        return x;
    }

    /**
     * The steps of the strings {@code index[from..to)} in {@link #oneHot}'s batch: each string's length,
     * at least 1 (the empty string is read at step 0, where it has seen nothing).
     */
    public static int[] steps(Data data, int[] index, int from, int to) {
        int[] steps = new int[to - from];
        for (int i = from; i < to; i++) {
            steps[i - from] = Math.max(1, data.lengths()[index[i]]);
        }
        return steps;
    }

    /** The labels of {@code index[from..to)}. */
    public static int[] labels(Data data, int[] index, int from, int to) {
        int[] y = new int[to - from];
        for (int i = from; i < to; i++) {
            y[i - from] = data.labels()[index[i]];
        }
        return y;
    }
}
