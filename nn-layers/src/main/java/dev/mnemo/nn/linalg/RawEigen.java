package dev.mnemo.nn.linalg;

import java.util.Objects;

/**
 * What one solver returns before Mnemo checks and sorts it: eigenvalues in any order and, when asked
 * for, right eigenvectors as the columns of row-major {@code [n, n]} arrays ({@code A·v_j = λ_j·v_j},
 * any non-zero scaling). This is the currency of {@link BatchedEigenSolver}; users get
 * {@link EigenResult}s.
 *
 * @param re        real parts of λ_j, length n
 * @param im        imaginary parts, length n
 * @param vectorsRe real parts of the eigenvectors, {@code [n, n]} row-major, column j = v_j; null
 *                  when not computed
 * @param vectorsIm imaginary parts, same layout; null exactly when {@code vectorsRe} is
 */
public record RawEigen(double[] re, double[] im, double[] vectorsRe, double[] vectorsIm) {

    /** Checks the lengths. */
    public RawEigen {
        Objects.requireNonNull(re, "re");
        Objects.requireNonNull(im, "im");
        if (re.length != im.length) {
            throw new IllegalArgumentException("re and im must have the same length, got " + re.length + " and "
                    + im.length);
        }
        if ((vectorsRe == null) != (vectorsIm == null)) {
            throw new IllegalArgumentException("vectorsRe and vectorsIm must both be given or both be null");
        }
        long nn = (long) re.length * re.length;
        if (vectorsRe != null && (vectorsRe.length != nn || vectorsIm.length != nn)) {
            throw new IllegalArgumentException("eigenvectors must be [n, n] = " + nn + " elements for n = "
                    + re.length + ", got " + vectorsRe.length + " and " + vectorsIm.length);
        }
    }

    /** Eigenvalues only. */
    public static RawEigen values(double[] re, double[] im) {
        return new RawEigen(re, im, null, null);
    }

    /** The order n. */
    public int n() {
        return re.length;
    }

    /** The eigenvalues times 2^{@code exponent} (those of A·2^exponent), the same eigenvectors. */
    RawEigen scaledValues(int exponent) {
        double[] r = new double[re.length];
        double[] i = new double[im.length];
        for (int k = 0; k < r.length; k++) {
            r[k] = Math.scalb(re[k], exponent);
            i[k] = Math.scalb(im[k], exponent);
        }
        return new RawEigen(r, i, vectorsRe, vectorsIm);
    }

    /** Whether eigenvectors are present. */
    public boolean hasVectors() {
        return vectorsRe != null;
    }
}
