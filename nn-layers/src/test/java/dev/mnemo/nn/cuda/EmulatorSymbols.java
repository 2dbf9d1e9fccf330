package dev.mnemo.nn.cuda;

import dev.mnemo.cuda.NativeLibrary;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The test-only entry points of Mnemo's emulated CUDA ({@code native/emu-cuda}: the call census, the GPC
 * model), looked up in the libcuda.so.1 Mnemo loaded; empty on a real driver, which has none of them.
 */
final class EmulatorSymbols {
    private EmulatorSymbols() {
    }

    /** {@code name} in the loaded libcuda.so.1, when that is Mnemo's emulator. */
    @SuppressWarnings("restricted")
    static Optional<MemorySegment> find(String name) {
        Optional<String> source = NativeLibrary.cuda().source();
        if (source.isEmpty() || !source.get().startsWith("/")) {
            return Optional.empty();
        }
        return SymbolLookup.libraryLookup(Path.of(source.get()), Arena.global()).find(name);
    }
}
