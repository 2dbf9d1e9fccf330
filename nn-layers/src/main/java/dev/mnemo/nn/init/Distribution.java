package dev.mnemo.nn.init;

/** The distribution of a variance-scaled initializer: uniform on ±a, or a zero-mean normal. */
public enum Distribution {
    /** U(−a, a) with a = √3·std, so the variance matches the normal variant. */
    UNIFORM("uniform"),
    /** N(0, std²). */
    NORMAL("normal");

    private final String label;

    Distribution(String label) {
        this.label = label;
    }

    /** {@code uniform}, {@code normal}. */
    public String label() {
        return label;
    }

    /** By label. */
    public static Distribution parse(String s) {
        for (Distribution d : values()) {
            if (d.label.equals(s)) {
                return d;
            }
        }
        throw new IllegalArgumentException("distribution must be uniform or normal, got '" + s + "'");
    }
}
