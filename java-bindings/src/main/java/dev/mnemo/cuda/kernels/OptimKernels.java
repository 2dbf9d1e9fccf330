package dev.mnemo.cuda.kernels;

import static dev.mnemo.cuda.kernels.KernelParameter.of;

import dev.mnemo.cuda.CudaModule;
import dev.mnemo.cuda.CudaStream;
import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.LaunchGeometry;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.List;

/**
 * Launchers of the header's family "optim": one fused elementwise pass each of torch.optim's SGD,
 * Adam/AdamW and RMSprop over a flat parameter buffer, with hyper-parameters in a params struct
 * passed by value.
 *
 * <p>The mirror methods take the struct's bytes; the typed overloads take a {@link SgdParams},
 * {@link AdamParams} or {@link RmspropParams} record, write it into a segment this object reuses,
 * and launch. Both check the hyper-parameters the header constrains, the buffer sizes, which state
 * buffers may be null, and that no two arrays overlap, before any launch.
 *
 * <p>Launch (each): block 256, grid ceil(n/256) capped at 65535, at least 1 (grid-stride).
 */
public final class OptimKernels {
    /** Threads per block. */
    public static final int BLOCK_THREADS = 256;

    /** {@code mnemo_optim_sgd_params}: 40 bytes, 8-byte aligned, no padding. */
    public static final StructLayout SGD_PARAMS_LAYOUT = MemoryLayout.structLayout(
            ParamsStructs.float64("lr"), ParamsStructs.float64("momentum"), ParamsStructs.float64("dampening"),
            ParamsStructs.float64("weightDecay"), ParamsStructs.int32("nesterov"), ParamsStructs.int32("firstStep"))
            .withName("mnemo_optim_sgd_params");
    /** {@code mnemo_optim_adam_params}: 48 bytes, 8-byte aligned, no padding. */
    public static final StructLayout ADAM_PARAMS_LAYOUT = MemoryLayout.structLayout(
            ParamsStructs.float64("lr"), ParamsStructs.float64("beta1"), ParamsStructs.float64("beta2"),
            ParamsStructs.float64("eps"), ParamsStructs.float64("weightDecay"), ParamsStructs.int32("step"),
            ParamsStructs.int32("decoupled"))
            .withName("mnemo_optim_adam_params");
    /** {@code mnemo_optim_rmsprop_params}: 48 bytes, 8-byte aligned: 44 bytes of fields, 4 of tail padding. */
    public static final StructLayout RMSPROP_PARAMS_LAYOUT = MemoryLayout.structLayout(
            ParamsStructs.float64("lr"), ParamsStructs.float64("alpha"), ParamsStructs.float64("eps"),
            ParamsStructs.float64("weightDecay"), ParamsStructs.float64("momentum"), ParamsStructs.int32("centered"),
            MemoryLayout.paddingLayout(4))
            .withName("mnemo_optim_rmsprop_params");

    /**
     * {@code mnemo_optim_sgd_f32(float* param, const float* grad, float* momentumBuffer, long long n,
     * mnemo_optim_sgd_params hp)}.
     */
    public static final KernelSignature SGD = KernelSignature.of("mnemo_optim_sgd_f32",
            of("float*", "param"), of("const float*", "grad"), of("float*", "momentumBuffer"), of("long long", "n"),
            of("mnemo_optim_sgd_params", "hp"));
    /**
     * {@code mnemo_optim_adam_f32(float* param, const float* grad, float* expAvg, float* expAvgSq,
     * long long n, mnemo_optim_adam_params hp)}.
     */
    public static final KernelSignature ADAM = KernelSignature.of("mnemo_optim_adam_f32",
            of("float*", "param"), of("const float*", "grad"), of("float*", "expAvg"), of("float*", "expAvgSq"),
            of("long long", "n"), of("mnemo_optim_adam_params", "hp"));
    /**
     * {@code mnemo_optim_rmsprop_f32(float* param, const float* grad, float* squareAvg,
     * float* momentumBuffer, float* gradAvg, long long n, mnemo_optim_rmsprop_params hp)}.
     */
    public static final KernelSignature RMSPROP = KernelSignature.of("mnemo_optim_rmsprop_f32",
            of("float*", "param"), of("const float*", "grad"), of("float*", "squareAvg"),
            of("float*", "momentumBuffer"), of("float*", "gradAvg"), of("long long", "n"),
            of("mnemo_optim_rmsprop_params", "hp"));

    /**
     * {@code mnemo_optim_sgd_params} (names and order as in C).
     *
     * @param lr >= 0
     * @param momentum >= 0
     * @param dampening any
     * @param weightDecay >= 0
     * @param nesterov 0 or 1 (1 needs momentum > 0 and dampening = 0)
     * @param firstStep 0 or 1: 1 on the first step with this momentum buffer
     */
    public record SgdParams(double lr, double momentum, double dampening, double weightDecay, int nesterov,
                            int firstStep) {
        /** Writes the struct's bytes into {@code s}. */
        public void writeTo(MemorySegment s) {
            StructLayout l = SGD_PARAMS_LAYOUT;
            ParamsStructs.putDouble(s, l, "lr", lr);
            ParamsStructs.putDouble(s, l, "momentum", momentum);
            ParamsStructs.putDouble(s, l, "dampening", dampening);
            ParamsStructs.putDouble(s, l, "weightDecay", weightDecay);
            ParamsStructs.putInt(s, l, "nesterov", nesterov);
            ParamsStructs.putInt(s, l, "firstStep", firstStep);
        }

        /** Reads the struct's bytes. */
        public static SgdParams readFrom(MemorySegment s) {
            StructLayout l = SGD_PARAMS_LAYOUT;
            return new SgdParams(ParamsStructs.getDouble(s, l, "lr"), ParamsStructs.getDouble(s, l, "momentum"),
                    ParamsStructs.getDouble(s, l, "dampening"), ParamsStructs.getDouble(s, l, "weightDecay"),
                    ParamsStructs.getInt(s, l, "nesterov"), ParamsStructs.getInt(s, l, "firstStep"));
        }
    }

    /**
     * {@code mnemo_optim_adam_params} (names and order as in C).
     *
     * @param lr learning rate
     * @param beta1 in [0, 1)
     * @param beta2 in [0, 1)
     * @param eps > 0
     * @param weightDecay >= 0
     * @param step >= 1: this update's number, counting from 1
     * @param decoupled 0 = Adam, 1 = AdamW
     */
    public record AdamParams(double lr, double beta1, double beta2, double eps, double weightDecay, int step,
                             int decoupled) {
        /** Writes the struct's bytes into {@code s}. */
        public void writeTo(MemorySegment s) {
            StructLayout l = ADAM_PARAMS_LAYOUT;
            ParamsStructs.putDouble(s, l, "lr", lr);
            ParamsStructs.putDouble(s, l, "beta1", beta1);
            ParamsStructs.putDouble(s, l, "beta2", beta2);
            ParamsStructs.putDouble(s, l, "eps", eps);
            ParamsStructs.putDouble(s, l, "weightDecay", weightDecay);
            ParamsStructs.putInt(s, l, "step", step);
            ParamsStructs.putInt(s, l, "decoupled", decoupled);
        }

        /** Reads the struct's bytes. */
        public static AdamParams readFrom(MemorySegment s) {
            StructLayout l = ADAM_PARAMS_LAYOUT;
            return new AdamParams(ParamsStructs.getDouble(s, l, "lr"), ParamsStructs.getDouble(s, l, "beta1"),
                    ParamsStructs.getDouble(s, l, "beta2"), ParamsStructs.getDouble(s, l, "eps"),
                    ParamsStructs.getDouble(s, l, "weightDecay"), ParamsStructs.getInt(s, l, "step"),
                    ParamsStructs.getInt(s, l, "decoupled"));
        }
    }

    /**
     * {@code mnemo_optim_rmsprop_params} (names and order as in C).
     *
     * @param lr learning rate
     * @param alpha smoothing constant
     * @param eps > 0
     * @param weightDecay >= 0
     * @param momentum >= 0
     * @param centered 0 or 1
     */
    public record RmspropParams(double lr, double alpha, double eps, double weightDecay, double momentum,
                                int centered) {
        /** Writes the struct's bytes into {@code s} (the tail padding stays as it is). */
        public void writeTo(MemorySegment s) {
            StructLayout l = RMSPROP_PARAMS_LAYOUT;
            ParamsStructs.putDouble(s, l, "lr", lr);
            ParamsStructs.putDouble(s, l, "alpha", alpha);
            ParamsStructs.putDouble(s, l, "eps", eps);
            ParamsStructs.putDouble(s, l, "weightDecay", weightDecay);
            ParamsStructs.putDouble(s, l, "momentum", momentum);
            ParamsStructs.putInt(s, l, "centered", centered);
        }

        /** Reads the struct's bytes. */
        public static RmspropParams readFrom(MemorySegment s) {
            StructLayout l = RMSPROP_PARAMS_LAYOUT;
            return new RmspropParams(ParamsStructs.getDouble(s, l, "lr"), ParamsStructs.getDouble(s, l, "alpha"),
                    ParamsStructs.getDouble(s, l, "eps"), ParamsStructs.getDouble(s, l, "weightDecay"),
                    ParamsStructs.getDouble(s, l, "momentum"), ParamsStructs.getInt(s, l, "centered"));
        }
    }

    private final LaunchTarget target;
    private final MemorySegment sgdParams = ParamsStructs.allocate(SGD_PARAMS_LAYOUT);
    private final MemorySegment adamParams = ParamsStructs.allocate(ADAM_PARAMS_LAYOUT);
    private final MemorySegment rmspropParams = ParamsStructs.allocate(RMSPROP_PARAMS_LAYOUT);

    /** Launchers for the kernels of {@code module}, queued on {@code stream}. */
    public OptimKernels(CudaModule module, CudaStream stream) {
        this(new ModuleLaunchTarget(module, stream, signatures()));
    }

    OptimKernels(LaunchTarget target) {
        this.target = target;
    }

    /** The signatures of this family, in header order. */
    public static List<KernelSignature> signatures() {
        return List.of(SGD, ADAM, RMSPROP);
    }

    /** The launch of every optimizer kernel: block 256, grid ceil(n/256) capped at 65535, at least 1. */
    public static LaunchGeometry geometry(long n) {
        return TensorKernels.geometry(n);
    }

    /**
     * torch.optim.SGD from the struct's bytes.
     *
     * @param param [n] in-out
     * @param grad [n] in
     * @param momentumBuffer [n] in-out; MAY BE NULL when momentum == 0
     * @param n element count {@code >= 0}
     * @param hp {@code mnemo_optim_sgd_params} bytes
     */
    public void sgd(DeviceMemory param, DeviceMemory grad, DeviceMemory momentumBuffer, long n, MemorySegment hp) {
        LaunchChecks.structSize("hp", hp, SGD_PARAMS_LAYOUT);
        SgdParams p = SgdParams.readFrom(hp);
        LaunchChecks.atLeastZero("lr", p.lr());
        LaunchChecks.atLeastZero("momentum", p.momentum());
        LaunchChecks.atLeastZero("weightDecay", p.weightDecay());
        LaunchChecks.flag("nesterov", p.nesterov());
        LaunchChecks.flag("firstStep", p.firstStep());
        if (p.nesterov() == 1 && (p.momentum() <= 0 || p.dampening() != 0)) {
            throw new IllegalArgumentException("nesterov needs momentum > 0 and dampening = 0, got momentum "
                    + p.momentum() + " and dampening " + p.dampening());
        }
        boolean momentum = p.momentum() != 0;
        if (momentum && momentumBuffer == null) {
            throw new IllegalArgumentException("momentumBuffer must not be null when momentum != 0, got momentum "
                    + p.momentum());
        }
        checkBuffers(n, new String[] {"param", "grad", "momentumBuffer"},
                new DeviceMemory[] {param, grad, momentum ? momentumBuffer : null},
                new boolean[] {true, true, momentum});
        target.launch(SGD, geometry(n), param, grad, momentumBuffer, n, hp);
    }

    /** torch.optim.SGD with a typed record (see {@link #sgd(DeviceMemory, DeviceMemory, DeviceMemory, long, MemorySegment)}). */
    public void sgd(DeviceMemory param, DeviceMemory grad, DeviceMemory momentumBuffer, long n, SgdParams hp) {
        hp.writeTo(sgdParams);
        sgd(param, grad, momentumBuffer, n, sgdParams);
    }

    /**
     * torch.optim.Adam / AdamW (amsgrad = False) from the struct's bytes.
     *
     * @param param [n] in-out
     * @param grad [n] in
     * @param expAvg [n] in-out (zeros before step 1)
     * @param expAvgSq [n] in-out (zeros before step 1)
     * @param n element count {@code >= 0}
     * @param hp {@code mnemo_optim_adam_params} bytes
     */
    public void adam(DeviceMemory param, DeviceMemory grad, DeviceMemory expAvg, DeviceMemory expAvgSq, long n,
                     MemorySegment hp) {
        LaunchChecks.structSize("hp", hp, ADAM_PARAMS_LAYOUT);
        AdamParams p = AdamParams.readFrom(hp);
        LaunchChecks.unitInterval("beta1", p.beta1());
        LaunchChecks.unitInterval("beta2", p.beta2());
        LaunchChecks.aboveZero("eps", p.eps());
        LaunchChecks.atLeastZero("weightDecay", p.weightDecay());
        LaunchChecks.between("step", p.step(), 1, Integer.MAX_VALUE);
        LaunchChecks.flag("decoupled", p.decoupled());
        checkBuffers(n, new String[] {"param", "grad", "expAvg", "expAvgSq"},
                new DeviceMemory[] {param, grad, expAvg, expAvgSq}, new boolean[] {true, true, true, true});
        target.launch(ADAM, geometry(n), param, grad, expAvg, expAvgSq, n, hp);
    }

    /** Adam with a typed record. */
    public void adam(DeviceMemory param, DeviceMemory grad, DeviceMemory expAvg, DeviceMemory expAvgSq, long n,
                     AdamParams hp) {
        hp.writeTo(adamParams);
        adam(param, grad, expAvg, expAvgSq, n, adamParams);
    }

    /**
     * torch.optim.RMSprop from the struct's bytes.
     *
     * @param param [n] in-out
     * @param grad [n] in
     * @param squareAvg [n] in-out (zeros before the first step)
     * @param momentumBuffer [n] in-out; MAY BE NULL when momentum == 0
     * @param gradAvg [n] in-out; MAY BE NULL when centered == 0
     * @param n element count {@code >= 0}
     * @param hp {@code mnemo_optim_rmsprop_params} bytes
     */
    public void rmsprop(DeviceMemory param, DeviceMemory grad, DeviceMemory squareAvg, DeviceMemory momentumBuffer,
                        DeviceMemory gradAvg, long n, MemorySegment hp) {
        LaunchChecks.structSize("hp", hp, RMSPROP_PARAMS_LAYOUT);
        RmspropParams p = RmspropParams.readFrom(hp);
        LaunchChecks.aboveZero("eps", p.eps());
        LaunchChecks.atLeastZero("weightDecay", p.weightDecay());
        LaunchChecks.atLeastZero("momentum", p.momentum());
        LaunchChecks.flag("centered", p.centered());
        boolean momentum = p.momentum() > 0;
        boolean centered = p.centered() == 1;
        if (momentum && momentumBuffer == null) {
            throw new IllegalArgumentException("momentumBuffer must not be null when momentum > 0, got momentum "
                    + p.momentum());
        }
        if (centered && gradAvg == null) {
            throw new IllegalArgumentException("gradAvg must not be null when centered = 1");
        }
        checkBuffers(n, new String[] {"param", "grad", "squareAvg", "momentumBuffer", "gradAvg"},
                new DeviceMemory[] {param, grad, squareAvg, momentum ? momentumBuffer : null,
                    centered ? gradAvg : null},
                new boolean[] {true, true, true, momentum, centered});
        target.launch(RMSPROP, geometry(n), param, grad, squareAvg, momentumBuffer, gradAvg, n, hp);
    }

    /** RMSprop with a typed record. */
    public void rmsprop(DeviceMemory param, DeviceMemory grad, DeviceMemory squareAvg, DeviceMemory momentumBuffer,
                        DeviceMemory gradAvg, long n, RmspropParams hp) {
        hp.writeTo(rmspropParams);
        rmsprop(param, grad, squareAvg, momentumBuffer, gradAvg, n, rmspropParams);
    }

    /** Every required buffer present and holding n floats; no two (present) buffers overlap. */
    private static void checkBuffers(long n, String[] names, DeviceMemory[] buffers, boolean[] required) {
        LaunchChecks.count("n", n);
        for (int i = 0; i < names.length; i++) {
            if (required[i]) {
                if (buffers[i] == null) {
                    throw new IllegalArgumentException(names[i] + " must not be null");
                }
                LaunchChecks.fits("n", n, names[i], buffers[i]);
            }
        }
        for (int i = 0; i < names.length; i++) {
            for (int j = i + 1; j < names.length; j++) {
                LaunchChecks.disjointIfPresent(names[i], buffers[i], n, names[j], buffers[j], n);
            }
        }
    }
}
