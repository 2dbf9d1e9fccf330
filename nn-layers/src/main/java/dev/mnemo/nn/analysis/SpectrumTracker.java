package dev.mnemo.nn.analysis;

import dev.mnemo.nn.layers.RecurrentLayer;
import dev.mnemo.nn.linalg.EigenOptions;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Snapshots the spectra of recurrent layers during training, to CSV and PNG.
 *
 * <pre>
 *   try (var tracker = SpectrumTracker.builder(Path.of("runs/lstm")).every(100).horizon(784)
 *           .track(lstm).build()) {
 *       for (long step = 0; step &lt; steps; step++) {
 *           tracker.onStep(step);          // snapshots at step 0, 100, 200…
 *           ... train ...
 *       }
 *       tracker.snapshot(steps);           // the final state
 *       tracker.writePlots();
 *   }
 * </pre>
 *
 * <h2>Files (in the directory; overwritten by {@link Builder#build()})</h2>
 * <ul>
 *   <li>{@value #SPECTRUM_FILE}: {@code step,layer,gate,re,im,abs}, one row per eigenvalue of every
 *       gate block (see {@link SpectrumCsv});</li>
 *   <li>{@value #SUMMARY_FILE}: {@code step,layer,gate,radius,modes_tau_gt_<T>}, one row per block:
 *       the spectral radius and the number of modes with memory time constant τ &gt; T
 *       ({@link SpectrumSummary#modesLongerThan});</li>
 *   <li>{@link #writePlots()}: {@code eigenvalues-<layer>-<gate>.png}, the first and the latest
 *       snapshot on the complex plane with the unit circle, and {@value #RADIUS_PLOT}, every block's
 *       spectral radius over the snapshots.</li>
 * </ul>
 * Layers are labelled {@code l0}, {@code l0_reverse}, … ({@code name.l0} when tracked under a name).
 * Both CSVs are flushed after every snapshot. Not thread-safe: call from the training loop.
 *
 * <p>A snapshot while a tracked layer's {@code weight_hh} holds NaN or ±∞ (training diverged) is
 * skipped, not thrown: the tracker must not end a run whose divergence the training loop handles.
 * No rows are written for that step; {@link #skippedSteps()} lists it, and the pictures show the
 * snapshots that were taken.
 */
public final class SpectrumTracker implements AutoCloseable {

    /** The per-eigenvalue CSV. */
    public static final String SPECTRUM_FILE = "spectrum.csv";
    /** The per-block CSV. */
    public static final String SUMMARY_FILE = "spectrum-summary.csv";
    /** The spectral-radius picture. */
    public static final String RADIUS_PLOT = "spectral-radius.png";

    private record Tracked(String name, RecurrentLayer layer) {
    }

    private record Radii(List<Long> steps, List<Double> values) {
    }

    private final Path directory;
    private final int every;
    private final double horizon;
    private final List<Tracked> tracked;
    private final EigenOptions options;
    private final int plotSize;
    private final BufferedWriter spectrum;
    private final BufferedWriter summary;
    private final Map<String, Radii> radii = new LinkedHashMap<>();
    private final List<Long> skipped = new ArrayList<>();
    private List<SpectrumSummary> first;
    private List<SpectrumSummary> latest;
    private long firstStep;
    private long latestStep;
    private boolean closed;

    private SpectrumTracker(Builder b) throws IOException {
        this.directory = b.directory;
        this.every = b.every;
        this.horizon = b.horizon;
        this.tracked = List.copyOf(b.tracked);
        this.options = b.options;
        this.plotSize = b.plotSize;
        Files.createDirectories(directory);
        this.spectrum = Files.newBufferedWriter(directory.resolve(SPECTRUM_FILE));
        try {
            this.summary = Files.newBufferedWriter(directory.resolve(SUMMARY_FILE));
        } catch (IOException e) {
            spectrum.close();
            throw e;
        }
        spectrum.write(SpectrumCsv.HEADER);
        spectrum.newLine();
        summary.write("step,layer,gate,radius," + modesColumn(horizon));
        summary.newLine();
        spectrum.flush();
        summary.flush();
    }

    /**
     * The name of the summary's last column: {@code modes_tau_gt_784} (T as written, integral T without ".0";
     * from 2^63 on as a double, {@code modes_tau_gt_1.0E19}, since a long would saturate and name another T).
     */
    public static String modesColumn(double horizon) {
        boolean fitsLong = horizon == Math.rint(horizon) && Math.abs(horizon) < 0x1p63;
        return "modes_tau_gt_" + (fitsLong ? Long.toString((long) horizon) : Double.toString(horizon));
    }

    /** A builder writing into {@code directory} (created if needed). */
    public static Builder builder(Path directory) {
        return new Builder(directory);
    }

    /**
     * Takes a snapshot when {@code step} is a multiple of {@link Builder#every}; call once per step.
     *
     * @return whether a snapshot was taken (false also when it was skipped for non-finite weights)
     */
    public boolean onStep(long step) {
        if (step % every != 0) {
            return false;
        }
        return !snapshot(step).isEmpty();
    }

    /**
     * Analyses every tracked layer now, appends the rows to both CSVs and flushes them.
     *
     * @return one summary per gate block, tracked layers in order; empty when a tracked layer's
     *         recurrent weights are not finite (the step is then in {@link #skippedSteps()})
     * @throws UncheckedIOException naming the file when it cannot be written
     */
    public List<SpectrumSummary> snapshot(long step) {
        if (closed) {
            throw new IllegalStateException("this SpectrumTracker is closed");
        }
        // one snapshot a step: a step written twice gave spectrum.csv 2H modes for an H×H block at that step,
        // and a spectrum-matched init read from it drew its modes instead of copying them
        if (first != null && step <= latestStep) {
            throw new IllegalArgumentException("step " + step + " is not after the last snapshot's (" + latestStep
                    + "): the CSVs hold one snapshot a step, in order");
        }
        for (Tracked t : tracked) {
            if (!GateBlocks.recurrentFinite(t.layer())) {
                skipped.add(step);
                return List.of();
            }
        }
        List<SpectrumSummary> all = new ArrayList<>();
        for (Tracked t : tracked) {
            all.addAll(SpectrumAnalysis.of(t.name(), t.layer(), options));
        }
        try {
            for (SpectrumSummary s : all) {
                double[] re = s.re();
                double[] im = s.im();
                for (int i = 0; i < re.length; i++) {
                    spectrum.write(new SpectrumCsv.Row(step, s.layer(), s.gate(), re[i], im[i],
                            Math.hypot(re[i], im[i])).line());
                    spectrum.newLine();
                }
                summary.write(step + "," + s.layer() + "," + s.gate() + "," + s.spectralRadius() + ","
                        + s.modesLongerThan(horizon));
                summary.newLine();
            }
            spectrum.flush();
            summary.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the spectrum files in " + directory + ": " + e.getMessage(), e);
        }
        for (SpectrumSummary s : all) {
            Radii r = radii.computeIfAbsent(s.layer() + "/" + s.gate(), k -> new Radii(new ArrayList<>(),
                    new ArrayList<>()));
            r.steps().add(step);
            r.values().add(s.spectralRadius());
        }
        if (first == null) {
            first = all;
            firstStep = step;
        }
        latest = all;
        latestStep = step;
        return all;
    }

    /**
     * Writes the pictures of the snapshots so far: per gate block, the first and the latest snapshot
     * on the complex plane; and the spectral radii over training.
     *
     * @return the files written; empty before the first snapshot
     */
    public List<Path> writePlots() {
        List<Path> out = new ArrayList<>();
        if (first == null) {
            return out;
        }
        for (int i = 0; i < latest.size(); i++) {
            SpectrumSummary before = first.get(i);
            SpectrumSummary after = latest.get(i);
            List<SpectrumPlots.Series> series = new ArrayList<>();
            series.add(new SpectrumPlots.Series("step " + firstStep, before.re(), before.im()));
            if (latest != first) {
                series.add(new SpectrumPlots.Series("step " + latestStep + (latestStep == firstStep ? " (latest)" : ""),
                        after.re(), after.im()));
            }
            Path png = directory.resolve("eigenvalues-" + after.layer() + "-" + after.gate() + ".png");
            SpectrumPlots.complexPlane(png, "eigenvalues of " + after.layer() + " gate " + after.gate(), series,
                    plotSize, plotSize);
            out.add(png);
        }
        List<SpectrumPlots.Trajectory> lines = new ArrayList<>();
        for (var e : radii.entrySet()) {
            long[] steps = e.getValue().steps().stream().mapToLong(Long::longValue).toArray();
            double[] values = e.getValue().values().stream().mapToDouble(Double::doubleValue).toArray();
            lines.add(new SpectrumPlots.Trajectory(e.getKey(), steps, values));
        }
        Path png = directory.resolve(RADIUS_PLOT);
        SpectrumPlots.overTraining(png, "spectral radius per gate block", "max |λ|", lines, plotSize * 3 / 2, plotSize);
        out.add(png);
        return out;
    }

    /** The steps whose snapshot was skipped because a tracked layer's recurrent weights were not finite. */
    public List<Long> skippedSteps() {
        return List.copyOf(skipped);
    }

    /** {@value #SPECTRUM_FILE} in the directory. */
    public Path spectrumCsv() {
        return directory.resolve(SPECTRUM_FILE);
    }

    /** {@value #SUMMARY_FILE} in the directory. */
    public Path summaryCsv() {
        return directory.resolve(SUMMARY_FILE);
    }

    /** Closes both CSVs (idempotent). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (spectrum; summary) {
            spectrum.flush();
            summary.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the spectrum files in " + directory + ": " + e.getMessage(), e);
        }
    }

    /** Mutable builder; {@link #build()} validates and creates the files. */
    public static final class Builder {
        private final Path directory;
        private int every = 100;
        private double horizon = 100;
        private final List<Tracked> tracked = new ArrayList<>();
        private EigenOptions options = EigenOptions.defaults();
        private int plotSize = 640;

        private Builder(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
        }

        /** Snapshot period of {@link #onStep}, in steps; default 100. */
        public Builder every(int every) {
            this.every = every;
            return this;
        }

        /** T of the summary's "modes with τ &gt; T" column; default 100. */
        public Builder horizon(double horizon) {
            this.horizon = horizon;
            return this;
        }

        /** Tracks {@code layer}, labelled {@code l0}, …. */
        public Builder track(RecurrentLayer layer) {
            return track("", layer);
        }

        /** Tracks {@code layer}, labelled {@code name.l0}, … ({@code name} without commas or spaces). */
        public Builder track(String name, RecurrentLayer layer) {
            Objects.requireNonNull(layer, "layer");
            if (name == null || !name.matches("[A-Za-z0-9_.\\-]*")) {
                throw new IllegalArgumentException("name must be letters, digits, '_', '.', '-' only, got '" + name + "'");
            }
            tracked.add(new Tracked(name, layer));
            return this;
        }

        /** Options of the eigendecompositions; default {@link EigenOptions#defaults()}. */
        public Builder eigenOptions(EigenOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        /** Height of the pictures in pixels (the complex plane is square); default 640. */
        public Builder plotSize(int plotSize) {
            this.plotSize = plotSize;
            return this;
        }

        /**
         * Creates the directory and both CSVs with their headers.
         *
         * @throws IllegalArgumentException on a bad option or no layer tracked
         * @throws UncheckedIOException     when the files cannot be created
         */
        public SpectrumTracker build() {
            if (every < 1) {
                throw new IllegalArgumentException("every must be >= 1, got " + every);
            }
            if (!(horizon > 0) || !Double.isFinite(horizon)) {   // ∞ named a column modes_tau_gt_9223372036854775807
                throw new IllegalArgumentException("horizon must be > 0 and finite, got " + horizon);
            }
            if (plotSize < 16) {
                throw new IllegalArgumentException("plotSize must be >= 16, got " + plotSize);
            }
            if (tracked.isEmpty()) {
                throw new IllegalArgumentException("track at least one layer");
            }
            if (tracked.stream().map(Tracked::name).distinct().count() != tracked.size()) {
                throw new IllegalArgumentException("tracked layers need distinct names, got "
                        + tracked.stream().map(t -> "'" + t.name() + "'").toList());
            }
            try {
                return new SpectrumTracker(this);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the spectrum files in " + directory + ": "
                        + e.getMessage(), e);
            }
        }
    }
}
