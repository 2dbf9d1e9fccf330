package dev.mnemo.experiments.tasks.babi;

import java.util.ArrayList;
import java.util.List;

/**
 * One story: the lines from an id 1 up to (not including) the next id 1.
 *
 * @param task  the bAbI task number (1–20) the story belongs to, 0 when unknown
 * @param lines the lines in order, ids 1, 2, 3, …
 */
public record BabiStory(int task, List<BabiLine> lines) {

    public BabiStory {
        lines = List.copyOf(lines);
    }

    /**
     * One example per question: the question with every fact of the story before it (the usual bAbI
     * reading; questions are not part of later contexts).
     */
    public List<BabiExample> examples() {
        List<BabiExample> out = new ArrayList<>();
        List<BabiLine.Fact> facts = new ArrayList<>();
        for (BabiLine line : lines) {
            switch (line) {
                case BabiLine.Fact f -> facts.add(f);
                case BabiLine.Question q -> out.add(new BabiExample(task, facts, q));
            }
        }
        return out;
    }

    /** The examples of all of {@code stories}, in order. */
    public static List<BabiExample> examples(List<BabiStory> stories) {
        List<BabiExample> out = new ArrayList<>();
        for (BabiStory s : stories) {
            out.addAll(s.examples());
        }
        return out;
    }
}
