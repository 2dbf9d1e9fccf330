package dev.mnemo.cuda.kernels;

import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Every kernel signature the launchers declare, family by family in header order: what the
 * header mirror test compares with {@code mnemo_kernels.h}. A family of the header is bound all or
 * nothing: its launcher class {@code <Family>Kernels} declares every kernel of the family.
 */
public final class KernelCatalog {
    private KernelCatalog() {
    }

    /** The launcher class of each family, in header order. */
    public static List<Class<?>> launchers() {
        return List.of(TensorKernels.class, ClipKernels.class, RnnKernels.class, LstmKernels.class, GruKernels.class,
                LossKernels.class, OptimKernels.class, MemnetKernels.class, PersistentKernels.class, EigenKernels.class,
                DropoutKernels.class, ScatterKernels.class, GatherKernels.class, InputKernels.class);
    }

    /**
     * The Java layout of every params struct of the header, in header order, each named as its C
     * {@code typedef} ({@link java.lang.foreign.MemoryLayout#name()}): what the struct mirror test
     * compares with the C definitions.
     */
    public static List<StructLayout> structs() {
        return List.of(LstmKernels.FWD_PARAMS_LAYOUT, GruKernels.FWD_PARAMS_LAYOUT, GruKernels.BWD_PARAMS_LAYOUT,
                OptimKernels.SGD_PARAMS_LAYOUT, OptimKernels.ADAM_PARAMS_LAYOUT, OptimKernels.RMSPROP_PARAMS_LAYOUT,
                MemnetKernels.FWD_PARAMS_LAYOUT, MemnetKernels.BWD_PARAMS_LAYOUT,
                MemnetSequenceKernels.FWD_PARAMS_LAYOUT, MemnetSequenceKernels.BWD_PARAMS_LAYOUT,
                MemnetSequenceKernels.STREAM_PARAMS_LAYOUT,
                PersistentKernels.FWD_PARAMS_LAYOUT, PersistentKernels.BWD_PARAMS_LAYOUT);
    }

    /** All signatures, in header order. */
    public static List<KernelSignature> signatures() {
        List<KernelSignature> all = new ArrayList<>();
        all.addAll(TensorKernels.signatures());
        all.addAll(ClipKernels.signatures());
        all.addAll(RnnKernels.signatures());
        all.addAll(LstmKernels.signatures());
        all.addAll(GruKernels.signatures());
        all.addAll(LossKernels.signatures());
        all.addAll(OptimKernels.signatures());
        all.addAll(MemnetKernels.signatures());
        all.addAll(PersistentKernels.signatures());
        all.addAll(EigenKernels.signatures());
        all.addAll(DropoutKernels.signatures());
        all.addAll(ScatterKernels.signatures());
        all.addAll(GatherKernels.signatures());
        all.addAll(InputKernels.signatures());
        return List.copyOf(all);
    }
}
