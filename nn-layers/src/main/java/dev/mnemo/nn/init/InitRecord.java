package dev.mnemo.nn.init;

import java.util.List;

/**
 * What an initializer did to a layer, for experiments to print: its name, its full description
 * (every parameter, seed included), the layer, one line per block written, and notes (switches
 * that did not apply, a recipe used off its home cell).
 *
 * @param initializer its name, {@code eigen}
 * @param description {@link Initializer#describe()}
 * @param layer       the layer's {@code toString()}, {@code Lstm(1, 64)}
 * @param applied     {@code weight_hh_l0[g] ← eigen}, {@code bias_ih_l0 ← 0}, …
 * @param notes       warnings; empty when none
 */
public record InitRecord(String initializer, String description, String layer, List<String> applied,
                         List<String> notes) {

    /** Copies the lists. */
    public InitRecord {
        applied = List.copyOf(applied);
        notes = List.copyOf(notes);
    }

    /** {@code Lstm(1, 64) initialised by eigen(...) ...; notes: ...}: one line. */
    public String summary() {
        return layer + " initialised by " + description + (notes.isEmpty() ? "" : "; notes: " + String.join("; ",
                notes));
    }

    @Override
    public String toString() {
        return summary();
    }
}
