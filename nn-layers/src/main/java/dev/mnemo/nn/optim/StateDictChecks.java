package dev.mnemo.nn.optim;

import dev.mnemo.nn.DType;
import dev.mnemo.nn.Device;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.cuda.CudaBackend;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import java.util.Set;

/**
 * What {@link Optimizer#loadStateDict} checks before it changes anything: the kind, the options (but
 * lr), the number of buffers, and every state tensor's name, shape, element type, device and values.
 */
final class StateDictChecks {

    /** State that is an average of squares: negative elements cannot come from any gradient. */
    private static final Set<String> NON_NEGATIVE = Set.of("exp_avg_sq", "square_avg");

    private StateDictChecks() {
    }

    /**
     * @param mine  the optimizer's own {@code stateDict()}
     * @param state the state to load
     * @throws IllegalArgumentException naming the other kind, or every other mismatch at once
     */
    static void requireLoadable(Optimizer optimizer, OptimizerState mine, OptimizerState state) {
        if (!state.kind().equals(mine.kind())) {
            throw new IllegalArgumentException("cannot load the " + state.kind() + " state into " + optimizer
                    + ": the optimizer kind must be " + mine.kind() + ", got " + state.kind());
        }
        List<String> problems = new ArrayList<>();
        for (var e : mine.options().entrySet()) {
            if (e.getKey().equals("lr")) {
                continue;       // the state's current lr replaces ours
            }
            String theirs = state.options().get(e.getKey());
            if (theirs == null) {
                problems.add("option " + e.getKey() + " is missing from the state (" + e.getValue() + " here)");
            } else if (!theirs.equals(e.getValue())) {
                problems.add("option " + e.getKey() + " is " + theirs + " in the state, " + e.getValue() + " here");
            }
        }
        List<String> unknownOptions = state.options().keySet().stream()
                .filter(k -> !mine.options().containsKey(k)).toList();
        if (!unknownOptions.isEmpty()) {
            problems.add("unknown options " + unknownOptions);
        }
        if (state.buffers() != mine.buffers()) {
            problems.add("the state has " + state.buffers() + " buffers, this optimizer " + mine.buffers());
        }
        if (problems.isEmpty()) {       // names and shapes mean something only for the same options and buffers
            problems.addAll(tensorProblems(mine.tensors(), state.tensors()));
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("cannot load the " + state.kind() + " state into " + optimizer
                    + " (nothing was changed): " + String.join("; ", problems));
        }
    }

    /** Every missing, unexpected, mis-shaped, mis-typed, misplaced or impossible state tensor. */
    private static List<String> tensorProblems(SequencedMap<String, Tensor> targets,
                                               SequencedMap<String, Tensor> source) {
        List<String> problems = new ArrayList<>();
        List<String> missing = targets.keySet().stream().filter(k -> !source.containsKey(k)).toList();
        List<String> unexpected = source.keySet().stream().filter(k -> !targets.containsKey(k)).toList();
        if (!missing.isEmpty()) {
            problems.add("missing state tensors " + missing);
        }
        if (!unexpected.isEmpty()) {
            problems.add("unexpected state tensors " + unexpected);
        }
        for (var e : targets.entrySet()) {
            String name = e.getKey();
            Tensor dst = e.getValue();
            Tensor src = source.get(name);
            if (src == null) {
                continue;
            }
            if (!src.hasShape(dst.shape())) {
                problems.add(name + ": shape " + Tensor.shapeString(src.shape()) + " in the state, "
                        + Tensor.shapeString(dst.shape()) + " here");
            } else if (src.dtype() != dst.dtype()) {
                problems.add(name + ": element type " + src.dtype().label() + " in the state, " + dst.dtype().label()
                        + " here (a conversion would not resume exactly)");
            } else if (src.device() != Device.CPU && !deviceOf(src).equals(deviceOf(dst))) {
                problems.add(name + ": on " + deviceOf(src) + " in the state, " + deviceOf(dst)
                        + " here (a state must be on the optimizer's device or on the host)");
            } else {
                String bad = impossibleElement(name.substring(name.indexOf('.') + 1), src);
                if (bad != null) {
                    problems.add(name + ": " + bad);
                }
            }
        }
        return problems;
    }

    /** {@code cpu} or {@code cuda:N}, PyTorch's device names. */
    private static String deviceOf(Tensor t) {
        return t.device() == Device.CUDA ? "cuda:" + CudaBackend.of(t).deviceOrdinal() : t.device().label();
    }

    /** The first element no optimizer can produce (NaN, ±∞, or negative in an average of squares); null if none. */
    private static String impossibleElement(String kind, Tensor t) {
        Tensor h = t.to(Device.CPU);
        boolean nonNegative = NON_NEGATIVE.contains(kind);
        long n = h.numel();
        float[] f = h.dtype() == DType.FLOAT32 ? h.toFloatArray() : null;
        double[] d = f == null ? h.toDoubleArray() : null;
        for (int i = 0; i < n; i++) {
            double v = f != null ? f[i] : d[i];
            if (!Double.isFinite(v) || nonNegative && v < 0) {
                String value = f != null ? Float.toString(f[i]) : Double.toString(v);
                return "element " + i + " is " + value + ": " + (Double.isFinite(v) ? kind
                        + " averages squares, so it must be >= 0" : "state must be finite");
            }
        }
        return null;
    }

    /** A record's components by name, as {@link String#valueOf} writes them. */
    static SequencedMap<String, String> optionValues(Record options) {
        SequencedMap<String, String> out = new LinkedHashMap<>();
        for (RecordComponent c : options.getClass().getRecordComponents()) {
            try {
                out.put(c.getName(), String.valueOf(c.getAccessor().invoke(options)));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read option " + c.getName() + " of " + options, e);
            }
        }
        return out;
    }
}
