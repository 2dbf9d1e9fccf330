package dev.mnemo.cuda;

import java.lang.ref.Cleaner;
import java.util.function.BiConsumer;

/**
 * The visible lifetime of one native resource: open until {@link #close} runs its release action
 * once; a use after that throws {@link IllegalStateException} naming the resource; a resource that
 * becomes unreachable while still open is reported as a leak (a {@link System.Logger} warning),
 * never released silently behind the owner's back.
 *
 * <p>Why report instead of free: releasing CUDA memory needs the owning context current on the
 * releasing thread, and the cleaner's thread is not the owner; a leak is a bug to fix, and the
 * warning says which resource and where it was created.
 */
final class Lifetime {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final System.Logger LOG = System.getLogger("dev.mnemo.cuda");
    /** Where leak reports go: the logger; tests swap it to assert instead of print. */
    static volatile BiConsumer<String, Throwable> leakSink =
            (message, createdAt) -> LOG.log(System.Logger.Level.WARNING, message, createdAt);

    /** What the cleaner sees: never the resource itself, so the resource can become unreachable. */
    private static final class State implements Runnable {
        final String description;
        final Throwable createdAt;
        volatile boolean closed;

        State(String description) {
            this.description = description;
            this.createdAt = new Throwable("created here");
        }

        @Override
        public void run() {
            if (!closed) {
                leakSink.accept("leak: " + description
                        + " was never closed (close it, or use try-with-resources)", createdAt);
            }
        }
    }

    private final State state;
    private final Cleaner.Cleanable cleanable;

    /**
     * @param owner the resource whose reachability is tracked
     * @param description how messages name it, e.g. "DeviceBuffer(1024 bytes)"
     */
    Lifetime(Object owner, String description) {
        this.state = new State(description);
        this.cleanable = CLEANER.register(owner, state);
    }

    /** How messages name the resource. */
    String description() {
        return state.description;
    }

    boolean isClosed() {
        return state.closed;
    }

    /** Throws {@link IllegalStateException} when closed. */
    void ensureOpen() {
        if (state.closed) {
            throw new IllegalStateException(state.description + " is closed");
        }
    }

    /**
     * Marks the resource closed and runs {@code release} the first time; later calls do nothing.
     * The resource counts as closed even when {@code release} throws, so the failure is reported
     * once and never followed by a leak warning.
     */
    /**
     * {@link #close} for a resource made in {@code context}: {@code destroy} (the driver call) runs with the
     * context current, and only when {@code owned} and the context still lives, since a released context
     * may already have taken its resources with it; {@code always} (host-side state) runs either way, after.
     */
    void closeIn(CudaContext context, boolean owned, Runnable destroy, Runnable always) {
        if (state.closed) {
            return;
        }
        boolean release = owned && !context.isClosed();
        if (release) {
            context.use();
        }
        close(() -> {
            try {
                if (release) {
                    destroy.run();
                }
            } finally {
                always.run();
            }
        });
    }

    /** {@link #closeIn(CudaContext, boolean, Runnable, Runnable)} with no host-side state to drop. */
    void closeIn(CudaContext context, boolean owned, Runnable destroy) {
        closeIn(context, owned, destroy, () -> { });
    }

    void close(Runnable release) {
        if (state.closed) {
            return;
        }
        state.closed = true;
        try {
            release.run();
        } finally {
            cleanable.clean();
        }
    }
}
