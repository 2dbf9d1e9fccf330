package dev.mnemo.nn.init;

import dev.mnemo.nn.analysis.SpectrumAnalysis;
import dev.mnemo.nn.analysis.SpectrumCsv;
import dev.mnemo.nn.analysis.SpectrumSummary;
import dev.mnemo.nn.layers.RecurrentLayer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Recorded spectra by {@code layer/gate} (e.g. {@code l0/g}), for {@link SpectrumMatched}: from a
 * spectrum CSV written by {@code SpectrumTracker} (one step of it) or from a trained layer.
 */
public final class SpectrumSource {

    private final String description;
    private final Map<String, double[][]> spectra;

    private SpectrumSource(String description, Map<String, double[][]> spectra) {
        this.description = description;
        this.spectra = spectra;
    }

    /** The last step recorded in {@code csv} ({@code step,layer,gate,re,im,abs}, see {@link SpectrumCsv}). */
    public static SpectrumSource fromCsv(Path csv) {
        return fromCsv(csv, -1);
    }

    /**
     * Step {@code step} of {@code csv}; a negative step means the last one.
     *
     * @throws IllegalArgumentException when the file has no rows or none at that step (naming the steps
     *                                  it has)
     */
    public static SpectrumSource fromCsv(Path csv, long step) {
        List<SpectrumCsv.Row> rows = SpectrumCsv.read(csv);
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(csv + " holds no spectrum rows");
        }
        long at = step >= 0 ? step : rows.stream().mapToLong(SpectrumCsv.Row::step).max().orElseThrow();
        Map<String, List<double[]>> grouped = new LinkedHashMap<>();
        for (SpectrumCsv.Row r : rows) {
            if (r.step() == at) {
                grouped.computeIfAbsent(r.layer() + "/" + r.gate(), k -> new ArrayList<>())
                        .add(new double[]{r.re(), r.im()});
            }
        }
        if (grouped.isEmpty()) {
            throw new IllegalArgumentException(csv + " has no rows at step " + at + "; its steps are "
                    + rows.stream().map(SpectrumCsv.Row::step).distinct().toList());
        }
        Map<String, double[][]> spectra = new LinkedHashMap<>();
        grouped.forEach((k, list) -> {
            double[] re = new double[list.size()];
            double[] im = new double[list.size()];
            for (int i = 0; i < re.length; i++) {
                re[i] = list.get(i)[0];
                im[i] = list.get(i)[1];
            }
            spectra.put(k, new double[][]{re, im});
        });
        return new SpectrumSource(csv.getFileName() + " step " + at, spectra);
    }

    /** The spectra of every gate block of {@code trained} now (labels {@code l0/i}, …). */
    public static SpectrumSource fromLayer(RecurrentLayer trained) {
        Objects.requireNonNull(trained, "trained");
        Map<String, double[][]> spectra = new LinkedHashMap<>();
        for (SpectrumSummary s : SpectrumAnalysis.of(trained)) {
            spectra.put(s.layer() + "/" + s.gate(), new double[][]{s.re(), s.im()});
        }
        return new SpectrumSource("layer " + trained, spectra);
    }

    /** The recorded spectrum {re, im} of {@code layer/gate}. */
    public Optional<double[][]> spectrum(String layer, String gate) {
        double[][] s = spectra.get(layer + "/" + gate);
        return s == null ? Optional.empty() : Optional.of(new double[][]{s[0].clone(), s[1].clone()});
    }

    /** The recorded blocks, {@code l0/i}, … */
    public List<String> blocks() {
        return List.copyOf(spectra.keySet());
    }

    /** {@code spectrum.csv step 500 (8 blocks)}. */
    public String describe() {
        return description + " (" + spectra.size() + " block" + (spectra.size() == 1 ? "" : "s") + ")";
    }

    @Override
    public String toString() {
        return describe();
    }
}
