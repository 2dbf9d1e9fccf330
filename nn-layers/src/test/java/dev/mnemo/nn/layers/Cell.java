package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Nonlinearity;

/** The four recurrent cells under test. */
enum Cell {
    RNN_TANH, RNN_RELU, LSTM, GRU;

    RecurrentOptions.Builder options(int inputSize, int hiddenSize) {
        var b = RecurrentOptions.builder(inputSize, hiddenSize);
        return this == RNN_RELU ? b.nonlinearity(Nonlinearity.RELU) : b;
    }

    RecurrentLayer create(RecurrentOptions options, Backend backend) {
        return switch (this) {
            case RNN_TANH, RNN_RELU -> new Rnn(options, backend);
            case LSTM -> new Lstm(options, backend);
            case GRU -> new Gru(options, backend);
        };
    }

    boolean hasCellState() {
        return this == LSTM;
    }
}
