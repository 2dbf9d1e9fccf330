package dev.mnemo.nn.optim;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.cuda.CudaBackend;

import java.util.List;
import java.util.Objects;

/**
 * Global-norm gradient clipping (PyTorch's {@code torch.nn.utils.clip_grad_norm_} with
 * {@code norm_type=2}):
 * <pre>
 *   norm = √(Σ g²)                      over every element of every gradient buffer
 *   coef = maxNorm / (norm + 1e-6)
 *   g    = coef·g                       only when coef &lt; 1
 * </pre>
 * The sum of squares is accumulated in double ({@link Backend#sumOfSquares}), so float32 gradients
 * cannot overflow it; the scaling is one {@link Backend#scale} pass per buffer.
 *
 * <p><b>Differs from PyTorch</b>: a non-finite norm (a NaN or infinite gradient element) leaves every
 * gradient <em>unchanged</em> and is returned as it is, so the caller can skip the step. PyTorch
 * (with {@code error_if_nonfinite=False}) multiplies by the NaN or zero coefficient instead, which
 * turns every gradient into NaN (NaN norm) or zeros and NaNs (infinite norm). Only the L2 norm.
 */
public final class GradientClipping {

    /** PyTorch's constant in {@code max_norm / (total_norm + 1e-6)}. */
    public static final double NORM_EPSILON = 1e-6;

    private GradientClipping() {
    }

    /**
     * Clips one flat gradient buffer (a layer's {@code flatGradients()}) in place.
     *
     * @param maxNorm the largest L2 norm left unscaled; finite and > 0
     * @return the norm before clipping (NaN or infinite when an element is, or when the sum of squares
     *         overflows, which float64 gradients of 1e154 and more can do; nothing was scaled then)
     */
    public static double clipGlobalNorm(Tensor flatGradients, double maxNorm) {
        return clipGlobalNorm(List.of(Objects.requireNonNull(flatGradients, "flatGradients")), maxNorm);
    }

    /**
     * Clips the gradient buffers of {@code optimizer} together ({@link Optimizer#buffers()}).
     *
     * @return the norm before clipping
     */
    public static double clipGlobalNorm(Optimizer optimizer, double maxNorm) {
        return clipGlobalNorm(optimizer.buffers().stream().map(ParameterBuffer::gradients).toList(), maxNorm);
    }

    /**
     * Clips several gradient buffers together: their global norm is that of all elements at once.
     *
     * @param maxNorm the largest L2 norm left unscaled; finite and > 0
     * @return the norm before clipping (NaN or infinite when an element is, or when the sum of squares
     *         overflows, which float64 gradients of 1e154 and more can do; nothing was scaled then)
     */
    public static double clipGlobalNorm(List<Tensor> gradients, double maxNorm) {
        OptionChecks.aboveZero("maxNorm", maxNorm);
        double norm = globalNorm(gradients);
        double coef = maxNorm / (norm + NORM_EPSILON);
        if (Double.isFinite(norm) && coef < 1.0) {
            for (Tensor g : gradients) {
                Backend.of(g).scale(g, coef);
            }
        }
        return norm;
    }

    /**
     * As {@link #clipGlobalNorm(List, double)}, but the norm stays where the gradients are: on CUDA the
     * whole clip is queued on the device and nothing waits for it (as {@code clip_grad_norm_} returns
     * a tensor), so a training step that does not read the norm keeps the host ahead of the GPU. The
     * norm is computed as on the blocking path (squares summed in double); see
     * {@link CudaBackend#clipGlobalNorm} for the one difference (it is returned as a float32, so a norm
     * past 3.4e38 reads +∞). Gradients on the CPU, or on several devices, take the blocking path and get
     * a {@code [1]} CPU tensor.
     *
     * @param maxNorm the largest L2 norm left unscaled; finite and > 0
     * @return the norm before clipping, {@code [1]}, on the gradients' device
     */
    public static Tensor clipGlobalNormOnDevice(List<Tensor> gradients, double maxNorm) {
        OptionChecks.aboveZero("maxNorm", maxNorm);
        Objects.requireNonNull(gradients, "gradients");
        if (!gradients.isEmpty() && gradients.stream().allMatch(Objects::nonNull)
                && Backend.of(gradients.getFirst()) instanceof CudaBackend cuda
                && gradients.stream().allMatch(g -> Backend.of(g) instanceof CudaBackend c
                        && c.context() == cuda.context())) {
            return cuda.clipGlobalNorm(gradients, maxNorm);
        }
        return Tensor.of(new double[] {clipGlobalNorm(gradients, maxNorm)}, 1);
    }

    /** {@link #clipGlobalNormOnDevice(List, double)} on the gradient buffers of {@code optimizer}. */
    public static Tensor clipGlobalNormOnDevice(Optimizer optimizer, double maxNorm) {
        return clipGlobalNormOnDevice(optimizer.buffers().stream().map(ParameterBuffer::gradients).toList(), maxNorm);
    }

    /** The L2 norm of all elements of {@code gradients}, accumulated in double; nothing is changed. */
    public static double globalNorm(List<Tensor> gradients) {
        Objects.requireNonNull(gradients, "gradients");
        double sum = 0;
        for (Tensor g : gradients) {
            Objects.requireNonNull(g, "gradients must not contain null");
            sum += Backend.of(g).sumOfSquares(g);
        }
        return Math.sqrt(sum);
    }
}
