package dev.mnemo.bench.dl4j;

import java.util.SplittableRandom;

/**
 * The inputs both models see: U(−1, 1) float32 values and one random class per sequence, drawn once
 * from a seed so that Mnemo and DL4J get the same numbers (each in its own layout).
 *
 * @param shape   the case
 * @param x       {@code [T, B, I]} row-major (Mnemo's time-major layout)
 * @param targets B classes in {@code [0, CLASSES)}
 */
public record BenchData(BenchShape shape, float[] x, int[] targets) {

    public static BenchData random(BenchShape shape, long seed) {
        var rnd = new SplittableRandom(seed);
        float[] x = new float[shape.steps() * shape.batch() * shape.input()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (2 * rnd.nextDouble() - 1);
        }
        int[] targets = new int[shape.batch()];
        for (int b = 0; b < targets.length; b++) {
            targets[b] = rnd.nextInt(BenchShape.CLASSES);
        }
        return new BenchData(shape, x, targets);
    }

    /** The same values in DL4J's recurrent layout {@code [B, I, T]} (NCW), row-major. */
    public float[] batchFeatureTime() {
        int steps = shape.steps();
        int batch = shape.batch();
        int in = shape.input();
        float[] out = new float[x.length];
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < batch; b++) {
                for (int i = 0; i < in; i++) {
                    out[(b * in + i) * steps + t] = x[(t * batch + b) * in + i];
                }
            }
        }
        return out;
    }

    /** The targets one-hot, {@code [B, CLASSES]} row-major (DL4J's labels). */
    public float[] oneHotTargets() {
        float[] out = new float[targets.length * BenchShape.CLASSES];
        for (int b = 0; b < targets.length; b++) {
            out[b * BenchShape.CLASSES + targets[b]] = 1f;
        }
        return out;
    }
}
