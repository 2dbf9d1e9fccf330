package dev.mnemo.experiments.tasks.symbolic;

/** Argument checks the symbolic tasks share, with messages "rule, then value". */
final class SymbolicChecks {

    /** Longest string any task accepts: keeps T·B·I tensors within reach of a CPU batch. */
    static final int MAX_LENGTH = 100_000;

    private SymbolicChecks() {
    }

    static void lengths(int minLength, int maxLength) {
        if (minLength < 1) {
            throw new IllegalArgumentException("minLength must be >= 1, got " + minLength);
        }
        if (maxLength < minLength) {
            throw new IllegalArgumentException("maxLength must be >= minLength (" + minLength + "), got " + maxLength);
        }
        if (maxLength > MAX_LENGTH) {
            throw new IllegalArgumentException("maxLength must be <= " + MAX_LENGTH + ", got " + maxLength);
        }
    }
}
