package dev.mnemo.nn.init;

import dev.mnemo.nn.layers.RecurrentLayer;

/**
 * Sets every parameter of a recurrent layer, reproducibly from a seed, and says how.
 * Get one by name from {@link Initializers#byName} or build a {@link RecurrentInit}.
 */
public interface Initializer {

    /** The registry name: {@code eigen}, {@code xavier}, … */
    String name();

    /** Every parameter, seed included: what experiments print under their tables. */
    String describe();

    /**
     * Writes the layer's parameters (views into its flat buffer, on its backend) and records what was
     * done ({@link Initializers#recordOf}).
     *
     * @throws IllegalArgumentException when the initializer does not fit the layer (a mask gate the cell
     *                                  lacks, a missing recorded spectrum), before anything is written
     */
    InitRecord apply(RecurrentLayer layer);
}
