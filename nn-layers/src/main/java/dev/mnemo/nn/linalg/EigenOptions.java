package dev.mnemo.nn.linalg;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Options of {@link Eigen#of} and {@link Eigen#ofBatch}.
 *
 * <h2>The size rule of {@link EigenEngine#AUTO}</h2>
 * The GPU pays when cuSOLVER's time beats EJML's. Measured (single-threaded EJML 0.46 in float64 on
 * the build machine; {@code cusolverDnXgeev} float64 on an H100, reference/gpu-anchors.md):
 * <pre>
 *   n       EJML general   Xgeev     EJML symmetric   Xsyevd
 *   64        5.8 ms        6.2 ms      1.3 ms          0.97 ms
 *   128      38 ms         28 ms        3.0 ms          1.85 ms
 *   256     168 ms         59 ms       11.5 ms          2.32 ms
 *   512    1820 ms         90 ms      127 ms            4.92 ms
 * </pre>
 * So general matrices go to the GPU from n = 128 and symmetric ones from n = 256 (where the GPU's
 * lead is larger than the per-call transfer and launch overhead). Override per call with
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
 * @param gpuMinOrder          AUTO: smallest n sent to the GPU, general matrices; default 128
 * @param gpuMinOrderSymmetric AUTO: smallest n sent to the GPU, symmetric matrices; default 256
 * @param batchedSolver        a solver for whole batches in {@link Eigen#ofBatch}; null (the default)
 *                             for Mnemo's batched GPU kernel where it applies (see there), else none
 */
public record EigenOptions(boolean vectors, EigenPrecision precision, boolean checkResidual, EigenEngine engine,
                           boolean detectSymmetric, int gpuMinOrder, int gpuMinOrderSymmetric,
                           BatchedEigenSolver batchedSolver) {

    static final int DEFAULT_GPU_MIN_ORDER = 128;
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
            return Integer.getInteger("mnemo.eigen.gpuMinOrder", DEFAULT_GPU_MIN_ORDER);
        }

        static int defaultGpuMinOrderSymmetric() {
            return Integer.getInteger("mnemo.eigen.gpuMinOrderSymmetric", DEFAULT_GPU_MIN_ORDER_SYMMETRIC);
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
