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
 * classification); the gradient is zero at the other steps. With {@code lengths} (a right-padded
 * batch, as {@code RecurrentLayer.forward(x, state, lengths)} and {@code PaddedBatch} take it), each
 * sequence's target is at its own last step, {@code lengths[b] − 1}.
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
        return lastStep(logits, targets, null, batchFirst);
    }

    /**
     * The loss of each sequence's own last step of a right-padded batch; steps past a sequence's length
     * get no gradient, and their logits never reach the loss.
     *
     * @param logits     {@code [T, B, C]}, or {@code [B, T, C]} when {@code batchFirst}
     * @param targets    B class indices, one per sequence, for its step {@code lengths[b] − 1}
     * @param lengths    B lengths in {@code [1, T]}; null: every sequence has T steps
     * @param batchFirst the layout of {@code logits}
     * @throws IllegalArgumentException on a wrong count or a length outside {@code [1, T]}
     */
    public Loss lastStep(Tensor logits, int[] targets, int[] lengths, boolean batchFirst) {
        checkLogits(logits, true);
        int steps = batchFirst ? logits.dim(1) : logits.dim(0);
        int batch = batchFirst ? logits.dim(0) : logits.dim(1);
        int classes = logits.dim(2);
        checkTargets(targets, batch, classes, "sequences (B)");
        int[] rows = lastStepRows(steps, batch, lengths, batchFirst);
        Tensor flat = logits.reshape(steps * batch, classes);
        Tensor last = backend.zeros(batch, classes);
        backend.gatherRows(flat, rows, last);
        Tensor dLast = backend.zeros(batch, classes);
        double sum = backend.softmaxCrossEntropy(last, targets, 1.0 / batch, dLast);
        Tensor grad = backend.zeros(logits.shape());
        backend.scatterAddRows(dLast, rows, grad.reshape(steps * batch, classes));
        backend.release(last);
        backend.release(dLast);
        return new Loss(sum / batch, grad);
    }

    /**
     * The rows of the flattened {@code [T·B, C]} ({@code batchFirst}: {@code [B·T, C]}) outputs that hold
     * each sequence's last step, {@code lengths[b] − 1} (T − 1 when {@code lengths} is null): what
     * {@link #lastStep} scores, and what {@link Backend#gatherRows} reads to get the predictions.
     *
     * @throws IllegalArgumentException on a wrong count or a length outside {@code [1, steps]}
     */
    public static int[] lastStepRows(int steps, int batch, int[] lengths, boolean batchFirst) {
        if (lengths != null && lengths.length != batch) {
            throw new IllegalArgumentException("lengths must have " + batch + " elements (one per sequence), got "
                    + lengths.length);
        }
        int[] rows = new int[batch];
        for (int b = 0; b < batch; b++) {
            int len = lengths == null ? steps : lengths[b];
            if (len < 1 || len > steps) {
                throw new IllegalArgumentException("lengths[" + b + "] must be in [1, " + steps + "] (T), got " + len);
            }
            rows[b] = batchFirst ? b * steps + len - 1 : (len - 1) * batch + b;
        }
        return rows;
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
