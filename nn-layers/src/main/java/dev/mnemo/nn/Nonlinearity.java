package dev.mnemo.nn;

/** The activation of a vanilla RNN cell (PyTorch's {@code nonlinearity}). */
public enum Nonlinearity {
    /** {@code tanh}, the default. */
    TANH("tanh"),
    /** {@code relu}; its derivative at exactly 0 is taken as 0, as in PyTorch. */
    RELU("relu");

    private final String label;

    Nonlinearity(String label) {
        this.label = label;
    }

    /** PyTorch's name: {@code tanh}, {@code relu}. */
    public String label() {
        return label;
    }
}
