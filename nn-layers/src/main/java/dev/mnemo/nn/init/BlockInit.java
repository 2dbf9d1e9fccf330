package dev.mnemo.nn.init;

import java.util.SplittableRandom;

/**
 * A recipe for one gate block of a weight: draws a {@code rows × cols} matrix from a random stream.
 * {@link RecurrentInit} applies recipes to the blocks of a layer; the table of recipes is
 * reference/eigen.md's.
 */
public sealed interface BlockInit permits Xavier, Kaiming, Orthogonal, ScaledIdentity, Gaussian, SpRnn, EigenInit,
        SpectrumMatched, PyTorchDefault {

    /** The registry name: {@code xavier}, {@code eigen}, … */
    String name();

    /** Every parameter, e.g. {@code xavier-uniform(gain=1.0)}. */
    String describe();

    /** Whether the recipe needs a square block (the recurrent ones). */
    boolean squareOnly();

    /**
     * A row-major {@code ctx.rows() × ctx.cols()} matrix drawn from {@code rnd}.
     *
     * @throws IllegalArgumentException when the recipe cannot make this block (not square, no recorded
     *                                  spectrum for it)
     */
    double[] sample(BlockContext ctx, SplittableRandom rnd);
}
