package dev.mnemo.bench.torch;

import dev.mnemo.bench.gpu.MiniJson;
import dev.mnemo.nn.Backend;
import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.DType;
import dev.mnemo.nn.Nonlinearity;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.layers.Gru;
import dev.mnemo.nn.layers.Linear;
import dev.mnemo.nn.layers.LinearOptions;
import dev.mnemo.nn.layers.Lstm;
import dev.mnemo.nn.layers.RecurrentGradients;
import dev.mnemo.nn.layers.RecurrentLayer;
import dev.mnemo.nn.layers.RecurrentOptions;
import dev.mnemo.nn.layers.RecurrentOutput;
import dev.mnemo.nn.layers.RecurrentState;
import dev.mnemo.nn.layers.Rnn;
import dev.mnemo.nn.loss.Loss;
import dev.mnemo.nn.loss.MeanSquaredError;
import dev.mnemo.nn.loss.SoftmaxCrossEntropy;
import dev.mnemo.nn.optim.Adam;
import dev.mnemo.nn.optim.AdamOptions;
import dev.mnemo.nn.optim.GradientClipping;
import dev.mnemo.nn.optim.Optimizer;
import dev.mnemo.nn.optim.RmsProp;
import dev.mnemo.nn.optim.RmsPropOptions;
import dev.mnemo.nn.optim.Sgd;
import dev.mnemo.nn.optim.SgdOptions;
import dev.mnemo.nn.optim.schedule.CosineAnnealingLr;
import dev.mnemo.nn.optim.schedule.LrScheduler;
import dev.mnemo.nn.optim.schedule.StepLr;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Compares Mnemo's CPU layers, optimizers, schedulers, losses and gradient clipping, in float64
 * ({@link CpuBackend#float64()}), with PyTorch's values written by {@code bench/torch/crosscheck.py}:
 * <pre>
 *   /usr/bin/python3 bench/torch/crosscheck.py /tmp/torch-ref
 *   java --enable-native-access=ALL-UNNAMED -cp bench/target/classes:CLASSPATH \
 *        dev.mnemo.bench.torch.TorchCrossCheck /tmp/torch-ref [tolerance]
 * </pre>
 * Each recurrent case loads PyTorch's state_dict into the Mnemo layer by name, runs
 * {@code forward(x, state[, lengths])}, {@code infer} and {@code backward}, and compares the output,
 * final state, ∂L/∂x, ∂L/∂(h0, c0) and every parameter gradient ({@link Linear} likewise); the
 * optimizer cases compare the parameters after each of 5 steps (and the lr, where a scheduler runs
 * after each step), the scheduler cases the lr sequence, the loss cases the value and gradient. The
 * error of a tensor is {@code max |mnemo − torch| / max |torch|} (the absolute error where torch's
 * tensor is all zeros).
 * One line per case, the largest error per tensor group; exit status 1 if any error exceeds the
 * tolerance (default 1e-10), 2 on a case that could not run.
 */
public final class TorchCrossCheck {

    private static final Backend BE = CpuBackend.float64();

    private final Path root;
    private final double tolerance;
    private int failures;
    private int errors;
    private final List<String> table = new ArrayList<>();

    private TorchCrossCheck(Path root, double tolerance) {
        this.root = root;
        this.tolerance = tolerance;
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: TorchCrossCheck REF_DIR [tolerance]");
            System.exit(2);
        }
        double tol = args.length == 2 ? Double.parseDouble(args[1]) : 1e-10;
        TorchCrossCheck check = new TorchCrossCheck(Path.of(args[0]), tol);
        int status = check.run();
        System.exit(status);
    }

    @SuppressWarnings("unchecked")
    private int run() throws IOException {
        Map<String, Object> manifest = (Map<String, Object>) MiniJson.parse(
                Files.readString(root.resolve("manifest.json")));
        System.out.printf(Locale.ROOT, "torch %s reference, Mnemo CpuBackend.float64(), tolerance %.0e%n",
                manifest.get("torch_version"), tolerance);
        for (Object o : (List<Object>) manifest.get("cases")) {
            Map<String, Object> c = (Map<String, Object>) o;
            String name = (String) c.get("name");
            String group = (String) c.get("group");
            Case cs = new Case(name, (Map<String, Object>) c.get("options"), (Map<String, Object>) c.get("tensors"));
            try {
                switch (group) {
                    case "recurrent" -> recurrent(cs);
                    case "optimizer" -> optimizer(cs);
                    case "scheduler" -> scheduler(cs);
                    case "loss" -> loss(cs);
                    case "clip" -> clip(cs);
                    case "linear" -> linear(cs);
                    default -> throw new IllegalArgumentException("unknown group " + group);
                }
                report(group, cs);
            } catch (RuntimeException e) {
                errors++;
                String line = String.format(Locale.ROOT, "%-34s ERROR %s", name, e);
                System.out.println(line);
                table.add("| " + name + " | ERROR: " + e.getMessage() + " |");
                e.printStackTrace(System.out);
            }
        }
        System.out.printf(Locale.ROOT, "%d cases, %d over tolerance, %d errors%n",
                ((List<Object>) manifest.get("cases")).size(), failures, errors);
        System.out.println();
        System.out.println("markdown:");
        table.forEach(System.out::println);
        return errors > 0 ? 2 : failures > 0 ? 1 : 0;
    }

    // ---- recurrent layers ----

    private void recurrent(Case c) {
        Map<String, Object> o = c.options;
        String kind = (String) o.get("kind");
        RecurrentOptions options = RecurrentOptions.builder(num(o, "inputSize"), num(o, "hiddenSize"))
                .numLayers(num(o, "numLayers")).bias((Boolean) o.get("bias"))
                .batchFirst((Boolean) o.get("batchFirst")).bidirectional((Boolean) o.get("bidirectional"))
                .nonlinearity("relu".equals(o.get("nonlinearity")) ? Nonlinearity.RELU : Nonlinearity.TANH)
                .projSize(num(o, "projSize")).build();
        RecurrentLayer layer = switch (kind) {
            case "rnn" -> new Rnn(options, BE);
            case "lstm" -> new Lstm(options, BE);
            case "gru" -> new Gru(options, BE);
            default -> throw new IllegalArgumentException("unknown kind " + kind);
        };
        loadStateDict(c, layer);
        int[] lengths = null;
        if (o.get("lengths") != null) {
            List<?> l = (List<?>) o.get("lengths");
            lengths = new int[l.size()];
            for (int i = 0; i < lengths.length; i++) {
                lengths[i] = ((Number) l.get(i)).intValue();
            }
        }
        boolean lstm = kind.equals("lstm");
        RecurrentState state = null;
        if (c.has("in.h0")) {
            state = new RecurrentState(c.tensor("in.h0"), lstm ? c.tensor("in.c0") : null);
        }
        Tensor x = c.tensor("in.x");
        RecurrentOutput out = layer.forward(x, state, lengths);
        c.compare("out", "output", out.output(), "out.output");
        c.compare("out", "h_n", out.state().h(), "out.h_n");
        if (lstm) {
            c.compare("out", "c_n", out.state().c(), "out.c_n");
        }
        RecurrentOutput inf = layer.infer(x, state, lengths);
        c.compare("infer", "output", inf.output(), "out.output");
        c.compare("infer", "h_n", inf.state().h(), "out.h_n");
        if (lstm) {
            c.compare("infer", "c_n", inf.state().c(), "out.c_n");
        }
        RecurrentState dState = new RecurrentState(c.tensor("in.dhn"), lstm ? c.tensor("in.dcn") : null);
        RecurrentGradients g = layer.backward(out.saved(), c.tensor("in.dout"), dState);
        c.compare("dInput", "x", g.dx(), "grad.x");
        c.compare("dInput", "h0", g.dState().h(), "grad.h0");
        if (lstm) {
            c.compare("dInput", "c0", g.dState().c(), "grad.c0");
        }
        for (String n : layer.parameters().keySet()) {   // the same names as torch's (loadStateDict)
            c.compare("dParams", n, layer.gradients().get(n), "grad.param." + n);
        }
    }

    // ---- optimizers ----

    private void optimizer(Case c) {
        Map<String, Object> o = c.options;
        double[][] grads = rows(c.tensor("in.grads"));
        int n = grads[0].length;
        Tensor p = c.tensor("in.p0");
        Tensor g = Tensor.zeros(DType.FLOAT64, n);
        Optimizer opt = switch ((String) o.get("optimizer")) {
            case "Adam", "AdamW" -> {
                boolean w = o.get("optimizer").equals("AdamW");
                AdamOptions.Builder b = w ? AdamOptions.adamW() : AdamOptions.builder();
                b.lr(dbl(o, "lr"));
                if (o.containsKey("betas")) {
                    List<?> betas = (List<?>) o.get("betas");
                    b.betas(((Number) betas.get(0)).doubleValue(), ((Number) betas.get(1)).doubleValue());
                }
                ifGiven(o, "eps", b::eps);
                ifGiven(o, "weight_decay", b::weightDecay);
                yield new Adam(b.build(), p, g);
            }
            case "SGD" -> {
                SgdOptions.Builder b = SgdOptions.builder().lr(dbl(o, "lr"));
                ifGiven(o, "momentum", b::momentum);
                ifGiven(o, "dampening", b::dampening);
                ifGiven(o, "weight_decay", b::weightDecay);
                if (o.get("nesterov") instanceof Boolean v) {
                    b.nesterov(v);
                }
                yield new Sgd(b.build(), p, g);
            }
            case "RMSprop" -> {
                RmsPropOptions.Builder b = RmsPropOptions.builder().lr(dbl(o, "lr"));
                ifGiven(o, "alpha", b::alpha);
                ifGiven(o, "eps", b::eps);
                ifGiven(o, "weight_decay", b::weightDecay);
                ifGiven(o, "momentum", b::momentum);
                if (o.get("centered") instanceof Boolean v) {
                    b.centered(v);
                }
                yield new RmsProp(b.build(), p, g);
            }
            default -> throw new IllegalArgumentException("unknown optimizer " + o.get("optimizer"));
        };
        LrScheduler sched = null;
        if (o.containsKey("schedule")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> so = (Map<String, Object>) o.get("scheduleOptions");
            sched = scheduler((String) o.get("schedule"), opt, so);
        }
        double[][] after = new double[grads.length][];
        double[] lrs = new double[grads.length + 1];
        lrs[0] = opt.lr();
        for (int s = 0; s < grads.length; s++) {
            g.copyFrom(Tensor.of(grads[s], n));
            opt.step();
            after[s] = p.toDoubleArray();
            if (sched != null) {
                sched.step();
                lrs[s + 1] = opt.lr();
            }
        }
        c.compare("params", "after each step", Tensor.of(flatten(after), grads.length, n), "out.params");
        if (sched != null) {
            c.compare("lrs", "lr after each step", Tensor.of(lrs, lrs.length), "out.lrs");
        }
    }

    private static LrScheduler scheduler(String kind, Optimizer opt, Map<String, Object> o) {
        return switch (kind) {
            case "CosineAnnealingLR" -> new CosineAnnealingLr(opt, num(o, "T_max"),
                    o.containsKey("eta_min") ? dbl(o, "eta_min") : 0.0);
            case "StepLR" -> new StepLr(opt, num(o, "step_size"), o.containsKey("gamma") ? dbl(o, "gamma") : 0.1);
            default -> throw new IllegalArgumentException("unknown scheduler " + kind);
        };
    }

    private void scheduler(Case c) {
        Map<String, Object> o = c.options;
        Tensor p = Tensor.zeros(DType.FLOAT64, 1);
        Tensor g = Tensor.zeros(DType.FLOAT64, 1);
        Sgd opt = new Sgd(SgdOptions.of(dbl(o, "baseLr")), p, g);
        LrScheduler sched = scheduler((String) o.get("scheduler"), opt, o);
        int epochs = num(o, "epochs");
        double[] lrs = new double[epochs + 1];
        lrs[0] = sched.lastLr();
        for (int e = 1; e <= epochs; e++) {
            opt.step();
            sched.step();
            lrs[e] = opt.lr();
        }
        c.compare("lrs", "lr per epoch", Tensor.of(lrs, lrs.length), "out.lrs");
    }

    // ---- losses ----

    private void loss(Case c) {
        Map<String, Object> o = c.options;
        Tensor input = c.tensor("in.input");
        Loss l;
        String kind = (String) o.get("loss");
        if (kind.equals("mse")) {
            l = new MeanSquaredError(BE).compute(input, c.tensor("in.target"));
        } else if (kind.equals("cross_entropy")) {
            l = new SoftmaxCrossEntropy(BE).perStep(input, ints(o.get("targets")));
        } else if (kind.equals("cross_entropy_last_step")) {
            l = new SoftmaxCrossEntropy(BE).lastStep(input, ints(o.get("targets")), ints(o.get("lengths")),
                    (Boolean) o.get("batchFirst"));
        } else {
            throw new IllegalArgumentException("unknown loss " + kind);
        }
        c.compare("loss", "value", Tensor.of(new double[] {l.value()}, 1), "out.loss");
        c.compare("grad", "d input", l.gradient(), "grad.input");
    }

    // ---- gradient clipping and Linear ----

    private void clip(Case c) {
        Tensor ga = c.tensor("in.ga");
        Tensor gb = c.tensor("in.gb");
        double norm = GradientClipping.clipGlobalNorm(List.of(ga, gb), dbl(c.options, "maxNorm"));
        c.compare("norm", "value", Tensor.of(new double[] {norm}, 1), "out.norm");
        c.compare("grads", "a", ga, "out.ga");
        c.compare("grads", "b", gb, "out.gb");
    }

    private void linear(Case c) {
        Map<String, Object> o = c.options;
        Linear layer = new Linear(LinearOptions.builder(num(o, "inFeatures"), num(o, "outFeatures"))
                .bias((Boolean) o.get("bias")).build(), BE);
        loadStateDict(c, layer);
        Linear.Output out = layer.forward(c.tensor("in.x"));
        c.compare("out", "output", out.output(), "out.output");
        Tensor dx = layer.backward(out.saved(), c.tensor("in.dout"));
        c.compare("dInput", "x", dx, "grad.x");
        for (String n : layer.parameters().keySet()) {   // the same names as torch's (loadStateDict)
            c.compare("dParams", n, layer.gradients().get(n), "grad.param." + n);
        }
    }

    // ---- comparison and report ----

    private void report(String group, Case c) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-34s %-9s", c.name, group));
        StringBuilder md = new StringBuilder("| " + c.name + " |");
        boolean over = false;
        for (Map.Entry<String, Double> e : c.worst.entrySet()) {
            line.append(String.format(Locale.ROOT, "  %s %.1e", e.getKey(), e.getValue()));
            md.append(String.format(Locale.ROOT, " %s %.1e;", e.getKey(), e.getValue()));
            over |= !(e.getValue() <= tolerance);
        }
        line.append(over ? "  FAIL" : "  ok");
        md.append(over ? " **FAIL** |" : " ok |");
        System.out.println(line);
        if (over) {
            failures++;
            c.details.forEach(d -> System.out.println("    " + d));
        }
        table.add(md.toString());
    }

    private final class Case {
        final String name;
        final Map<String, Object> options;
        final Map<String, Object> tensors;
        final Map<String, Double> worst = new LinkedHashMap<>();
        final List<String> details = new ArrayList<>();

        Case(String name, Map<String, Object> options, Map<String, Object> tensors) {
            this.name = name;
            this.options = options;
            this.tensors = tensors;
        }

        boolean has(String key) {
            return tensors.containsKey(key);
        }

        @SuppressWarnings("unchecked")
        Tensor tensor(String key) {
            Map<String, Object> t = (Map<String, Object>) tensors.get(key);
            if (t == null) {
                throw new IllegalArgumentException(name + ": no tensor " + key);
            }
            List<?> s = (List<?>) t.get("shape");
            int[] shape = new int[s.size()];
            long numel = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = ((Number) s.get(i)).intValue();
                numel *= shape[i];
            }
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(root.resolve((String) t.get("file")));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            if (bytes.length != numel * 8) {
                throw new IllegalArgumentException(key + ": " + bytes.length + " bytes for " + numel + " elements");
            }
            double[] d = new double[(int) numel];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(d);
            return Tensor.of(d, shape);
        }

        /** Records {@code max |mnemo − torch| / max |torch|} under {@code group}. */
        void compare(String group, String what, Tensor mnemo, String key) {
            Tensor ref = tensor(key);
            if (mnemo == null) {
                throw new IllegalStateException(name + ": mnemo has no " + what);
            }
            if (!mnemo.hasShape(ref.shape())) {
                throw new IllegalStateException(name + ": " + what + " shape " + Tensor.shapeString(mnemo.shape())
                        + ", torch " + Tensor.shapeString(ref.shape()));
            }
            double[] a = mnemo.toDoubleArray();
            double[] b = ref.toDoubleArray();
            double maxRef = 0;
            double maxDiff = 0;
            int at = 0;
            for (int i = 0; i < a.length; i++) {
                maxRef = Math.max(maxRef, Math.abs(b[i]));
                double diff = Math.abs(a[i] - b[i]);
                if (!(diff <= maxDiff)) {
                    maxDiff = diff;
                    at = i;
                }
            }
            double rel = maxRef > 0 ? maxDiff / maxRef : maxDiff;
            worst.merge(group, rel, (u, v) -> Double.isNaN(u) || Double.isNaN(v) ? Double.NaN : Math.max(u, v));
            if (!(rel <= tolerance)) {
                details.add(String.format(Locale.ROOT, "%s %s: rel %.3e, worst at flat %d %s: mnemo %.17g torch %.17g",
                        group, what, rel, at, java.util.Arrays.toString(mnemo.unflatIndex(at)), a[at], b[at]));
            }
        }
    }

    private static int[] ints(Object list) {
        if (list == null) {
            return null;
        }
        List<?> t = (List<?>) list;
        int[] a = new int[t.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = ((Number) t.get(i)).intValue();
        }
        return a;
    }

    private static int num(Map<String, Object> o, String key) {
        return ((Number) o.get(key)).intValue();
    }

    private static double dbl(Map<String, Object> o, String key) {
        return ((Number) o.get(key)).doubleValue();
    }

    private static double[][] rows(Tensor t) {
        int r = t.dim(0);
        int n = t.dim(1);
        double[] d = t.toDoubleArray();
        double[][] out = new double[r][n];
        for (int i = 0; i < r; i++) {
            System.arraycopy(d, i * n, out[i], 0, n);
        }
        return out;
    }

    private static double[] flatten(double[][] rows) {
        int n = rows[0].length;
        double[] d = new double[rows.length * n];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, d, i * n, n);
        }
        return d;
    }

    /** Hands option {@code key} to {@code set} when the case names it (PyTorch's default otherwise). */
    private static void ifGiven(Map<String, Object> o, String key, java.util.function.DoubleConsumer set) {
        if (o.containsKey(key)) {
            set.accept(dbl(o, key));
        }
    }

    /** PyTorch's state_dict into {@code layer}, by name (both sides must hold exactly the same names); gradients zeroed. */
    private static void loadStateDict(Case c, dev.mnemo.nn.layers.Layer layer) {
        Set<String> torchNames = new LinkedHashSet<>();
        for (String key : c.tensors.keySet()) {
            if (key.startsWith("param.")) {
                torchNames.add(key.substring("param.".length()));
            }
        }
        if (!torchNames.equals(layer.parameters().keySet())) {
            throw new IllegalStateException("parameter names differ: torch " + torchNames + ", mnemo "
                    + layer.parameters().keySet());
        }
        for (String n : torchNames) {
            layer.parameters().get(n).copyFrom(c.tensor("param." + n));
        }
        layer.zeroGradients();
    }
}
