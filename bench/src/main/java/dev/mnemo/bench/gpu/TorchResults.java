package dev.mnemo.bench.gpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code bench/torch/rnn_bench.py} wrote: whether PyTorch ran (and why not), its environment
 * (torch and cuDNN versions, card), and per row key ("LSTM/large/fp32") the forward (eval() under inference_mode),
 * training forward (autograd on, no backward) and forward+backward {@link Timing}s.
 *
 * <p>The file: {@code {"available": true, "reason": "", "info": {...}, "results": {KEY: {"fwd":
 * {"median_ms", "p10_ms", "p90_ms", "n"}, "fwd_train": {...}, "fwd_bwd": {...}}}}}; a row may
 * carry {@code "error"} instead of timings, and files from before "fwd_train" lack it.
 */
public record TorchResults(boolean available, String reason, Map<String, String> info,
                           Map<String, Timing> forward, Map<String, Timing> trainingForward,
                           Map<String, Timing> forwardBackward, Map<String, String> errors,
                           Map<String, String> measured) {

    /** No PyTorch results at all, with the reason. */
    public static TorchResults none(String reason) {
        return new TorchResults(false, reason, Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of());
    }

    /**
     * What a row timed, as {@link #parse} reads a row's "measured" and {@link BenchShape} describes its own:
     * dimensions, math and repeat counts. A row is compared only where the two are equal.
     */
    static String measuredAs(long steps, long batch, long input, long hidden, long proj, String math, String lengths,
                             long repeatsForward, long repeatsForwardBackward) {
        return String.format(java.util.Locale.ROOT, "T=%d B=%d I=%d H=%d P=%d %s%s, %d/%d runs", steps, batch, input,
                hidden, proj, math, lengths.isEmpty() ? "" : " lengths " + lengths, repeatsForward,
                repeatsForwardBackward);
    }

    /**
     * These results as the report may set them beside ours: none, with the reason, when PyTorch ran on
     * another card than {@code ourCard} (null: unknown); else each of {@code shapes}' rows whose timings
     * were measured at other dimensions, math or repeat counts than {@code measuredAs}' (or do not say:
     * an older rnn_bench.py) moved to {@link #errors}, so that its row shows no torch time and says why.
     * Joined by name only, a stale file's T = 1000, B = 256 row once stood beside a T = 4, B = 1 run as 185×.
     */
    public TorchResults comparableTo(List<BenchShape> shapes, String ourCard, int repeatsForward,
                                     int repeatsForwardBackward) {
        if (!available) {
            return this;
        }
        String theirs = info.get("device");
        if (ourCard != null && theirs != null && !theirs.equals(ourCard)) {
            return none("PyTorch ran on " + theirs + ", Mnemo on " + ourCard
                    + ": not compared (a results file from another machine?)");
        }
        Map<String, Timing> fwd = new LinkedHashMap<>(forward);
        Map<String, Timing> fwdTrain = new LinkedHashMap<>(trainingForward);
        Map<String, Timing> fwdBwd = new LinkedHashMap<>(forwardBackward);
        Map<String, String> errs = new LinkedHashMap<>(errors);
        for (BenchShape s : shapes) {
            String k = s.key();
            if (!fwd.containsKey(k) && !fwdTrain.containsKey(k) && !fwdBwd.containsKey(k)) {
                continue;
            }
            String ours = s.measuredAs(repeatsForward, repeatsForwardBackward);
            String at = measured.get(k);
            if (!ours.equals(at)) {
                fwd.remove(k);
                fwdTrain.remove(k);
                fwdBwd.remove(k);
                errs.put(k, (at == null ? "the row does not say what it measured (an rnn_bench.py older than "
                        + "2026-11-30)" : "measured " + at + ", ours " + ours) + ": not compared");
            }
        }
        return new TorchResults(true, reason, info, fwd, fwdTrain, fwdBwd, errs, measured);
    }

    /** Reads the script's JSON file. */
    public static TorchResults read(Path file) throws IOException {
        return parse(Files.readString(file));
    }

    /** Parses the script's JSON text. */
    @SuppressWarnings("unchecked")
    public static TorchResults parse(String json) {
        if (!(MiniJson.parse(json) instanceof Map<?, ?> root)) {
            throw new IllegalArgumentException("torch results must be a JSON object");
        }
        boolean available = Boolean.TRUE.equals(root.get("available"));
        String reason = root.get("reason") instanceof String r ? r : "";
        Map<String, String> info = new LinkedHashMap<>();
        if (root.get("info") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> info.put(String.valueOf(k), v instanceof Double d && d == Math.rint(d)
                    ? String.valueOf(d.longValue()) : String.valueOf(v)));
        }
        Map<String, Timing> fwd = new LinkedHashMap<>();
        Map<String, Timing> fwdTrain = new LinkedHashMap<>();
        Map<String, Timing> fwdBwd = new LinkedHashMap<>();
        Map<String, String> errors = new LinkedHashMap<>();
        Map<String, String> measured = new LinkedHashMap<>();
        if (root.get("results") instanceof Map<?, ?> results) {
            for (var e : ((Map<String, Object>) results).entrySet()) {
                if (!(e.getValue() instanceof Map<?, ?> row)) {
                    continue;
                }
                Timing f = timing(row.get("fwd"));
                Timing ft = timing(row.get("fwd_train"));
                Timing fb = timing(row.get("fwd_bwd"));
                if (f != null) {
                    fwd.put(e.getKey(), f);
                }
                if (ft != null) {
                    fwdTrain.put(e.getKey(), ft);
                }
                if (fb != null) {
                    fwdBwd.put(e.getKey(), fb);
                }
                if (row.get("error") instanceof String err) {
                    errors.put(e.getKey(), err);
                }
                if (row.get("measured") instanceof Map<?, ?> at) {
                    measured.put(e.getKey(), measuredAs(at));
                }
            }
        }
        return new TorchResults(available, reason, info, fwd, fwdTrain, fwdBwd, errors, measured);
    }

    private static String measuredAs(Map<?, ?> at) {
        String lengths = "";
        if (at.get("lengths") instanceof List<?> l) {
            long[] values = l.stream().mapToLong(v -> v instanceof Double d ? d.longValue() : -1).toArray();
            lengths = java.util.Arrays.toString(values);
        }
        return measuredAs(whole(at.get("T")), whole(at.get("B")), whole(at.get("I")), whole(at.get("H")),
                whole(at.get("P")), at.get("math") instanceof String m ? m : "?", lengths,
                whole(at.get("repeats_fwd")), whole(at.get("repeats_fwd_bwd")));
    }

    private static long whole(Object o) {
        return o instanceof Double d ? d.longValue() : 0;
    }

    private static Timing timing(Object o) {
        if (!(o instanceof Map<?, ?> m) || !(m.get("median_ms") instanceof Double median)) {
            return null;
        }
        double p10 = m.get("p10_ms") instanceof Double d ? d : median;
        double p90 = m.get("p90_ms") instanceof Double d ? d : median;
        int n = m.get("n") instanceof Double d ? d.intValue() : 1;
        return new Timing(median, p10, p90, Math.max(n, 1));
    }

    /** Keys present in either map, for tests. */
    public List<String> keys() {
        var keys = new java.util.LinkedHashSet<String>(forward.keySet());
        keys.addAll(forwardBackward.keySet());
        return List.copyOf(keys);
    }
}
