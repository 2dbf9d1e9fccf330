package dev.mnemo.experiments.tasks;

import java.util.List;
import java.util.Locale;

/**
 * The chaotic regression tasks by name: {@code mackey-glass17}, {@code mackey-glass30} (one value per
 * step) and {@code lorenz} (x, y, z per step), with their integration and sampling settings.
 *
 * @param name     the task name
 * @param dims     values per step
 * @param values   {@code [length · dims]}, time-major
 * @param settings how the series was made, in one line
 */
public record ChaoticSeries(String name, int dims, double[] values, String settings) {

    /** Task names. */
    public static final List<String> TASKS = List.of("mackey-glass17", "mackey-glass30", "lorenz");

    public ChaoticSeries {
        if (dims < 1 || values.length % dims != 0) {
            throw new IllegalArgumentException("values must be a whole number of " + dims + "-value steps, got "
                    + values.length);
        }
    }

    /** Steps in the series. */
    public int length() {
        return values.length / dims;
    }

    /** Whether {@code task} names a chaotic series. */
    public static boolean isTask(String task) {
        return TASKS.contains(task.trim().toLowerCase(Locale.ROOT));
    }

    /** {@code length} steps of {@code task}, from the seeded initial condition {@code seed}. */
    public static ChaoticSeries generate(String task, int length, long seed) {
        String t = task.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "mackey-glass17", "mackey-glass30" -> {
                double tau = t.endsWith("17") ? 17 : 30;
                yield new ChaoticSeries(t, 1, MackeyGlass.series(tau, length, seed), String.format(Locale.ROOT,
                        "Mackey-Glass a=%.1f b=%.1f tau=%.0f, RK4 dt=%.1f (delayed term linearly interpolated), "
                                + "sampled every %.1f, first %.0f time units discarded, seeded history 1.2±0.05",
                        MackeyGlass.A, MackeyGlass.B, tau, MackeyGlass.DT, MackeyGlass.SAMPLE_EVERY, MackeyGlass.WARMUP));
            }
            case "lorenz" -> new ChaoticSeries(t, 3, Lorenz.series(length, seed), String.format(Locale.ROOT,
                    "Lorenz sigma=10 rho=28 beta=8/3, (x, y, z) per step, RK4 dt=%.2f, sampled every %.2f, first %.0f "
                            + "time units discarded, seeded start near (1, 1, 25)",
                    Lorenz.DT, Lorenz.SAMPLE_EVERY, Lorenz.WARMUP));
            default -> throw new IllegalArgumentException("unknown chaotic series '" + task + "'; valid: "
                    + String.join(", ", TASKS));
        };
    }
}
