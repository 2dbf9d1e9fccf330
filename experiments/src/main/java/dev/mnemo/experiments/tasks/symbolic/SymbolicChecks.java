package dev.mnemo.experiments.tasks.symbolic;

/** Argument checks the symbolic tasks share, with messages "rule, then value". */
final class SymbolicChecks {

    /** Longest string any task accepts: keeps T·B·I tensors within reach of a CPU batch. */
    static final int MAX_LENGTH = 100_000;

    /**
     * Most symbols of one kind: each is an input channel of a one-hot T·B·I tensor, and I = symbols + 1 (or
     * keys + values + 1) overflowed int from 2^30 on, reaching the layer as a negative input size.
     */
    static final int MAX_SYMBOLS = 1 << 20;

    private SymbolicChecks() {
    }

    static void symbols(String name, int count, int least) {
        if (count < least || count > MAX_SYMBOLS) {
            throw new IllegalArgumentException(name + " must be in [" + least + ", " + MAX_SYMBOLS + "], got " + count);
        }
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
