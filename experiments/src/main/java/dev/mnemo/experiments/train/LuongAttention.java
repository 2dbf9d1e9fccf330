package dev.mnemo.experiments.train;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Nonlinearity;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.io.SafeTensors;
import dev.mnemo.nn.layers.Linear;
import dev.mnemo.nn.layers.LinearOptions;
import dev.mnemo.nn.optim.ParameterBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;

/**
 * Luong et al.'s (2015) attentional hidden state over {@link DotAttention}:
 * {@code h̃_t = tanh(W_c·context_t + b_c + W_q·h_t)}, where {@code h_t} is the decoder's output at
 * step t and {@code context_t} its dot-attention read of the encoder's outputs. The translator's head
 * reads {@code h̃_t} instead of {@code h_t}, so every target word can look at every source word, not
 * only at what the encoder's final state kept. (Luong's concatenation {@code W [c; h]} is written as
 * two Linears; the tanh is the backend's RNN cell without its recurrent part.)
 */
final class LuongAttention {

    private final Backend backend;
    private final Linear context;
    private final Linear query;

    /** What {@link #backward} needs of a {@link #forward}; {@code state} is {@code h̃} {@code [T, B, H]}. */
    record Pass(Tensor queries, Tensor memory, DotAttention.Read read, Linear.Output projectedContext,
                Linear.Output projectedQuery, Tensor state) {
    }

    /** ∂L/∂ of the decoder outputs (the queries) and of the encoder outputs (the memory). */
    record Gradients(Tensor dQueries, Tensor dMemory) {
    }

    LuongAttention(int hidden, long seed, Backend backend) {
        this.backend = backend;
        this.context = new Linear(LinearOptions.builder(hidden, hidden).seed(seed).build(), backend);
        this.query = new Linear(LinearOptions.builder(hidden, hidden).bias(false).seed(seed + 1).build(), backend);
    }

    /** {@code h̃} for every step of {@code queries} {@code [T, B, H]} over {@code memory} {@code [Ts, B, H]}. */
    Pass forward(Tensor queries, Tensor memory) {
        DotAttention.Read read = DotAttention.forward(backend, queries, memory);
        Linear.Output c = context.forward(read.context());
        Linear.Output q = query.forward(queries);
        Tensor state = backend.empty(queries.shape());
        combine(c.output(), q.output(), state);
        return new Pass(queries, memory, read, c, q, state);
    }

    /** One decoding step: {@code h̃} {@code [B, H]} for the decoder output {@code q} {@code [B, H]}. */
    Tensor step(Tensor q, Tensor memory) {
        Pass p = forward(q.reshape(1, q.dim(0), q.dim(1)), memory);
        Tensor state = p.state().reshape(q.dim(0), q.dim(1));
        releaseIntermediates(p);
        return state;
    }

    /** The gradients of {@code p} for ∂L/∂h̃ {@code dState}; {@code p}'s tensors but h̃ go back to the backend. */
    Gradients backward(Pass p, Tensor dState) {
        int rows = rows(p.state());
        int width = p.state().dim(-1);
        Tensor dCarried = backend.zeros(rows, width);   // the RNN cell's ∂L/∂h from a next step: none here
        Tensor dPre = backend.empty(p.state().shape());
        backend.rnnCellBackward(Nonlinearity.TANH, p.state().reshape(rows, width), dState.reshape(rows, width),
                dCarried, dPre.reshape(rows, width));
        Tensor dContext = context.backward(p.projectedContext().saved(), dPre);
        Tensor dQueries = query.backward(p.projectedQuery().saved(), dPre);
        Tensor dRead = backend.empty(p.queries().shape());
        Tensor dKeys = backend.zeros(p.memory().shape());
        Tensor dValues = backend.zeros(p.memory().shape());
        DotAttention.backward(backend, p.queries(), p.memory(), p.read(), dContext, dRead, dKeys, dValues);
        addInto(dRead, dQueries);   // the decoder output feeds both the read and W_q
        addInto(dKeys, dValues);    // the encoder outputs are the keys and the values
        for (Tensor t : new Tensor[] {dCarried, dPre, dContext, dRead, dKeys}) {
            backend.release(t);
        }
        releaseIntermediates(p);
        return new Gradients(dQueries, dValues);
    }

    /** Hands back what a pass made besides h̃ (the caller's to release). */
    void releaseIntermediates(Pass p) {
        for (Tensor t : new Tensor[] {p.read().context(), p.read().lse(), p.projectedContext().output(),
                p.projectedQuery().output()}) {
            backend.release(t);
        }
    }

    /** {@code state ← tanh(projected context + projected query)}, elementwise over every row. */
    private void combine(Tensor projectedContext, Tensor projectedQuery, Tensor state) {
        int rows = rows(state);
        int width = state.dim(-1);
        backend.rnnCellForward(Nonlinearity.TANH, projectedContext.reshape(rows, width),
                projectedQuery.reshape(rows, width), null, null, state.reshape(rows, width));
    }

    /** {@code dst += src}, same shape: a one-row matrix's column sums are the row itself. */
    private void addInto(Tensor src, Tensor dst) {
        int n = Math.toIntExact(src.numel());
        backend.addColumnSums(src.reshape(1, n), dst.reshape(n));
    }

    private static int rows(Tensor t) {
        return Math.toIntExact(t.numel() / t.dim(-1));
    }

    List<ParameterBuffer> parameterBuffers() {
        return List.of(ParameterBuffer.of(context), ParameterBuffer.of(query));
    }

    /** {@code context.weight}, {@code context.bias}, {@code query.weight}. */
    SequencedMap<String, Tensor> parameters() {
        SequencedMap<String, Tensor> all = new LinkedHashMap<>();
        all.putAll(SafeTensors.withPrefix("context.", context.parameters()));
        all.putAll(SafeTensors.withPrefix("query.", query.parameters()));
        return all;
    }

    void zeroGradients() {
        context.zeroGradients();
        query.zeroGradients();
    }
}
