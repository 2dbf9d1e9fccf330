package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * An affine map of the last dimension (PyTorch's {@code nn.Linear}):
 * <pre>
 *   y = x Wᵀ + b
 * </pre>
 *
 * <p><b>Input</b> {@code x} {@code [*, in_features]} (any leading dimensions, at least one row);
 * <b>output</b> {@code [*, out_features]}.
 *
 * <p><b>Parameters</b> (views into one flat buffer): {@code weight} {@code [out_features, in_features]},
 * {@code bias} {@code [out_features]} (absent when bias=false), both initialised from
 * U(−1/√in_features, 1/√in_features) — PyTorch's default bounds — drawn from the options' seed.
 *
 * <p><b>Differs from PyTorch</b>: explicit {@code backward}, which accumulates into
 * {@link #flatGradients()}; seeded initialisation. Not thread-safe.
 */
public final class Linear extends Layer {

    private final LinearOptions options;

    /** The output of {@link #forward} and what {@link #backward} needs. */
    public record Output(Tensor output, Saved saved) {
    }

    /**
     * The input of a forward pass (referenced, not copied: a backward after the input or the weights
     * were written refuses, see {@link dev.mnemo.nn.Storage#version()}).
     */
    public static final class Saved {
        private final Linear layer;
        private final Tensor x;
        private final SavedVersions versions;

        private Saved(Linear layer, Tensor x) {
            this.layer = layer;
            this.x = x;
            this.versions = new SavedVersions().parameters(layer).input("x given to forward", x);
        }
    }

    /** A float32 CPU layer. */
    public Linear(LinearOptions options) {
        this(options, Backend.cpu());
    }

    public Linear(LinearOptions options, Backend backend) {
        Objects.requireNonNull(options, "options");
        var layout = FlatParameters.layout().add("weight", options.outFeatures(), options.inFeatures());
        if (options.bias()) {
            layout.add("bias", options.outFeatures());
        }
        super(backend, layout);
        this.options = options;
        params.initUniform(backend, 1.0 / Math.sqrt(options.inFeatures()), options.seed());
    }

    public LinearOptions options() {
        return options;
    }

    /**
     * @param x {@code [*, in_features]}
     * @return {@code y} {@code [*, out_features]} and the saved input
     */
    public Output forward(Tensor x) {
        int in = options.inFeatures();
        if (x == null || x.rank() < 1 || x.dim(-1) != in || x.numel() == 0) {
            throw new IllegalArgumentException("x must have shape [*, " + in + "] (in_features " + in
                    + ", at least one row), got " + InputCheck.describe(x));
        }
        InputCheck.require("x", x, backend, this, options.checkFinite());
        int rows = (int) (x.numel() / in);
        int[] outShape = x.shape();
        outShape[outShape.length - 1] = options.outFeatures();
        Tensor y = backend.zeros(outShape);
        Tensor y2 = y.reshape(rows, options.outFeatures());
        backend.gemm(false, true, 1.0, x.reshape(rows, in), params.value("weight"), 0.0, y2);
        if (options.bias()) {
            backend.addRowVector(y2, params.value("bias"));
        }
        return new Output(y, new Saved(this, x));
    }

    /**
     * Accumulates {@code dW += dyᵀ x}, {@code db += Σ_rows dy} and returns {@code dx = dy W}.
     *
     * @param dOutput ∂L/∂y, shaped like the output
     */
    public Tensor backward(Saved saved, Tensor dOutput) {
        if (saved == null || saved.layer != this) {
            throw new IllegalArgumentException("saved must come from a forward of this layer (" + this + ")");
        }
        saved.versions.check();
        int in = options.inFeatures();
        int out = options.outFeatures();
        int[] expected = saved.x.shape();
        expected[expected.length - 1] = out;
        if (dOutput == null || !Arrays.equals(dOutput.shape(), expected)) {
            throw new IllegalArgumentException("dOutput must have shape " + Tensor.shapeString(expected)
                    + " (the output's), got " + InputCheck.describe(dOutput));
        }
        InputCheck.require("dOutput", dOutput, backend, this, options.checkFinite());
        int rows = (int) (saved.x.numel() / in);
        Tensor dy = dOutput.reshape(rows, out);
        backend.gemm(true, false, 1.0, dy, saved.x.reshape(rows, in), 1.0, params.gradient("weight"));
        if (options.bias()) {
            backend.addColumnSums(dy, params.gradient("bias"));
        }
        Tensor dx = backend.zeros(saved.x.shape());
        backend.gemm(false, false, 1.0, dy, params.value("weight"), 0.0, dx.reshape(rows, in));
        return dx;
    }

    /** {@code Linear(4, 3)}, plus the non-default options. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Linear(").append(options.inFeatures()).append(", ")
                .append(options.outFeatures());
        if (!options.bias()) {
            sb.append(", bias=false");
        }
        if (options.seed() != 0) {
            sb.append(", seed=").append(options.seed());
        }
        if (options.checkFinite()) {
            sb.append(", checkFinite=true");
        }
        if (backend != Backend.cpu()) {
            sb.append(", backend=").append(backend);
        }
        return sb.append(')').toString();
    }
}
