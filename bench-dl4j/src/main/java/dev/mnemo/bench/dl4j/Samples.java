package dev.mnemo.bench.dl4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Wall times of one side, one metric, one shape, in milliseconds, in the order measured. */
final class Samples {

    private final List<Double> millis = new ArrayList<>();

    void add(double ms) {
        millis.add(ms);
    }

    int count() {
        return millis.size();
    }

    List<Double> values() {
        return List.copyOf(millis);
    }

    /** The median (mean of the two middle values for an even count); NaN when empty. */
    double median() {
        return quantile(0.5);
    }

    double min() {
        return quantile(0.0);
    }

    double max() {
        return quantile(1.0);
    }

    /** Linear interpolation between order statistics (NumPy's default); NaN when empty. */
    double quantile(double q) {
        if (millis.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted = millis.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
