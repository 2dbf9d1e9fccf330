package dev.mnemo.bench.gpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SequencedMap;

/**
 * The benchmark report: the environment (card, driver, CUDA / cuBLAS / PyTorch / cuDNN versions),
 * why Mnemo's side was skipped (if it was), and one {@link Row} per {@link BenchShape} with Mnemo's
 * and PyTorch's timings and the ratio torch / ours (above 1: Mnemo is faster). Written as JSON
 * ({@link #toJson()}) and Markdown ({@link #toMarkdown()}).
 *
 * @param environment ordered "what" → "value" lines, e.g. "card" → "NVIDIA H100 80GB HBM3"
 * @param skipped     why Mnemo's side did not run ("" when it ran)
 * @param torchNote   why PyTorch's side is missing ("" when present)
 * @param rows        one per case, in the anchors' order
 */
public record Report(SequencedMap<String, String> environment, String skipped, String torchNote, List<Row> rows) {

    /**
     * One case. Any timing may be null (not run, failed, or filtered out on one side).
     *
     * @param note an error or remark for this row ("" when none)
     */
    public record Row(BenchShape shape, Timing oursForward, Timing oursTrainingForward, Timing oursForwardBackward,
                      Timing torchForward, Timing torchTrainingForward, Timing torchForwardBackward, String note) {

        /** torch median / our median for the forward (inference on both sides), NaN unless both exist. */
        public double forwardRatio() {
            return ratio(torchForward, oursForward);
        }

        /** torch median / our median for the training forward (kept for a backward), NaN unless both exist. */
        public double trainingForwardRatio() {
            return ratio(torchTrainingForward, oursTrainingForward);
        }

        /** torch median / our median for forward+backward, NaN unless both exist. */
        public double forwardBackwardRatio() {
            return ratio(torchForwardBackward, oursForwardBackward);
        }

        private static double ratio(Timing torch, Timing ours) {
            return torch == null || ours == null || ours.medianMs() <= 0 ? Double.NaN
                    : torch.medianMs() / ours.medianMs();
        }
    }

    public Report {
        environment = java.util.Collections.unmodifiableSequencedMap(new java.util.LinkedHashMap<>(environment));
        rows = List.copyOf(rows);
    }

    /** Rows for {@code shapes} from our timings (by key; may be empty) and PyTorch's results. */
    public static List<Row> join(List<BenchShape> shapes, Map<String, Timing> oursForward,
                                 Map<String, Timing> oursTrainingForward, Map<String, Timing> oursForwardBackward,
                                 Map<String, String> oursErrors, TorchResults torch) {
        List<Row> rows = new ArrayList<>();
        for (BenchShape s : shapes) {
            String k = s.key();
            List<String> notes = new ArrayList<>();
            if (oursErrors.containsKey(k)) {
                notes.add("mnemo: " + oursErrors.get(k));
            }
            if (torch.errors().containsKey(k)) {
                notes.add("torch: " + torch.errors().get(k));
            }
            rows.add(new Row(s, oursForward.get(k), oursTrainingForward.get(k), oursForwardBackward.get(k),
                    torch.forward().get(k), torch.trainingForward().get(k), torch.forwardBackward().get(k),
                    String.join("; ", notes)));
        }
        return rows;
    }

    /** Writes {@code report.json}-style JSON to {@code json} and Markdown to {@code markdown}. */
    public void write(Path json, Path markdown) throws IOException {
        for (Path p : new Path[] {json, markdown}) {
            Path parent = p.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        }
        Files.writeString(json, toJson());
        Files.writeString(markdown, toMarkdown());
    }

    /** The report as JSON (times in milliseconds, ratios torch / ours, null where missing). */
    public String toJson() {
        StringBuilder b = new StringBuilder("{\n  \"environment\": {");
        String sep = "\n";
        for (var e : environment.entrySet()) {
            b.append(sep).append("    ").append(MiniJson.quote(e.getKey())).append(": ")
                    .append(MiniJson.quote(e.getValue()));
            sep = ",\n";
        }
        b.append(environment.isEmpty() ? "},\n" : "\n  },\n");
        b.append("  \"skipped\": ").append(MiniJson.quote(skipped)).append(",\n");
        b.append("  \"torch_note\": ").append(MiniJson.quote(torchNote)).append(",\n");
        b.append("  \"rows\": [");
        sep = "\n";
        for (Row r : rows) {
            BenchShape s = r.shape();
            b.append(sep).append("    {\"key\": ").append(MiniJson.quote(s.key()))
                    .append(", \"cell\": ").append(MiniJson.quote(s.cell()))
                    .append(", \"shape\": ").append(MiniJson.quote(s.shape()))
                    .append(String.format(Locale.ROOT, ", \"T\": %d, \"B\": %d, \"I\": %d, \"H\": %d",
                            s.steps(), s.batch(), s.input(), s.hidden()))
                    .append(", \"math\": ").append(MiniJson.quote(s.math()))
                    .append(",\n      \"ours\": {\"fwd\": ").append(timing(r.oursForward()))
                    .append(", \"fwd_train\": ").append(timing(r.oursTrainingForward()))
                    .append(", \"fwd_bwd\": ").append(timing(r.oursForwardBackward())).append('}')
                    .append(",\n      \"torch\": {\"fwd\": ").append(timing(r.torchForward()))
                    .append(", \"fwd_train\": ").append(timing(r.torchTrainingForward()))
                    .append(", \"fwd_bwd\": ").append(timing(r.torchForwardBackward())).append('}')
                    .append(",\n      \"ratio_torch_over_ours\": {\"fwd\": ").append(MiniJson.number(r.forwardRatio()))
                    .append(", \"fwd_train\": ").append(MiniJson.number(r.trainingForwardRatio()))
                    .append(", \"fwd_bwd\": ").append(MiniJson.number(r.forwardBackwardRatio())).append('}')
                    .append(",\n      \"anchor_h100\": {\"fwd\": ").append(MiniJson.number(s.anchorForward()))
                    .append(", \"fwd_bwd\": ").append(MiniJson.number(s.anchorForwardBackward())).append('}')
                    .append(", \"note\": ").append(MiniJson.quote(r.note())).append('}');
            sep = ",\n";
        }
        b.append(rows.isEmpty() ? "]\n}\n" : "\n  ]\n}\n");
        return b.toString();
    }

    private static String timing(Timing t) {
        if (t == null) {
            return "null";
        }
        return "{\"median_ms\": " + MiniJson.number(t.medianMs()) + ", \"p10_ms\": " + MiniJson.number(t.p10Ms())
                + ", \"p90_ms\": " + MiniJson.number(t.p90Ms()) + ", \"n\": " + t.samples() + "}";
    }

    /** The report as Markdown: environment list, then one table row per case. */
    public String toMarkdown() {
        StringBuilder b = new StringBuilder("# Mnemo recurrent cells vs PyTorch/cuDNN (GPU)\n\n");
        for (var e : environment.entrySet()) {
            b.append("- ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
        }
        if (!skipped.isEmpty()) {
            b.append("- **Mnemo side skipped**: ").append(skipped).append('\n');
        }
        if (!torchNote.isEmpty()) {
            b.append("- **PyTorch side missing**: ").append(torchNote).append('\n');
        }
        b.append("\nMedian milliseconds (CUDA events); ratio = torch / ours, above 1 means Mnemo is faster. fwd is "
                + "inference on both sides (ours infer, torch eval() under inference_mode); train fwd keeps what a "
                + "backward needs (ours forward, torch train() with autograd on).\n\n");
        b.append("| cell | shape | T | B | I | H | math | ours fwd | torch fwd | ratio fwd | ours train fwd "
                + "| torch train fwd | ratio train fwd | ours fwd+bwd | torch fwd+bwd | ratio fwd+bwd |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        List<String> notes = new ArrayList<>();
        for (Row r : rows) {
            BenchShape s = r.shape();
            b.append(String.format(Locale.ROOT,
                    "| %s | %s | %d | %d | %d | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    s.cell(), s.shape(), s.steps(), s.batch(), s.input(), s.hidden(), s.math(),
                    ms(r.oursForward()), ms(r.torchForward()), ratio(r.forwardRatio()),
                    ms(r.oursTrainingForward()), ms(r.torchTrainingForward()), ratio(r.trainingForwardRatio()),
                    ms(r.oursForwardBackward()), ms(r.torchForwardBackward()), ratio(r.forwardBackwardRatio())));
            if (s.lengths() != null || s.projSize() > 0) {   // what the shape name alone does not say
                notes.add(s.key() + ": " + s.dims());
            }
            if (!r.note().isEmpty()) {
                notes.add(s.key() + ": " + r.note());
            }
        }
        if (!notes.isEmpty()) {
            b.append("\nNotes:\n\n");
            notes.forEach(n -> b.append("- ").append(n).append('\n'));
        }
        return b.toString();
    }

    private static String ms(Timing t) {
        return t == null ? "—" : String.format(Locale.ROOT, "%.3f", t.medianMs());
    }

    private static String ratio(double r) {
        return Double.isFinite(r) ? String.format(Locale.ROOT, "%.2f", r) : "—";
    }
}
