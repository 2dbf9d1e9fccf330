package dev.mnemo.experiments.tasks.babi;

import java.util.List;

/**
 * A question with its context.
 *
 * @param task     the bAbI task number, 0 when unknown
 * @param facts    the story's statements before the question, in order (their ids are the story's)
 * @param question the question, answer and supporting-fact ids
 */
public record BabiExample(int task, List<BabiLine.Fact> facts, BabiLine.Question question) {

    public BabiExample {
        facts = List.copyOf(facts);
    }
}
