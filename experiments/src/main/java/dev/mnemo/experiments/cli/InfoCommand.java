package dev.mnemo.experiments.cli;

import dev.mnemo.cuda.CudaProbe;
import dev.mnemo.cuda.kernels.MemnetSequenceKernels;
import dev.mnemo.cuda.kernels.NarrowInputPlan;
import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.cuda.AllocatorSetting;
import dev.mnemo.nn.cuda.CudaBackend;
import dev.mnemo.nn.cuda.DepthSplits;
import dev.mnemo.nn.cuda.InputProjectionSetting;
import dev.mnemo.nn.cuda.MemNetLoopSetting;
import dev.mnemo.nn.cuda.MemnetMergeSetting;
import dev.mnemo.nn.cuda.NarrowInputSetting;
import dev.mnemo.nn.cuda.StepSplits;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code mnemo info}: which backend a run would use and why, every GPU, the driver, CUDA, cuBLAS
 * and cuSOLVER versions, and the architectures compiled into the shipped kernels. Never fails for a
 * missing GPU: that is reported, and the CPU backend is named instead.
 */
@Command(name = "info", mixinStandardHelpOptions = true, versionProvider = MnemoVersion.class,
        description = "Show the backend Mnemo would use, the GPUs, library versions and kernel archs.")
final class InfoCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        CudaProbe probe = CudaProbe.probe();
        out.println("mnemo " + versionOrDev() + " on Java " + Runtime.version()
                + " (" + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", "
                + Runtime.getRuntime().availableProcessors() + " CPU cores)");
        // the backend's own reason, not only the driver's: with a driver but no cuBLAS or no kernels this said
        // cuda, then failed before the probe's report that explains it (runs take the CPU there)
        var reason = CudaBackend.unavailableReason();
        out.println("backend: " + (reason.isEmpty()
                ? "cuda (" + defaultDevice(probe.devices().size()) + ")"
                : "cpu — " + reason.get()));
        out.println("cpu gemm: " + CpuBackend.gemmImplementation());
        if (reason.isEmpty() && usableDefault(probe.devices().size())) {
            out.println("recurrent path on cuda: " + CudaBackend.float32().recurrentPathDescription());
            out.println("cuda allocator: " + (CudaBackend.float32().memoryStats().caching()
                    ? "caching (the blocks of released tensors are reused)" : "direct (cuMemAlloc / cuMemFree per tensor)")
                    + " (" + AllocatorSetting.PROPERTY + ")");
            out.println("cuda per-step product: " + StepSplits.setting()
                    + " (" + StepSplits.PROPERTY + ": auto, 1 GEMM, or that many partials over H)");
            out.println("cuda projected LSTM's per-step products: " + DepthSplits.setting()
                    + " (" + DepthSplits.PROPERTY + ": auto, 1 GEMM, or that many slices of the depth)");
            out.println("cuda input-side backward: " + (NarrowInputSetting.configured()
                    ? "one read of the gate gradients for at most " + NarrowInputPlan.MAX_INPUTS + " inputs"
                    : "GEMMs and column sums") + " (" + NarrowInputSetting.PROPERTY + ")");
            out.println("cuda MemNet sequence: " + (MemNetLoopSetting.configured()
                    ? "one launch each way where the cell fits a block's shared memory (at most "
                    + MemnetSequenceKernels.MAX_SLOTS + " slots)" : "the step loop")
                    + " (" + MemNetLoopSetting.PROPERTY + ")");
            out.println("cuda MemNet read of several splits: " + (MemnetMergeSetting.configured()
                    ? "one launch, each row merged by its last split block" : "the split kernel, then the merge kernel")
                    + " (" + MemnetMergeSetting.PROPERTY + ")");
            out.println("cuda input projection of one feature: " + (InputProjectionSetting.configured()
                    ? "in the persistent forward kernel" : "a GEMM before the time loop")
                    + " (" + InputProjectionSetting.PROPERTY + ")");
        }
        out.println();
        out.println(probe.describe());
        out.flush();
        return 0;
    }

    /** Which device a run on {@code cuda} takes, and how to pick another. */
    private static String defaultDevice(int count) {
        String choose = "-D" + CudaBackend.DEVICE_PROPERTY + "=N or --device cuda:N picks another";
        try {
            int device = CudaBackend.defaultDevice();
            if (device >= count) {
                return "-D" + CudaBackend.DEVICE_PROPERTY + "=" + device + ", but device " + device + " does not exist: "
                        + count + " CUDA device(s) present";
            }
            return "device " + device + " of " + count + (count > 1 ? "; " + choose : "");
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static boolean usableDefault(int count) {
        try {
            return CudaBackend.defaultDevice() < count;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String versionOrDev() {
        String version = InfoCommand.class.getPackage().getImplementationVersion();
        return version == null ? "(development build)" : version;
    }
}
