package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.SequencedMap;

/**
 * One flat value buffer and one flat gradient buffer, with every named parameter a view into each
 * (PyTorch's {@code flatten_parameters}, always on: there is no unflattened fallback). Views follow
 * each other in the order they were declared, with no padding.
 */
final class FlatParameters {

    private final Tensor values;
    private final Tensor gradients;
    private final SequencedMap<String, Tensor> valueViews;
    private final SequencedMap<String, Tensor> gradientViews;

    /** The most elements one flat buffer holds: a Java array's, as the CPU backend keeps it in one. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private FlatParameters(Backend backend, SequencedMap<String, int[]> shapes) {
        long total = 0;
        for (int[] s : shapes.values()) {
            total += numel(s);
        }
        if (total > MAX_ELEMENTS) {   // Math.toIntExact's bare "integer overflow" named neither size nor limit
            var largest = shapes.entrySet().stream().max(java.util.Comparator.comparingLong(e -> numel(e.getValue())))
                    .orElseThrow();
            throw new IllegalArgumentException("the parameters hold " + total + " elements, more than the "
                    + MAX_ELEMENTS + " one flat buffer holds (the largest, " + largest.getKey() + ", is "
                    + java.util.Arrays.toString(largest.getValue()) + "): choose smaller sizes");
        }
        this.values = backend.zeros(Math.toIntExact(total));
        this.gradients = backend.zeros(Math.toIntExact(total));
        var v = new LinkedHashMap<String, Tensor>();
        var g = new LinkedHashMap<String, Tensor>();
        int offset = 0;
        for (var e : shapes.entrySet()) {
            int n = Math.toIntExact(numel(e.getValue()));
            v.put(e.getKey(), values.slice(offset, offset + n).reshape(e.getValue()));
            g.put(e.getKey(), gradients.slice(offset, offset + n).reshape(e.getValue()));
            offset += n;
        }
        this.valueViews = Collections.unmodifiableSequencedMap(v);
        this.gradientViews = Collections.unmodifiableSequencedMap(g);
    }

    /** Declaration of the parameters, in buffer order. */
    static final class Layout {
        private final SequencedMap<String, int[]> shapes = new LinkedHashMap<>();

        Layout add(String name, int... shape) {
            for (int d : shape) {
                if (d < 0) {   // a size that wrapped in int arithmetic
                    throw new IllegalArgumentException("parameter " + name + " has a negative dimension: "
                            + java.util.Arrays.toString(shape));
                }
            }
            if (shapes.putIfAbsent(name, shape.clone()) != null) {
                throw new IllegalArgumentException("parameter " + name + " declared twice");
            }
            return this;
        }

        FlatParameters allocate(Backend backend) {
            return new FlatParameters(backend, shapes);
        }
    }

    static Layout layout() {
        return new Layout();
    }

    Tensor values() {
        return values;
    }

    Tensor gradients() {
        return gradients;
    }

    SequencedMap<String, Tensor> valueViews() {
        return valueViews;
    }

    SequencedMap<String, Tensor> gradientViews() {
        return gradientViews;
    }

    Tensor value(String name) {
        return valueViews.get(name);
    }

    Tensor gradient(String name) {
        return gradientViews.get(name);
    }

    /** Fills the value buffer with U(−bound, bound) drawn in buffer order from {@code seed}. */
    void initUniform(Backend backend, double bound, long seed) {
        var rnd = new java.util.SplittableRandom(seed);
        double[] host = new double[(int) values.numel()];
        for (int i = 0; i < host.length; i++) {
            host[i] = (2.0 * rnd.nextDouble() - 1.0) * bound;
        }
        backend.copy(Tensor.of(host, host.length), values);
    }

    /** Fills the value buffer with N(0, 1) drawn in buffer order from {@code seed}. */
    void initNormal(Backend backend, long seed) {
        var rnd = new java.util.SplittableRandom(seed);
        double[] host = new double[(int) values.numel()];
        for (int i = 0; i < host.length; i++) {
            host[i] = rnd.nextGaussian();
        }
        backend.copy(Tensor.of(host, host.length), values);
    }

    private static long numel(int[] shape) {
        long n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }
}
