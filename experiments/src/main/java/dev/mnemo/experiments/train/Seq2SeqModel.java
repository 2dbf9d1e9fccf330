package dev.mnemo.experiments.train;

import dev.mnemo.experiments.tasks.translation.TranslationVocabulary;
import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.io.SafeTensors;
import dev.mnemo.nn.layers.Embedding;
import dev.mnemo.nn.layers.Linear;
import dev.mnemo.nn.layers.LinearOptions;
import dev.mnemo.nn.layers.RecurrentGradients;
import dev.mnemo.nn.layers.RecurrentLayer;
import dev.mnemo.nn.layers.RecurrentOutput;
import dev.mnemo.nn.layers.RecurrentState;
import dev.mnemo.nn.loss.Loss;
import dev.mnemo.nn.loss.SoftmaxCrossEntropy;
import dev.mnemo.nn.optim.ParameterBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import java.util.function.IntUnaryOperator;

/**
 * An encoder-decoder translator (Sutskever et al. 2014): the source words' embeddings run through
 * the encoder; its final state (h, and c for the LSTM, every layer) is the decoder's initial state;
 * the decoder reads the target embeddings shifted right ({@code <bos> y1 … yn}) and a Linear head
 * scores the next word at every step. Without attention the whole source passes through the final
 * state; with it ({@link LuongAttention}) the head reads, at every step, a state that has looked at
 * every encoder output.
 *
 * <p>Training is teacher-forced: softmax cross-entropy over the target words and {@code <eos>}
 * (padding unscored), back through head, decoder, the state hand-over, encoder and both embeddings.
 * Translation runs the decoder one step at a time from the encoder's state, over K hypothesis rows
 * per sentence ({@link BeamSearch}; K = 1 is greedy: the arg-max word fed back), until every
 * sentence is done or the step limit.
 *
 * <p>Encoder and decoder are the run's cell, hidden size and depth, each initialised by the run's
 * initializer (from different seeds). Not thread-safe.
 */
public final class Seq2SeqModel {

    private final String cell;
    private final Backend backend;
    private final Embedding sourceEmbedding;
    private final Embedding targetEmbedding;
    private final RecurrentLayer encoder;
    private final RecurrentLayer decoder;
    private final LuongAttention attention;   // null: the head reads the decoder's outputs
    private final Linear head;
    private final String initDescription;
    private final SoftmaxCrossEntropy crossEntropy;

    private Seq2SeqModel(String cell, Backend backend, Embedding sourceEmbedding, Embedding targetEmbedding,
                         RecurrentLayer encoder, RecurrentLayer decoder, LuongAttention attention, Linear head,
                         String initDescription) {
        this.cell = cell;
        this.backend = backend;
        this.sourceEmbedding = sourceEmbedding;
        this.targetEmbedding = targetEmbedding;
        this.encoder = encoder;
        this.decoder = decoder;
        this.attention = attention;
        this.head = head;
        this.initDescription = initDescription;
        this.crossEntropy = new SoftmaxCrossEntropy(backend);
    }

    /**
     * A freshly initialised translator for {@code s} (cell rnn, lstm or gru).
     *
     * @param sourceWords the source vocabulary's size
     * @param targetWords the target vocabulary's size: the head's outputs
     * @param embedding   the width of both embeddings
     * @param attention   whether the head reads Luong's attentional state (dot attention over the
     *                    encoder's outputs) instead of the decoder's output
     */
    public static Seq2SeqModel build(RunSettings s, int sourceWords, int targetWords, int embedding,
                                     boolean attention, Backend be) {
        if (!SequenceModels.RECURRENT_CELLS.contains(s.cell())) {
            throw new IllegalArgumentException("translation needs a recurrent encoder and decoder: --cell "
                    + String.join(", ", SequenceModels.RECURRENT_CELLS) + ", got '" + s.cell() + "'");
        }
        RunSettings.positive("embedding", embedding);
        var enc = SequenceModels.recurrentLayer(s, embedding, 0, null, be);
        var dec = SequenceModels.recurrentLayer(s, embedding, 2, null, be);
        return new Seq2SeqModel(s.cell(), be,
                new Embedding(sourceWords, embedding, s.seed() + 3, be),
                new Embedding(targetWords, embedding, s.seed() + 4, be),
                enc.layer(), dec.layer(), attention ? new LuongAttention(s.hidden(), s.seed() + 5, be) : null,
                new Linear(LinearOptions.builder(s.hidden(), targetWords).seed(s.seed() + 1).build(), be),
                "encoder " + enc.initDescription() + "; decoder " + dec.initDescription());
    }

    /**
     * One teacher-forced pass over {@code b}: the mean cross-entropy per scored target word, its
     * gradients <b>accumulated</b> into every part's gradient buffer.
     */
    public double lossAndGradients(TranslationBatch b) {
        int batch = b.batch();
        Embedding.Output xs = sourceEmbedding.forward(b.source(), b.sourceSteps(), batch);
        RecurrentOutput enc = encoder.forward(xs.output(), null);
        Embedding.Output xt = targetEmbedding.forward(b.decoderInput(), b.targetSteps(), batch);
        RecurrentOutput dec = decoder.forward(xt.output(), enc.state());
        LuongAttention.Pass attended = attention == null ? null : attention.forward(dec.output(), enc.output());
        Linear.Output logits = head.forward(attended == null ? dec.output() : attended.state());
        Loss loss = MaskedLoss.of(backend, crossEntropy, logits.output(), b.scoredRows(), b.scoredTargets());
        Tensor dHeadInput = head.backward(logits.saved(), loss.gradient());
        Tensor dDecoded = dHeadInput;
        Tensor dEncoded = null;   // ∂L/∂(encoder outputs): only attention reads them
        if (attended != null) {
            LuongAttention.Gradients g = attention.backward(attended, dHeadInput);
            dDecoded = g.dQueries();
            dEncoded = g.dMemory();
            release(dHeadInput, attended.state());
        }
        RecurrentGradients dDec = decoder.backward(dec.saved(), dDecoded, null);
        targetEmbedding.backward(xt.saved(), dDec.dx());
        // The decoder's initial state is the encoder's final one: its gradient flows on into the encoder.
        RecurrentGradients dEnc = encoder.backward(enc.saved(), dEncoded, dDec.dState());
        sourceEmbedding.backward(xs.saved(), dEnc.dx());
        dec.saved().release();
        enc.saved().release();
        release(xs.output(), enc.output(), xt.output(), dec.output(), logits.output(), loss.gradient(), dDecoded,
                dEncoded, dDec.dx(), dEnc.dx());
        release(enc.state(), dec.state(), dDec.dState(), dEnc.dState());
        return loss.value();
    }

    /**
     * Greedy translations of {@code b}'s sources: per sentence, the target ids up to (not including)
     * {@code <eos>}, at most {@code maxSteps} of them.
     */
    public int[][] translate(TranslationBatch b, int maxSteps) {
        return translate(b, maxSteps, 1);
    }

    /**
     * Beam-search translations of {@code b}'s sources with {@code beam} hypotheses per sentence
     * ({@link BeamSearch}; 1 is greedy): per sentence, the target ids up to (not including)
     * {@code <eos>}, at most {@code maxSteps} of them.
     */
    public int[][] translate(TranslationBatch b, int maxSteps, int beam) {
        return translate(b.source(), b.sourceSteps(), b.batch(), maxSteps, beam);
    }

    /**
     * As {@link #translate(TranslationBatch, int, int)}, from the encoder's input alone: {@code source}
     * {@code [steps, batch]} time-major ids ({@link TranslationBatch#sourceIds}), every sentence
     * {@code steps} words long.
     *
     * @throws IllegalArgumentException on a {@code <pad>} id (padding would reach the encoder and the
     *                                  attention), or a {@code beam} or {@code maxSteps} below 1
     */
    public int[][] translate(int[] source, int steps, int batch, int maxSteps, int beam) {
        if (beam < 1) {
            throw new IllegalArgumentException("beam must be >= 1, got " + beam);
        }
        if (maxSteps < 1) {   // else every translation came back empty
            throw new IllegalArgumentException("maxSteps must be >= 1, got " + maxSteps);
        }
        for (int i = 0; i < source.length; i++) {
            if (source[i] == TranslationVocabulary.PAD) {
                throw new IllegalArgumentException("source holds <pad> at step " + i / batch + " of sentence "
                        + i % batch + ": translate sources of one length per call (padding would reach the encoder "
                        + "and the attention)");
            }
        }
        Embedding.Output xs = sourceEmbedding.forward(source, steps, batch);
        RecurrentOutput enc = encoder.infer(xs.output(), null);
        release(xs.output());
        // each sentence's encoder results once per hypothesis: row b·K + k reads sentence b
        HypothesisRows rows = new HypothesisRows(repeat(enc.state(), beam),
                attention == null ? null : repeatRows(enc.output(), batch * beam, i -> i / beam));
        release(enc.output());
        release(enc.state());
        try {
            return BeamSearch.run(rows, batch, beam, maxSteps);
        } finally {
            release(rows.state);
            if (rows.memory != null) {
                release(rows.memory);
            }
        }
    }

    /** The decoder over B·K hypothesis rows: its running state and, with attention, the encoder outputs. */
    private final class HypothesisRows implements BeamSearch.Decoder {
        private RecurrentState state;
        private final Tensor memory;

        HypothesisRows(RecurrentState state, Tensor memory) {
            this.state = state;
            this.memory = memory;
        }

        @Override
        public double[][] step(int[] previous) {
            Tensor x = targetEmbedding.forward(previous, previous.length).output();
            RecurrentOutput o = decoder.inferStep(x, state);
            Tensor features = attention == null ? o.output() : attention.step(o.output(), memory);
            Tensor scores = head.forward(features).output();
            double[][] logp = logSoftmax(TrainingSetup.onHost(scores));
            release(x, o.output(), scores);
            if (features != o.output()) {
                release(features);
            }
            release(state);
            state = o.state();
            return logp;
        }

        @Override
        public void reorder(int[] parents) {
            boolean same = true;
            for (int i = 0; i < parents.length && same; i++) {
                same = parents[i] == i;
            }
            if (!same) {   // greedy search never reorders
                RecurrentState old = state;
                state = new RecurrentState(repeatRows(old.h(), parents.length, i -> parents[i]),
                        old.c() == null ? null : repeatRows(old.c(), parents.length, i -> parents[i]));
                release(old);
            }
        }
    }

    /** {@code s}'s rows, each {@code times} times in a row. */
    private RecurrentState repeat(RecurrentState s, int times) {
        int rows = s.h().dim(1) * times;
        return new RecurrentState(repeatRows(s.h(), rows, i -> i / times),
                s.c() == null ? null : repeatRows(s.c(), rows, i -> i / times));
    }

    /** {@code [A, rows, H]} whose row i of every leading index is {@code t}'s row {@code source(i)}: {@code t} {@code [A, R, H]}. */
    private Tensor repeatRows(Tensor t, int rows, IntUnaryOperator source) {
        int lead = t.dim(0);
        int r = t.dim(1);
        int width = t.dim(2);
        int[] index = new int[lead * rows];
        for (int a = 0; a < lead; a++) {
            for (int i = 0; i < rows; i++) {
                index[a * rows + i] = a * r + source.applyAsInt(i);
            }
        }
        Tensor out = backend.empty(lead, rows, width);
        backend.gatherRows(t.reshape(lead * r, width), index, out.reshape(lead * rows, width));
        return out;
    }

    /** Each row's log-softmax, in double precision, from {@code [N, V]} scores on the host. */
    private static double[][] logSoftmax(Tensor scores) {
        int words = scores.dim(-1);
        double[] flat = scores.toDoubleArray();
        double[][] out = new double[flat.length / words][words];
        for (int r = 0; r < out.length; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int w = 0; w < words; w++) {
                max = Math.max(max, flat[r * words + w]);
            }
            double sum = 0;
            for (int w = 0; w < words; w++) {
                sum += Math.exp(flat[r * words + w] - max);
            }
            double log = max + Math.log(sum);
            for (int w = 0; w < words; w++) {
                out[r][w] = flat[r * words + w] - log;
            }
        }
        return out;
    }

    private void release(Tensor... tensors) {
        for (Tensor t : tensors) {
            if (t != null) {
                backend.release(t);
            }
        }
    }

    private void release(RecurrentState... states) {
        for (RecurrentState s : states) {
            if (s != null) {
                release(s.h(), s.c());
            }
        }
    }

    /** Sets every part's accumulated gradients to zero. */
    public void zeroGradients() {
        sourceEmbedding.zeroGradients();
        encoder.zeroGradients();
        targetEmbedding.zeroGradients();
        decoder.zeroGradients();
        head.zeroGradients();
        if (attention != null) {
            attention.zeroGradients();
        }
    }

    /** Parameters and gradients of every part, for the optimizer. */
    public List<ParameterBuffer> parameterBuffers() {
        List<ParameterBuffer> parts = List.of(ParameterBuffer.of(sourceEmbedding), ParameterBuffer.of(encoder),
                ParameterBuffer.of(targetEmbedding), ParameterBuffer.of(decoder), ParameterBuffer.of(head));
        if (attention == null) {
            return parts;
        }
        List<ParameterBuffer> all = new ArrayList<>(parts);
        all.addAll(attention.parameterBuffers());
        return all;
    }

    /** Every parameter by name, as saved to safetensors ({@code encoder.weight_hh_l0}, {@code head.weight}, …). */
    public SequencedMap<String, Tensor> parameters() {
        SequencedMap<String, Tensor> all = new LinkedHashMap<>();
        all.putAll(SafeTensors.withPrefix("source_embedding.", sourceEmbedding.parameters()));
        all.putAll(SafeTensors.withPrefix("encoder.", encoder.parameters()));
        all.putAll(SafeTensors.withPrefix("target_embedding.", targetEmbedding.parameters()));
        all.putAll(SafeTensors.withPrefix("decoder.", decoder.parameters()));
        all.putAll(SafeTensors.withPrefix("head.", head.parameters()));
        if (attention != null) {
            all.putAll(SafeTensors.withPrefix("attention.", attention.parameters()));
        }
        return all;
    }

    /** The number of trainable scalars. */
    public long parameterCount() {
        return parameterBuffers().stream().mapToLong(ParameterBuffer::numel).sum();
    }

    /** The encoder and decoder, whose {@code weight_hh} spectra a run tracks. */
    public SequencedMap<String, RecurrentLayer> recurrentLayers() {
        SequencedMap<String, RecurrentLayer> m = new LinkedHashMap<>();
        m.put("encoder", encoder);
        m.put("decoder", decoder);
        return m;
    }

    /** Whether the model is in training mode (its parts are set together). */
    public boolean isTraining() {
        return encoder.isTraining();
    }

    /** Training mode (dropout between stacked layers on) or evaluation mode, for every part. */
    public void setTraining(boolean training) {
        encoder.setTraining(training);
        decoder.setTraining(training);
    }

    public Backend backend() {
        return backend;
    }

    /** One line, e.g. {@code Embedding(40, 32) → lstm(32 → 64) ⇒ lstm(32 → 64) → Linear(64, 45)}. */
    public String describe() {
        var o = encoder.options();
        String rec = cell + "(" + o.inputSize() + " → " + o.hiddenSize() + (o.numLayers() > 1 ? ", "
                + o.numLayers() + " layers" : "") + ")";
        return "encoder Embedding(" + sourceEmbedding.numEmbeddings() + ", " + sourceEmbedding.embeddingDim() + ") → "
                + rec + "; its final state starts the decoder Embedding(" + targetEmbedding.numEmbeddings() + ", "
                + targetEmbedding.embeddingDim() + ") → " + rec + (attention == null ? "" : " → Luong dot attention "
                + "over the encoder's outputs, tanh(W_c·context + W_q·h)") + " → Linear(" + o.hiddenSize() + ", "
                + head.options().outFeatures() + ") on every step";
    }

    /** The initializer of the encoder and decoder, as applied (the decoder's from another seed). */
    public String initDescription() {
        return initDescription;
    }
}
