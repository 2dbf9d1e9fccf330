package dev.mnemo.nn.init;

import dev.mnemo.nn.analysis.GateBlocks;
import dev.mnemo.nn.layers.RecurrentLayer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which gate blocks of {@code weight_hh} the recurrent recipe applies to: {@code all} (the default),
 * {@code candidate} (LSTM g, GRU n, RNN h), or a subset of gate names such as {@code i,f}.
 *
 * @param spec {@code all}, {@code candidate}, or comma-separated gate names
 */
public record GateMask(String spec) {

    /** Validates the syntax (the gate names are checked against a layer in {@link #resolve}). */
    public GateMask {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("mask must be all, candidate, or gate names like i,f; got '" + spec + "'");
        }
        spec = spec.replace(" ", "");
    }

    /** Every gate. */
    public static GateMask all() {
        return new GateMask("all");
    }

    /** The candidate gate only. */
    public static GateMask candidate() {
        return new GateMask("candidate");
    }

    /** The named gates. */
    public static GateMask of(String... gates) {
        return new GateMask(String.join(",", gates));
    }

    /**
     * The gates of {@code layer} this mask selects, in gate order.
     *
     * @throws IllegalArgumentException naming a gate the layer's cell does not have
     */
    public Set<String> resolve(RecurrentLayer layer) {
        List<String> gates = GateBlocks.gateNames(layer);
        if (spec.equals("all")) {
            return new LinkedHashSet<>(gates);
        }
        if (spec.equals("candidate")) {
            return Set.of(GateBlocks.candidateGate(layer));
        }
        List<String> asked = new ArrayList<>(Arrays.asList(spec.split(",", -1)));
        for (String g : asked) {
            if (g.isEmpty()) {   // "," selected no gate: the recipe went to none, while the record named it
                throw new IllegalArgumentException("mask '" + spec + "' has an empty gate name; name gates like i,f");
            }
            if (!gates.contains(g)) {
                throw new IllegalArgumentException("mask gate '" + g + "' is not a gate of " + GateBlocks.cellName(layer)
                        + " (" + String.join(", ", gates) + ")");
            }
        }
        Set<String> out = new LinkedHashSet<>();
        for (String g : gates) {
            if (asked.contains(g)) {
                out.add(g);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return spec;
    }
}
