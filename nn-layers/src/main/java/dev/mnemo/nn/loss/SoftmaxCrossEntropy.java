package dev.mnemo.nn.loss;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;

import java.util.Objects;

/**
 * Softmax cross-entropy on logits, fused with its gradient (PyTorch's {@code F.cross_entropy} with
 * mean reduction):
 * <pre>
 *   loss = −(1/N) Σ_r log softmax(logits_r)[target_r],      ∂loss/∂logits_r = (softmax(logits_r) − onehot(target_r)) / N
 * </pre>
 * computed stably (log-sum-exp around each row's maximum), so large logits do not overflow.
 *
 * <p>{@link #perStep}: every row of {@code [*, C]} logits has a target (a label per time step).
 * {@link #lastStep}: only the last time step of a sequence output has a target (sequence
 * classification); the gradient is zero at the other steps.
 *
 * <p><b>Differs from PyTorch</b>: targets are a host {@code int[]}; no {@code ignore_index}, class weights
 * or label smoothing.
 */
public final class SoftmaxCrossEntropy {

    private final Backend backend;

    public SoftmaxCrossEntropy(Backend backend) {
        this.backend = Objects.requireNonNull(backend, "backend");
    }

    /**
     * @param logits  {@code [*, C]}: N = numel / C rows
     * @param targets N class indices in {@code [0, C)}, in row-major order of the leading dimensions
     */
    public Loss perStep(Tensor logits, int[] targets) {
        checkLogits(logits, false);
        int classes = logits.dim(-1);
        int rows = (int) (logits.numel() / classes);
        checkTargets(targets, rows, classes, "rows of logits");
        Tensor grad = backend.zeros(logits.shape());
        double sum = backend.softmaxCrossEntropy(logits.reshape(rows, classes), targets, 1.0 / rows,
                grad.reshape(rows, classes));
        return new Loss(sum / rows, grad);
    }

    /**
     * @param logits     {@code [T, B, C]}, or {@code [B, T, C]} when {@code batchFirst}
     * @param targets    B class indices, one per sequence, for its last step
     * @param batchFirst the layout of {@code logits}
     */
    public Loss lastStep(Tensor logits, int[] targets, boolean batchFirst) {
        checkLogits(logits, true);
        int steps = batchFirst ? logits.dim(1) : logits.dim(0);
        int batch = batchFirst ? logits.dim(0) : logits.dim(1);
        int classes = logits.dim(2);
        checkTargets(targets, batch, classes, "sequences (B)");
        int[] rows = new int[batch];
        for (int b = 0; b < batch; b++) {
            rows[b] = batchFirst ? b * steps + steps - 1 : (steps - 1) * batch + b;
        }
        Tensor flat = logits.reshape(steps * batch, classes);
        Tensor last = backend.zeros(batch, classes);
        backend.gatherRows(flat, rows, last);
        Tensor dLast = backend.zeros(batch, classes);
        double sum = backend.softmaxCrossEntropy(last, targets, 1.0 / batch, dLast);
        Tensor grad = backend.zeros(logits.shape());
        backend.scatterAddRows(dLast, rows, grad.reshape(steps * batch, classes));
        return new Loss(sum / batch, grad);
    }

    private void checkLogits(Tensor logits, boolean sequence) {
        boolean ok = logits != null && logits.numel() > 0 && (sequence ? logits.rank() == 3 : logits.rank() >= 1);
        if (!ok) {
            throw new IllegalArgumentException("logits must have shape " + (sequence ? "[T, B, C]" : "[*, C]")
                    + " with at least one row, got " + (logits == null ? "null" : Tensor.shapeString(logits.shape())));
        }
        if (logits.device() != backend.device() || logits.dtype() != backend.dtype()) {
            throw new IllegalArgumentException("logits must be a " + backend.device().label() + " "
                    + backend.dtype().label() + " tensor (the backend's), got " + logits.device().label() + " "
                    + logits.dtype().label());
        }
    }

    private static void checkTargets(int[] targets, int n, int classes, String what) {
        if (targets == null || targets.length != n) {
            throw new IllegalArgumentException("targets must have " + n + " elements (one per " + what + "), got "
                    + (targets == null ? "null" : targets.length));
        }
        for (int i = 0; i < n; i++) {
            if (targets[i] < 0 || targets[i] >= classes) {
                throw new IllegalArgumentException("targets[" + i + "] must be in [0, " + classes + ") (classes), got "
                        + targets[i]);
            }
        }
    }
}
