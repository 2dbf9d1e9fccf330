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
                           Map<String, Timing> forwardBackward, Map<String, String> errors) {

    /** No PyTorch results at all, with the reason. */
    public static TorchResults none(String reason) {
        return new TorchResults(false, reason, Map.of(), Map.of(), Map.of(), Map.of(), Map.of());
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
            }
        }
        return new TorchResults(available, reason, info, fwd, fwdTrain, fwdBwd, errors);
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
