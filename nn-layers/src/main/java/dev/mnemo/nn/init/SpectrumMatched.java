package dev.mnemo.nn.init;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Spectrum-matched initialisation, <b>ours, beyond the paper</b>: like {@link EigenInit}
 * ({@code W = V·B·V⁻¹}, B block-diagonal), but the modes come from a recorded spectrum — of a
 * trained model, read from a tracker CSV or a layer ({@link SpectrumSource}) — so a fresh layer
 * starts with the trained model's spectrum.
 *
 * <p>For the block {@code layer/gate} it looks up the recorded spectrum of {@code sourceLayer/sourceGate}
 * (the same layer and gate when those are null). The modes are the recorded eigenvalues with
 * Im λ &gt; 0 (each a pair r·e^{±iθ}) and those with Im λ = 0 (each real).
 * <ul>
 *   <li>exact (sizes equal and {@code resample} false): B holds exactly the recorded modes, so W has
 *       exactly the recorded spectrum (times the gain);</li>
 *   <li>otherwise, (r, θ) sampled: modes drawn uniformly with replacement from the recorded ones
 *       until the block is full; a pair fills two places, a real one; when one place is left a real
 *       mode is drawn (or, if none was recorded, a drawn pair's +r).</li>
 * </ul>
 *
 * @param source      the recorded spectra
 * @param sourceLayer the layer to take spectra from ({@code l0}); null for the same as the target's
 * @param sourceGate  the gate to take spectra from ({@code g}); null for the same as the target's
 * @param resample    sample (r, θ) even when the sizes are equal
 * @param basis       the eigenbasis
 * @param gain        g &gt; 0, multiplies every eigenvalue
 */
public record SpectrumMatched(SpectrumSource source, String sourceLayer, String sourceGate, boolean resample,
                              Basis basis, double gain) implements BlockInit {

    /** Validates. */
    public SpectrumMatched {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(basis, "basis");
        if (!(gain > 0) || !Double.isFinite(gain)) {
            throw new IllegalArgumentException("gain must be > 0, got " + gain);
        }
    }

    /** Same layer and gate, exact when sizes match, orthogonal basis, gain 1. */
    public static SpectrumMatched of(SpectrumSource source) {
        return new SpectrumMatched(source, null, null, false, Basis.ORTHOGONAL, 1.0);
    }

    @Override
    public String name() {
        return "spectrum-matched";
    }

    @Override
    public String describe() {
        return "spectrum-matched(ours: W = V·B·V⁻¹ with the modes of " + source.describe() + "; layer="
                + (sourceLayer == null ? "same" : sourceLayer) + ", gate=" + (sourceGate == null ? "same" : sourceGate)
                + ", resample=" + resample + ", basis=" + basis.label() + ", gain=" + Sampling.num(gain) + ")";
    }

    @Override
    public boolean squareOnly() {
        return true;
    }

    @Override
    public double[] sample(BlockContext ctx, SplittableRandom rnd) {
        return construct(ctx, rnd).matrix();
    }

    /** The matrix for {@code ctx} and the spectrum it was built with. */
    public EigenInit.Construction construct(BlockContext ctx, SplittableRandom rnd) {
        RecipeChecks.square(this, ctx);
        String layer = sourceLayer == null ? ctx.layer() : sourceLayer;
        String gate = sourceGate == null ? ctx.gate() : sourceGate;
        double[][] s = source.spectrum(layer, gate).orElseThrow(() -> new IllegalArgumentException(
                "spectrum-matched: " + source.describe() + " has no spectrum for " + layer + "/" + gate + "; it has "
                        + source.blocks()));
        double[] re = s[0];
        double[] im = s[1];
        requireConjugatePairs(re, im, layer + "/" + gate);
        List<double[]> pairs = new ArrayList<>();   // {r, θ}
        List<Double> reals = new ArrayList<>();
        for (int i = 0; i < re.length; i++) {
            if (im[i] > 0) {
                pairs.add(new double[]{Math.hypot(re[i], im[i]), Math.atan2(im[i], re[i])});
            } else if (im[i] == 0) {
                reals.add(re[i]);
            }
        }
        int n = ctx.rows();
        EigenInit.Modes modes = new EigenInit.Modes(n);
        if (!resample && re.length == n && 2 * pairs.size() + reals.size() == n) {
            for (double[] p : pairs) {
                modes.pair(gain * p[0], p[1]);
            }
            for (double x : reals) {
                modes.real(gain * x);
            }
        } else {
            if (pairs.isEmpty() && reals.isEmpty()) {
                throw new IllegalArgumentException("spectrum-matched: the spectrum of " + layer + "/" + gate
                        + " is empty");
            }
            int total = pairs.size() + reals.size();
            while (modes.free() > 0) {
                int pick = rnd.nextInt(total);
                if (modes.free() == 1) {
                    if (!reals.isEmpty()) {
                        modes.real(gain * reals.get(rnd.nextInt(reals.size())));
                    } else {
                        modes.real(gain * pairs.get(pick)[0]);
                    }
                } else if (pick < pairs.size()) {
                    modes.pair(gain * pairs.get(pick)[0], pairs.get(pick)[1]);
                } else {
                    modes.real(gain * reals.get(pick - pairs.size()));
                }
            }
        }
        return modes.assemble(basis, rnd);
    }

    /**
     * A real matrix's spectrum holds each complex eigenvalue with its conjugate. Only the Im λ &gt; 0 half is read,
     * so a spectrum written by hand without that symmetry ({0.5+0.3i, 0.4−0.2i}) silently built another one
     * ({0.5±0.3i}). The halves are matched to a relative 1e-6 of the largest |λ|, as a CSV may hold them rounded.
     */
    static void requireConjugatePairs(double[] re, double[] im, String block) {
        double scale = 0;
        for (int i = 0; i < re.length; i++) {
            scale = Math.max(scale, Math.hypot(re[i], im[i]));
        }
        double tolerance = 1e-6 * scale;
        boolean[] used = new boolean[re.length];
        for (int i = 0; i < re.length; i++) {
            if (im[i] < 0) {
                int best = -1;
                double bestDistance = Double.POSITIVE_INFINITY;
                for (int j = 0; j < re.length; j++) {
                    double d = Math.hypot(re[j] - re[i], im[j] + im[i]);
                    if (im[j] > 0 && !used[j] && d < bestDistance) {
                        best = j;
                        bestDistance = d;
                    }
                }
                if (best < 0 || bestDistance > tolerance) {
                    throw new IllegalArgumentException("spectrum-matched: the spectrum of " + block + " is not that "
                            + "of a real matrix: " + re[i] + " - " + -im[i] + "i has no conjugate " + re[i] + " + "
                            + -im[i] + "i (within " + tolerance + ")");
                }
                used[best] = true;
            }
        }
        for (int j = 0; j < re.length; j++) {
            if (im[j] > 0 && !used[j]) {
                throw new IllegalArgumentException("spectrum-matched: the spectrum of " + block + " is not that of a "
                        + "real matrix: " + re[j] + " + " + im[j] + "i has no conjugate " + re[j] + " - " + im[j]
                        + "i");
            }
        }
    }
}
