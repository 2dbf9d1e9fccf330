package dev.mnemo.cuda;

import java.io.File;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the vendor libraries at run time instead of linking them, so the jar runs with whatever
 * driver and CUDA 12/13 libraries a machine has, and loads (without CUDA) where none exist.
 *
 * <p>Search order, first hit wins; within a directory the preferred file name comes first:
 * <ol>
 *   <li>the system property {@value #LIBDIR_PROPERTY} (one or more directories, separated by
 *       {@link File#pathSeparator});</li>
 *   <li>{@code $CUDA_HOME/lib64}, then {@code $CUDA_PATH/lib64};</li>
 *   <li>{@code /usr/local/cuda/lib64};</li>
 *   <li>each directory of {@code LD_LIBRARY_PATH};</li>
 *   <li>the dynamic loader's default search ({@code dlopen} of the bare file name), which is how
 *       the driver's {@code libcuda.so.1} is usually found.</li>
 * </ol>
 * A miss names the file(s) and every place searched. The bindings read these values once, when
 * they first open a library ({@link NativeLibrary#cuda()} and friends): set the property before.
 */
public final class NativeLibraries {
    /** System property naming directories searched before any other. */
    public static final String LIBDIR_PROPERTY = "mnemo.cuda.libdir";
    /** The default CUDA installation directory. */
    static final Path DEFAULT_CUDA_LIB = Path.of("/usr/local/cuda/lib64");
    /** How the last place searched is named in messages. */
    static final String DYNAMIC_LOADER = "the dynamic loader's default search path";

    private final List<Path> directories;

    /**
     * Search roots given explicitly (tests inject them; null or blank values are skipped).
     *
     * @param libdirProperty value of {@value #LIBDIR_PROPERTY}
     * @param cudaHome value of {@code CUDA_HOME}
     * @param cudaPath value of {@code CUDA_PATH}
     * @param ldLibraryPath value of {@code LD_LIBRARY_PATH}
     */
    NativeLibraries(String libdirProperty, String cudaHome, String cudaPath, String ldLibraryPath) {
        Set<Path> dirs = new LinkedHashSet<>();
        addAll(dirs, libdirProperty);
        if (present(cudaHome)) {
            dirs.add(Path.of(cudaHome.trim(), "lib64"));
        }
        if (present(cudaPath)) {
            dirs.add(Path.of(cudaPath.trim(), "lib64"));
        }
        dirs.add(DEFAULT_CUDA_LIB);
        addAll(dirs, ldLibraryPath);
        this.directories = List.copyOf(dirs);
    }

    /** Search roots from this process's system properties and environment. */
    public static NativeLibraries fromEnvironment() {
        return new NativeLibraries(System.getProperty(LIBDIR_PROPERTY), System.getenv("CUDA_HOME"),
                System.getenv("CUDA_PATH"), System.getenv("LD_LIBRARY_PATH"));
    }

    /** The directories searched, in order, before the dynamic loader's default. */
    public List<Path> directories() {
        return directories;
    }

    /** Every place searched, in order, as messages print it. */
    public List<String> placesSearched() {
        List<String> places = new ArrayList<>();
        directories.forEach(d -> places.add(d.toString()));
        places.add(DYNAMIC_LOADER);
        return places;
    }

    /**
     * The first existing file among {@code fileNames} in the search directories (directories outer,
     * names inner), without loading it.
     */
    public Optional<Path> locate(List<String> fileNames) {
        for (Path dir : directories) {
            for (String name : fileNames) {
                Path candidate = dir.resolve(name);
                if (Files.isRegularFile(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Loads the first of {@code fileNames} found, for the whole life of the process.
     *
     * @param fileNames sonames in order of preference, e.g. {@code libcublas.so.13, libcublas.so.12}
     * @return the loaded library
     * @throws CudaException (library {@link CudaException.Library#LOADER}) naming the files and
     *         every place searched, plus any file that was found but failed to load
     */
    public NativeLibrary open(List<String> fileNames) {
        if (fileNames.isEmpty()) {
            throw new IllegalArgumentException("fileNames must not be empty");
        }
        List<String> loadErrors = new ArrayList<>();
        for (Path dir : directories) {
            for (String name : fileNames) {
                Path candidate = dir.resolve(name);
                if (!Files.isRegularFile(candidate)) {
                    continue;
                }
                try {
                    return new NativeLibrary(name, candidate.toString(), load(candidate));
                } catch (IllegalArgumentException | IllegalCallerException e) {
                    loadErrors.add(candidate + " exists but failed to load (" + e.getMessage() + ")");
                }
            }
        }
        for (String name : fileNames) {
            try {
                return new NativeLibrary(name, DYNAMIC_LOADER, loadByName(name));
            } catch (IllegalArgumentException e) {
                // not on the loader's path either: reported below with every place searched
            } catch (IllegalCallerException e) {
                loadErrors.add(name + ": " + e.getMessage());
            }
        }
        String files = String.join(" or ", fileNames);
        String message = files + " not found in " + placesSearched()
                + (loadErrors.isEmpty() ? "" : "; " + String.join("; ", loadErrors));
        throw CudaException.loader(fileNames.getFirst(), "LIBRARY_NOT_FOUND", message, null);
    }

    @SuppressWarnings("restricted")
    private static SymbolLookup load(Path file) {
        return SymbolLookup.libraryLookup(file, Arena.global());
    }

    @SuppressWarnings("restricted")
    private static SymbolLookup loadByName(String name) {
        return SymbolLookup.libraryLookup(name, Arena.global());
    }

    private static void addAll(Set<Path> dirs, String pathList) {
        if (!present(pathList)) {
            return;
        }
        for (String entry : pathList.split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                dirs.add(Path.of(entry.trim()));
            }
        }
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }
}
