package dev.mnemo.nn.loss;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;

import java.util.Objects;

/**
 * Mean squared error, fused with its gradient (PyTorch's {@code F.mse_loss}, mean reduction):
 * <pre>
 *   loss = (1/N) Σ (pred − target)²,      ∂loss/∂pred = 2 (pred − target) / N
 * </pre>
 */
public final class MeanSquaredError {

    private final Backend backend;

    public MeanSquaredError(Backend backend) {
        this.backend = Objects.requireNonNull(backend, "backend");
    }

    /**
     * @param pred   any shape, at least one element
     * @param target the same shape
     */
    public Loss compute(Tensor pred, Tensor target) {
        if (pred == null || pred.numel() == 0) {
            throw new IllegalArgumentException("pred must have at least one element, got "
                    + (pred == null ? "null" : Tensor.shapeString(pred.shape())));
        }
        if (target == null || !target.hasShape(pred.shape())) {
            throw new IllegalArgumentException("target must have shape " + Tensor.shapeString(pred.shape())
                    + " like pred, got " + (target == null ? "null" : Tensor.shapeString(target.shape())));
        }
        requireBackend("pred", pred);
        requireBackend("target", target);
        Tensor grad = backend.zeros(pred.shape());
        double n = pred.numel();
        double sum = backend.squaredError(pred, target, 1.0 / n, grad);
        return new Loss(sum / n, grad);
    }

    private void requireBackend(String name, Tensor t) {
        if (t.device() != backend.device() || t.dtype() != backend.dtype()) {
            throw new IllegalArgumentException(name + " must be a " + backend.device().label() + " "
                    + backend.dtype().label() + " tensor (the backend's), got " + t.device().label() + " "
                    + t.dtype().label());
        }
    }
}
