package dev.mnemo.nn.linalg;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Options of {@link Eigen#of} and {@link Eigen#ofBatch}.
 *
 * <h2>The size rule of {@link EigenEngine#AUTO}</h2>
 * The GPU pays when cuSOLVER's time beats the CPU's. Values only, general matrices, N(0, 1/n)
 * entries; the CPU columns in float64 on the 2-core development VM (AMD EPYC, no GPU; {@code
 * Eigen.of} with its checks, and EJML 0.46's solver alone: bench's {@code EigenBenchmark}, one run);
 * {@code cusolverDnXgeev} float64 alone on the H200 of bench/results/2026-11-28-h200 (run 8). Two
 * machines, so the crossover is an estimate: the GPU bench's AUTO / bare column measures it on one.
 * <pre>
 *   n     Eigen.of CPU   EJML alone   Xgeev (H200)
 *   64       0.53 ms       1.76 ms       4.93 ms
 *   128      3.1 ms       12.6 ms       23.4 ms
 *   256     21 ms        101 ms         56.8 ms
 *   512    157 ms        810 ms        109 ms
 * </pre>
 * So general matrices go to the GPU from n = 256: below it the CPU is several times faster. At 256
 * the VM's CPU still beat the H200, but run 8's host ran EJML about half as fast as the VM, which
 * would leave the two about even there, and the GPU call is the bare Xgeev's time. Symmetric
 * matrices (EJML's symmetric QR: 1.0 ms at 128, 6.5 ms at 256 on the VM; {@code cusolverDnXsyevd}
 * 1.85 and 2.32 ms on an H100, reference/gpu-anchors.md) go from n = 256. Override per call with
 * {@link Builder#gpuMinOrder}, {@link Builder#gpuMinOrderSymmetric}, or for the process with the
 * system properties {@code mnemo.eigen.gpuMinOrder} and {@code mnemo.eigen.gpuMinOrderSymmetric}.
 *
 * @param vectors              compute right eigenvectors; default false
 * @param precision            arithmetic of the GPU path; the CPU always uses float64; default float64
 * @param checkResidual        also check {@code ‖A·V − V·Λ‖ / ‖A‖} (computes eigenvectors, which the
 *                             result then carries); default false
 * @param engine               where to compute; default {@link EigenEngine#AUTO}
 * @param detectSymmetric      use the symmetric solver when {@code A} equals {@code Aᵀ} exactly;
 *                             default true
 * @param gpuMinOrder          AUTO: smallest n sent to the GPU, general matrices; default 256
 * @param gpuMinOrderSymmetric AUTO: smallest n sent to the GPU, symmetric matrices; default 256
 * @param batchedSolver        a solver for whole batches in {@link Eigen#ofBatch}; null (the default)
 *                             for Mnemo's batched GPU kernel where it applies (see there), else none
 */
public record EigenOptions(boolean vectors, EigenPrecision precision, boolean checkResidual, EigenEngine engine,
                           boolean detectSymmetric, int gpuMinOrder, int gpuMinOrderSymmetric,
                           BatchedEigenSolver batchedSolver) {

    static final int DEFAULT_GPU_MIN_ORDER = 256;
    static final int DEFAULT_GPU_MIN_ORDER_SYMMETRIC = 256;

    /** Validates; messages give the rule, then the value. */
    public EigenOptions {
        Objects.requireNonNull(precision, "precision must not be null");
        Objects.requireNonNull(engine, "engine must not be null");
        if (gpuMinOrder < 1) {
            throw new IllegalArgumentException("gpuMinOrder must be >= 1, got " + gpuMinOrder);
        }
        if (gpuMinOrderSymmetric < 1) {
            throw new IllegalArgumentException("gpuMinOrderSymmetric must be >= 1, got " + gpuMinOrderSymmetric);
        }
    }

    /** The defaults: values only, float64, no residual, AUTO, symmetric detection on. */
    public static EigenOptions defaults() {
        return builder().build();
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder().vectors(vectors).precision(precision).checkResidual(checkResidual).engine(engine)
                .detectSymmetric(detectSymmetric).gpuMinOrder(gpuMinOrder).gpuMinOrderSymmetric(gpuMinOrderSymmetric)
                .batchedSolver(batchedSolver);
    }

    /** Whether eigenvectors are computed: asked for, or needed by the residual check. */
    public boolean computesVectors() {
        return vectors || checkResidual;
    }

    /** Only the non-default options: {@code EigenOptions(vectors=true, engine=GPU)}. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        if (vectors) {
            parts.add("vectors=true");
        }
        if (precision != EigenPrecision.FLOAT64) {
            parts.add("precision=" + precision.label());
        }
        if (checkResidual) {
            parts.add("checkResidual=true");
        }
        if (engine != EigenEngine.AUTO) {
            parts.add("engine=" + engine);
        }
        if (!detectSymmetric) {
            parts.add("detectSymmetric=false");
        }
        if (gpuMinOrder != Builder.defaultGpuMinOrder()) {
            parts.add("gpuMinOrder=" + gpuMinOrder);
        }
        if (gpuMinOrderSymmetric != Builder.defaultGpuMinOrderSymmetric()) {
            parts.add("gpuMinOrderSymmetric=" + gpuMinOrderSymmetric);
        }
        if (batchedSolver != null) {
            parts.add("batchedSolver=" + batchedSolver.label());
        }
        return "EigenOptions(" + String.join(", ", parts) + ")";
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private boolean vectors;
        private EigenPrecision precision = EigenPrecision.FLOAT64;
        private boolean checkResidual;
        private EigenEngine engine = EigenEngine.AUTO;
        private boolean detectSymmetric = true;
        private int gpuMinOrder = defaultGpuMinOrder();
        private int gpuMinOrderSymmetric = defaultGpuMinOrderSymmetric();
        private BatchedEigenSolver batchedSolver;

        private Builder() {
        }

        static int defaultGpuMinOrder() {
            return dev.mnemo.nn.IntegerProperty.atLeast("mnemo.eigen.gpuMinOrder", 1, DEFAULT_GPU_MIN_ORDER);
        }

        static int defaultGpuMinOrderSymmetric() {
            return dev.mnemo.nn.IntegerProperty.atLeast("mnemo.eigen.gpuMinOrderSymmetric", 1,
                    DEFAULT_GPU_MIN_ORDER_SYMMETRIC);
        }

        public Builder vectors(boolean vectors) {
            this.vectors = vectors;
            return this;
        }

        public Builder precision(EigenPrecision precision) {
            this.precision = precision;
            return this;
        }

        public Builder checkResidual(boolean checkResidual) {
            this.checkResidual = checkResidual;
            return this;
        }

        public Builder engine(EigenEngine engine) {
            this.engine = engine;
            return this;
        }

        public Builder detectSymmetric(boolean detectSymmetric) {
            this.detectSymmetric = detectSymmetric;
            return this;
        }

        public Builder gpuMinOrder(int gpuMinOrder) {
            this.gpuMinOrder = gpuMinOrder;
            return this;
        }

        public Builder gpuMinOrderSymmetric(int gpuMinOrderSymmetric) {
            this.gpuMinOrderSymmetric = gpuMinOrderSymmetric;
            return this;
        }

        /** A solver for whole batches (see {@link BatchedEigenSolver}); null for none. */
        public Builder batchedSolver(BatchedEigenSolver batchedSolver) {
            this.batchedSolver = batchedSolver;
            return this;
        }

        public EigenOptions build() {
            return new EigenOptions(vectors, precision, checkResidual, engine, detectSymmetric, gpuMinOrder,
                    gpuMinOrderSymmetric, batchedSolver);
        }
    }
}
