package dev.mnemo.bench.dl4j;

import dev.mnemo.bench.dl4j.ShapeResult.Metric;
import dev.mnemo.bench.dl4j.ShapeResult.Side;

import java.io.PrintStream;
import java.util.EnumMap;
import java.util.Map;

/**
 * Times both sides on one shape in one JVM, interleaved: after {@code warmup} untimed rounds, each
 * round times Mnemo's and DL4J's forward, then their training steps, alternating which side goes
 * first, so drift in the machine's load or clock hits both alike.
 */
final class SideBySide {

    private final RunSettings settings;
    private final PrintStream log;

    SideBySide(RunSettings settings, PrintStream log) {
        this.settings = settings;
        this.log = log;
    }

    ShapeResult run(BenchShape shape) {
        BenchData data = BenchData.random(shape, settings.seed());
        Map<Side, SequenceClassifier> models = new EnumMap<>(Side.class);
        models.put(Side.MNEMO, new MnemoClassifier(data, settings.optimizer(), settings.seed()));
        models.put(Side.DL4J, new Dl4jClassifier(data, settings.optimizer(), settings.seed()));
        ShapeResult result = new ShapeResult(shape);
        for (var e : models.entrySet()) {
            Side side = e.getKey();
            SequenceClassifier model = e.getValue();
            result.parameterCount.put(side, model.parameterCount());
            result.parameterBreakdown.put(side, model.parameterBreakdown());
            checkOutputs(model, shape);
            result.firstLoss.put(side, checkedLoss(model));
        }
        for (int w = 0; w < settings.warmup(); w++) {
            log.printf("  %s warm-up %d/%d%n", shape.label(), w + 1, settings.warmup());
            for (SequenceClassifier model : models.values()) {
                model.forward();
                model.trainStep();
            }
        }
        for (int r = 0; r < settings.rounds(); r++) {
            Side first = r % 2 == 0 ? Side.MNEMO : Side.DL4J;
            Side second = first == Side.MNEMO ? Side.DL4J : Side.MNEMO;
            for (Metric metric : Metric.values()) {
                for (Side side : new Side[]{first, second}) {
                    timeOnce(models.get(side), side, metric, result);
                }
            }
            log.printf("  %s round %d/%d: forward Mnemo %.1f ms, DL4J %.1f ms; train step Mnemo %.1f ms, DL4J %.1f ms%n",
                    shape.label(), r + 1, settings.rounds(),
                    last(result, Side.MNEMO, Metric.FORWARD), last(result, Side.DL4J, Metric.FORWARD),
                    last(result, Side.MNEMO, Metric.TRAIN_STEP), last(result, Side.DL4J, Metric.TRAIN_STEP));
        }
        return result;
    }

    /** One timed call; a training step's loss becomes the side's last loss. */
    private static void timeOnce(SequenceClassifier model, Side side, Metric metric, ShapeResult result) {
        double loss = Double.NaN;
        long t0 = System.nanoTime();
        if (metric == Metric.FORWARD) {
            model.forward();
        } else {
            loss = model.trainStep();
        }
        long t1 = System.nanoTime();
        result.get(side, metric).add((t1 - t0) / 1e6);
        if (metric == Metric.TRAIN_STEP) {
            result.lastLoss.put(side, loss);
        }
    }

    private static double last(ShapeResult r, Side side, Metric metric) {
        var v = r.get(side, metric).values();
        return v.get(v.size() - 1);
    }

    /** The forward output must be [B, CLASSES] and finite, or the timings mean nothing. */
    static void checkOutputs(SequenceClassifier model, BenchShape shape) {
        float[] out = model.forward();
        if (out.length != shape.batch() * BenchShape.CLASSES) {
            throw new IllegalStateException(model.name() + " forward returned " + out.length + " values, expected B·"
                    + BenchShape.CLASSES + " = " + shape.batch() * BenchShape.CLASSES + " at " + shape);
        }
        for (int i = 0; i < out.length; i++) {
            if (!Float.isFinite(out[i])) {
                throw new IllegalStateException(model.name() + " forward output " + i + " is " + out[i] + " at " + shape);
            }
        }
    }

    /** One training step whose loss must be finite. */
    static double checkedLoss(SequenceClassifier model) {
        double loss = model.trainStep();
        if (!Double.isFinite(loss)) {
            throw new IllegalStateException(model.name() + " training loss is " + loss);
        }
        return loss;
    }
}
