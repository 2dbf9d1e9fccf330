package dev.mnemo.experiments.train;

import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.analysis.SpectrumTracker;
import dev.mnemo.nn.io.SafeTensors;
import dev.mnemo.nn.layers.RecurrentLayer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

/** The files of a run folder: checked up front, then config, metrics, spectra, weights and result. */
public final class RunFolder {

    private RunFolder() {
    }

    /** Creates {@code out} and checks that a file can be written in it: one clear message otherwise. */
    public static void prepare(Path out) {
        try {
            Files.createDirectories(out);
            Path probe = Files.createTempFile(out, ".write-check", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new IllegalArgumentException("cannot write to the output folder " + out + " ("
                    + e.getClass().getSimpleName().replace("Exception", "") + ": " + e.getMessage() + ")");
        }
    }

    /** What a training run writes into its folder: what {@link #startRun} clears from an earlier run. */
    static final List<String> RUN_FILES = List.of("config.txt", "metrics.csv", "result.txt",
            "weights.safetensors", "free-running.csv", "translations.tsv", "source-vocabulary.txt",
            "target-vocabulary.txt", SpectrumTracker.SPECTRUM_FILE, SpectrumTracker.SUMMARY_FILE,
            SpectrumTracker.RADIUS_PLOT);

    /**
     * Starts a training run's output, once its data are loaded and its model is built: deletes the files an
     * earlier run left in {@code out} (those of {@link #RUN_FILES} and {@code eigenvalues-*.png}), so the folder
     * never mixes two runs (a memnet run kept an LSTM run's spectrum files), then writes {@code config.txt}.
     * Other files are left alone. Call {@link #prepare} first, at the start: clearing there wiped a good run's
     * folder when the new run then failed on a missing data folder or a bad parameter.
     */
    public static void startRun(Path out, String config) {
        try (var stale = Files.newDirectoryStream(out, f -> {
            String name = f.getFileName().toString();
            return RUN_FILES.contains(name) || name.startsWith("eigenvalues-") && name.endsWith(".png");
        })) {
            for (Path f : stale) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot clear the earlier run's files in " + out + " (" + e.getMessage()
                    + ")");
        }
        write(out.resolve("config.txt"), config);
    }

    /**
     * The line that heads a diverged run's results, empty for a run whose last training loss is finite. The
     * trainers stop a run whose loss stops being finite and still score it; those scores are of NaN weights
     * (a chance-level guess), and this line says so wherever they are printed or written.
     */
    public static String divergedNote(double lastLoss) {
        return Double.isFinite(lastLoss) ? "" : "diverged: the training loss stopped being finite (" + lastLoss
                + "); the scores below are of the diverged model, not a result\n";
    }

    /** Writes {@code text} to {@code file}, naming the file on failure. */
    public static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** weights.safetensors: every parameter of {@code model}, with {@code metadata}. */
    public static void writeWeights(Path out, SequenceModel model, Map<String, String> metadata) {
        writeWeights(out, model.parameters(), metadata);
    }

    /** weights.safetensors: {@code parameters} by name, with {@code metadata}. */
    public static void writeWeights(Path out, SequencedMap<String, Tensor> parameters, Map<String, String> metadata) {
        Path file = out.resolve("weights.safetensors");
        try {
            SafeTensors.write(file, parameters, metadata);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * A tracker of every recurrent layer of {@code model} writing into {@code out}, a snapshot every
     * {@code every} steps, "modes with τ &gt; horizon" counted; null when {@code out} is null or the
     * model has no recurrent layer.
     */
    public static SpectrumTracker tracker(Path out, SequenceModel model, int every, double horizon) {
        return tracker(out, model.recurrentLayers(), every, horizon);
    }

    /** As {@link #tracker(Path, SequenceModel, int, double)}, of {@code layers} by name ("" = unprefixed). */
    public static SpectrumTracker tracker(Path out, SequencedMap<String, RecurrentLayer> layers, int every,
                                          double horizon) {
        if (out == null || layers.isEmpty()) {
            return null;
        }
        SpectrumTracker.Builder b = SpectrumTracker.builder(out).every(every).horizon(horizon);
        layers.forEach(b::track);
        return b.build();
    }

    /** {@code [########............]}: {@code done} of {@code total}, 20 characters. */
    public static String bar(int done, int total) {
        int filled = (int) Math.round(20.0 * done / total);
        return "[" + "#".repeat(filled) + ".".repeat(20 - filled) + "]";
    }
}
