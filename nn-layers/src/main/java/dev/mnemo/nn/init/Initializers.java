package dev.mnemo.nn.init;

import dev.mnemo.nn.layers.RecurrentLayer;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The initializers of reference/eigen.md by name, and the record of what was applied to each layer.
 *
 * <h2>Names and parameters ({@link #byName})</h2>
 * Every name takes {@code seed} (default 0), {@code mask} ({@code all} | {@code candidate} | gate
 * names like {@code i,f}; default all), {@code others} and {@code input} ({@code xavier} |
 * {@code pytorch} | {@code keep}; default xavier), {@code bias} ({@code zero} | {@code keep} | {@code pytorch};
 * default zero, pytorch for {@code pytorch}) and {@code forget-bias} (a number, or {@code off}, the default). Then:
 * <pre>
 *   xavier            distribution=uniform|normal (uniform), gain (1)
 *   kaiming           distribution (uniform), nonlinearity=auto|relu|tanh|linear (auto), gain (overrides)
 *   orthogonal        gain (1)
 *   irnn              gain (1), input-std (0.001; the input weights are N(0, input-std²))
 *   sp-rnn            (none; our reading: np-RNN)
 *   eigen             magnitude=uniform|fixed|linspace|two-level (uniform); r-min (0.5), r-max (1.0) for
 *                     uniform and linspace; r (1.0) for fixed; share (0.1), high (0.99), low (0.5) for
 *                     two-level; phase=uniform|zero (uniform); theta-max (π); basis=orthogonal|random
 *                     (orthogonal); gain (1)
 *   spectrum-matched  csv (required: a SpectrumTracker spectrum.csv), step (the last), layer (same),
 *                     gate (same), resample (false), basis (orthogonal), gain (1)
 *   pytorch           (none: U(−1/√H, 1/√H) everywhere, PyTorch's default, for baselines)
 * </pre>
 * A parameter that the name does not take, or that the chosen options do not use (say {@code r}
 * with {@code magnitude=uniform}), is an error that lists the valid ones.
 */
public final class Initializers {

    /** Every registered name. */
    public static final List<String> NAMES = List.of("xavier", "kaiming", "orthogonal", "irnn", "sp-rnn", "eigen",
            "spectrum-matched", "pytorch");

    private static final Map<RecurrentLayer, InitRecord> RECORDS = Collections.synchronizedMap(new WeakHashMap<>());

    private Initializers() {
    }

    /** The record of the last initializer applied to {@code layer} through this package. */
    public static Optional<InitRecord> recordOf(RecurrentLayer layer) {
        return Optional.ofNullable(RECORDS.get(layer));
    }

    static void remember(RecurrentLayer layer, InitRecord record) {
        RECORDS.put(layer, record);
    }

    // ---- factories ----

    /** Xavier per block (recurrent and input), biases zero. */
    public static RecurrentInit xavier(Distribution distribution, double gain, long seed) {
        return RecurrentInit.builder(new Xavier(distribution, gain)).seed(seed).build();
    }

    /** Kaiming per block, gain by the cell's nonlinearity; input weights Xavier-uniform. */
    public static RecurrentInit kaiming(Distribution distribution, long seed) {
        return RecurrentInit.builder(Kaiming.of(distribution, "auto")).seed(seed).build();
    }

    /** Orthogonal recurrent blocks; input weights Xavier-uniform. */
    public static RecurrentInit orthogonal(double gain, long seed) {
        return RecurrentInit.builder(new Orthogonal(gain)).seed(seed).build();
    }

    /** IRNN: recurrent blocks g·I, input weights N(0, 0.001²), biases zero. */
    public static RecurrentInit irnn(double gain, long seed) {
        return RecurrentInit.builder(new ScaledIdentity(gain)).input(new Gaussian(0.001)).seed(seed).build();
    }

    /** sp-rnn (our reading: np-RNN); input weights Xavier-uniform. */
    public static RecurrentInit spRnn(long seed) {
        return RecurrentInit.builder(new SpRnn()).seed(seed).build();
    }

    /** The eigen initializer with these recipe settings; input weights Xavier-uniform. */
    public static RecurrentInit eigen(EigenInit recipe, long seed) {
        return RecurrentInit.builder(recipe).seed(seed).build();
    }

    /** Spectrum-matched from {@code source}, same layer and gate; input weights Xavier-uniform. */
    public static RecurrentInit spectrumMatched(SpectrumSource source, long seed) {
        return RecurrentInit.builder(SpectrumMatched.of(source)).seed(seed).build();
    }

    /** PyTorch's default everywhere (U(−1/√H, 1/√H)), biases too: the baseline (radius ≈ 0.58 per block). */
    public static RecurrentInit pytorch(long seed) {
        return RecurrentInit.builder(new PyTorchDefault()).input(new PyTorchDefault())
                .biases(RecurrentInit.Biases.PYTORCH).seed(seed)
                .build();
    }

    // ---- the registry ----

    /**
     * The initializer {@code name} with {@code params} (values are read with {@code toString()}).
     *
     * @throws IllegalArgumentException for an unknown name (listing the valid ones), an unknown or unused
     *                                  parameter (listing the valid ones), or a bad value
     */
    public static RecurrentInit byName(String name, Map<String, ?> params) {
        if (name == null || !NAMES.contains(name)) {
            throw new IllegalArgumentException("unknown initializer '" + name + "'; valid names: "
                    + String.join(", ", NAMES));
        }
        Params p = new Params(name, params == null ? Map.of() : params);
        BlockInit recurrent = switch (name) {
            case "xavier" -> new Xavier(Distribution.parse(p.text("distribution", "uniform")), p.number("gain", 1.0));
            case "kaiming" -> {
                Distribution d = Distribution.parse(p.text("distribution", "uniform"));
                String nl = p.text("nonlinearity", "auto");
                yield p.has("gain") ? kaimingWithGain(d, nl, p) : Kaiming.of(d, nl);
            }
            case "orthogonal" -> new Orthogonal(p.number("gain", 1.0));
            case "irnn" -> new ScaledIdentity(p.number("gain", 1.0));
            case "sp-rnn" -> new SpRnn();
            case "eigen" -> eigenRecipe(p);
            case "spectrum-matched" -> {
                if (!p.has("csv")) {
                    throw new IllegalArgumentException("spectrum-matched needs csv=<path of a SpectrumTracker "
                            + "spectrum.csv>");
                }
                SpectrumSource source;
                try {
                    source = SpectrumSource.fromCsv(Path.of(p.text("csv", "")), p.integer("step", -1));
                } catch (java.io.UncheckedIOException e) {   // a bad value, as this method's contract says
                    throw new IllegalArgumentException("spectrum-matched: cannot read csv=" + p.text("csv", "") + ": "
                            + e.getMessage(), e);
                }
                yield new SpectrumMatched(source, p.textOrNull("layer"), p.textOrNull("gate"),
                        p.bool("resample", false), Basis.parse(p.text("basis", "orthogonal")), p.number("gain", 1.0));
            }
            case "pytorch" -> new PyTorchDefault();
            default -> throw new AssertionError(name);
        };
        RecurrentInit.Builder b = RecurrentInit.builder(recurrent).name(name);
        b.seed(p.integer("seed", 0));
        b.mask(new GateMask(p.text("mask", "all")));
        String defaultInput = name.equals("pytorch") ? "pytorch" : "xavier";
        if (name.equals("irnn")) {
            b.input(new Gaussian(p.number("input-std", 0.001)));
        } else {
            setInput(b, p.text("input", defaultInput), name);
        }
        String others = p.text("others", name.equals("pytorch") ? "pytorch" : "xavier");
        switch (others) {
            case "xavier" -> b.others(Xavier.uniform());
            case "pytorch" -> b.others(new PyTorchDefault());
            case "keep" -> b.keepOthers();
            default -> throw new IllegalArgumentException(name + ": others must be xavier, pytorch or keep, got '"
                    + others + "'");
        }
        String bias = p.text("bias", name.equals("pytorch") ? "pytorch" : "zero");
        switch (bias) {
            case "zero" -> b.biases(RecurrentInit.Biases.ZERO);
            case "keep" -> b.biases(RecurrentInit.Biases.KEEP);
            case "pytorch" -> b.biases(RecurrentInit.Biases.PYTORCH);
            default -> throw new IllegalArgumentException(name + ": bias must be zero, keep or pytorch, got '" + bias
                    + "'");
        }
        String forget = p.text("forget-bias", "off");
        if (!forget.equals("off")) {
            b.forgetBias(p.number("forget-bias", 0));
        }
        p.requireAllUsed();
        return b.build();
    }

    private static Kaiming kaimingWithGain(Distribution d, String nl, Params p) {
        if (!nl.equals("auto")) {
            throw new IllegalArgumentException("kaiming: give nonlinearity or gain, not both (got nonlinearity=" + nl
                    + ", gain=" + p.text("gain", "") + ")");
        }
        return Kaiming.withGain(d, p.number("gain", 1.0));
    }

    private static void setInput(RecurrentInit.Builder b, String input, String name) {
        switch (input) {
            case "xavier" -> b.input(Xavier.uniform());
            case "pytorch" -> b.input(new PyTorchDefault());
            case "keep" -> b.keepInput();
            default -> throw new IllegalArgumentException(name + ": input must be xavier, pytorch or keep, got '"
                    + input + "'");
        }
    }

    private static EigenInit eigenRecipe(Params p) {
        String m = p.text("magnitude", "uniform");
        Magnitude magnitude = switch (m) {
            case "uniform" -> new Magnitude.Uniform(p.number("r-min", 0.5), p.number("r-max", 1.0));
            case "fixed" -> new Magnitude.Fixed(p.number("r", 1.0));
            case "linspace" -> new Magnitude.Linspace(p.number("r-min", 0.5), p.number("r-max", 1.0));
            case "two-level" -> new Magnitude.TwoLevel(p.number("share", 0.1), p.number("high", 0.99),
                    p.number("low", 0.5));
            default -> throw new IllegalArgumentException("eigen: magnitude must be uniform, fixed, linspace or "
                    + "two-level, got '" + m + "'");
        };
        String ph = p.text("phase", "uniform");
        Phase phase = switch (ph) {
            case "uniform" -> new Phase.Uniform(p.number("theta-max", Math.PI));
            case "zero" -> new Phase.Zero();
            default -> throw new IllegalArgumentException("eigen: phase must be uniform or zero, got '" + ph + "'");
        };
        return new EigenInit(magnitude, phase, Basis.parse(p.text("basis", "orthogonal")), p.number("gain", 1.0));
    }

    /** The parameters of one {@link #byName} call: typed reads that remember what was used. */
    private static final class Params {
        private static final List<String> COMMON = List.of("seed", "mask", "others", "input", "bias", "forget-bias");
        private static final Map<String, List<String>> OWN = Map.of(
                "xavier", List.of("distribution", "gain"),
                "kaiming", List.of("distribution", "nonlinearity", "gain"),
                "orthogonal", List.of("gain"),
                "irnn", List.of("gain", "input-std"),
                "sp-rnn", List.of(),
                "eigen", List.of("magnitude", "r-min", "r-max", "r", "share", "high", "low", "phase", "theta-max",
                        "basis", "gain"),
                "spectrum-matched", List.of("csv", "step", "layer", "gate", "resample", "basis", "gain"),
                "pytorch", List.of());

        private final String name;
        private final Map<String, String> values = new LinkedHashMap<>();
        private final Set<String> used = new LinkedHashSet<>();
        private final List<String> valid;

        Params(String name, Map<String, ?> raw) {
            this.name = name;
            this.valid = new java.util.ArrayList<>(COMMON);
            if (name.equals("irnn")) {
                valid.remove("input");
            }
            valid.addAll(OWN.get(name));
            raw.forEach((k, v) -> {
                if (!valid.contains(k)) {
                    throw new IllegalArgumentException("unknown parameter '" + k + "' for initializer " + name
                            + "; valid: " + String.join(", ", valid));
                }
                values.put(k, String.valueOf(v).trim());
            });
        }

        boolean has(String key) {
            return values.containsKey(key);
        }

        String text(String key, String fallback) {
            used.add(key);
            return values.getOrDefault(key, fallback);
        }

        String textOrNull(String key) {
            used.add(key);
            return values.get(key);
        }

        double number(String key, double fallback) {
            String s = text(key, null);
            if (s == null) {
                return fallback;
            }
            try {
                return switch (s) {
                    case "pi", "π" -> Math.PI;
                    default -> Double.parseDouble(s);
                };
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("parameter " + key + " of " + name + " must be a number, got '"
                        + s + "'");
            }
        }

        /** A whole number, read exactly (a double would round seeds above 2^53 and drop fractions). */
        long integer(String key, long fallback) {
            String s = text(key, null);
            if (s == null) {
                return fallback;
            }
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("parameter " + key + " of " + name + " must be a whole number, got '"
                        + s + "'");
            }
        }

        boolean bool(String key, boolean fallback) {
            String s = text(key, null);
            if (s == null) {
                return fallback;
            }
            return switch (s) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new IllegalArgumentException("parameter " + key + " of " + name + " must be true or "
                        + "false, got '" + s + "'");
            };
        }

        void requireAllUsed() {
            for (String k : values.keySet()) {
                if (!used.contains(k)) {
                    throw new IllegalArgumentException("parameter '" + k + "' is not used by " + name + " with these "
                            + "settings (" + values + "); it applies to another choice of its options");
                }
            }
        }
    }
}
