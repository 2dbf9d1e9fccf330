package dev.mnemo.nn.init;

import dev.mnemo.nn.linalg.Eigen;
import dev.mnemo.nn.linalg.EigenEngine;
import dev.mnemo.nn.linalg.EigenOptions;

import java.util.SplittableRandom;

/**
 * "sp-rnn", <b>our reading</b>: the paper names it without a recipe, and we take it to be np-RNN
 * (Talathi &amp; Vartak 2015): {@code R ~ N(0, 1)} (n×n), {@code K = RᵀR/n + I},
 * {@code W = K / λ_max(K)}. K is symmetric positive definite, so W's eigenvalues are real, in
 * (0, 1], and the largest is exactly 1. λ_max comes from the checked symmetric eigensolver.
 */
public record SpRnn() implements BlockInit {

    @Override
    public String name() {
        return "sp-rnn";
    }

    @Override
    public String describe() {
        return "sp-rnn(our reading: np-RNN of Talathi & Vartak 2015, R ~ N(0,1), K = RᵀR/n + I, W = K/λ_max(K))";
    }

    @Override
    public boolean squareOnly() {
        return true;
    }

    @Override
    public double[] sample(BlockContext ctx, SplittableRandom rnd) {
        RecipeChecks.square(this, ctx);
        int n = ctx.rows();
        double[] r = Sampling.gaussian(n, n, 1.0, rnd);
        double[] k = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                double s = 0;
                for (int t = 0; t < n; t++) {
                    s += r[t * n + i] * r[t * n + j];
                }
                s /= n;
                if (i == j) {
                    s += 1.0;
                }
                k[i * n + j] = s;
                k[j * n + i] = s; // exactly symmetric: the symmetric solver applies
            }
        }
        double top = Eigen.of(k, n, EigenOptions.builder().engine(EigenEngine.CPU).build()).spectralRadius();
        for (int i = 0; i < k.length; i++) {
            k[i] /= top;
        }
        return k;
    }
}
