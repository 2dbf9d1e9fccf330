package dev.mnemo.bench.gpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SequencedMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The GPU suite's one report ({@code scripts/gpu-bench-all.sh}): the environment (card, driver,
 * library versions), the launch-overhead table — JMH's {@code LaunchOverheadBenchmark} rows (Mnemo
 * FFM, JCuda, CUDA Graph replay; µs per kernel) beside the C harness's {@code launch} number, with
 * ratios to C — and, as they are, the benchmark runner's report (every layer, MemNet, eigen and
 * optimizer row with its PyTorch ratio). JSON and Markdown.
 *
 * <pre>
 *   SuiteReport --out suite.json [--report report.json] [--jmh launch-jmh.json] [--harness launch.txt]
 *               [--env "what=value"]... [--note "text"]...
 * </pre>
 * A missing input is reported as missing (with the notes the script gives), never an error.
 */
public final class SuiteReport {
    static final String JMH_CLASS = "dev.mnemo.bench.LaunchOverheadBenchmark.";
    private static final Pattern HARNESS = Pattern.compile("median_us_per_launch=([0-9.]+)(?:\\s+min=([0-9.]+))?");

    /** One launch-overhead row: µs per kernel, with JMH's error (99.9%) or NaN. */
    record LaunchRow(String path, String mode, double micros, double error, String source) {
    }

    private SuiteReport() {
    }

    public static void main(String[] args) throws IOException {
        Path out = null;
        Path report = null;
        Path jmh = null;
        Path harness = null;
        SequencedMap<String, String> env = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--out" -> out = Path.of(v);
                case "--report" -> report = Path.of(v);
                case "--jmh" -> jmh = Path.of(v);
                case "--harness" -> harness = Path.of(v);
                case "--env" -> {
                    int eq = v.indexOf('=');
                    env.put(eq < 0 ? v : v.substring(0, eq), eq < 0 ? "" : v.substring(eq + 1));
                }
                case "--note" -> notes.add(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (out == null || args.length % 2 != 0) {
            System.err.println("usage: SuiteReport --out suite.json [--report F] [--jmh F] [--harness F] [--env k=v] [--note text]");
            System.exit(2);
        }
        String reportJson = read(report);
        List<LaunchRow> rows = new ArrayList<>(jmhRows(read(jmh)));
        harnessRow(read(harness)).ifPresent(rows::add);
        if (reportJson == null) {
            notes.add("no benchmark runner report" + (report == null ? "" : " (" + report + " missing)"));
        }
        if (rows.stream().noneMatch(r -> r.source().equals("jmh"))) {
            notes.add("no JMH launch-overhead results" + (jmh == null ? "" : " (" + jmh + " missing or empty)"));
        }
        if (rows.stream().noneMatch(r -> r.source().equals("c"))) {
            notes.add("no C harness launch number" + (harness == null ? "" : " (" + harness + " missing or unparsed)"));
        }
        Path md = GpuBenchmarkRunner.markdownPath(out);
        Path reportMd = report == null ? null : GpuBenchmarkRunner.markdownPath(report);
        write(out, toJson(env, rows, notes, reportJson));
        write(md, toMarkdown(env, rows, notes, read(reportMd)));
        System.out.println("gpu-suite: wrote " + out + " and " + md);
    }

    /** The rows of JMH's JSON result file (only this benchmark's; µs per operation). */
    @SuppressWarnings("unchecked")
    static List<LaunchRow> jmhRows(String json) {
        List<LaunchRow> rows = new ArrayList<>();
        if (json == null || json.isBlank() || !(MiniJson.parse(json) instanceof List<?> list)) {
            return rows;
        }
        for (Object o : list) {
            if (!(o instanceof Map<?, ?> m) || !(m.get("benchmark") instanceof String name)
                    || !name.startsWith(JMH_CLASS) || !(m.get("primaryMetric") instanceof Map<?, ?> metric)) {
                continue;
            }
            String method = name.substring(JMH_CLASS.length());
            double score = metric.get("score") instanceof Double d ? d : Double.NaN;
            double error = metric.get("scoreError") instanceof Double d ? d : Double.NaN;
            String unit = metric.get("scoreUnit") instanceof String u ? u : "us/op";
            double scale = switch (unit) {
                case "ns/op" -> 1e-3;
                case "ms/op" -> 1e3;
                default -> 1.0;
            };
            boolean sync = method.endsWith("Sync");
            String path = method.substring(0, method.length() - (sync ? 4 : 5));
            rows.add(new LaunchRow(label(path), sync ? "launch + stream sync" : "back to back", score * scale,
                    error * scale, "jmh"));
        }
        return rows;
    }

    private static String label(String path) {
        return switch (path) {
            case "mnemoFfm" -> "Mnemo FFM (cuLaunchKernel)";
            case "jcuda" -> "JCuda (cuLaunchKernel, JNI)";
            case "graph1" -> "Mnemo CUDA Graph, 1 kernel";
            case "graph32" -> "Mnemo CUDA Graph, per kernel of 32";
            default -> path;
        };
    }

    /** The C harness's {@code launch} line: back-to-back cudaLaunchKernel, µs per launch (median). */
    static java.util.Optional<LaunchRow> harnessRow(String text) {
        if (text == null) {
            return java.util.Optional.empty();
        }
        Matcher m = HARNESS.matcher(text);
        if (!m.find()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new LaunchRow("C harness (cudaLaunchKernel)", "back to back",
                Double.parseDouble(m.group(1)), Double.NaN, "c"));
    }

    /** The C harness's µs per launch, the denominator of every ratio; NaN without it. */
    private static double baseline(List<LaunchRow> rows) {
        return rows.stream().filter(r -> r.source().equals("c")).mapToDouble(LaunchRow::micros).findFirst()
                .orElse(Double.NaN);
    }

    static String toJson(SequencedMap<String, String> env, List<LaunchRow> rows, List<String> notes, String report) {
        StringBuilder b = new StringBuilder("{\n  \"environment\": {");
        String sep = "\n";
        for (var e : env.entrySet()) {
            b.append(sep).append("    ").append(MiniJson.quote(e.getKey())).append(": ").append(MiniJson.quote(e.getValue()));
            sep = ",\n";
        }
        b.append(env.isEmpty() ? "},\n" : "\n  },\n");
        b.append("  \"notes\": [");
        sep = "";
        for (String n : notes) {
            b.append(sep).append(MiniJson.quote(n));
            sep = ", ";
        }
        b.append("],\n  \"launch_overhead\": {\"unit\": \"microseconds per kernel\", \"rows\": [");
        double c = baseline(rows);
        sep = "\n";
        for (LaunchRow r : rows) {
            b.append(sep).append("    {\"path\": ").append(MiniJson.quote(r.path())).append(", \"mode\": ")
                    .append(MiniJson.quote(r.mode())).append(", \"us\": ").append(MiniJson.number(r.micros()))
                    .append(", \"error_us\": ").append(MiniJson.number(r.error()))
                    .append(", \"ratio_over_c\": ").append(MiniJson.number(ratio(r, c)))
                    .append(", \"source\": ").append(MiniJson.quote(r.source())).append('}');
            sep = ",\n";
        }
        b.append(rows.isEmpty() ? "]},\n" : "\n  ]},\n");
        b.append("  \"benchmarks\": ").append(report == null ? "null" : report.strip().replace("\n", "\n  ")).append("\n}\n");
        return b.toString();
    }

    private static double ratio(LaunchRow r, double c) {
        return r.source().equals("c") || !r.mode().equals("back to back") || !(c > 0) ? Double.NaN : r.micros() / c;
    }

    static String toMarkdown(SequencedMap<String, String> env, List<LaunchRow> rows, List<String> notes, String reportMd) {
        StringBuilder b = new StringBuilder("# Mnemo GPU benchmark suite\n\n");
        env.forEach((k, v) -> b.append("- ").append(k).append(": ").append(v).append('\n'));
        notes.forEach(n -> b.append("- **note**: ").append(n).append('\n'));
        b.append("\n## Kernel launch overhead (host)\n\nMicroseconds per kernel (JMH average ± 99.9% error; the C ")
                .append("harness: median of 5 rounds). Ratio = row / C harness, back-to-back rows only.\n\n")
                .append("| path | mode | µs per kernel | ± | ratio to C |\n|---|---|---|---|---|\n");
        double c = baseline(rows);
        for (LaunchRow r : rows) {
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", r.path(), r.mode(), fmt(r.micros(), 3),
                    fmt(r.error(), 3), fmt(ratio(r, c), 2)));
        }
        if (rows.isEmpty()) {
            b.append("| — | — | — | — | — |\n");
        }
        if (reportMd != null) {
            b.append("\n## Benchmarks beside PyTorch\n\n").append(reportMd.replaceFirst("^# ", "### "));
        }
        return b.toString();
    }

    private static String fmt(double v, int digits) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + digits + "f", v) : "—";
    }

    private static String read(Path p) throws IOException {
        return p != null && Files.isRegularFile(p) ? Files.readString(p) : null;
    }

    private static void write(Path p, String text) throws IOException {
        Path parent = p.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(p, text);
    }
}
