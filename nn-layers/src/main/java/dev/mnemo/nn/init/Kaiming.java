package dev.mnemo.nn.init;

import dev.mnemo.nn.Nonlinearity;

import java.util.SplittableRandom;

/**
 * He et al. (2015), per block: {@code std = g/√fan_in} (fan_in = cols), uniform on ±√3·std or
 * normal. The gain follows the nonlinearity: √2 for relu, 5/3 for tanh, 1 for linear; {@code auto}
 * takes the cell's (relu or tanh for an RNN, tanh for LSTM and GRU). On an H×H block the spectral
 * radius is ≈ g.
 *
 * @param distribution uniform or normal
 * @param nonlinearity {@code auto}, {@code relu}, {@code tanh}, {@code linear}, or {@code custom}
 *                     (then {@code gain} is used as given)
 * @param gain         the gain for {@code custom}; ignored (NaN) otherwise
 */
public record Kaiming(Distribution distribution, String nonlinearity, double gain) implements BlockInit {

    /** Validates. */
    public Kaiming {
        java.util.Objects.requireNonNull(distribution, "distribution");
        switch (nonlinearity) {
            case "auto", "relu", "tanh", "linear" -> gain = Double.NaN;
            case "custom" -> {
                if (!(gain > 0) || !Double.isFinite(gain)) {   // an infinite gain fills the weights with ±∞
                    throw new IllegalArgumentException("gain must be > 0, got " + gain);
                }
            }
            case null, default -> throw new IllegalArgumentException("nonlinearity must be auto, relu, tanh, linear or "
                    + "custom, got '" + nonlinearity + "'");
        }
    }

    /** Gain from the nonlinearity ({@code auto}: the cell's). */
    public static Kaiming of(Distribution distribution, String nonlinearity) {
        return new Kaiming(distribution, nonlinearity, Double.NaN);
    }

    /** An explicit gain. */
    public static Kaiming withGain(Distribution distribution, double gain) {
        return new Kaiming(distribution, "custom", gain);
    }

    /** The gain used in {@code ctx}. */
    public double gainFor(BlockContext ctx) {
        return switch (nonlinearity) {
            case "relu" -> Math.sqrt(2.0);
            case "tanh" -> 5.0 / 3.0;
            case "linear" -> 1.0;
            case "custom" -> gain;
            default -> ctx.nonlinearity() == Nonlinearity.RELU ? Math.sqrt(2.0) : 5.0 / 3.0;
        };
    }

    @Override
    public String name() {
        return "kaiming";
    }

    @Override
    public String describe() {
        String g = switch (nonlinearity) {
            case "relu" -> "nonlinearity=relu, gain=√2";
            case "tanh" -> "nonlinearity=tanh, gain=5/3";
            case "linear" -> "nonlinearity=linear, gain=1";
            case "custom" -> "gain=" + Sampling.num(gain);
            default -> "nonlinearity=auto (the cell's: relu √2, tanh 5/3)";
        };
        return "kaiming-" + distribution.label() + "(" + g + ")";
    }

    @Override
    public boolean squareOnly() {
        return false;
    }

    @Override
    public double[] sample(BlockContext ctx, SplittableRandom rnd) {
        double std = gainFor(ctx) / Math.sqrt(ctx.cols());
        return distribution == Distribution.UNIFORM
                ? Sampling.uniform(ctx.rows(), ctx.cols(), Math.sqrt(3.0) * std, rnd)
                : Sampling.gaussian(ctx.rows(), ctx.cols(), std, rnd);
    }
}
