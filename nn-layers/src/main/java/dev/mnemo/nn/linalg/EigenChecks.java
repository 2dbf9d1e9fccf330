package dev.mnemo.nn.linalg;

/**
 * The invariants one decomposition was checked against. With u the unit roundoff of the arithmetic
 * used (2⁻⁵³ float64, 2⁻²⁴ float32), n the order and ‖A‖ the Frobenius norm, a result passes when
 * <ul>
 *   <li>every λ (and vector) is finite;</li>
 *   <li>the spectrum is closed under conjugation (real input): the λ with Im λ &gt; 0 match the
 *       conjugates of those with Im λ &lt; 0 within {@code 16·n·u·‖A‖};</li>
 *   <li>{@code |Σ λ − tr A| ≤ 16·n·u·‖A‖} (complex modulus: the imaginary part must vanish too);</li>
 *   <li>{@code |Σ λ² − tr A²| ≤ 16·n·u·‖A‖²};</li>
 *   <li>{@code max |λ| ≤ ‖A‖·(1 + 16·n·u)} (no eigenvalue exceeds a matrix norm);</li>
 *   <li>on request, with unit-norm columns v_j: {@code ‖A·V − V·Λ‖ / ‖A‖ ≤ 16·n·√n·u}.</li>
 * </ul>
 * Backward-stable solvers (LAPACK, cuSOLVER, EJML) meet these with room to spare, also for
 * defective matrices, whose individual eigenvalues are ill-conditioned but whose power sums are not.
 *
 * @param traceError          {@code |Σ λ − tr A|}
 * @param traceTolerance      its bound
 * @param squareTraceError    {@code |Σ λ² − tr A²|}
 * @param squareTraceTolerance its bound
 * @param conjugateError      the largest distance between a λ with Im λ &gt; 0 and the conjugate of its
 *                            matched partner (0 when all are real)
 * @param radius              {@code max |λ|}
 * @param radiusBound         {@code ‖A‖·(1 + 16·n·u)}
 * @param residual            {@code ‖A·V − V·Λ‖ / ‖A‖}, or NaN when not checked
 * @param residualTolerance   its bound, or NaN when not checked
 * @param failure             the first failed check in words, or "" when all passed
 */
public record EigenChecks(double traceError, double traceTolerance, double squareTraceError,
                          double squareTraceTolerance, double conjugateError, double radius, double radiusBound,
                          double residual, double residualTolerance, String failure) {

    /** Whether every check passed. */
    public boolean passed() {
        return failure.isEmpty();
    }

    /** Whether the residual was checked. */
    public boolean residualChecked() {
        return !Double.isNaN(residual);
    }
}
