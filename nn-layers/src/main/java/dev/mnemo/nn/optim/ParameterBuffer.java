package dev.mnemo.nn.optim;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.layers.Layer;

import java.util.Objects;

/**
 * One flat parameter buffer and its flat gradient buffer: a layer's {@code flatParameters()} and
 * {@code flatGradients()}, of which every named parameter and gradient is a view. An optimizer updates
 * a list of them (say an {@code Lstm}'s and its {@code Linear} head's) in one {@code step()}.
 *
 * @param parameters the values, updated in place
 * @param gradients  the gradients, same shape, device and element type; read by {@code step()}
 */
public record ParameterBuffer(Tensor parameters, Tensor gradients) {

    /**
     * @throws IllegalArgumentException if the shapes, devices or element types differ, or the two
     *                                  overlap
     */
    public ParameterBuffer {
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(gradients, "gradients");
        if (!gradients.hasShape(parameters.shape())) {
            throw new IllegalArgumentException("gradients must have the shape of parameters "
                    + Tensor.shapeString(parameters.shape()) + ", got " + Tensor.shapeString(gradients.shape()));
        }
        if (gradients.device() != parameters.device() || gradients.dtype() != parameters.dtype()) {
            throw new IllegalArgumentException("gradients must be a " + parameters.device().label() + " "
                    + parameters.dtype().label() + " tensor like parameters, got " + gradients.device().label()
                    + " " + gradients.dtype().label());
        }
        if (overlaps(parameters, gradients)) {
            throw new IllegalArgumentException("parameters and gradients must not overlap, got " + parameters
                    + " at offset " + parameters.offset() + " and " + gradients + " at offset "
                    + gradients.offset() + " of one storage");
        }
    }

    /** A layer's flat parameters and gradients: {@code new Adam(List.of(ParameterBuffer.of(lstm), ...), ...)}. */
    public static ParameterBuffer of(Layer layer) {
        Objects.requireNonNull(layer, "layer");
        return new ParameterBuffer(layer.flatParameters(), layer.flatGradients());
    }

    /** The backend that computes on these tensors ({@link Backend#of(Tensor)}: a CUDA tensor's own device). */
    public Backend backend() {
        return Backend.of(parameters);
    }

    /** Number of scalar parameters. */
    public long numel() {
        return parameters.numel();
    }

    /** Whether two tensors view overlapping elements of one storage. */
    static boolean overlaps(Tensor a, Tensor b) {
        return a.sharesStorageWith(b) && a.numel() > 0 && b.numel() > 0
                && a.offset() < b.offset() + b.numel() && b.offset() < a.offset() + a.numel();
    }
}
