package dev.mnemo.bench.dl4j;

import java.util.EnumMap;
import java.util.Map;

/** Everything measured for one shape: both sides' samples per metric, and the sanity facts. */
final class ShapeResult {

    /** What one timed call does. */
    enum Metric {
        FORWARD("forward"), TRAIN_STEP("train step");

        final String label;

        Metric(String label) {
            this.label = label;
        }
    }

    /** Which library. */
    enum Side { MNEMO, DL4J }

    final BenchShape shape;
    final Map<Side, Map<Metric, Samples>> samples = new EnumMap<>(Side.class);
    final Map<Side, Long> parameterCount = new EnumMap<>(Side.class);
    final Map<Side, String> parameterBreakdown = new EnumMap<>(Side.class);
    /** The loss of each side's first training step (fresh weights: about ln 10). */
    final Map<Side, Double> firstLoss = new EnumMap<>(Side.class);
    /** The loss of each side's last training step, after warm-up and every round. */
    final Map<Side, Double> lastLoss = new EnumMap<>(Side.class);

    ShapeResult(BenchShape shape) {
        this.shape = shape;
        for (Side side : Side.values()) {
            Map<Metric, Samples> bySide = new EnumMap<>(Metric.class);
            for (Metric m : Metric.values()) {
                bySide.put(m, new Samples());
            }
            samples.put(side, bySide);
        }
    }

    Samples get(Side side, Metric metric) {
        return samples.get(side).get(metric);
    }

    /** DL4J's median over Mnemo's: above 1, Mnemo is faster. */
    double ratio(Metric metric) {
        return get(Side.DL4J, metric).median() / get(Side.MNEMO, metric).median();
    }
}
