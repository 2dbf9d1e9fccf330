package dev.mnemo.experiments.tasks.babi;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Turns a (story, question) pair into one token sequence for a recurrent model, and its answer into a
 * class id:
 * <pre>
 *   tokens(fact_1) … tokens(fact_n)  {@value #QUERY}  tokens(question)
 * </pre>
 * with {@link BabiTokenizer} tokens ({@code mary moved to the bathroom .}); only the last {@code maxFacts}
 * facts before the question are kept (MemN2N keeps 50). The answer class is the whole answer string
 * ({@code apple,football} is one class).
 */
public final class BabiEncoder {

    /** The token between the story and the question. */
    public static final String QUERY = "<query>";

    private final Vocabulary words;
    private final Vocabulary answers;
    private final int maxFacts;

    public BabiEncoder(Vocabulary words, Vocabulary answers, int maxFacts) {
        this.words = Objects.requireNonNull(words, "words");
        this.answers = Objects.requireNonNull(answers, "answers");
        if (maxFacts < 1) {
            throw new IllegalArgumentException("maxFacts must be >= 1, got " + maxFacts);
        }
        this.maxFacts = maxFacts;
    }

    /**
     * Vocabularies built from {@code examples} (usually train and test together, as bAbI work does, so no
     * answer is unknown): every word of facts and questions plus {@value #QUERY}, and every answer.
     */
    public static BabiEncoder fit(List<BabiExample> examples, int maxFacts) {
        List<String> w = new ArrayList<>(List.of(QUERY));
        List<String> a = new ArrayList<>();
        for (BabiExample e : examples) {
            for (BabiLine.Fact f : e.facts()) {
                w.addAll(BabiTokenizer.tokenize(f.text()));
            }
            w.addAll(BabiTokenizer.tokenize(e.question().text()));
            a.add(e.question().answer());
        }
        return new BabiEncoder(Vocabulary.words(w), Vocabulary.classes(a), maxFacts);
    }

    public Vocabulary words() {
        return words;
    }

    public Vocabulary answers() {
        return answers;
    }

    public int maxFacts() {
        return maxFacts;
    }

    /** The facts of {@code e} the encoding keeps: the last {@link #maxFacts()}. */
    public List<BabiLine.Fact> keptFacts(BabiExample e) {
        List<BabiLine.Fact> facts = e.facts();
        return facts.subList(Math.max(0, facts.size() - maxFacts), facts.size());
    }

    /**
     * Whether every supporting fact of {@code e}'s question is among {@link #keptFacts}: if one was cut,
     * the answer is not in the input and a model can only guess it.
     */
    public boolean keepsSupport(BabiExample e) {
        var kept = keptFacts(e).stream().map(BabiLine.Fact::id).collect(java.util.stream.Collectors.toSet());
        return kept.containsAll(e.question().supportingFacts());
    }

    /** How many of {@code examples} {@link #keepsSupport keep their support}. */
    public int countKeepingSupport(List<BabiExample> examples) {
        return (int) examples.stream().filter(this::keepsSupport).count();
    }

    /** The token ids of one example (unknown words → {@link Vocabulary#UNK}). */
    public int[] encode(BabiExample e) {
        List<String> toks = new ArrayList<>();
        for (BabiLine.Fact f : keptFacts(e)) {
            toks.addAll(BabiTokenizer.tokenize(f.text()));
        }
        toks.add(QUERY);
        toks.addAll(BabiTokenizer.tokenize(e.question().text()));
        int[] ids = new int[toks.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = words.id(toks.get(i));
        }
        return ids;
    }

    /** The answer's class id; an error naming the known answers if it has none. */
    public int answerClass(BabiExample e) {
        return answers.id(e.question().answer());
    }

    /** Examples {@code from … to−1} as one right-padded batch. */
    public BabiBatch batch(List<BabiExample> examples, int from, int to) {
        if (from < 0 || to > examples.size() || to <= from) {
            throw new IllegalArgumentException("need 0 <= from < to <= " + examples.size() + ", got " + from + ", " + to);
        }
        int b = to - from;
        int[][] seqs = new int[b][];
        int steps = 1;
        for (int i = 0; i < b; i++) {
            seqs[i] = encode(examples.get(from + i));
            steps = Math.max(steps, seqs[i].length);
        }
        int[] tokens = new int[steps * b];   // zeros: PAD
        int[] lengths = new int[b];
        int[] ans = new int[b];
        int[] tasks = new int[b];
        for (int i = 0; i < b; i++) {
            for (int t = 0; t < seqs[i].length; t++) {
                tokens[t * b + i] = seqs[i][t];
            }
            lengths[i] = seqs[i].length;
            ans[i] = answerClass(examples.get(from + i));
            tasks[i] = examples.get(from + i).task();
        }
        return new BabiBatch(tokens, lengths, ans, tasks, words.size());
    }
}
