package dev.mnemo.nn.cuda;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * The GPC model of Mnemo's emulated driver ({@code mnemo_emu_set_gpc_sms}, {@code native/emu-cuda}): how
 * many SMs a GPC holds, which bounds a thread-block cluster, so a test can play a part whose GPCs are
 * smaller than an H100's. A real driver has no such switch, so {@link #open()} is empty there.
 */
final class EmulatorGpcs {
    private final MethodHandle set;

    private EmulatorGpcs(MethodHandle set) {
        this.set = set;
    }

    /** The switch of the loaded libcuda.so.1, when it is Mnemo's emulator. */
    @SuppressWarnings("restricted")
    static Optional<EmulatorGpcs> open() {
        return EmulatorSymbols.find("mnemo_emu_set_gpc_sms").map(at -> new EmulatorGpcs(
                Linker.nativeLinker().downcallHandle(at, FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT))));
    }

    /** SMs per GPC from now on; 0 models no GPCs (any cluster up to the size limits fits). */
    void smsPerGpc(int sms) {
        try {
            set.invokeExact(sms);
        } catch (Throwable e) {
            throw new IllegalStateException("mnemo_emu_set_gpc_sms failed", e);
        }
    }
}
