package dev.mnemo.nn.io;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Device;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.layers.Linear;
import dev.mnemo.nn.layers.LinearOptions;
import dev.mnemo.nn.layers.Lstm;
import dev.mnemo.nn.layers.RecurrentOptions;
import dev.mnemo.nn.layers.RecurrentOutput;
import dev.mnemo.nn.loss.Loss;
import dev.mnemo.nn.loss.MeanSquaredError;
import dev.mnemo.nn.optim.Adam;
import dev.mnemo.nn.optim.AdamOptions;
import dev.mnemo.nn.optim.GradientClipping;
import dev.mnemo.nn.optim.Optimizer;
import dev.mnemo.nn.optim.ParameterBuffer;
import dev.mnemo.nn.optim.RmsProp;
import dev.mnemo.nn.optim.RmsPropOptions;
import dev.mnemo.nn.optim.Sgd;
import dev.mnemo.nn.optim.SgdOptions;
import dev.mnemo.nn.optim.schedule.CosineAnnealingLr;
import dev.mnemo.nn.optim.schedule.LrScheduler;
import dev.mnemo.nn.optim.schedule.StepLr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Checkpoint}: an LSTM + Linear trained k steps, checkpointed and trained n more gives, bit
 * for bit, the parameters of a freshly built model, optimizer and scheduler that load the checkpoint
 * and train the same n steps; for Adam, SGD with momentum and centered RMSprop with momentum, with a
 * schedule. Then every refusal, with its message. Seed: {@code -Dmnemo.test.seed=…}.
 */
class CheckpointTest {

    static final long SEED = Long.getLong("mnemo.test.seed", 20240611L);
    static final int T = 5;
    static final int B = 4;
    static final int INPUT = 3;
    static final int HIDDEN = 8;
    static final int OUT = 2;
    static final int K = 4;
    static final int N = 5;

    @TempDir
    Path dir;

    /** An optimizer and, optionally, its scheduler, as a run builds them at its start. */
    record Recipe(String name, Function<List<ParameterBuffer>, Optimizer> optimizer,
                  Function<Optimizer, LrScheduler> scheduler) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Recipe> recipes() {
        return Stream.of(
                new Recipe("Adam + StepLr", b -> new Adam(AdamOptions.of(0.01), b), o -> new StepLr(o, 2, 0.5)),
                new Recipe("AdamW", b -> new Adam(AdamOptions.adamW().lr(0.01).build(), b), o -> null),
                new Recipe("Sgd momentum + CosineAnnealingLr", b -> new Sgd(SgdOptions.builder().lr(0.1).momentum(0.9)
                        .build(), b), o -> new CosineAnnealingLr(o, 6, 0.01)),
                new Recipe("RmsProp centered momentum + StepLr", b -> new RmsProp(RmsPropOptions.builder().lr(0.01)
                        .momentum(0.5).centered(true).build(), b), o -> new StepLr(o, 3)));
    }

    /** An LSTM with a Linear head on every step, its optimizer and scheduler, trained on seeded batches. */
    static final class Model {
        final Backend backend;
        final Lstm lstm;
        final Linear head;
        final Optimizer optimizer;
        final LrScheduler scheduler;

        Model(Backend backend, long initSeed, Recipe recipe) {
            this(backend, initSeed, recipe, 1, 0.0);
        }

        /** With {@code layers} stacked LSTM layers and {@code dropout} between them. */
        Model(Backend backend, long initSeed, Recipe recipe, int layers, double dropout) {
            this.backend = backend;
            this.lstm = new Lstm(RecurrentOptions.builder(INPUT, HIDDEN).numLayers(layers).dropout(dropout)
                    .seed(initSeed).build(), backend);
            this.head = new Linear(LinearOptions.builder(HIDDEN, OUT).seed(initSeed + 1).build(), backend);
            this.optimizer = recipe.optimizer.apply(List.of(ParameterBuffer.of(lstm), ParameterBuffer.of(head)));
            this.scheduler = recipe.scheduler.apply(optimizer);
        }

        /** The layers by name, for their dropout positions. */
        SequencedMap<String, dev.mnemo.nn.layers.Layer> layers() {
            SequencedMap<String, dev.mnemo.nn.layers.Layer> m = new LinkedHashMap<>();
            m.put("lstm", lstm);
            m.put("head", head);
            return m;
        }

        /** PyTorch's model.state_dict(): lstm.weight_ih_l0, …, head.weight, head.bias. */
        SequencedMap<String, Tensor> parameters() {
            SequencedMap<String, Tensor> p = new LinkedHashMap<>(SafeTensors.withPrefix("lstm.", lstm.parameters()));
            p.putAll(SafeTensors.withPrefix("head.", head.parameters()));
            return p;
        }

        /** Training steps {@code from} to {@code to − 1}: the batch of step s depends on s only; an epoch is 2 steps. */
        void train(int from, int to) {
            var mse = new MeanSquaredError(backend);
            for (int s = from; s < to; s++) {
                Tensor[] xy = batch(s);
                Tensor x = xy[0];
                Tensor y = xy[1];
                optimizer.zeroGrad();
                RecurrentOutput h = lstm.forward(x.to(backend.device()), null);
                Linear.Output out = head.forward(h.output());
                Loss l = mse.compute(out.output(), y.to(backend.device()));
                lstm.backward(h.saved(), head.backward(out.saved(), l.gradient()), null);
                GradientClipping.clipGlobalNorm(optimizer, 1.0);
                optimizer.step();
                if (scheduler != null && s % 2 == 1) {
                    scheduler.step();
                }
            }
        }

        float[] flatParameters() {
            float[] a = lstm.flatParameters().to(Device.CPU).toFloatArray();
            float[] b = head.flatParameters().to(Device.CPU).toFloatArray();
            float[] out = new float[a.length + b.length];
            System.arraycopy(a, 0, out, 0, a.length);
            System.arraycopy(b, 0, out, a.length, b.length);
            return out;
        }
    }

    /**
     * Run A: K steps, checkpoint, N steps. Run B, in fresh objects (other initial weights): load, N steps.
     * Returns {A, B} after the N steps.
     */
    static Model[] interruptedAndResumed(Backend backend, Recipe recipe, Path file) throws IOException {
        Model a = new Model(backend, SEED, recipe);
        a.train(0, K);
        Checkpoint.write(file, a.parameters(), a.optimizer, a.scheduler);
        a.train(K, K + N);

        Model b = new Model(backend, SEED + 100, recipe);
        Checkpoint.load(file, b.parameters(), b.optimizer, b.scheduler);
        assertEquals(K, b.optimizer.stepCount());
        if (b.scheduler != null) {
            assertEquals(K / 2, b.scheduler.lastEpoch());
        }
        b.train(K, K + N);
        return new Model[]{a, b};
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recipes")
    void aResumedRunMatchesTheUninterruptedOneBitForBit(Recipe recipe) throws IOException {
        Model[] ab = interruptedAndResumed(Backend.cpu(), recipe, dir.resolve("ckpt.safetensors"));
        assertArrayEquals(ab[0].flatParameters(), ab[1].flatParameters(), recipe.name);
        assertEquals(ab[0].optimizer.lr(), ab[1].optimizer.lr());
        assertEquals(ab[0].optimizer.stepCount(), ab[1].optimizer.stepCount());
        for (var e : ab[0].optimizer.stateDict().tensors().entrySet()) {
            assertArrayEquals(e.getValue().toFloatArray(), ab[1].optimizer.stateDict().tensors().get(e.getKey())
                    .toFloatArray(), e.getKey());
        }
    }

    /**
     * Dropout between stacked layers draws its masks from a stream whose position every training pass moves:
     * saved with the layers, the resumed run draws the uninterrupted run's masks (before, the checkpoint held no
     * position and every parameter differed after the resume); loaded without them, the masks start over.
     */
    @Test
    void aRunWithDropoutResumesBitForBitWithItsLayers() throws IOException {
        Recipe adam = recipes().findFirst().orElseThrow();
        Path file = dir.resolve("dropout.safetensors");
        Model a = new Model(Backend.cpu(), SEED, adam, 2, 0.3);
        a.train(0, K);
        Checkpoint.write(file, a.parameters(), a.optimizer, a.scheduler, a.layers());
        a.train(K, K + N);
        Model b = new Model(Backend.cpu(), SEED + 100, adam, 2, 0.3);
        Checkpoint.load(file, b.parameters(), b.optimizer, b.scheduler, b.layers());
        assertTrue(a.lstm.dropoutPosition().isPresent(), "a layer with dropout has a position");
        b.train(K, K + N);
        assertArrayEquals(a.flatParameters(), b.flatParameters());
        assertEquals(a.lstm.dropoutPosition(), b.lstm.dropoutPosition());

        Model c = new Model(Backend.cpu(), SEED + 100, adam, 2, 0.3);
        Checkpoint.load(file, c.parameters(), c.optimizer, c.scheduler);
        c.train(K, K + N);
        assertFalse(java.util.Arrays.equals(a.flatParameters(), c.flatParameters()), "without the positions");

        Model d = new Model(Backend.cpu(), SEED + 100, adam, 2, 0.3);
        SequencedMap<String, dev.mnemo.nn.layers.Layer> renamed = new LinkedHashMap<>();
        renamed.put("rnn", d.lstm);
        var e = assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.load(file, d.parameters(), d.optimizer, d.scheduler, renamed));
        assertEquals("checkpoint " + file + ": it holds no dropout position for layer rnn (written without it, or "
                + "under another name), so its masks cannot continue", e.getMessage());
        SequencedMap<String, dev.mnemo.nn.layers.Layer> headOnly = new LinkedHashMap<>();
        headOnly.put("head", d.head);
        e = assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.load(file, d.parameters(), d.optimizer, d.scheduler, headOnly));
        assertEquals("checkpoint " + file + ": it holds the dropout position of layer lstm, which is not among the "
                + "layers with dropout given []", e.getMessage());
        assertEquals(0, d.optimizer.stepCount(), "a refused load changes nothing");
    }

    /** The same for MemNet, whose dropout (0.1 by default) applies at every step of one layer. */
    @Test
    void aMemNetRunResumesBitForBitWithItsLayer() throws IOException {
        Path file = dir.resolve("memnet.safetensors");
        dev.mnemo.nn.layers.MemNet[] nets = new dev.mnemo.nn.layers.MemNet[2];
        Optimizer[] opts = new Optimizer[2];
        for (int r = 0; r < 2; r++) {
            nets[r] = new dev.mnemo.nn.layers.MemNet(dev.mnemo.nn.layers.MemNetOptions.builder(INPUT, OUT).slots(3)
                    .dropout(0.1).seed(SEED + 100L * r).build());
            opts[r] = new Adam(AdamOptions.of(0.01), List.of(ParameterBuffer.of(nets[r])));
        }
        SequencedMap<String, dev.mnemo.nn.layers.Layer> layersA = new LinkedHashMap<>();
        layersA.put("memnet", nets[0]);
        trainMemNet(nets[0], opts[0], 0, K);
        Checkpoint.write(file, new LinkedHashMap<>(nets[0].parameters()), opts[0], null, layersA);
        trainMemNet(nets[0], opts[0], K, K + N);
        SequencedMap<String, dev.mnemo.nn.layers.Layer> layersB = new LinkedHashMap<>();
        layersB.put("memnet", nets[1]);
        Checkpoint.load(file, new LinkedHashMap<>(nets[1].parameters()), opts[1], null, layersB);
        trainMemNet(nets[1], opts[1], K, K + N);
        assertArrayEquals(nets[0].flatParameters().toFloatArray(), nets[1].flatParameters().toFloatArray());
    }

    /** Step s's batch {x [T, B, INPUT], y [T, B, OUT]}: it depends on s only, so a resumed run sees the same. */
    static Tensor[] batch(int s) {
        var rnd = new SplittableRandom(SEED * 1_000_003L + s);
        Tensor x = Tensor.zeros(T, B, INPUT);
        Tensor y = Tensor.zeros(T, B, OUT);
        for (long i = 0; i < x.numel(); i++) {
            x.setFlat(i, rnd.nextDouble(-1, 1));
        }
        for (long i = 0; i < y.numel(); i++) {
            y.setFlat(i, rnd.nextDouble(-1, 1));
        }
        return new Tensor[] {x, y};
    }

    private static void trainMemNet(dev.mnemo.nn.layers.MemNet net, Optimizer optimizer, int from, int to) {
        var mse = new MeanSquaredError(net.backend());
        for (int s = from; s < to; s++) {
            Tensor[] xy = batch(s);
            Tensor x = xy[0];
            Tensor y = xy[1];
            optimizer.zeroGrad();
            var out = net.forward(x);
            net.backward(out.saved(), mse.compute(out.output(), y).gradient());
            optimizer.step();
        }
    }

    /** The comparison above is sensitive: loading the weights alone (a fresh Adam) gives other parameters. */
    @Test
    void withoutTheOptimizerStateTheRunDiffers() throws IOException {
        Recipe adam = recipes().findFirst().orElseThrow();
        Path file = dir.resolve("ckpt.safetensors");
        Model a = new Model(Backend.cpu(), SEED, adam);
        a.train(0, K);
        Checkpoint.write(file, a.parameters(), a.optimizer, a.scheduler);
        a.train(K, K + N);
        Model b = new Model(Backend.cpu(), SEED + 100, adam);
        Checkpoint.load(file, b.parameters(), null, null);
        b.train(K, K + N);
        assertFalse(java.util.Arrays.equals(a.flatParameters(), b.flatParameters()));
    }

    @Test
    void theFileIsASafetensorsFileWithPyTorchNames() throws IOException {
        Recipe adam = recipes().findFirst().orElseThrow();
        Path file = dir.resolve("ckpt.safetensors");
        Model a = new Model(Backend.cpu(), SEED, adam);
        a.train(0, 3);
        a.optimizer.setLr(0.1 / 3);
        Checkpoint.write(file, a.parameters(), a.optimizer, a.scheduler);
        SafeTensors.Contents c = SafeTensors.read(file);
        assertEquals(List.of("model.lstm.weight_ih_l0", "model.lstm.weight_hh_l0", "model.lstm.bias_ih_l0",
                "model.lstm.bias_hh_l0", "model.head.weight", "model.head.bias", "optimizer.state.0.exp_avg",
                "optimizer.state.0.exp_avg_sq", "optimizer.state.1.exp_avg", "optimizer.state.1.exp_avg_sq"),
                List.copyOf(c.tensors().keySet()));
        Map<String, String> m = c.metadata();
        assertEquals("mnemo.checkpoint", m.get("format"));
        assertEquals("1", m.get("format_version"));
        assertEquals("Adam", m.get("optimizer"));
        assertEquals("2", m.get("optimizer.buffers"));
        assertEquals("3", m.get("optimizer.step"));
        assertEquals(0.1 / 3, Double.parseDouble(m.get("optimizer.lr")));
        assertEquals("0.01", m.get("optimizer.options.lr"));
        assertEquals("0.999", m.get("optimizer.options.beta2"));
        assertEquals("StepLr", m.get("scheduler"));
        assertEquals("1", m.get("scheduler.last_epoch"));
        assertEquals("0.01", m.get("scheduler.base_lr"));
        assertEquals("2", m.get("scheduler.options.stepSize"));
        assertEquals("0.5", m.get("scheduler.options.gamma"));

        // the saved lr (a manual setLr after the scheduler's step) is restored over the scheduler's
        Model b = new Model(Backend.cpu(), SEED + 100, adam);
        Checkpoint.load(file, b.parameters(), b.optimizer, b.scheduler);
        assertEquals(0.1 / 3, b.optimizer.lr());
        assertEquals(1, b.scheduler.lastEpoch());
        assertEquals(0.01, b.scheduler.lastLr());       // epochs 0 and 1 of StepLr(stepSize 2)
    }

    @Test
    void aModelWithoutOptimizerWritesAndLoads() throws IOException {
        Recipe adam = recipes().findFirst().orElseThrow();
        Path file = dir.resolve("weights.safetensors");
        Model a = new Model(Backend.cpu(), SEED, adam);
        Checkpoint.write(file, a.parameters(), null);
        Model b = new Model(Backend.cpu(), SEED + 100, adam);
        Checkpoint.load(file, b.parameters(), null);
        assertArrayEquals(a.flatParameters(), b.flatParameters());
        var e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(file, b.parameters(), b.optimizer));
        assertEquals("checkpoint " + file + ": it holds no optimizer state (it was written without an optimizer), so "
                + "it cannot restore Adam(lr=0.01)", e.getMessage());
    }

    // ---- refusals ----

    /** Writes Adam + StepLr after K steps; returns the file. */
    Path adamCheckpoint() throws IOException {
        Path file = dir.resolve("ckpt.safetensors");
        Model a = new Model(Backend.cpu(), SEED, recipes().findFirst().orElseThrow());
        a.train(0, K);
        Checkpoint.write(file, a.parameters(), a.optimizer, a.scheduler);
        return file;
    }

    /** Loading into {@code b} fails with an IllegalArgumentException, and changes nothing of {@code b}. */
    static String refusedAndUnchanged(Path file, Model b, SequencedMap<String, Tensor> model) {
        float[] before = b.flatParameters();
        double lr = b.optimizer.lr();
        var e = assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.load(file, model, b.optimizer, b.scheduler));
        assertArrayEquals(before, b.flatParameters());
        assertEquals(0, b.optimizer.stepCount());
        assertEquals(lr, b.optimizer.lr());
        if (b.scheduler != null) {
            assertEquals(0, b.scheduler.lastEpoch());
        }
        return e.getMessage();
    }

    @Test
    void anotherOptimizerKindIsRefused() throws IOException {
        Path file = adamCheckpoint();
        Model sgd = new Model(Backend.cpu(), SEED, new Recipe("sgd", b -> new Sgd(SgdOptions.builder().lr(0.01)
                .momentum(0.9).build(), b), o -> new StepLr(o, 2, 0.5)));
        assertEquals("checkpoint " + file + ": cannot load the Adam state into Sgd(lr=0.01, momentum=0.9): the "
                + "optimizer kind must be Sgd, got Adam", refusedAndUnchanged(file, sgd, sgd.parameters()));
    }

    @Test
    void otherOptimizerOptionsAreRefused() throws IOException {
        Path file = adamCheckpoint();
        Model other = new Model(Backend.cpu(), SEED, new Recipe("adam", b -> new Adam(AdamOptions.builder().lr(0.01)
                .weightDecay(1e-4).build(), b), o -> new StepLr(o, 2, 0.5)));
        assertEquals("checkpoint " + file + ": cannot load the Adam state into Adam(lr=0.01, weightDecay=1.0E-4) "
                + "(nothing was changed): option weightDecay is 0.0 in the state, 1.0E-4 here",
                refusedAndUnchanged(file, other, other.parameters()));
    }

    @Test
    void anotherSchedulerIsRefused() throws IOException {
        Path file = adamCheckpoint();
        Model cosine = new Model(Backend.cpu(), SEED, new Recipe("adam", b -> new Adam(AdamOptions.of(0.01), b),
                o -> new CosineAnnealingLr(o, 2)));
        assertEquals("checkpoint " + file + ": cannot load the StepLr state into CosineAnnealingLr(tMax=2): the "
                + "scheduler kind must be CosineAnnealingLr, got StepLr", refusedAndUnchanged(file, cosine,
                cosine.parameters()));
        Model gamma = new Model(Backend.cpu(), SEED, new Recipe("adam", b -> new Adam(AdamOptions.of(0.01), b),
                o -> new StepLr(o, 2, 0.25)));
        assertEquals("checkpoint " + file + ": cannot load the StepLr state into StepLr(stepSize=2, gamma=0.25) "
                + "(nothing was changed): option gamma is 0.5 in the checkpoint, 0.25 here",
                refusedAndUnchanged(file, gamma, gamma.parameters()));
        Model none = new Model(Backend.cpu(), SEED, new Recipe("adam", b -> new Adam(AdamOptions.of(0.01), b),
                o -> null));
        Checkpoint.load(file, none.parameters(), none.optimizer);       // the file's scheduler is left unread
        assertEquals(0.005, none.optimizer.lr());
    }

    /** A scheduler built after the optimizer's lr changed (after a load, say) has another base lr. */
    @Test
    void aSchedulerWithAnotherBaseLrIsRefused() throws IOException {
        Path file = adamCheckpoint();
        Model late = new Model(Backend.cpu(), SEED, new Recipe("adam", b -> {
            Optimizer o = new Adam(AdamOptions.of(0.01), b);
            o.setLr(0.005);
            return o;
        }, o -> new StepLr(o, 2, 0.5)));
        assertEquals("checkpoint " + file + ": cannot load the StepLr state into StepLr(stepSize=2, gamma=0.5) "
                + "(nothing was changed): base lr is 0.01 in the checkpoint, 0.005 here (build the scheduler on the "
                + "optimizer before loading, with the lr the run started with)",
                refusedAndUnchanged(file, late, late.parameters()));
    }

    @Test
    void wrongShapesAreRefused() throws IOException {
        Path file = adamCheckpoint();
        Recipe adam = recipes().findFirst().orElseThrow();
        Model wide = new Model(Backend.cpu(), SEED, adam);
        var bigger = new Lstm(RecurrentOptions.builder(INPUT, HIDDEN + 1).build());
        SequencedMap<String, Tensor> model = new LinkedHashMap<>(SafeTensors.withPrefix("lstm.", bigger.parameters()));
        model.putAll(SafeTensors.withPrefix("head.", wide.head.parameters()));
        assertEquals("checkpoint " + file + ": model: cannot load 6 tensors into 6 (nothing was copied): "
                + "lstm.weight_ih_l0: shape [32, 3] in the source, [36, 3] in the target; lstm.weight_hh_l0: shape "
                + "[32, 8] in the source, [36, 9] in the target; lstm.bias_ih_l0: shape [32] in the source, [36] in the "
                + "target; lstm.bias_hh_l0: shape [32] in the source, [36] in the target",
                refusedAndUnchanged(file, wide, model));
    }

    @Test
    void missingModelTensorsAreRefused() throws IOException {
        Path file = dir.resolve("lstm-only.safetensors");
        Recipe adam = recipes().findFirst().orElseThrow();
        Model a = new Model(Backend.cpu(), SEED, adam);
        Checkpoint.write(file, SafeTensors.withPrefix("lstm.", a.lstm.parameters()), a.optimizer, a.scheduler);
        Model b = new Model(Backend.cpu(), SEED + 1, adam);
        assertEquals("checkpoint " + file + ": model: cannot load 4 tensors into 6 (nothing was copied): missing "
                + "[head.weight, head.bias]", refusedAndUnchanged(file, b, b.parameters()));
    }

    @Test
    void anotherNumberOfOptimizerBuffersIsRefused() throws IOException {
        Path file = adamCheckpoint();
        Recipe adam = recipes().findFirst().orElseThrow();
        Model b = new Model(Backend.cpu(), SEED, new Recipe("lstm only", bs -> new Adam(AdamOptions.of(0.01),
                bs.subList(0, 1)), adam.scheduler));
        assertEquals("checkpoint " + file + ": cannot load the Adam state into Adam(lr=0.01) (nothing was changed): "
                + "the state has 2 buffers, this optimizer 1", refusedAndUnchanged(file, b, b.parameters()));
    }

    /** A file whose optimizer state was edited: a missing tensor, an infinite element. */
    @Test
    void missingOrImpossibleOptimizerStateIsRefused() throws IOException {
        Path file = adamCheckpoint();
        SafeTensors.Contents c = SafeTensors.read(file);
        SequencedMap<String, Tensor> t = new LinkedHashMap<>(c.tensors());
        t.remove("optimizer.state.1.exp_avg");
        t.get("optimizer.state.0.exp_avg_sq").setFlat(5, Double.NEGATIVE_INFINITY);
        Path edited = dir.resolve("edited.safetensors");
        SafeTensors.write(edited, t, c.metadata());
        Model b = new Model(Backend.cpu(), SEED, recipes().findFirst().orElseThrow());
        assertEquals("checkpoint " + edited + ": cannot load the Adam state into Adam(lr=0.01) (nothing was changed): "
                + "missing state tensors [1.exp_avg]; 0.exp_avg_sq: element 5 is -Infinity: state must be finite",
                refusedAndUnchanged(edited, b, b.parameters()));
    }

    @Test
    void impossibleScalarsAreRefused() throws IOException {
        Path file = adamCheckpoint();
        SafeTensors.Contents c = SafeTensors.read(file);
        Model b = new Model(Backend.cpu(), SEED, recipes().findFirst().orElseThrow());
        for (var bad : List.of(Map.entry("optimizer.lr", "NaN"), Map.entry("optimizer.lr", "-1.0"))) {
            Map<String, String> m = new LinkedHashMap<>(c.metadata());
            m.put(bad.getKey(), bad.getValue());
            Path edited = dir.resolve("edited.safetensors");
            SafeTensors.write(edited, c.tensors(), m);
            String message = refusedAndUnchanged(edited, b, b.parameters());
            assertTrue(message.startsWith("checkpoint " + edited + ": optimizer lr must be"), message);
        }
        for (var bad : List.of(Map.entry("optimizer.step", "-3"), Map.entry("optimizer.step", "three"),
                Map.entry("scheduler.last_epoch", "-1"), Map.entry("optimizer.lr", "fast"))) {
            Map<String, String> m = new LinkedHashMap<>(c.metadata());
            m.put(bad.getKey(), bad.getValue());
            Path edited = dir.resolve("edited.safetensors");
            SafeTensors.write(edited, c.tensors(), m);
            var e = assertThrows(IOException.class, () -> Checkpoint.load(edited, b.parameters(), b.optimizer,
                    b.scheduler));
            assertTrue(e.getMessage().startsWith("not a valid Mnemo checkpoint (" + edited + "): " + bad.getKey()
                    + " must be "), e.getMessage());
            assertTrue(e.getMessage().endsWith("got \"" + bad.getValue() + "\""), e.getMessage());
        }
    }

    /**
     * A saved epoch whose scheduled lr no optimizer takes (StepLr with gamma 10 reaches ∞ by epoch 700) is refused
     * before anything is copied: the model used to be loaded, and then the scheduler threw.
     */
    @Test
    void anEpochWithoutAUsableLrIsRefusedBeforeTheModelIsTouched() throws IOException {
        Recipe growing = new Recipe("adam", b -> new Adam(AdamOptions.of(0.01), b), o -> new StepLr(o, 1, 10.0));
        Model a = new Model(Backend.cpu(), SEED, growing);
        Path file = dir.resolve("growing.safetensors");
        Checkpoint.write(file, a.parameters(), a.optimizer, a.scheduler);
        SafeTensors.Contents c = SafeTensors.read(file);
        Map<String, String> m = new LinkedHashMap<>(c.metadata());
        m.put("scheduler.last_epoch", "700");
        Path edited = dir.resolve("edited.safetensors");
        SafeTensors.write(edited, c.tensors(), m);
        Model b = new Model(Backend.cpu(), SEED + 1, growing);
        String message = refusedAndUnchanged(edited, b, b.parameters());
        assertTrue(message.endsWith("(nothing was changed): the saved epoch 700 has no usable lr: "
                + "StepLr(stepSize=1, gamma=10.0) gives lr Infinity at epoch 700: an optimizer's lr must be finite "
                + "and >= 0"), message);
    }

    @Test
    void aTruncatedFileIsRefused() throws IOException {
        Path file = adamCheckpoint();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 4);
        }
        Model b = new Model(Backend.cpu(), SEED, recipes().findFirst().orElseThrow());
        float[] before = b.flatParameters();
        var e = assertThrows(IOException.class, () -> Checkpoint.load(file, b.parameters(), b.optimizer, b.scheduler));
        assertTrue(e.getMessage().startsWith("not a valid safetensors file (" + file + "): "), e.getMessage());
        assertTrue(e.getMessage().contains("exceed"), e.getMessage());
        assertArrayEquals(before, b.flatParameters());
        Files.write(file, new byte[]{1, 2, 3});
        assertEquals("not a valid safetensors file (" + file + "): it has 3 bytes, fewer than the 8 of the header "
                + "length", assertThrows(IOException.class, () -> Checkpoint.load(file, b.parameters(), b.optimizer))
                .getMessage());
    }

    @Test
    void aPlainWeightsFileIsNotACheckpoint() throws IOException {
        Path file = dir.resolve("weights.safetensors");
        Model b = new Model(Backend.cpu(), SEED, recipes().findFirst().orElseThrow());
        SafeTensors.write(file, b.parameters());
        assertEquals("not a valid Mnemo checkpoint (" + file + "): its metadata has no format, not "
                + "\"mnemo.checkpoint\" (a plain weights file loads with SafeTensors.load)",
                assertThrows(IOException.class, () -> Checkpoint.load(file, b.parameters(), b.optimizer)).getMessage());
        SafeTensors.write(file, b.parameters(), Map.of("format", "mnemo.checkpoint", "format_version", "2"));
        assertEquals("not a valid Mnemo checkpoint (" + file + "): format_version 2 is not supported (this reader "
                + "knows 1)", assertThrows(IOException.class, () -> Checkpoint.load(file, b.parameters(), null))
                .getMessage());
        SafeTensors.write(file, b.parameters(), Map.of("format", "mnemo.checkpoint", "format_version", "1"));
        assertEquals("not a valid Mnemo checkpoint (" + file + "): tensor lstm.weight_ih_l0 is neither under model. "
                + "nor under optimizer.state.", assertThrows(IOException.class,
                () -> Checkpoint.load(file, b.parameters(), null)).getMessage());
    }

    @Test
    void aSchedulerOfAnotherOptimizerIsRefused() {
        Model a = new Model(Backend.cpu(), SEED, recipes().findFirst().orElseThrow());
        Model b = new Model(Backend.cpu(), SEED, recipes().findFirst().orElseThrow());
        Path file = dir.resolve("ckpt.safetensors");
        var e = assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.write(file, a.parameters(), a.optimizer, b.scheduler));
        assertTrue(e.getMessage().startsWith("the scheduler must drive the optimizer given, got StepLr(stepSize=2, "
                + "gamma=0.5) of Adam(lr=0.01) and optimizer Adam(lr=0.01)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(file, a.parameters(), null, a.scheduler));
        assertFalse(Files.exists(file));
    }
}
