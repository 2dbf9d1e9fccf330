package dev.mnemo.experiments.tasks.babi;

import java.util.List;
import java.util.Objects;

/** One numbered line of a bAbI story: a statement ({@link Fact}) or a {@link Question}. */
public sealed interface BabiLine permits BabiLine.Fact, BabiLine.Question {

    /** The line's number within its story, from 1. */
    int id();

    /** The sentence, without the id, trimmed ({@code "Mary moved to the bathroom."}). */
    String text();

    /** A statement line: {@code "1 Mary moved to the bathroom."}. */
    record Fact(int id, String text) implements BabiLine {
        public Fact {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * A question line: {@code "3 Where is Mary? \tbathroom\t1"}: the question, its answer (a comma list
     * for tasks with several answers, e.g. {@code apple,football}) and the ids of the supporting facts.
     */
    record Question(int id, String text, List<String> answers, List<Integer> supportingFacts) implements BabiLine {
        public Question {
            Objects.requireNonNull(text, "text");
            answers = List.copyOf(answers);
            supportingFacts = List.copyOf(supportingFacts);
        }

        /** The answer as it is written in the file: the answers joined with commas. */
        public String answer() {
            return String.join(",", answers);
        }
    }
}
