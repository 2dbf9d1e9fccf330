package dev.mnemo.experiments.tasks.translation;

import java.util.List;
import java.util.Objects;

/**
 * A tokenized sentence and its translation, e.g. {@code [a, dog, runs, .]} → {@code [ein, hund, läuft, .]}.
 *
 * @param source the source sentence's tokens, at least one
 * @param target the target sentence's tokens, at least one
 */
public record SentencePair(List<String> source, List<String> target) {

    /** Copies both lists; rejects a null or empty side, or a null token (an empty pair cannot be learned). */
    public SentencePair {
        source = copy(source, "source");
        target = copy(target, "target");
    }

    private static List<String> copy(List<String> tokens, String side) {
        if (tokens == null) {
            throw new IllegalArgumentException(side + " tokens must not be null");
        }
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException(side + " sentence must have at least one token, got none");
        }
        if (tokens.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException(side + " tokens must not contain null, got " + tokens);
        }
        return List.copyOf(tokens);
    }
}
