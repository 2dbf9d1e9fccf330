package dev.mnemo.bench.dl4j;

/**
 * One side of the comparison: LSTM(I → H, tanh, sigmoid gates) over the whole sequence, then
 * Linear(H → {@value BenchShape#CLASSES}) on the last step, softmax cross-entropy (mean over the
 * batch) against the targets. The input is bound at construction, in the side's own layout, so
 * no conversion is timed.
 */
public interface SequenceClassifier {

    /** "Mnemo" or "DL4J". */
    String name();

    /**
     * Inference: the whole sequence forward and the output layer on the last step.
     *
     * @return the {@code [B, CLASSES]} outputs, row-major (Mnemo: logits; DL4J: softmax
     *         probabilities — its output layer applies softmax, B·10 exponentials)
     */
    float[] forward();

    /** One training step: forward, loss, backward through all T steps, one optimizer update. */
    double trainStep();

    /** Number of trainable scalars. */
    long parameterCount();

    /** Where {@link #parameterCount()} comes from, e.g. the LSTM's and the head's parts. */
    String parameterBreakdown();
}
