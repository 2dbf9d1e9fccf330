package dev.mnemo.nn;

import static dev.mnemo.nn.CpuParallel.forElements;

/**
 * The optimizer steps of {@link CpuBackend}, PyTorch's single-tensor ("for-loop") algorithms.
 *
 * <p>Computed in double from the stored values; each state buffer is stored and read back before it
 * is used further, so the float32 path rounds exactly where PyTorch's float32 tensors do (the
 * arithmetic between two stores is double, so it can differ from PyTorch's by an ulp).
 */
final class CpuOptimizers {

    private CpuOptimizers() {
    }

    static void sgd(Tensor param, Tensor grad, Tensor momentumBuffer, Backend.SgdParams hp) {
        HostView p = HostView.of("param", param);
        HostView gr = HostView.of("grad", grad);
        boolean useMomentum = hp.momentum() != 0.0;
        HostView buffer = useMomentum ? HostView.of("momentumBuffer", momentumBuffer) : null;
        double lr = hp.lr();
        double momentum = hp.momentum();
        double keep = 1.0 - hp.dampening();
        double wd = hp.weightDecay();
        boolean nesterov = hp.nesterov();
        boolean first = hp.firstStep();
        forElements((int) param.numel(), (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                double w = p.get(i);
                double g = gr.get(i);
                if (wd != 0.0) {
                    g += wd * w;
                }
                if (useMomentum) {
                    buffer.set(i, first ? g : momentum * buffer.get(i) + keep * g);
                    double buf = buffer.get(i);
                    g = nesterov ? g + momentum * buf : buf;
                }
                p.set(i, w - lr * g);
            }
        });
    }

    static void adam(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, Backend.AdamParams hp) {
        HostView p = HostView.of("param", param);
        HostView gr = HostView.of("grad", grad);
        HostView first = HostView.of("expAvg", expAvg);
        HostView second = HostView.of("expAvgSq", expAvgSq);
        double lr = hp.lr();
        double wd = hp.weightDecay();
        boolean decoupled = hp.decoupled();
        double decay = 1.0 - lr * wd;
        double oneMinusBeta1 = 1.0 - hp.beta1();
        double beta2 = hp.beta2();
        double oneMinusBeta2 = 1.0 - beta2;
        double eps = hp.eps();
        double biasCorrection1 = 1.0 - Math.pow(hp.beta1(), hp.step());
        double biasCorrection2Sqrt = Math.sqrt(1.0 - Math.pow(beta2, hp.step()));
        double stepSize = lr / biasCorrection1;
        forElements((int) param.numel(), (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                double w = p.get(i);
                double g = gr.get(i);
                if (wd != 0.0) {
                    if (decoupled) {
                        w *= decay;
                    } else {
                        g += wd * w;
                    }
                }
                first.set(i, lerp(first.get(i), g, oneMinusBeta1));
                second.set(i, beta2 * second.get(i) + oneMinusBeta2 * g * g);
                double m = first.get(i);
                double v = second.get(i);
                double denom = Math.sqrt(v) / biasCorrection2Sqrt + eps;
                p.set(i, w - stepSize * (m / denom));
            }
        });
    }

    /**
     * PyTorch's {@code lerp} (the moving averages' {@code exp_avg.lerp_(grad, 1 − β₁)}): from the end for a weight
     * of 0.5 and more, so weight 1 gives the end exactly. {@code start + w·(end − start)} throughout gave Adam
     * with β₁ = 0 a mean of 0.0 for a gradient of 1 after one of 1e17.
     */
    static double lerp(double start, double end, double weight) {
        return Math.abs(weight) < 0.5 ? start + weight * (end - start) : end - (end - start) * (1 - weight);
    }

    static void rmsProp(Tensor param, Tensor grad, Tensor squareAvg, Tensor momentumBuffer, Tensor gradAvg,
                        Backend.RmsPropParams hp) {
        HostView p = HostView.of("param", param);
        HostView gr = HostView.of("grad", grad);
        HostView squares = HostView.of("squareAvg", squareAvg);
        boolean useMomentum = hp.momentum() > 0.0;
        boolean centered = hp.centered();
        HostView buffer = useMomentum ? HostView.of("momentumBuffer", momentumBuffer) : null;
        HostView means = centered ? HostView.of("gradAvg", gradAvg) : null;
        double lr = hp.lr();
        double alpha = hp.alpha();
        double oneMinusAlpha = 1.0 - alpha;
        double eps = hp.eps();
        double wd = hp.weightDecay();
        double momentum = hp.momentum();
        forElements((int) param.numel(), (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                double w = p.get(i);
                double g = gr.get(i);
                if (wd != 0.0) {
                    g += wd * w;
                }
                squares.set(i, alpha * squares.get(i) + oneMinusAlpha * g * g);
                double square = squares.get(i);
                double avg;
                if (centered) {
                    means.set(i, lerp(means.get(i), g, oneMinusAlpha));
                    double ga = means.get(i);
                    avg = Math.sqrt(Math.max(square - ga * ga, 0.0)) + eps;   // rounding can make it < 0: no NaN
                } else {
                    avg = Math.sqrt(square) + eps;
                }
                if (useMomentum) {
                    buffer.set(i, momentum * buffer.get(i) + g / avg);
                    p.set(i, w - lr * buffer.get(i));
                } else {
                    p.set(i, w - lr * (g / avg));
                }
            }
        });
    }
}
