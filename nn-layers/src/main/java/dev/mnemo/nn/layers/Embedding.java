package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * A lookup table of embeddings (PyTorch's {@code nn.Embedding}): row {@code i} of {@code weight} is the
 * vector for index {@code i}.
 *
 * <p><b>Input</b>: indices (host {@code int[]}) with a shape {@code [*]}; <b>output</b>
 * {@code [*, embedding_dim]}.
 *
 * <p><b>Parameters</b>: {@code weight} {@code [num_embeddings, embedding_dim]}, initialised from N(0, 1)
 * drawn from the seed (PyTorch's default distribution).
 *
 * <p><b>Differs from PyTorch</b>: indices are a host {@code int[]}, not a tensor; no
 * {@code padding_idx}, {@code max_norm} or sparse gradients; explicit {@code backward}, which
 * accumulates into {@link #flatGradients()}. Not thread-safe.
 */
public final class Embedding extends Layer {

    private final int numEmbeddings;
    private final int embeddingDim;
    private final long seed;

    /** The output of {@link #forward} and what {@link #backward} needs. */
    public record Output(Tensor output, Saved saved) {
    }

    /** The indices of a forward pass. */
    public static final class Saved {
        private final Embedding layer;
        private final int[] indices;
        private final int[] shape;

        private Saved(Embedding layer, int[] indices, int[] shape) {
            this.layer = layer;
            this.indices = indices;
            this.shape = shape;
        }
    }

    /** A float32 CPU table. */
    public Embedding(int numEmbeddings, int embeddingDim, long seed) {
        this(numEmbeddings, embeddingDim, seed, Backend.cpu());
    }

    /**
     * @throws IllegalArgumentException if a size is not positive
     */
    public Embedding(int numEmbeddings, int embeddingDim, long seed, Backend backend) {
        if (numEmbeddings <= 0) {
            throw new IllegalArgumentException("numEmbeddings must be > 0, got " + numEmbeddings);
        }
        if (embeddingDim <= 0) {
            throw new IllegalArgumentException("embeddingDim must be > 0, got " + embeddingDim);
        }
        super(backend, FlatParameters.layout().add("weight", numEmbeddings, embeddingDim));
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        this.seed = seed;
        params.initNormal(backend, seed);
    }

    public int numEmbeddings() {
        return numEmbeddings;
    }

    public int embeddingDim() {
        return embeddingDim;
    }

    /**
     * @param indices each in {@code [0, num_embeddings)}; copied
     * @param shape   the shape of the index array ({@code [T, B]} for a time-major batch); its product
     *                must be {@code indices.length}; empty means {@code [indices.length]}
     * @return {@code [*shape, embedding_dim]}
     */
    public Output forward(int[] indices, int... shape) {
        Objects.requireNonNull(indices, "indices");
        int[] s = shape.length == 0 ? new int[]{indices.length} : shape.clone();
        long n = 1;
        for (int d : s) {
            n *= d;
        }
        if (n != indices.length || indices.length == 0) {
            throw new IllegalArgumentException("indices must have " + n + " elements (shape " + Tensor.shapeString(s)
                    + ", at least one), got " + indices.length);
        }
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= numEmbeddings) {
                throw new IllegalArgumentException("indices[" + i + "] must be in [0, " + numEmbeddings
                        + ") (num_embeddings), got " + indices[i]);
            }
        }
        int[] outShape = Arrays.copyOf(s, s.length + 1);
        outShape[s.length] = embeddingDim;
        Tensor y = backend.zeros(outShape);
        int[] idx = indices.clone();
        backend.gatherRows(params.value("weight"), idx, y.reshape(idx.length, embeddingDim));
        return new Output(y, new Saved(this, idx, outShape));
    }

    /** Accumulates {@code dWeight[indices[i]] += dOutput[i]} (repeated indices add up). */
    public void backward(Saved saved, Tensor dOutput) {
        if (saved == null || saved.layer != this) {
            throw new IllegalArgumentException("saved must come from a forward of this layer (" + this + ")");
        }
        if (dOutput == null || !Arrays.equals(dOutput.shape(), saved.shape)) {
            throw new IllegalArgumentException("dOutput must have shape " + Tensor.shapeString(saved.shape)
                    + " (the output's), got " + InputCheck.describe(dOutput));
        }
        InputCheck.require("dOutput", dOutput, backend, this, false);
        backend.scatterAddRows(dOutput.reshape(saved.indices.length, embeddingDim), saved.indices,
                params.gradient("weight"));
    }

    /** {@code Embedding(10, 4)}, plus a non-default seed or backend. */
    @Override
    public String toString() {
        return "Embedding(" + numEmbeddings + ", " + embeddingDim + (seed != 0 ? ", seed=" + seed : "")
                + (backend != Backend.cpu() ? ", backend=" + backend : "") + ")";
    }
}
