package dev.mnemo.experiments.tasks.symbolic;

import java.util.SplittableRandom;

/**
 * A symbolic string task (reference/tasks.md): fresh random sequences on demand, one-hot inputs and
 * per-step class targets with a mask of scored steps ({@link SequenceBatch}). Implementations are
 * immutable, validated records; the same seed gives the same batch.
 */
public interface SymbolicTask {

    /** A short name: {@code copy}, {@code reverse}, {@code parity}, {@code parity-final}, {@code recall}. */
    String name();

    /** I, the width of a one-hot input row. */
    int inputSize();

    /** C, the number of target classes. */
    int classes();

    /** The longest sequence (in steps, T) this task produces. */
    int maxSteps();

    /** {@code batchSize} sequences drawn from {@code rnd} (which advances). */
    SequenceBatch sample(int batchSize, SplittableRandom rnd);

    /** {@code batchSize} sequences drawn from a generator seeded with {@code seed}: deterministic. */
    default SequenceBatch sample(int batchSize, long seed) {
        return sample(batchSize, new SplittableRandom(seed));
    }
}
