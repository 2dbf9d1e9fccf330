package dev.mnemo.nn.linalg;

import dev.mnemo.nn.Device;
import dev.mnemo.nn.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * Eigenvalues (and on request right eigenvectors) of real square matrices, checked before they are
 * returned.
 *
 * <pre>
 *   EigenResult e = Eigen.of(layer.parameters().get("weight_hh_l0").slice(0, h));
 *   e.spectralRadius(); e.re(); e.im(); e.notes();
 * </pre>
 *
 * <h2>Where it runs</h2>
 * On the CPU in float64 (Mnemo's own values-only Francis QR, {@link FrancisSolver}, for general
 * matrices; EJML's symmetric QR for symmetric ones), or on the GPU with cuSOLVER
 * {@code cusolverDnXgeev} (float32 or float64), picked by {@link EigenOptions#engine()} and the size rule documented in
 * {@link EigenOptions}. A matrix equal to its transpose goes to the symmetric solver (EJML's
 * symmetric QR or {@code cusolverDnXsyevd}) unless {@link EigenOptions#detectSymmetric()} is off.
 *
 * <h2>Never a silently wrong spectrum</h2>
 * cuSOLVER has returned a wrong spectrum with {@code info = 0} (reference/gpu-anchors.md), so every
 * result is checked against the invariants of {@link EigenChecks} (finite, closed under
 * conjugation, Σλ = tr A, Σλ² = tr A², |λ| ≤ ‖A‖, and on request the residual). A failed check, or a
 * solver that throws, moves to the next attempt of a fixed ladder:
 * <ol>
 *   <li>GPU (when chosen): Xsyevd if symmetric; Xgeev as asked; Xgeev with vectors if values only
 *       were asked; Xgeev in float64 if float32 was asked;</li>
 *   <li>CPU: EJML symmetric if symmetric; Mnemo's Francis QR on A; EJML general on A; EJML general
 *       on Aᵀ.</li>
 * </ol>
 * The result's {@link EigenResult#notes()} list each failure and the attempt that passed (also
 * logged as a warning); when no attempt passes an {@link EigenException} is thrown.
 *
 * <h2>Input</h2>
 * A rank-2 {@code [n, n]} tensor, n ≥ 1, every element finite; float32 or float64, on any device (a
 * CUDA tensor is copied to the host first). Anything else is an {@link IllegalArgumentException}
 * naming the problem.
 *
 * <p>Thread-safe: calls may run concurrently (GPU work is serialised on one worker thread).
 */
public final class Eigen {

    private static final System.Logger LOG = System.getLogger(Eigen.class.getName());

    private Eigen() {
    }

    /** One attempt of the ladder. */
    record Attempt(Solver solver, boolean vectors) {
        @Override
        public String toString() {
            return solver.label() + " " + solver.precision().label() + (vectors ? ", with vectors" : ", values only");
        }
    }

    // ---- single matrices ----

    /** The eigenvalues of {@code square} with the default options. */
    public static EigenResult of(Tensor square) {
        return of(square, EigenOptions.defaults());
    }

    /**
     * The eigendecomposition of {@code square}.
     *
     * @param square a {@code [n, n]} tensor, n ≥ 1, all elements finite
     * @throws IllegalArgumentException on a null, non-square, empty or non-finite input
     * @throws EigenException           when no attempt passes the checks
     */
    public static EigenResult of(Tensor square, EigenOptions options) {
        Objects.requireNonNull(options, "options");
        double[] a = hostMatrix("square", square);
        return decompose(a, square.dim(0), options, List.of());
    }

    /**
     * The eigendecomposition of the row-major {@code [n, n]} matrix {@code a} (neither modified nor
     * kept; change it only after the call returns).
     *
     * @throws IllegalArgumentException when {@code a} does not hold n·n finite elements or n < 1
     */
    public static EigenResult of(double[] a, int n, EigenOptions options) {
        Objects.requireNonNull(options, "options");
        checkArray("a", a, n);
        // no defensive copy: no solver writes to a (each copies what it factors), and for n = 2048
        // the copy alone was a tenth of a bare Xgeev's time
        return decompose(a, n, options, List.of());
    }

    // ---- batches ----

    /**
     * The eigendecompositions of many matrices (e.g. every gate block of a model) in one call, in input
     * order. Without a {@link EigenOptions#batchedSolver()}, eigenvalues of matrices of one order
     * n ≤ 64 go to the batched on-chip GPU kernel (one launch for the batch) when a GPU with Mnemo's
     * kernels is present and the engine is GPU, or AUTO with at least {@code mnemo.eigen.gpuMinBatch}
     * (default 32) matrices, none of them symmetric; its results pass the same checks, and a matrix
     * that fails them is decomposed again alone, with a note. Otherwise the matrices run in parallel
     * on the CPU, or through cuSOLVER one by one where the size rule picks the GPU; each result is
     * exactly what {@link #of(Tensor, EigenOptions)} would return. Orders may differ between
     * matrices.
     *
     * @throws IllegalArgumentException naming the first bad matrix ({@code matrices[3] must be …})
     */
    public static List<EigenResult> ofBatch(List<Tensor> matrices, EigenOptions options) {
        Objects.requireNonNull(matrices, "matrices");
        Objects.requireNonNull(options, "options");
        double[][] as = new double[matrices.size()][];
        int[] ns = new int[matrices.size()];
        IllegalArgumentException[] bad = new IllegalArgumentException[as.length];
        // host copies of CPU tensors on all cores (1000 64×64 matrices are 4M elements to widen and
        // check); CUDA tensors are downloaded one by one through their backend
        boolean allOnCpu = matrices.stream().allMatch(t -> t != null && t.device() == Device.CPU);
        IntStream indices = IntStream.range(0, as.length);
        (allOnCpu ? indices.parallel() : indices).forEach(i -> {
            try {
                as[i] = hostMatrix("matrices[" + i + "]", matrices.get(i));
                ns[i] = matrices.get(i).dim(0);
            } catch (IllegalArgumentException e) {
                bad[i] = e;
            }
        });
        for (IllegalArgumentException e : bad) {
            if (e != null) {
                throw e; // the first bad matrix, as a sequential walk would find it
            }
        }
        return decomposeBatch(as, ns, options);
    }

    /**
     * {@link #ofBatch(List, EigenOptions)} of a stacked {@code [count, n, n]} tensor.
     *
     * @throws IllegalArgumentException when {@code stacked} is not {@code [count, n, n]} with n ≥ 1, or
     *                                  holds a non-finite element
     */
    public static List<EigenResult> ofBatch(Tensor stacked, EigenOptions options) {
        Objects.requireNonNull(options, "options");
        if (stacked == null || stacked.rank() != 3 || stacked.dim(1) != stacked.dim(2)) {
            throw new IllegalArgumentException("stacked must have shape [count, n, n], got "
                    + (stacked == null ? "null" : stacked.toString()));
        }
        int count = stacked.dim(0);
        // one download for the whole stack rather than one per matrix
        Tensor host = stacked.device() == Device.CPU ? stacked : stacked.to(Device.CPU);
        List<Tensor> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            list.add(host.select(i));
        }
        return ofBatch(list, options);
    }

    // ---- the size rule and the GPU ----

    /**
     * The engine a matrix of order {@code n} runs on first: {@code CPU} or {@code GPU}, never AUTO
     * (see the size rule in {@link EigenOptions}). GPU means a GPU is present and chosen.
     */
    public static EigenEngine engineFor(int n, boolean symmetric, EigenOptions options) {
        return switch (options.engine()) {
            case CPU -> EigenEngine.CPU;
            case GPU -> gpuUnavailableReason().isEmpty() ? EigenEngine.GPU : EigenEngine.CPU;
            case AUTO -> n >= (symmetric ? options.gpuMinOrderSymmetric() : options.gpuMinOrder())
                    && gpuUnavailableReason().isEmpty() ? EigenEngine.GPU : EigenEngine.CPU;
        };
    }

    /** Why the GPU path cannot run here (no driver, device, cuSOLVER or Xgeev), or empty when it can. */
    public static Optional<String> gpuUnavailableReason() {
        return GpuEigenWorker.unavailableReason();
    }

    /** Whether the row-major {@code [n, n]} matrix equals its transpose exactly. */
    public static boolean isSymmetric(double[] a, int n) {
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (a[i * n + j] != a[j * n + i]) {
                    return false;
                }
            }
        }
        return true;
    }

    // ---- the ladder ----

    /**
     * Runs the ladder on {@code a} (owned, not modified), with {@code first} tried before the regular
     * attempts: the package-private seam through which a test injects a solver that lies.
     */
    static EigenResult decompose(double[] a, int n, EigenOptions o, List<Solver> first) {
        return decompose(a, n, o, first, new ArrayList<>());
    }

    private static EigenResult decompose(double[] a, int n, EigenOptions o, List<Solver> first, List<String> notes) {
        boolean symmetric = o.detectSymmetric() && isSymmetric(a, n);
        boolean vectors = o.computesVectors();
        List<Attempt> plan = new ArrayList<>();
        for (Solver s : first) {
            plan.add(new Attempt(s, vectors));
        }
        boolean priorFailure = !notes.isEmpty();
        plan.addAll(plan(n, symmetric, vectors, o, notes));
        return run(a, n, o, plan, notes, priorFailure);
    }

    /** Runs exactly {@code solvers}, no regular attempts: the seam for testing the all-fail path. */
    static EigenResult decomposeWith(double[] a, int n, EigenOptions o, List<Solver> solvers) {
        List<Attempt> plan = solvers.stream().map(s -> new Attempt(s, o.computesVectors())).toList();
        return run(a, n, o, plan, new ArrayList<>(), false);
    }

    /** The regular attempts for this matrix (see the class comment). */
    static List<Attempt> plan(int n, boolean symmetric, boolean vectors, EigenOptions o, List<String> notes) {
        List<Attempt> plan = new ArrayList<>();
        if (o.engine() == EigenEngine.GPU && gpuUnavailableReason().isPresent()) {
            notes.add("GPU requested but unavailable (" + gpuUnavailableReason().get() + "): computed on the CPU");
        }
        if (engineFor(n, symmetric, o) == EigenEngine.GPU) {
            EigenPrecision p = o.precision();
            if (symmetric) {
                plan.add(new Attempt(new CusolverSolver(p, true), vectors));
            }
            plan.add(new Attempt(new CusolverSolver(p, false), vectors));
            if (!vectors) {
                plan.add(new Attempt(new CusolverSolver(p, false), true));
            }
            if (p == EigenPrecision.FLOAT32) {
                plan.add(new Attempt(new CusolverSolver(EigenPrecision.FLOAT64, false), vectors));
            }
        }
        if (symmetric) {
            plan.add(new Attempt(EjmlSolver.SYMMETRIC, vectors));
        }
        plan.add(new Attempt(FrancisSolver.INSTANCE, vectors));
        plan.add(new Attempt(EjmlSolver.GENERAL, vectors));
        plan.add(new Attempt(EjmlSolver.TRANSPOSED, vectors));
        return plan;
    }

    private static EigenResult run(double[] a, int n, EigenOptions o, List<Attempt> plan, List<String> notes,
                                   boolean priorFailure) {
        // a huge or tiny A is solved and checked as A·2^−e, as LAPACK's dgeev scales inside: the solvers
        // then neither overflow nor lose the spectrum to underflow; the values are scaled back at the end.
        // Into float32's narrower range where a float32 solver is on the plan.
        boolean single = plan.stream().anyMatch(at -> at.solver().precision() == EigenPrecision.FLOAT32);
        int exponent = Invariants.scaleExponent(a, n);
        double[] solved = exponent == 0 ? a : Invariants.scaled(a, n, exponent);
        if (single) {
            int more = floatExponent(solved, n, Balancing.balancedOrNull(solved, n));
            solved = more == 0 ? solved : Invariants.scaled(solved, n, more);
            exponent += more;
        }
        Supplier<Invariants.Facts> facts = factsBeside(solved, n, exponent);
        for (int k = 0; k < plan.size(); k++) {
            Attempt at = plan.get(k);
            boolean more = k + 1 < plan.size();
            RawEigen raw;
            try {
                raw = at.solver().solve(solved, n, at.vectors());
            } catch (RuntimeException e) {
                notes.add("attempt " + (k + 1) + " (" + at + ") threw " + e.getClass().getSimpleName() + ": "
                        + e.getMessage() + (more ? "; retrying" : ""));
                continue;
            }
            EigenChecks checks = Invariants.checkOfScaled(raw, facts.get(), at.solver().precision().unitRoundoff(),
                    solved, o.checkResidual());
            if (checks.passed()) {
                if (priorFailure || k > 0) {
                    notes.add("attempt " + (k + 1) + " (" + at + ") passed");
                    LOG.log(System.Logger.Level.WARNING, "eigendecomposition of a " + n + "×" + n + " matrix "
                            + "needed a retry: " + String.join("; ", notes));
                }
                return EigenResult.of(exponent == 0 ? raw : raw.scaledValues(exponent), o.computesVectors(), at.solver().label(), at.solver().precision(), checks,
                        notes);
            }
            notes.add("attempt " + (k + 1) + " (" + at + ") failed: " + checks.failure() + (more ? "; retrying" : ""));
        }
        throw new EigenException("no eigendecomposition of the " + n + "×" + n + " matrix passed the checks: "
                + String.join("; ", notes), notes);
    }

    /**
     * The further power of two by which a float32 solver's input {@code a} (already in double's range) is
     * scaled into float32's ({@link Invariants#scaleExponent(double[], int, EigenPrecision)}), judged on
     * {@code balanced}, a's balanced form where it has one: a graded matrix's own elements may span more than
     * a float, its balanced form's not, and the balanced form is what the batched kernel gets.
     */
    private static int floatExponent(double[] a, int n, double[] balanced) {
        return Invariants.scaleExponent(balanced != null ? balanced : a, n, EigenPrecision.FLOAT32);
    }

    /** From this order on, A's facts are computed on another core while the first attempt runs. */
    private static final int FACTS_BESIDE_MIN_ORDER = 256;

    /**
     * A's facts for the checks. For a large matrix they are O(n²) passes over memory that the first
     * solver does not need, so they run beside it (in the common pool) rather than before it.
     */
    private static Supplier<Invariants.Facts> factsBeside(double[] scaledA, int n, int exponent) {
        if (n < FACTS_BESIDE_MIN_ORDER) {
            Invariants.Facts now = Invariants.Facts.ofScaled(scaledA, n, exponent);
            return () -> now;
        }
        CompletableFuture<Invariants.Facts> later = CompletableFuture.supplyAsync(
                () -> Invariants.Facts.ofScaled(scaledA, n, exponent));
        return later::join;
    }

    /** The most doubles one packed batch may hold: a Java array's limit. */
    static final long MAX_PACKED = Integer.MAX_VALUE - 8;

    static List<EigenResult> decomposeBatch(double[][] as, int[] ns, EigenOptions o) {
        return decomposeBatch(as, ns, o, MAX_PACKED);
    }

    /**
     * As {@link #decomposeBatch(double[][], int[], EigenOptions)}, packing at most {@code maxPacked} doubles
     * per batched call: count·n·n can pass 2^31 (524,288 matrices of order 64), so a large batch goes in
     * several calls.
     */
    static List<EigenResult> decomposeBatch(double[][] as, int[] ns, EigenOptions o, long maxPacked) {
        int count = as.length;
        EigenResult[] out = new EigenResult[count];
        List<List<String>> carried = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            carried.add(new ArrayList<>());
        }
        // the default kernel leaves the symmetric matrices to the symmetric solvers; a solver set in the options
        // takes the whole batch
        int[] share = o.batchedSolver() != null ? IntStream.range(0, count).toArray()
                : GpuBatchedSolver.kernelShare(o, as, ns);
        BatchedEigenSolver batched = o.batchedSolver() != null ? o.batchedSolver()
                : GpuBatchedSolver.defaultFor(o, as, ns, share.length);
        if (batched != null && share.length > 0 && IntStream.of(ns).allMatch(x -> x == ns[0])
                && batched.supports(ns[0], share.length, o)) {
            int n = ns[0];
            int perCall = (int) Math.max(1, Math.min(share.length, maxPacked / ((long) n * n)));
            for (int from = 0; from < share.length; from += perCall) {
                int[] chunk = Arrays.copyOfRange(share, from, Math.min(share.length, from + perCall));
                runBatched(batched, as, chunk, n, o, out, carried);
            }
        }
        IntStream.range(0, count).parallel().filter(i -> out[i] == null)
                .forEach(i -> out[i] = decompose(as[i], ns[i], o, List.of(), carried.get(i)));
        return List.of(out);
    }

    /**
     * Fills {@code out[i]}, for each {@code i} of {@code which}, for each matrix the batched solver got right;
     * notes why for the others.
     */
    private static void runBatched(BatchedEigenSolver solver, double[][] as, int[] which, int n, EigenOptions o,
                                   EigenResult[] out, List<List<String>> notes) {
        int count = which.length;
        // each matrix as Eigen.run solves it: a huge or tiny one scaled by a power of two (2^−e); then, as the
        // CPU solvers and LAPACK's dgeev do, balanced where badly scaled when only values are asked for (the
        // exact power-of-two similarity leaves them as they are, not the vectors; unbalanced, the batched
        // kernel's values for a 16×16 matrix graded by 10 a row came back off by 5e6)
        int[] exponents = new int[count];
        double[][] solved = new double[count][];
        double[] packed = new double[Math.multiplyExact(count, n * n)];
        IntStream.range(0, count).parallel().forEach(i -> {
            double[] a = as[which[i]];
            exponents[i] = Invariants.scaleExponent(a, n);
            double[] scaled = exponents[i] == 0 ? a : Invariants.scaled(a, n, exponents[i]);
            double[] balanced = o.computesVectors() ? null : Balancing.balancedOrNull(scaled, n);
            solved[i] = balanced != null ? balanced : scaled;
            if (solver.precision() == EigenPrecision.FLOAT32) {
                int more = floatExponent(solved[i], n, null);
                solved[i] = more == 0 ? solved[i] : Invariants.scaled(solved[i], n, more);
                exponents[i] += more;
            }
            System.arraycopy(solved[i], 0, packed, i * n * n, n * n);
        });
        String who = "batched " + solver.label() + " " + solver.precision().label();
        List<RawEigen> raws;
        try {
            raws = solver.solve(packed, n, count, o.computesVectors());
            if (raws == null || raws.size() != count) {
                throw new IllegalStateException("returned " + (raws == null ? "null" : raws.size() + " results")
                        + " for " + count + " matrices");
            }
        } catch (RuntimeException e) {
            for (int i : which) {
                notes.get(i).add(who + " threw " + e.getClass().getSimpleName() + ": " + e.getMessage()
                        + "; retrying alone");
            }
            return;
        }
        // host-only work per matrix, independent (each writes only out[which[k]] and its notes): on all cores
        IntStream.range(0, count).parallel().forEach(k -> {
            int i = which[k];
            RawEigen raw = raws.get(k);
            if (o.computesVectors() && !raw.hasVectors()) {   // asked for: their absence is a failed call
                notes.get(i).add(who + " failed: returned no eigenvectors; retrying alone");
                return;
            }
            int e = exponents[k];
            double[] a = solved[k];
            EigenChecks checks = Invariants.checkOfScaled(raw, Invariants.Facts.ofScaled(a, n, e),
                    solver.precision().unitRoundoff(), a, o.checkResidual());
            if (checks.passed()) {
                out[i] = EigenResult.of(e == 0 ? raw : raw.scaledValues(e), o.computesVectors(), solver.label(), solver.precision(), checks,
                        List.of());
            } else {
                notes.get(i).add(who + " failed: " + checks.failure() + "; retrying alone");
            }
        });
    }

    // ---- input ----

    /** A validated host copy of {@code t} as a row-major double array. */
    static double[] hostMatrix(String name, Tensor t) {
        if (t == null) {
            throw new IllegalArgumentException(name + " must be a square matrix [n, n], got null");
        }
        if (t.rank() != 2) {
            throw new IllegalArgumentException(name + " must be a square matrix [n, n], got rank " + t.rank() + " "
                    + t);
        }
        if (t.dim(0) != t.dim(1)) {
            throw new IllegalArgumentException(name + " must be square [n, n], got " + Tensor.shapeString(t.shape()));
        }
        if (t.dim(0) == 0) {
            throw new IllegalArgumentException(name + " must have n >= 1, got " + Tensor.shapeString(t.shape()));
        }
        // a CUDA tensor is downloaded by its backend (Tensor.to)
        Tensor host = t.device() == Device.CPU ? t : t.to(Device.CPU);
        double[] a = host.toDoubleArray();
        int n = t.dim(0);
        for (int k = 0; k < a.length; k++) {
            if (!Double.isFinite(a[k])) {
                throw new IllegalArgumentException(name + " must be finite, got " + a[k] + " at [" + k / n + ", "
                        + k % n + "]");
            }
        }
        return a;
    }

    private static void checkArray(String name, double[] a, int n) {
        Objects.requireNonNull(a, name);
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, got " + n);
        }
        if (a.length != (long) n * n) {
            throw new IllegalArgumentException(name + " must hold n·n = " + (long) n * n + " elements for n = " + n
                    + ", got " + a.length);
        }
        for (int k = 0; k < a.length; k++) {
            if (!Double.isFinite(a[k])) {
                throw new IllegalArgumentException(name + " must be finite, got " + a[k] + " at [" + k / n + ", "
                        + k % n + "]");
            }
        }
    }
}
