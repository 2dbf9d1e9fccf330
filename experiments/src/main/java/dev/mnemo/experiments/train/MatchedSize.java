package dev.mnemo.experiments.train;

import java.util.Locale;

/**
 * Sizes that give models of different kinds about the same number of parameters, so a comparison
 * measures the architecture, not the budget. Counts follow the models {@link SequenceModels} builds:
 * a recurrent cell with g gate blocks (RNN 1, GRU 3, LSTM 4, PyTorch's two bias vectors) then a
 * Linear head, or a {@link MemNetModel}.
 */
public final class MatchedSize {

    private MatchedSize() {
    }

    /** Gate blocks of a recurrent cell. */
    static int gates(String cell) {
        return switch (cell.toLowerCase(Locale.ROOT)) {
            case "rnn" -> 1;
            case "gru" -> 3;
            case "lstm" -> 4;
            default -> throw new IllegalArgumentException("not a recurrent cell: '" + cell + "'; valid: rnn, lstm, gru");
        };
    }

    /** Parameters of a one-layer {@code cell}(in → h) with a Linear(h, out) head. */
    public static long recurrentCount(String cell, int in, int out, int h) {
        long g = gates(cell);
        return g * h * (in + (long) h) + 2 * g * h + (long) h * out + out;
    }

    /**
     * The hidden size of {@code cell} whose parameter count is nearest {@code target} (the smaller one
     * on a tie), searched over 1 … 8192.
     */
    public static int recurrentHidden(String cell, int in, int out, long target) {
        if (target < 1) {
            throw new IllegalArgumentException("target parameter count must be >= 1, got " + target);
        }
        int best = 1;
        long bestGap = Math.abs(recurrentCount(cell, in, out, 1) - target);
        for (int h = 2; h <= 8192; h++) {
            long count = recurrentCount(cell, in, out, h);
            long gap = Math.abs(count - target);
            if (gap < bestGap) {
                best = h;
                bestGap = gap;
            }
            if (count > target) {
                break; // counts grow with h
            }
        }
        return best;
    }
}
