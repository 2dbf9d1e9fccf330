package dev.mnemo.nn.io;

import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.layers.DropoutPosition;
import dev.mnemo.nn.layers.Layer;
import dev.mnemo.nn.optim.Optimizer;
import dev.mnemo.nn.optim.OptimizerState;
import dev.mnemo.nn.optim.schedule.CosineAnnealingLr;
import dev.mnemo.nn.optim.schedule.LrScheduler;
import dev.mnemo.nn.optim.schedule.StepLr;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SequencedMap;

/**
 * A training checkpoint in one safetensors file: the model's parameters, the optimizer's state and
 * the scheduler's epoch, so a run that loads it continues exactly as the run that wrote it would
 * have (PyTorch's {@code torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
 * "scheduler": scheduler.state_dict()}, path)} and the matching {@code load_state_dict} calls).
 * <pre>
 *   var model = new LinkedHashMap&lt;String, Tensor&gt;();
 *   model.putAll(SafeTensors.withPrefix("lstm.", lstm.parameters()));
 *   model.putAll(SafeTensors.withPrefix("head.", head.parameters()));
 *   Checkpoint.write(path, model, adam, scheduler);
 *   // later, in a new process: build the layers, the optimizer and the scheduler as at the start
 *   Checkpoint.load(path, model, adam, scheduler);
 * </pre>
 *
 * <h2>The file</h2>
 * A safetensors file ({@link SafeTensors}) with these tensors:
 * <pre>
 *   model.&lt;name&gt;                  each model tensor, under its state_dict name
 *   optimizer.state.&lt;i&gt;.&lt;name&gt;    each optimizer state tensor ({@link OptimizerState}: 0.exp_avg, …)
 * </pre>
 * and these {@code __metadata__} strings (numbers as Java writes them, so a double reads back exactly):
 * <pre>
 *   format                   mnemo.checkpoint
 *   format_version           1
 *   optimizer                Adam | Sgd | RmsProp               (absent when written without one)
 *   optimizer.buffers        number of parameter buffers
 *   optimizer.step           steps taken (PyTorch's step)
 *   optimizer.lr             the current lr
 *   optimizer.options.&lt;k&gt;    each option (lr, beta1, …: the options record's components)
 *   scheduler                StepLr | CosineAnnealingLr         (absent when written without one)
 *   scheduler.last_epoch     PyTorch's last_epoch
 *   scheduler.base_lr        PyTorch's base_lrs[0]
 *   scheduler.options.&lt;k&gt;    stepSize, gamma | tMax, etaMin
 *   dropout.&lt;layer&gt;.seed       a layer's dropout stream: its seed and the elements used (written with
 *   dropout.&lt;layer&gt;.elements   the layers, for each one with dropout; a run with dropout resumes exactly
 *                            only with them)
 * </pre>
 * Tensors on any device are written (copied to the host) and loaded into tensors on any device
 * (uploaded), so a checkpoint written from a CUDA run loads into a CPU model and back.
 *
 * <h2>Loading</h2>
 * {@link #load} reads the file, then checks everything before it changes anything: the model's
 * names and shapes strictly ({@link SafeTensors#loadInto}), the optimizer's kind, options (but lr),
 * buffers and state tensors ({@link Optimizer#loadStateDict}), and the scheduler's kind, options and
 * base lr. Then it copies the parameters and the state, moves the scheduler to the saved epoch
 * ({@link LrScheduler#setLastEpoch}) and sets the saved lr last, so a manual {@code setLr} after the
 * scheduler's last step is kept too. Build the scheduler before loading, on the freshly built
 * optimizer, as at the start of the run: its base lr is the optimizer's lr at that moment.
 * Element types of model tensors are converted as {@link SafeTensors#loadInto} does; optimizer state
 * must have the optimizer's element type.
 *
 * <p><b>Differs from PyTorch</b>: one file of tensors and strings instead of a pickle, so it holds no
 * code and reads in any safetensors reader ({@code safetensors.torch.load_file}); the optimizer's
 * hyper-parameters are checked, not replaced (see {@link OptimizerState}).
 */
public final class Checkpoint {

    /** The value of {@code format} in the metadata. */
    public static final String FORMAT = "mnemo.checkpoint";
    /** The version of the layout above; a file of another version is refused. */
    public static final int FORMAT_VERSION = 1;

    private static final String MODEL = "model.";
    private static final String OPTIMIZER = "optimizer";
    private static final String OPTIMIZER_STATE = "optimizer.state.";
    private static final String OPTIMIZER_OPTIONS = "optimizer.options.";
    private static final String SCHEDULER = "scheduler";
    private static final String SCHEDULER_OPTIONS = "scheduler.options.";
    private static final String DROPOUT = "dropout.";

    private Checkpoint() {
    }

    // ---- writing ----

    /** {@link #write(Path, SequencedMap, Optimizer, LrScheduler)} without a scheduler. */
    public static void write(Path file, SequencedMap<String, Tensor> model, Optimizer optimizer) throws IOException {
        write(file, model, optimizer, null);
    }

    /**
     * Writes {@code model}, the optimizer's state and the scheduler's position to {@code file}, replacing
     * it atomically ({@link SafeTensors#write}).
     *
     * @param model     the model's tensors by state_dict name (one layer's {@code parameters()}, or
     *                  several combined with {@link SafeTensors#withPrefix}); may be empty
     * @param optimizer the optimizer, or null to write none
     * @param scheduler the scheduler of {@code optimizer}, or null to write none
     * @throws IllegalArgumentException if {@code scheduler} drives another optimizer, or on a bad name
     */
    public static void write(Path file, SequencedMap<String, Tensor> model, Optimizer optimizer,
                             LrScheduler scheduler) throws IOException {
        write(file, model, optimizer, scheduler, null);
    }

    /**
     * As {@link #write(Path, SequencedMap, Optimizer, LrScheduler)}, also saving where each layer's dropout
     * masks continue from ({@link Layer#dropoutPosition}; a layer without dropout adds nothing), under the
     * layer's name: a run with dropout resumes bit for bit only with it, as its masks depend on every training
     * pass before.
     *
     * @param layers the model's layers by name (e.g. {@code "lstm"}), or null for none
     */
    public static void write(Path file, SequencedMap<String, Tensor> model, Optimizer optimizer,
                             LrScheduler scheduler, SequencedMap<String, ? extends Layer> layers) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(model, "model");
        requireSchedulerOf(optimizer, scheduler);
        SequencedMap<String, Tensor> tensors = new LinkedHashMap<>(SafeTensors.withPrefix(MODEL, model));
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", FORMAT);
        metadata.put("format_version", Integer.toString(FORMAT_VERSION));
        if (optimizer != null) {
            OptimizerState state = optimizer.stateDict();
            metadata.put(OPTIMIZER, state.kind());
            metadata.put(OPTIMIZER + ".buffers", Integer.toString(state.buffers()));
            metadata.put(OPTIMIZER + ".step", Long.toString(state.step()));
            metadata.put(OPTIMIZER + ".lr", Double.toString(state.lr()));
            state.options().forEach((k, v) -> metadata.put(OPTIMIZER_OPTIONS + k, v));
            tensors.putAll(SafeTensors.withPrefix(OPTIMIZER_STATE, state.tensors()));
        }
        if (scheduler != null) {
            metadata.put(SCHEDULER, kind(scheduler));
            metadata.put(SCHEDULER + ".last_epoch", Integer.toString(scheduler.lastEpoch()));
            metadata.put(SCHEDULER + ".base_lr", Double.toString(scheduler.baseLr()));
            options(scheduler).forEach((k, v) -> metadata.put(SCHEDULER_OPTIONS + k, v));
        }
        if (layers != null) {
            layers.forEach((name, layer) -> layer.dropoutPosition().ifPresent(p -> {
                metadata.put(DROPOUT + name + ".seed", Long.toString(p.seed()));
                metadata.put(DROPOUT + name + ".elements", Long.toString(p.elements()));
            }));
        }
        SafeTensors.write(file, tensors, metadata);
    }

    // ---- loading ----

    /** {@link #load(Path, SequencedMap, Optimizer, LrScheduler)} without a scheduler. */
    public static void load(Path file, SequencedMap<String, Tensor> model, Optimizer optimizer) throws IOException {
        load(file, model, optimizer, null);
    }

    /**
     * Loads {@code file} into {@code model}, {@code optimizer} and {@code scheduler}, checking
     * everything first (see the class comment); after a failure nothing has changed.
     *
     * @param model     the model's tensors by state_dict name, as given to {@link #write}; loaded strictly
     * @param optimizer the optimizer to restore, or null to leave the file's optimizer state unread
     * @param scheduler the scheduler of {@code optimizer} to restore, or null
     * @throws IOException              if the file is not a valid safetensors file (truncated, say) or not
     *                                  a checkpoint of this format
     * @throws IllegalArgumentException naming every mismatch between the file and the targets: missing,
     *                                  unexpected or mis-shaped model tensors; an optimizer or scheduler
     *                                  the file has none of, or of another kind, options or base lr;
     *                                  optimizer state of another shape or element type, or not finite
     */
    public static void load(Path file, SequencedMap<String, Tensor> model, Optimizer optimizer,
                            LrScheduler scheduler) throws IOException {
        load(file, model, optimizer, scheduler, null);
    }

    /**
     * As {@link #load(Path, SequencedMap, Optimizer, LrScheduler)}, also continuing each layer's dropout masks
     * where the file's run left them ({@link #write(Path, SequencedMap, Optimizer, LrScheduler, SequencedMap)}).
     * The layers with dropout must be those the file holds positions for, by name.
     *
     * @param layers the model's layers by name, or null to leave the file's dropout positions unread
     */
    public static void load(Path file, SequencedMap<String, Tensor> model, Optimizer optimizer,
                            LrScheduler scheduler, SequencedMap<String, ? extends Layer> layers) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(model, "model");
        requireSchedulerOf(optimizer, scheduler);
        SafeTensors.Contents contents = SafeTensors.read(file);
        Map<String, String> meta = contents.metadata();
        String format = meta.get("format");
        if (!FORMAT.equals(format)) {
            throw bad(file, "its metadata has " + (format == null ? "no format" : "format \"" + format + "\"")
                    + ", not \"" + FORMAT + "\" (a plain weights file loads with SafeTensors.load)");
        }
        String version = meta.get("format_version");
        if (!Integer.toString(FORMAT_VERSION).equals(version)) {
            throw bad(file, "format_version " + version + " is not supported (this reader knows "
                    + FORMAT_VERSION + ")");
        }
        SequencedMap<String, Tensor> modelTensors = new LinkedHashMap<>();
        SequencedMap<String, Tensor> stateTensors = new LinkedHashMap<>();
        for (var e : contents.tensors().entrySet()) {
            String name = e.getKey();
            if (name.startsWith(MODEL)) {
                modelTensors.put(name.substring(MODEL.length()), e.getValue());
            } else if (name.startsWith(OPTIMIZER_STATE)) {
                stateTensors.put(name.substring(OPTIMIZER_STATE.length()), e.getValue());
            } else {
                throw bad(file, "tensor " + name + " is neither under " + MODEL + " nor under " + OPTIMIZER_STATE);
            }
        }
        String where = "checkpoint " + file + ": ";
        if (!stateTensors.isEmpty() && !meta.containsKey(OPTIMIZER)) {
            throw bad(file, "it has optimizer state tensors but no optimizer in its metadata");
        }
        OptimizerState state = null;
        if (optimizer != null) {
            if (!meta.containsKey(OPTIMIZER)) {
                throw new IllegalArgumentException(where + "it holds no optimizer state (it was written without an "
                        + "optimizer), so it cannot restore " + optimizer);
            }
            SequencedMap<String, String> options = new LinkedHashMap<>();
            meta.forEach((k, v) -> {
                if (k.startsWith(OPTIMIZER_OPTIONS)) {
                    options.put(k.substring(OPTIMIZER_OPTIONS.length()), v);
                }
            });
            int buffers = (int) integer(file, meta, OPTIMIZER + ".buffers", Integer.MAX_VALUE);
            long step = integer(file, meta, OPTIMIZER + ".step", Long.MAX_VALUE);
            double lr = real(file, meta, OPTIMIZER + ".lr");
            try {
                state = new OptimizerState(meta.get(OPTIMIZER), options, buffers, step, lr, stateTensors);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + "optimizer " + e.getMessage(), e);
            }
        }
        int lastEpoch = 0;
        if (scheduler != null) {
            lastEpoch = checkScheduler(file, meta, scheduler);
        }
        Map<Layer, DropoutPosition> dropout = layers == null ? Map.of() : checkDropout(file, meta, layers);
        try {
            SafeTensors.checkLoad(model, modelTensors, true);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + "model: " + e.getMessage(), e);
        }
        if (state != null) {
            try {
                optimizer.loadStateDict(state);        // checks everything, then copies
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + e.getMessage(), e);
            }
        }
        SafeTensors.loadInto(model, modelTensors, true);
        if (scheduler != null) {
            scheduler.setLastEpoch(lastEpoch);
        }
        if (state != null) {
            optimizer.setLr(state.lr());       // the saved lr wins over the scheduler's (a manual setLr)
        }
        dropout.forEach(Layer::continueDropout);
    }

    /**
     * The file's dropout position of each of {@code layers} with dropout; refuses a layer the file has none
     * for, and a position in the file for a layer not given (one run's masks would go on in another layer).
     */
    private static Map<Layer, DropoutPosition> checkDropout(Path file, Map<String, String> meta,
                                                            SequencedMap<String, ? extends Layer> layers)
            throws IOException {
        String where = "checkpoint " + file + ": ";
        Map<Layer, DropoutPosition> out = new LinkedHashMap<>();
        List<String> given = new ArrayList<>();
        for (var e : layers.entrySet()) {
            if (e.getValue().dropoutPosition().isEmpty()) {
                continue;
            }
            String key = DROPOUT + e.getKey();
            if (!meta.containsKey(key + ".seed")) {
                throw new IllegalArgumentException(where + "it holds no dropout position for layer " + e.getKey()
                        + " (written without it, or under another name), so its masks cannot continue");
            }
            String seed = meta.get(key + ".seed");
            long s;
            try {
                s = Long.parseLong(seed);
            } catch (NumberFormatException ex) {
                throw bad(file, key + ".seed must be an integer, got \"" + seed + "\"");
            }
            out.put(e.getValue(), new DropoutPosition(s, integer(file, meta, key + ".elements", Long.MAX_VALUE)));
            given.add(e.getKey());
        }
        for (String k : meta.keySet()) {
            if (k.startsWith(DROPOUT) && k.endsWith(".seed")) {
                String name = k.substring(DROPOUT.length(), k.length() - ".seed".length());
                if (!given.contains(name)) {
                    throw new IllegalArgumentException(where + "it holds the dropout position of layer " + name
                            + ", which is not among the layers with dropout given " + given);
                }
            }
        }
        return out;
    }

    /** Checks the scheduler against the file; returns the saved epoch. */
    private static int checkScheduler(Path file, Map<String, String> meta, LrScheduler scheduler) throws IOException {
        String where = "checkpoint " + file + ": ";
        String kind = meta.get(SCHEDULER);
        if (kind == null) {
            throw new IllegalArgumentException(where + "it holds no scheduler (it was written without one), so it "
                    + "cannot restore " + scheduler);
        }
        if (!kind.equals(kind(scheduler))) {
            throw new IllegalArgumentException(where + "cannot load the " + kind + " state into "
                    + scheduler + ": the scheduler kind must be " + kind(scheduler) + ", got " + kind);
        }
        List<String> problems = new ArrayList<>();
        options(scheduler).forEach((k, v) -> {
            String theirs = meta.get(SCHEDULER_OPTIONS + k);
            if (!v.equals(theirs)) {
                problems.add("option " + k + " is " + theirs + " in the checkpoint, " + v + " here");
            }
        });
        double baseLr = real(file, meta, SCHEDULER + ".base_lr");
        if (baseLr != scheduler.baseLr()) {
            problems.add("base lr is " + baseLr + " in the checkpoint, " + scheduler.baseLr() + " here (build the "
                    + "scheduler on the optimizer before loading, with the lr the run started with)");
        }
        long epoch = integer(file, meta, SCHEDULER + ".last_epoch", Integer.MAX_VALUE);
        if (problems.isEmpty()) {
            try {
                scheduler.checkedLrAt((int) epoch);   // setLastEpoch must not fail after the model was copied
            } catch (IllegalArgumentException e) {
                problems.add("the saved epoch " + epoch + " has no usable lr: " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(where + "cannot load the " + kind + " state into " + scheduler
                    + " (nothing was changed): " + String.join("; ", problems));
        }
        return (int) epoch;
    }

    private static void requireSchedulerOf(Optimizer optimizer, LrScheduler scheduler) {
        if (scheduler != null && scheduler.optimizer() != optimizer) {
            throw new IllegalArgumentException("the scheduler must drive the optimizer given, got " + scheduler
                    + " of " + scheduler.optimizer() + " and optimizer " + optimizer);
        }
    }

    private static String kind(LrScheduler scheduler) {
        return scheduler.getClass().getSimpleName();
    }

    /** The options that define a schedule (with the base lr and the epoch, its whole state). */
    private static SequencedMap<String, String> options(LrScheduler scheduler) {
        SequencedMap<String, String> out = new LinkedHashMap<>();
        switch (scheduler) {
            case StepLr s -> {
                out.put("stepSize", Integer.toString(s.stepSize()));
                out.put("gamma", Double.toString(s.gamma()));
            }
            case CosineAnnealingLr c -> {
                out.put("tMax", Integer.toString(c.tMax()));
                out.put("etaMin", Double.toString(c.etaMin()));
            }
        }
        return out;
    }

    /** The metadata entry {@code key} as an integer in [0, max]. */
    private static long integer(Path file, Map<String, String> meta, String key, long max) throws IOException {
        String v = meta.get(key);
        try {
            long n = Long.parseLong(Objects.requireNonNullElse(v, ""));
            if (n >= 0 && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw bad(file, key + " must be an integer in [0, " + max + "], got " + (v == null ? "none" : "\"" + v + "\""));
    }

    /** The metadata entry {@code key} as a double (its range is checked where it is used). */
    private static double real(Path file, Map<String, String> meta, String key) throws IOException {
        String v = meta.get(key);
        try {
            return Double.parseDouble(Objects.requireNonNullElse(v, ""));
        } catch (NumberFormatException e) {
            throw bad(file, key + " must be a number, got " + (v == null ? "none" : "\"" + v + "\""));
        }
    }

    private static IOException bad(Path file, String problem) {
        return new IOException("not a valid Mnemo checkpoint (" + file + "): " + problem);
    }
}
