package dev.mnemo.experiments.cli;

import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.analysis.SpectrumCsv;
import dev.mnemo.nn.analysis.SpectrumPlots;
import dev.mnemo.nn.analysis.SpectrumSummary;
import dev.mnemo.nn.analysis.SpectrumTracker;
import dev.mnemo.nn.io.SafeTensors;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code mnemo spectrum --weights FILE}: the eigen-spectrum of every recurrent gate block of a saved
 * model. Every tensor named {@code [prefix]weight_hh_l<k>[_reverse]} is split into its H×H gate
 * blocks, the cell read from the shape ([G·H, H]: G = 1 RNN, 3 GRU r,z,n, 4 LSTM i,f,g,o).
 */
@Command(name = "spectrum", mixinStandardHelpOptions = true, versionProvider = MnemoVersion.class, sortOptions = false,
        description = "Spectrum summary and eigenvalue plots of the recurrent weights of a saved model (safetensors).")
final class SpectrumCommand implements Callable<Integer> {

    static final Pattern WEIGHT_HH = Pattern.compile("^(.*?)weight_hh_l(\\d+)(_reverse)?$");

    @Spec CommandSpec spec;

    @Option(names = "--weights", required = true, paramLabel = "FILE", description = "a .safetensors file")
    Path weights;

    @Option(names = "--horizon", defaultValue = "100",
            description = "task horizon T: count the modes with time constant τ > T (default ${DEFAULT-VALUE})")
    double horizon;

    @Option(names = "--out", paramLabel = "DIR",
            description = "folder for spectrum-summary.csv, spectrum.csv and the plots (default: spectrum/ beside FILE)")
    Path out;

    /** One H×H block of one weight_hh tensor. */
    record Block(String layer, String gate, String cell, Tensor matrix) {
    }

    @Override
    public Integer call() {
        if (!(horizon > 0) || Double.isInfinite(horizon)) {
            throw new IllegalArgumentException("--horizon must be a positive number, got " + horizon);
        }
        if (!Files.isRegularFile(weights)) {
            throw new IllegalArgumentException("weights file not found: " + weights);
        }
        SafeTensors.Contents contents;
        try {
            contents = SafeTensors.read(weights);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(weights + " is not a readable safetensors file: " + e.getMessage(), e);
        }
        List<Block> blocks = blocks(contents.tensors(), weights.toString());
        for (Block b : blocks) {   // before any output: a diverged run writes NaN weights, and the analysis said
            double[] values = b.matrix().toDoubleArray();   // only "square must be finite, got NaN at [0, 0]"
            for (int i = 0; i < values.length; i++) {
                if (!Double.isFinite(values[i])) {
                    int n = b.matrix().dim(1);
                    throw new IllegalArgumentException(weights + ": gate " + b.gate() + " of " + b.layer() + "'s "
                            + "weight_hh holds " + values[i] + " at [" + i / n + ", " + i % n + "]; a diverged run's "
                            + "weights have no spectrum");
                }
            }
        }
        Path dir = out != null ? out : weights.toAbsolutePath().getParent().resolve("spectrum");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write to the output folder " + dir + ": " + e.getMessage(), e);
        }
        PrintWriter o = spec.commandLine().getOut();
        String modes = SpectrumTracker.modesColumn(horizon);
        StringBuilder summary = new StringBuilder("layer,gate,cell,n,radius," + modes + ",sigma_max\n");
        StringBuilder rows = new StringBuilder(SpectrumCsv.HEADER + "\n");
        o.printf(Locale.ROOT, "%-20s %-4s %-5s %10s %12s %10s%n", "layer", "gate", "cell", "radius",
                "τ > " + SpectrumTracker.modesColumn(horizon).substring("modes_tau_gt_".length()), "σ_max");
        for (Block b : blocks) {
            SpectrumSummary s = SpectrumSummary.of(b.layer(), b.gate(), b.matrix());
            double sigmaMax = s.singularValues()[0];
            int longModes = s.modesLongerThan(horizon);
            o.printf(Locale.ROOT, "%-20s %-4s %-5s %10.4f %9d/%-2d %10.4f%n", b.layer(), b.gate(), b.cell(),
                    s.spectralRadius(), longModes, s.n(), sigmaMax);
            summary.append(b.layer()).append(',').append(b.gate()).append(',').append(b.cell()).append(',')
                    .append(s.n()).append(',').append(s.spectralRadius()).append(',').append(longModes).append(',')
                    .append(sigmaMax).append('\n');
            double[] re = s.re();
            double[] im = s.im();
            for (int i = 0; i < re.length; i++) {
                rows.append(new SpectrumCsv.Row(0, b.layer(), b.gate(), re[i], im[i], Math.hypot(re[i], im[i])).line())
                        .append('\n');
            }
            SpectrumPlots.complexPlane(dir.resolve("eigenvalues-" + b.layer() + "-" + b.gate() + ".png"),
                    "eigenvalues of " + b.layer() + " gate " + b.gate() + " (" + b.cell() + ")",
                    List.of(new SpectrumPlots.Series(weights.getFileName().toString(), re, im)), 480, 480);
        }
        try {
            Files.writeString(dir.resolve(SpectrumTracker.SUMMARY_FILE), summary);
            Files.writeString(dir.resolve(SpectrumTracker.SPECTRUM_FILE), rows);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write to the output folder " + dir + ": " + e.getMessage(), e);
        }
        o.println("wrote " + blocks.size() + " block(s) to " + dir.toAbsolutePath().normalize());
        o.flush();
        return 0;
    }

    /** Every gate block of every {@code weight_hh} tensor, in file order. */
    static List<Block> blocks(Map<String, Tensor> tensors, String source) {
        List<Block> out = new ArrayList<>();
        for (var e : tensors.entrySet()) {
            Matcher m = WEIGHT_HH.matcher(e.getKey());
            if (!m.matches()) {
                continue;
            }
            Tensor w = e.getValue();
            int[] shape = w.shape();
            if (shape.length != 2 || shape[1] < 1 || shape[0] % shape[1] != 0) {
                throw new IllegalArgumentException(e.getKey() + " in " + source + " has shape "
                        + Tensor.shapeString(shape) + "; expected [G*H, H] with G = 1, 3 or 4");
            }
            int h = shape[1];
            int g = shape[0] / h;
            String cell;
            List<String> gates;
            switch (g) {
                case 1 -> { cell = "rnn"; gates = List.of("h"); }
                case 3 -> { cell = "gru"; gates = List.of("r", "z", "n"); }
                case 4 -> { cell = "lstm"; gates = List.of("i", "f", "g", "o"); }
                default -> throw new IllegalArgumentException(e.getKey() + " in " + source + " has shape "
                        + Tensor.shapeString(shape) + " (" + g + " blocks of " + h
                        + "); cannot tell the cell: expected 1 (RNN), 3 (GRU) or 4 (LSTM) blocks");
            }
            String prefix = m.group(1).replaceAll("[._-]+$", "").replace('.', '-');
            String layer = (prefix.isEmpty() ? "" : prefix + "-") + "l" + m.group(2)
                    + (m.group(3) != null ? "-reverse" : "");
            for (int i = 0; i < g; i++) {
                out.add(new Block(layer, gates.get(i), cell, w.slice(i * h, (i + 1) * h)));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(source + " holds no recurrent weights (no tensor named "
                    + "[prefix]weight_hh_l<k>[_reverse]; found " + tensors.size() + " other tensor(s))");
        }
        return out;
    }
}
