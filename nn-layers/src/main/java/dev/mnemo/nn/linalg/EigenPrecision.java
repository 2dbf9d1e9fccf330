package dev.mnemo.nn.linalg;

/**
 * The arithmetic an eigendecomposition runs in. The GPU (cuSOLVER) computes in either; the CPU
 * (EJML) always computes in float64, whatever is asked, and {@link EigenResult#precision()} says
 * which one produced a result.
 */
public enum EigenPrecision {
    /** IEEE single precision, unit roundoff 2⁻²⁴. */
    FLOAT32("float32", 0x1p-24),
    /** IEEE double precision, unit roundoff 2⁻⁵³. */
    FLOAT64("float64", 0x1p-53);

    private final String label;
    private final double unitRoundoff;

    EigenPrecision(String label, double unitRoundoff) {
        this.label = label;
        this.unitRoundoff = unitRoundoff;
    }

    /** {@code float32}, {@code float64}. */
    public String label() {
        return label;
    }

    /** The unit roundoff u (half the machine epsilon): the scale of every check tolerance. */
    public double unitRoundoff() {
        return unitRoundoff;
    }
}
