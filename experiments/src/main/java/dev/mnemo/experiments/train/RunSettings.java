package dev.mnemo.experiments.train;

import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.cuda.CudaBackend;
import dev.mnemo.nn.init.Initializers;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The settings every training run shares, whatever the task: model, initializer, optimizer, seed and
 * device. Checked on construction, so a bad value is one clear message before any work starts.
 */
public record RunSettings(String cell, String init, Map<String, String> initParams, int hidden, int layers,
                          int epochs, int batch, double lr, double clip, long seed, String device) {

    /** Devices by name; {@code cuda:N} names CUDA device N ({@code cuda} is the default device). */
    public static final List<String> DEVICES = List.of("cpu", "cuda", "auto");

    public RunSettings {
        cell = cell.trim().toLowerCase(Locale.ROOT);
        device = device.trim().toLowerCase(Locale.ROOT);
        if (!SequenceModels.CELLS.contains(cell)) {
            throw new IllegalArgumentException("unknown cell '" + cell + "'; valid cells: "
                    + String.join(", ", SequenceModels.CELLS));
        }
        if (!Initializers.NAMES.contains(init)) {
            throw new IllegalArgumentException("unknown initializer '" + init + "'; valid names: "
                    + String.join(", ", Initializers.NAMES));
        }
        if (!DEVICES.contains(device) && cudaOrdinal(device) < 0) {
            throw new IllegalArgumentException("unknown device '" + device + "'; valid: " + String.join(", ", DEVICES)
                    + ", or cuda:N for CUDA device N (cuda:0, cuda:1, ...)");
        }
        positive("hidden", hidden);
        positive("layers", layers);
        positive("epochs", epochs);
        positive("batch", batch);
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("lr must be > 0, got " + lr);
        }
        if (!(clip >= 0) || Double.isInfinite(clip)) {
            throw new IllegalArgumentException("clip must be >= 0 (0 = off), got " + clip);
        }
        initParams = Map.copyOf(initParams);
    }

    /** N of {@code cuda:N} (PyTorch's spelling of CUDA device N), or −1 for any other name. */
    public static int cudaOrdinal(String device) {
        if (!device.matches("cuda:\\d{1,4}")) {
            return -1;
        }
        return Integer.parseInt(device.substring("cuda:".length()));
    }

    static void positive(String name, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + v);
        }
    }

    /** These settings with Adam's learning rate {@code lr}. */
    public RunSettings withLearningRate(double lr) {
        return new RunSettings(cell, init, initParams, hidden, layers, epochs, batch, lr, clip, seed, device);
    }

    /** {@code cell: rnn (tanh)}: the RNN's nonlinearity follows the initializer (ReLU with irnn). */
    public String cellLine() {
        return "cell: " + cell + (cell.equals("rnn") ? " (" + SequenceModels.rnnNonlinearity(init).name()
                .toLowerCase(Locale.ROOT) + ")" : "");
    }

    /** The model, optimizer, seed and device settings as {@code key: value} lines. */
    public String describe() {
        return String.join("\n", cellLine(),
                "hidden: " + hidden, "layers: " + layers, "epochs: " + epochs, "batch: " + batch,
                "optimizer: Adam lr=" + lr, "clip (global norm): " + (clip > 0 ? clip : "off"),
                "seed: " + seed, "device: " + deviceUsed()) + cpuGemm().map(line -> "\n" + line).orElse("")
                + cudaDevice().map(line -> "\n" + line).orElse("") + "\n" + mnemoProperties();
    }

    /**
     * The line {@code cuda: NAME (device N, compute capability X.Y, M SMs)} when the run computes on CUDA: the
     * automatic choices of kernels and paths follow the card (a persistent kernel where it fits, splits by SM
     * count), and they sum in other orders.
     */
    public Optional<String> cudaDevice() {
        boolean cuda = device.startsWith("cuda") || device.equals("auto") && CudaBackend.isAvailable();
        if (!cuda || !(SequenceModels.backend(device) instanceof CudaBackend backend)) {
            return Optional.empty();
        }
        dev.mnemo.cuda.CudaDevice d = backend.context().device();
        return Optional.of("cuda: " + d.name() + " (device " + d.ordinal() + ", compute capability "
                + d.computeCapability() + ", " + d.multiprocessors() + " SMs)");
    }

    /**
     * The line {@code mnemo properties: -Dmnemo.recurrent.path=per-step …}: every {@code mnemo.*} system
     * property set for this run (or {@code none: the defaults}). They choose kernels, paths and splits, and
     * several change the result (bf16 persistent weights, the per-step path, step splits): config.txt did not
     * say, so two identical config files could come from runs that differ in every weight.
     */
    public static String mnemoProperties() {
        var set = new java.util.TreeMap<String, String>();
        System.getProperties().forEach((k, v) -> {
            if (k instanceof String key && key.startsWith("mnemo.")) {
                set.put(key, String.valueOf(v));
            }
        });
        return "mnemo properties: " + (set.isEmpty() ? "none: the defaults"
                : String.join(" ", set.entrySet().stream().map(e -> "-D" + e.getKey() + "=" + e.getValue()).toList()));
    }

    /** The device setting, and for {@code auto} the device it chose: {@code auto (cuda)} or {@code auto (cpu)}. */
    public String deviceUsed() {
        return device.equals("auto") ? "auto (" + (CudaBackend.isAvailable() ? "cuda" : "cpu") + ")" : device;
    }

    /**
     * The line {@code cpu gemm: …} when the runs compute on the CPU, where the GEMM's thread count is a
     * setting of the result: a threaded BLAS sums in another order at another count, and training
     * carries that far.
     */
    public Optional<String> cpuGemm() {
        boolean cpu = device.equals("cpu") || device.equals("auto") && !CudaBackend.isAvailable();
        return cpu ? Optional.of("cpu gemm: " + CpuBackend.gemmSetting()) : Optional.empty();
    }
}
