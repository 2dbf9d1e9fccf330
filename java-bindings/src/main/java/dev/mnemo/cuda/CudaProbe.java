package dev.mnemo.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What CUDA this process can use, found without throwing: the driver and its devices, cuBLAS,
 * cuSOLVER and the kernels in this jar, each reported on its own (a missing cuBLAS does not hide a
 * working driver). {@code Backend.auto()} picks CUDA when {@link #available()}, and
 * {@code mnemo info} prints {@link #describe()}.
 */
public final class CudaProbe {

    /**
     * A vendor library's state.
     *
     * @param name "cuBLAS" or "cuSOLVER"
     * @param available whether it loaded and answered its version query
     * @param version "major.minor.patch" when available, else ""
     * @param detail where it was loaded from, or why it is unavailable
     */
    public record Library(String name, boolean available, String version, String detail) {
    }

    /**
     * The kernels in this jar.
     *
     * @param present whether the jar carries the fatbin
     * @param archs its images, e.g. [sm_80, ..., sm_120, compute_120]; empty when absent or unreadable
     * @param problem why it is absent or unreadable, else ""
     */
    public record Kernels(boolean present, List<String> archs, String problem) {
    }

    private final boolean available;
    private final String unavailableReason;
    private final String driverSource;
    private final int driverVersion;
    private final List<CudaDevice> devices;
    private final Library cublas;
    private final Library cusolver;
    private final Kernels kernels;

    private CudaProbe(boolean available, String unavailableReason, String driverSource, int driverVersion,
                      List<CudaDevice> devices, Library cublas, Library cusolver, Kernels kernels) {
        this.available = available;
        this.unavailableReason = unavailableReason;
        this.driverSource = driverSource;
        this.driverVersion = driverVersion;
        this.devices = List.copyOf(devices);
        this.cublas = cublas;
        this.cusolver = cusolver;
        this.kernels = kernels;
    }

    /** Looks at everything; never throws. */
    public static CudaProbe probe() {
        String reason = "";
        String source = "";
        int version = 0;
        List<CudaDevice> devices = new ArrayList<>();
        try {
            NativeLibrary driver = NativeLibrary.cuda();
            if (!driver.isLoaded()) {
                reason = "no CUDA driver: " + driver.failureMessage().orElse("libcuda.so.1 not loaded");
            } else {
                source = driver.file() + " from " + driver.source().orElse("?");
                version = CudaDriver.driverGetVersion();
                CudaDriver.init();
                int count = CudaDriver.deviceGetCount();
                for (int i = 0; i < count; i++) {
                    devices.add(CudaDevice.query(i));
                }
                if (count == 0) {
                    reason = "no CUDA device: the driver reports 0 devices";
                }
            }
        } catch (CudaException e) {
            reason = "CUDA driver present but not usable: " + e.getMessage();
        } catch (RuntimeException | LinkageError e) {
            reason = "CUDA probe failed: " + e;
        }
        boolean ok = reason.isEmpty();
        return new CudaProbe(ok, reason, source, version, devices, probeCublas(), probeCusolver(), probeKernels());
    }

    private static Library probeCublas() {
        try {
            NativeLibrary lib = Cublas.library();
            if (!lib.isLoaded()) {
                return new Library("cuBLAS", false, "", lib.failureMessage().orElse("not loaded"));
            }
            return new Library("cuBLAS", true, Cublas.libraryVersion(), from(lib));
        } catch (RuntimeException | LinkageError e) {
            return new Library("cuBLAS", false, "", e.getMessage());
        }
    }

    private static Library probeCusolver() {
        try {
            NativeLibrary lib = Cusolver.library();
            if (!lib.isLoaded()) {
                return new Library("cuSOLVER", false, "", lib.failureMessage().orElse("not loaded"));
            }
            String version = Cusolver.decodeVersion(Cusolver.libraryVersion());
            String geev = lib.hasSymbol("cusolverDnXgeev") ? "" : "; no cusolverDnXgeev (needs CUDA 12.6+)";
            return new Library("cuSOLVER", true, version, from(lib) + geev);
        } catch (RuntimeException | LinkageError e) {
            return new Library("cuSOLVER", false, "", e.getMessage());
        }
    }

    private static Kernels probeKernels() {
        try {
            Optional<byte[]> bytes = KernelModule.fatbinBytes();
            if (bytes.isEmpty()) {
                return new Kernels(false, List.of(), KernelModule.NOT_BUILT);
            }
            return new Kernels(true, Fatbin.parse(bytes.get()).archs(), "");
        } catch (RuntimeException e) {
            return new Kernels(KernelModule.isBuilt(), List.of(), "unreadable fatbin: " + e.getMessage());
        }
    }

    private static String from(NativeLibrary lib) {
        return lib.file() + " from " + lib.source().orElse("?");
    }

    /** Whether the driver loaded, initialised and reports at least one device. */
    public boolean available() {
        return available;
    }

    /** Why CUDA is not available, e.g. "no CUDA driver: libcuda.so.1 not found in [...]"; "" when it is. */
    public String unavailableReason() {
        return unavailableReason;
    }

    /** {@code cuDriverGetVersion}, e.g. 13000; 0 when unknown. */
    public int driverVersion() {
        return driverVersion;
    }

    /** The CUDA version the driver supports, e.g. "13.0"; "" when unknown. */
    public String cudaVersion() {
        return driverVersion == 0 ? "" : decodeCudaVersion(driverVersion);
    }

    /** 13000 → "13.0", 12080 → "12.8" (major·1000 + minor·10). */
    public static String decodeCudaVersion(int version) {
        return version / 1000 + "." + (version % 1000) / 10;
    }

    /** The devices, in ordinal order. */
    public List<CudaDevice> devices() {
        return devices;
    }

    /** cuBLAS's state. */
    public Library cublas() {
        return cublas;
    }

    /** cuSOLVER's state. */
    public Library cusolver() {
        return cusolver;
    }

    /** The jar's kernels. */
    public Kernels kernels() {
        return kernels;
    }

    /**
     * How {@code device} would load the fatbin: by SASS of the same major with a minor not above
     * its own, else by JIT from PTX of an arch not above its own, else not at all.
     */
    public static String kernelImageFor(CudaDevice device, List<String> archs) {
        // the driver's choice: the newest SASS of the device's major at or below it, else the newest PTX at or
        // below it (the first match in the fatbin's ascending list named sm_80 for an sm_89 that loads sm_89)
        int major = device.computeMajor();
        int own = major * 10 + device.computeMinor();
        String sass = null;
        int sassNumber = -1;
        String ptx = null;
        int ptxNumber = -1;
        for (String arch : archs) {
            int number = archNumber(arch, "sm_");
            if (number > sassNumber && number / 10 == major && number <= own && !arch.endsWith("a")) {
                sass = arch;
                sassNumber = number;
            }
            number = archNumber(arch, "compute_");
            if (number > ptxNumber && number <= own) {
                ptx = arch;
                ptxNumber = number;
            }
        }
        if (sass != null) {
            return "SASS " + sass;
        }
        return ptx != null ? "PTX JIT from " + ptx : "none: no SASS for " + device.smArch() + " and no PTX at or below it";
    }

    private static int archNumber(String arch, String prefix) {
        if (!arch.startsWith(prefix)) {
            return -1;
        }
        String digits = arch.substring(prefix.length()).replaceAll("[^0-9]", "");
        return digits.isEmpty() ? -1 : Integer.parseInt(digits);
    }

    /** A multi-line report for humans. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        if (available) {
            out.append("CUDA: available (driver supports CUDA ").append(cudaVersion()).append(", ")
                    .append(driverSource).append(")\n");
        } else {
            out.append("CUDA: unavailable: ").append(unavailableReason).append('\n');
            if (driverVersion != 0) {
                out.append("  driver supports CUDA ").append(cudaVersion()).append('\n');
            }
        }
        for (CudaDevice d : devices) {
            out.append(String.format("  device %d: %s, compute capability %s, %d SMs, %.1f GiB, "
                            + "shared memory %d KiB/block (%d KiB opt-in), cooperative launch %s%n",
                    d.ordinal(), d.name(), d.computeCapability(), d.multiprocessors(), d.totalMemoryGiB(),
                    d.sharedMemoryPerBlock() / 1024, d.sharedMemoryPerBlockOptin() / 1024,
                    d.cooperativeLaunch() ? "yes" : "no"));
        }
        for (Library lib : List.of(cublas, cusolver)) {
            out.append(lib.name()).append(": ")
                    .append(lib.available() ? lib.version() + " (" + lib.detail() + ")" : "unavailable: " + lib.detail())
                    .append('\n');
        }
        if (kernels.present() && kernels.problem().isEmpty()) {
            out.append("kernels: fatbin with ").append(String.join(", ", kernels.archs())).append('\n');
            for (CudaDevice d : devices) {
                out.append("  device ").append(d.ordinal()).append(" loads: ")
                        .append(kernelImageFor(d, kernels.archs())).append('\n');
            }
        } else {
            out.append("kernels: ").append(kernels.problem()).append('\n');
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return describe();
    }
}
