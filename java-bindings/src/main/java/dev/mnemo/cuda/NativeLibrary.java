package dev.mnemo.cuda;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One vendor library, loaded or not, and the factory of its downcall handles.
 *
 * <p>A missing library or symbol does not fail class initialisation: {@link #downcall} then
 * returns a handle of the right type that throws a {@link CudaException} naming what is missing,
 * so binding classes keep plain {@code static final MethodHandle}s and still load on a machine
 * without CUDA.
 */
public final class NativeLibrary {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SUPPLIER_GET;

    static {
        try {
            SUPPLIER_GET = MethodHandles.publicLookup()
                    .findVirtual(Supplier.class, "get", MethodType.methodType(Object.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String file;
    private final String source;
    private final SymbolLookup lookup;
    private final CudaException failure;

    NativeLibrary(String file, String source, SymbolLookup lookup) {
        this.file = file;
        this.source = source;
        this.lookup = lookup;
        this.failure = null;
    }

    private NativeLibrary(String file, CudaException failure) {
        this.file = file;
        this.source = null;
        this.lookup = null;
        this.failure = failure;
    }

    /** The CUDA driver, {@code libcuda.so.1}. */
    public static NativeLibrary cuda() {
        return Driver.INSTANCE;
    }

    /** cuBLAS, {@code libcublas.so.13} or {@code libcublas.so.12}. */
    public static NativeLibrary cublas() {
        return Blas.INSTANCE;
    }

    /** cuSOLVER, {@code libcusolver.so.12} or {@code libcusolver.so.11}. */
    public static NativeLibrary cusolver() {
        return Solver.INSTANCE;
    }

    /** Opens the first of {@code fileNames}, or records why none could be opened. */
    static NativeLibrary openOrRecord(List<String> fileNames) {
        try {
            return NativeLibraries.fromEnvironment().open(fileNames);
        } catch (CudaException e) {
            return new NativeLibrary(String.join(" or ", fileNames), e);
        }
    }

    /** Whether the library was loaded. */
    public boolean isLoaded() {
        return lookup != null;
    }

    /** The file name that was loaded, or the names that were looked for. */
    public String file() {
        return file;
    }

    /** Where it was loaded from: a path, or the dynamic loader's default; empty when not loaded. */
    public Optional<String> source() {
        return Optional.ofNullable(source);
    }

    /** Why it is not loaded (names the file and every place searched); empty when loaded. */
    public Optional<String> failureMessage() {
        return failure == null ? Optional.empty() : Optional.of(failure.getMessage());
    }

    /** Whether {@code symbol} is exported (false when the library is not loaded). */
    public boolean hasSymbol(String symbol) {
        return lookup != null && lookup.find(symbol).isPresent();
    }

    /**
     * A downcall handle for the first of {@code symbols} that the library exports (later names are
     * fallbacks for older versions), or a handle that throws a {@link CudaException} saying what is
     * missing.
     */
    @SuppressWarnings("restricted")
    MethodHandle downcall(FunctionDescriptor descriptor, String... symbols) {
        MethodType type = descriptor.toMethodType();
        if (lookup == null) {
            CudaException cause = failure;
            return thrower(type, () -> CudaException.loader(symbols[0], "LIBRARY_NOT_FOUND",
                    symbols[0] + " is unavailable: " + cause.getMessage(), null));
        }
        for (String symbol : symbols) {
            Optional<MemorySegment> address = lookup.find(symbol);
            if (address.isPresent()) {
                return LINKER.downcallHandle(address.get(), descriptor);
            }
        }
        String where = file + (source == null ? "" : " (" + source + ")");
        return thrower(type, () -> CudaException.loader(symbols[0], "SYMBOL_NOT_FOUND",
                String.join(" / ", symbols) + " not exported by " + where + ": library too old?", null));
    }

    private static MethodHandle thrower(MethodType type, Supplier<CudaException> exception) {
        MethodHandle raise = MethodHandles.throwException(type.returnType(), CudaException.class);
        MethodHandle make = SUPPLIER_GET.bindTo(exception)
                .asType(MethodType.methodType(CudaException.class));
        MethodHandle raiseNew = MethodHandles.foldArguments(raise, make);
        return MethodHandles.dropArguments(raiseNew, 0, type.parameterList());
    }

    private static final class Driver {
        static final NativeLibrary INSTANCE = openOrRecord(List.of("libcuda.so.1"));
    }

    private static final class Blas {
        static final NativeLibrary INSTANCE = openOrRecord(List.of("libcublas.so.13", "libcublas.so.12"));
    }

    private static final class Solver {
        static final NativeLibrary INSTANCE = openOrRecord(List.of("libcusolver.so.12", "libcusolver.so.11"));
    }
}
