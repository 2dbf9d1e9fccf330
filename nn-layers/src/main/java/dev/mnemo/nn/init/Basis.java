package dev.mnemo.nn.init;

/** The eigenbasis of a constructed matrix {@code W = V·B·V⁻¹}. */
public enum Basis {
    /** V = Q, a random orthogonal matrix (QR of a Gaussian, signs fixed by diag R): W is normal. The default. */
    ORTHOGONAL("orthogonal"),
    /** V with N(0, 1/n) entries: W is not normal, its eigenvectors are not orthogonal. */
    RANDOM("random");

    private final String label;

    Basis(String label) {
        this.label = label;
    }

    /** {@code orthogonal}, {@code random}. */
    public String label() {
        return label;
    }

    /** By label. */
    public static Basis parse(String s) {
        for (Basis b : values()) {
            if (b.label.equals(s)) {
                return b;
            }
        }
        throw new IllegalArgumentException("basis must be orthogonal or random, got '" + s + "'");
    }
}
