package dev.mnemo.bench.dl4j;

import java.util.Locale;

/** The update rule of a training step, the same on both sides with the same hyper-parameters. */
public enum OptimizerKind {

    /** Plain SGD (no momentum), learning rate {@value #SGD_LR}. */
    SGD,
    /** Adam, learning rate {@value #ADAM_LR}, β = (0.9, 0.999), ε = 1e-8 (both libraries' defaults). */
    ADAM;

    public static final double SGD_LR = 0.01;
    public static final double ADAM_LR = 1e-3;

    /** {@code sgd} or {@code adam}, any case. */
    public static OptimizerKind parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("optimizer must be sgd or adam, got '" + text + "'", e);
        }
    }

    public String describe() {
        return this == SGD ? "SGD(lr=" + SGD_LR + ")" : "Adam(lr=" + ADAM_LR + ", betas=(0.9, 0.999), eps=1e-8)";
    }
}
