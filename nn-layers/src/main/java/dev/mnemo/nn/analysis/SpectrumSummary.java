package dev.mnemo.nn.analysis;

import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.linalg.Eigen;
import dev.mnemo.nn.linalg.EigenOptions;
import dev.mnemo.nn.linalg.EigenResult;

import java.util.Arrays;
import java.util.Objects;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.SingularOps_DDRM;

/**
 * The spectrum of one recurrent matrix W (typically one H×H gate block of {@code weight_hh}) read
 * the linear state-space way (reference/eigen.md): with {@code h_t = W·h_{t−1} + U·x_t} and
 * {@code W = V·Λ·V⁻¹}, mode i keeps an input seen k steps ago with factor |λ_i|^k.
 * <ul>
 *   <li>spectral radius max |λ|; the |λ| histogram;</li>
 *   <li>memory time constant per mode {@code τ_i = −1 / ln|λ_i|}: the steps over which the mode decays
 *       by e. {@code τ = +∞} for |λ| ≥ 1 (a mode that does not decay — at |λ| &gt; 1 it grows), and 0
 *       at λ = 0;</li>
 *   <li>the number of modes with τ &gt; T, i.e. |λ| &gt; e^{−1/T}, for a task horizon T;</li>
 *   <li>singular values (‖W‖₂ = σ_max bounds the one-step gain, whatever the eigenvalues).</li>
 * </ul>
 * Keeping a fraction ε of a mode over T steps needs |λ| ≥ ε^{1/T}
 * ({@link #magnitudeToRetain}; T = 784, ε = 0.1 gives 0.9971). With a nonlinearity the local map is
 * {@code D_t·W}, {@code D_t = diag(φ'(a_t))}: saturation shrinks these effective eigenvalues.
 *
 * <p>Immutable; array accessors return copies.
 */
public final class SpectrumSummary {

    /** Default bins of {@link #histogram()}. */
    public static final int DEFAULT_BINS = 20;

    private final String layer;
    private final String gate;
    private final EigenResult eigen;
    private final double[] singularValues;

    private SpectrumSummary(String layer, String gate, EigenResult eigen, double[] singularValues) {
        this.layer = Objects.requireNonNull(layer, "layer");
        this.gate = Objects.requireNonNull(gate, "gate");
        this.eigen = eigen;
        this.singularValues = singularValues;
    }

    /**
     * The summary of the square matrix {@code block}, labelled {@code layer}/{@code gate}.
     *
     * @throws IllegalArgumentException when {@code block} is not a finite {@code [n, n]} matrix, n ≥ 1
     */
    public static SpectrumSummary of(String layer, String gate, Tensor block) {
        return of(layer, gate, block, EigenOptions.defaults());
    }

    /** {@link #of(String, String, Tensor)} with the given eigen options. */
    public static SpectrumSummary of(String layer, String gate, Tensor block, EigenOptions options) {
        EigenResult e = Eigen.of(block, options);
        return of(layer, gate, e, block);
    }

    /** A summary of an eigendecomposition already computed for {@code block}. */
    static SpectrumSummary of(String layer, String gate, EigenResult eigen, Tensor block) {
        return new SpectrumSummary(layer, gate, eigen, singularValues(block));
    }

    /** Singular values of a square matrix, descending (EJML SVD, float64). */
    public static double[] singularValues(Tensor block) {
        int n = block.dim(0);
        DMatrixRMaj m = new DMatrixRMaj(n, block.dim(1));
        double[] data = block.device() == dev.mnemo.nn.Device.CPU ? block.toDoubleArray()
                : block.to(dev.mnemo.nn.Device.CPU).toDoubleArray();
        System.arraycopy(data, 0, m.data, 0, data.length);
        double[] s = SingularOps_DDRM.singularValues(m);
        Arrays.sort(s);
        for (int i = 0, j = s.length - 1; i < j; i++, j--) {
            double t = s[i];
            s[i] = s[j];
            s[j] = t;
        }
        return s;
    }

    /** {@code τ = −1 / ln|λ|}: +∞ for |λ| ≥ 1, 0 for λ = 0. */
    public static double timeConstant(double magnitude) {
        if (magnitude >= 1.0) {
            return Double.POSITIVE_INFINITY;
        }
        return magnitude <= 0.0 ? 0.0 : -1.0 / Math.log(magnitude);
    }

    /** The |λ| needed to keep a fraction {@code fraction} of a mode over {@code steps} steps: ε^{1/T}. */
    public static double magnitudeToRetain(double fraction, double steps) {
        if (!(fraction > 0 && fraction < 1) || !(steps > 0)) {
            throw new IllegalArgumentException("fraction must be in (0, 1) and steps > 0, got " + fraction + ", "
                    + steps);
        }
        return Math.pow(fraction, 1.0 / steps);
    }

    /** The layer label, e.g. {@code l0} or {@code encoder.l1_reverse}. */
    public String layer() {
        return layer;
    }

    /** The gate, e.g. {@code g}. */
    public String gate() {
        return gate;
    }

    /** The order n of the matrix. */
    public int n() {
        return eigen.n();
    }

    /** The checked eigendecomposition (its notes say if a retry was needed). */
    public EigenResult eigen() {
        return eigen;
    }

    /** Re λ in {@link EigenResult}'s order (|λ| descending). */
    public double[] re() {
        return eigen.re();
    }

    /** Im λ, same order. */
    public double[] im() {
        return eigen.im();
    }

    /** |λ|, descending. */
    public double[] magnitudes() {
        return eigen.magnitudes();
    }

    /** max |λ|. */
    public double spectralRadius() {
        return eigen.spectralRadius();
    }

    /** Singular values, descending. */
    public double[] singularValues() {
        return singularValues.clone();
    }

    /** τ of every mode, in the order of {@link #magnitudes()} (so descending, +∞ first). */
    public double[] timeConstants() {
        double[] m = magnitudes();
        for (int i = 0; i < m.length; i++) {
            m[i] = timeConstant(m[i]);
        }
        return m;
    }

    /** The number of modes with τ &gt; {@code steps} (|λ| &gt; e^{−1/T}, including every |λ| ≥ 1). */
    public int modesLongerThan(double steps) {
        int count = 0;
        for (double tau : timeConstants()) {
            if (tau > steps) {
                count++;
            }
        }
        return count;
    }

    /** The |λ| histogram over {@code [0, hi]} in {@code bins} bins (|λ| ≥ hi in the last one). */
    public Histogram histogram(int bins, double hi) {
        return Histogram.of(magnitudes(), bins, 0.0, hi);
    }

    /** {@link #DEFAULT_BINS} bins over {@code [0, max(1, radius)]}. */
    public Histogram histogram() {
        return histogram(DEFAULT_BINS, Math.max(1.0, spectralRadius()));
    }

    /** {@code l0/g: n=64, radius=0.9812, σmax=1.73}. */
    @Override
    public String toString() {
        return layer + "/" + gate + ": n=" + n() + String.format(", radius=%.4g, σmax=%.4g", spectralRadius(),
                singularValues.length == 0 ? 0.0 : singularValues[0]);
    }
}
