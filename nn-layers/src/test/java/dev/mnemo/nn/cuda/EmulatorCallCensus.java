package dev.mnemo.nn.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;

/**
 * The call census of Mnemo's emulated CUDA libraries ({@code native/emu-cuda/calls.cpp}): how often
 * each driver, cuBLAS and cuSOLVER entry point ran, and each kernel was launched
 * ({@code launch:<name>}), since the last {@link #reset()}. A real driver has no census, so
 * {@link #open()} is empty there and tests that need it skip.
 */
public final class EmulatorCallCensus {
    private final MethodHandle census;
    private final MethodHandle reset;

    private EmulatorCallCensus(MethodHandle census, MethodHandle reset) {
        this.census = census;
        this.reset = reset;
    }

    /** The census of the loaded libcuda.so.1, when it is Mnemo's emulator. */
    @SuppressWarnings("restricted")
    public static Optional<EmulatorCallCensus> open() {
        var linker = Linker.nativeLinker();
        Optional<MemorySegment> censusAt = EmulatorSymbols.find("mnemo_emu_call_census");
        Optional<MemorySegment> resetAt = EmulatorSymbols.find("mnemo_emu_reset_call_census");
        if (censusAt.isEmpty() || resetAt.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new EmulatorCallCensus(
                linker.downcallHandle(censusAt.get(), FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG)),
                linker.downcallHandle(resetAt.get(), FunctionDescriptor.ofVoid())));
    }

    /** {@link #open()}'s census, or the calling test skipped where the driver is not Mnemo's emulator. */
    public static EmulatorCallCensus assumeOpen() {
        Optional<EmulatorCallCensus> opened = open();
        Assumptions.assumeTrue(opened.isPresent(), "the call census exists only in Mnemo's emulated driver");
        return opened.get();
    }

    /** Forgets every count. */
    public void reset() {
        try {
            reset.invokeExact();
        } catch (Throwable e) {
            throw new IllegalStateException("mnemo_emu_reset_call_census failed", e);
        }
    }

    /** Every entry point and kernel counted since the last reset, by name. */
    public Map<String, Long> counts() {
        try (Arena arena = Arena.ofConfined()) {
            long needed = (long) census.invokeExact(MemorySegment.NULL, 0L);
            MemorySegment text = arena.allocate(needed);
            long again = (long) census.invokeExact(text, needed);
            if (again > needed) {
                throw new IllegalStateException("the census grew while it was read");
            }
            Map<String, Long> counts = new TreeMap<>();
            for (String line : text.getString(0).split("\n")) {
                if (!line.isBlank()) {
                    int space = line.lastIndexOf(' ');
                    counts.put(line.substring(0, space), Long.parseLong(line.substring(space + 1)));
                }
            }
            return counts;
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("mnemo_emu_call_census failed", e);
        }
    }
}
