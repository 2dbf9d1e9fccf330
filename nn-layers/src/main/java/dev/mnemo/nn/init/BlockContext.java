package dev.mnemo.nn.init;

import dev.mnemo.nn.Nonlinearity;

/**
 * Where a block is being initialised: what a {@link BlockInit} may need besides its size (Kaiming's
 * gain follows the cell's nonlinearity; spectrum-matched looks up the same layer and gate).
 *
 * @param cell         {@code lstm}, {@code gru}, {@code rnn}
 * @param nonlinearity the cell's candidate activation
 * @param layer        {@code l0}, {@code l0_reverse}, …
 * @param gate         {@code i, f, g, o} / {@code r, z, n} / {@code h}
 * @param parameter    {@code weight_hh_l0}
 * @param rows         H
 * @param cols         H for {@code weight_hh}, I_k for {@code weight_ih}
 */
public record BlockContext(String cell, Nonlinearity nonlinearity, String layer, String gate, String parameter,
                           int rows, int cols) {

    /**
     * Checks the size: every recipe fills a {@code rows·cols} array, and a negative size gave some of them a
     * one-element block rather than an error.
     */
    public BlockContext {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("a block must be at least 1×1, got " + rows + "×" + cols
                    + " (" + parameter + " " + layer + "/" + gate + ")");
        }
        if ((long) rows * cols > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a block of " + rows + "×" + cols + " has more elements than a Java "
                    + "array holds (" + parameter + " " + layer + "/" + gate + ")");
        }
    }

    /** A context for a bare {@code rows × cols} block (tests, tools): an RNN-tanh {@code l0/h} block. */
    public static BlockContext of(int rows, int cols) {
        return new BlockContext("rnn", Nonlinearity.TANH, "l0", "h", "weight_hh_l0", rows, cols);
    }

    /** Whether the block is square. */
    public boolean square() {
        return rows == cols;
    }
}
