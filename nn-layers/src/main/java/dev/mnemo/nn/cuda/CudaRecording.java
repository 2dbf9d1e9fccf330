package dev.mnemo.nn.cuda;

import dev.mnemo.cuda.CudaGraph;
import dev.mnemo.nn.Backend;
import java.lang.ref.Cleaner;
import java.util.Objects;

/**
 * A region of CUDA backend work captured into a CUDA Graph and replayed with one
 * {@code cuGraphLaunch}.
 *
 * <p>The region runs eagerly first (that run is the caller's first result, and it grows the
 * workspaces the region needs, which capture could not do), then is captured; nothing runs during
 * capture. The graph holds device addresses, so it goes stale when a workspace of the runtime is
 * reallocated (another call needed a bigger one): a replay then captures again. So it does when other
 * work uploaded new contents into a workspace the graph reads in place (gather indices, sequence
 * lengths), after rerunning the region. If capture fails
 * (the region did something capture forbids), the recording falls back to rerunning the region,
 * so results never depend on whether the graph exists.
 *
 * <p>A recording that becomes unreachable without {@link #close()} (a layer dropped with its
 * recordings) hands its graph to the runtime, which destroys it on the owner thread, like the
 * storage of an unreachable tensor.
 */
final class CudaRecording implements Backend.Recording {
    private static final System.Logger LOG = System.getLogger(CudaRecording.class.getName());

    private static final Cleaner CLEANER = Cleaner.create();

    /** The current graph, apart from the recording so that the cleaner's action can reach it. */
    private static final class GraphSlot {
        volatile CudaGraph graph;
    }

    private final CudaRuntime rt;
    private final Runnable region;
    private final GraphSlot slot = new GraphSlot();
    private long epoch;
    /** The uploaded workspaces (gather indices, sequence lengths) the graph reads, at their rewrite counts. */
    private java.util.Map<CudaRuntime.Workspace, Long> reads = java.util.Map.of();
    private boolean eager;
    private boolean closed;
    private int captures;

    private CudaRecording(CudaRuntime rt, Runnable region) {
        this.rt = rt;
        this.region = region;
        GraphSlot held = slot;
        CLEANER.register(this, () -> {
            if (held.graph != null) {
                rt.releaseLater(held.graph);
            }
        });
    }

    static CudaRecording record(CudaRuntime rt, Runnable region) {
        Objects.requireNonNull(region, "region");
        CudaRecording r = new CudaRecording(rt, region);
        region.run();
        r.capture();
        return r;
    }

    private void capture() {
        epoch = rt.workspaceEpoch();
        var captured = new java.util.EnumMap<CudaRuntime.Workspace, Long>(CudaRuntime.Workspace.class);
        try {
            slot.graph = rt.capture(region, captured);
            captures++;
        } catch (RuntimeException e) {
            eager = true;
            LOG.log(System.Logger.Level.WARNING, "CUDA Graph capture failed; replays run the region eagerly", e);
        }
        reads = captured;
        if (rt.workspaceEpoch() != epoch || !rt.unchangedSince(reads)) {
            // A workspace moved while capturing (the graph may hold the old address), or the region itself
            // uploaded over indices it read earlier (more gathers than slots): the graph would replay wrong.
            closeGraph();
            eager = true;
        }
    }

    @Override
    public void replay() {
        if (closed) {
            throw new IllegalStateException("the recording is closed");
        }
        if (eager) {
            region.run();
            return;
        }
        if (rt.workspaceEpoch() != epoch) {
            closeGraph();
            capture();
            if (eager) {
                region.run();
                return;
            }
        }
        if (!rt.unchangedSince(reads)) {
            // other work uploaded other gather indices or lengths over the ones the graph reads: run the region
            // (which uploads its own again) and capture it anew for the next replay
            closeGraph();
            region.run();
            capture();
            return;
        }
        slot.graph.launch(rt.stream);
    }

    /** How many graphs were captured (1, plus one per workspace move); for tests. */
    int captures() {
        return captures;
    }

    /** The current graph, null when none; for tests. */
    CudaGraph graphForTests() {
        return slot.graph;
    }

    /** Whether replays rerun the region because capture failed. */
    boolean isEager() {
        return eager;
    }

    private void closeGraph() {
        if (slot.graph != null) {
            slot.graph.close();
            slot.graph = null;
        }
    }

    @Override
    public void close() {
        closed = true;
        closeGraph();
    }
}
