package dev.mnemo.bench.reference;

import dev.mnemo.bench.gpu.MiniJson;
import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.analysis.GateBlock;
import dev.mnemo.nn.analysis.GateBlocks;
import dev.mnemo.nn.analysis.SpectrumAnalysis;
import dev.mnemo.nn.analysis.SpectrumSummary;
import dev.mnemo.nn.layers.Lstm;
import dev.mnemo.nn.layers.RecurrentOptions;
import dev.mnemo.nn.linalg.Eigen;
import dev.mnemo.nn.linalg.EigenEngine;
import dev.mnemo.nn.linalg.EigenOptions;
import dev.mnemo.nn.linalg.EigenResult;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Compares Mnemo's numerical tooling with independent references written by {@code bench/torch/refcheck.py}:
 * <ul>
 *   <li>{@link Eigen#of(double[], int, EigenOptions)} (CPU engine, float64) with numpy.linalg.eig (LAPACK
 *       dgeev): spectra matched greedily ({@link EigenResult#maxDistanceTo}), relative to ‖A‖_F; where the
 *       spectrum is known by construction, both against it; with vectors, Mnemo's residual
 *       max_j ‖A·v_j − λ_j·v_j‖ / ‖A‖_F and the angle to numpy's vector of a well separated eigenvalue;</li>
 *   <li>{@link SpectrumSummary#singularValues} with numpy.linalg.svd; {@link SpectrumAnalysis#of} of a
 *       2-layer bidirectional LSTM (spectra, spectral radius, singular values of every gate block);</li>
 *   <li>the translation experiment's {@code Bleu.corpus} with nltk's corpus_bleu and with a Python port of
 *       multi-bleu.perl's arithmetic;</li>
 *   <li>it writes the Mackey–Glass and Lorenz series (and their seeded initial conditions) into
 *       {@code REF_DIR/chaos/} for {@code refcheck.py chaos}.</li>
 * </ul>
 * The experiments module is reached by reflection: the bench module's descriptor does not read it.
 * <pre>
 *   /usr/bin/python3 bench/torch/refcheck.py gen /tmp/ref
 *   java --enable-native-access=ALL-UNNAMED -cp bench/target/classes:CLASSPATH \
 *        dev.mnemo.bench.reference.ReferenceCrossCheck /tmp/ref
 *   /usr/bin/python3 bench/torch/refcheck.py chaos /tmp/ref
 * </pre>
 * Prints markdown tables; exit status 1 if a check fails its tolerance (stated per table), 2 on an error.
 */
public final class ReferenceCrossCheck {

    private final Path root;
    private int failures;
    private int errors;

    private ReferenceCrossCheck(Path root) {
        this.root = root;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: ReferenceCrossCheck REF_DIR");
            System.exit(2);
        }
        ReferenceCrossCheck c = new ReferenceCrossCheck(Path.of(args[0]));
        System.exit(c.run());
    }

    @SuppressWarnings("unchecked")
    private int run() throws Exception {
        Map<String, Object> manifest = (Map<String, Object>) MiniJson.parse(
                Files.readString(root.resolve("manifest.json")));
        System.out.printf(Locale.ROOT, "numpy %s, nltk %s, Java %s%n", manifest.get("numpy_version"),
                manifest.get("nltk_version"), System.getProperty("java.version"));
        List<Map<String, Object>> cases = (List<Map<String, Object>>) (List<?>) manifest.get("cases");
        eigen(cases);
        svd(cases);
        for (Map<String, Object> c : cases) {
            if ("lstm".equals(c.get("group"))) {
                lstm(c);
            }
        }
        bleu((List<Map<String, Object>>) (List<?>) manifest.get("bleu"));
        chaos();
        System.out.printf(Locale.ROOT, "%n%d failures, %d errors%n", failures, errors);
        return errors > 0 ? 2 : failures > 0 ? 1 : 0;
    }

    // ---------------------------------------------------------------- eigenvalues

    /** Per family: the worst of each measure, and the case where it occurred. */
    private static final class Worst {
        int count;
        int retried;
        int symmetric;
        int matchDisagree;
        final Map<String, Double> value = new LinkedHashMap<>();
        final Map<String, String> where = new LinkedHashMap<>();

        void put(String key, double v, String name) {
            if (Double.isNaN(v)) {
                return;
            }
            if (!value.containsKey(key) || v > value.get(key)) {
                value.put(key, v);
                where.put(key, name);
            }
        }

        String cell(String key) {
            return value.containsKey(key) ? String.format(Locale.ROOT, "%.1e", value.get(key)) : "–";
        }
    }

    private static final String[] EIG_KEYS = {"match-api", "mnemo-numpy", "rho", "mnemo-exact", "numpy-exact", "residual",
            "np-residual", "angle"};

    private void eigen(List<Map<String, Object>> cases) {
        EigenOptions values = EigenOptions.builder().engine(EigenEngine.CPU).build();
        EigenOptions vectors = EigenOptions.builder().engine(EigenEngine.CPU).vectors(true).checkResidual(true).build();
        Map<String, Worst> fam = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Map<String, Object> c : cases) {
            if (!"eigen".equals(c.get("group"))) {
                continue;
            }
            String name = (String) c.get("name");
            Map<String, Object> o = (Map<String, Object>) c.get("options");
            String family = (String) o.get("family");
            int n = ((Number) o.get("n")).intValue();
            double[] a = read(c, "in.a");
            double[] rre = read(c, "ref.re");
            double[] rim = read(c, "ref.im");
            Worst w = fam.computeIfAbsent(family, k -> new Worst());
            w.count++;
            double scale = maxAbs(a);
            double norm = frobenius(a, scale);
            double unit = norm > 0 ? norm : 1;
            EigenResult e;
            try {
                e = Eigen.of(a, n, values);
            } catch (RuntimeException ex) {
                errors++;
                problems.add(name + " values: " + ex);
                continue;
            }
            if (e.retried()) {
                w.retried++;
            }
            if (e.symmetric()) {
                w.symmetric++;
            }
            double api = e.maxDistanceTo(rre, rim) / unit;
            double dv = greedy(e.re(), e.im(), rre, rim) / unit;
            if (Math.abs(api - dv) > 1e-12 * Math.max(dv, 1e-300)) {
                failures++;
                w.matchDisagree++;
                if (w.matchDisagree == 1) {
                    problems.add(String.format(Locale.ROOT, "%s (%s, n=%d): EigenResult.maxDistanceTo(numpy)/‖A‖ = %.3g,"
                            + " independent greedy match %.3g", name, family, n, api, dv));
                }
            }
            w.put("match-api", api, name);
            w.put("mnemo-numpy", dv, name);
            double rhoNp = 0;
            for (int k = 0; k < n; k++) {
                rhoNp = Math.max(rhoNp, Math.hypot(rre[k], rim[k]));
            }
            w.put("rho", Math.abs(e.spectralRadius() - rhoNp) / unit, name);
            double exactMnemo = Double.NaN;
            double exactNp = Double.NaN;
            if (has(c, "exact.re")) {
                double[] xre = read(c, "exact.re");
                double[] xim = read(c, "exact.im");
                exactMnemo = greedy(e.re(), e.im(), xre, xim) / unit;
                exactNp = greedy(rre, rim, xre, xim) / unit;
                w.put("mnemo-exact", exactMnemo, name);
                w.put("numpy-exact", exactNp, name);
            }
            // failure rule: against the exact spectrum when known (Mnemo no worse than 10× LAPACK + 1e-13),
            // else against LAPACK (1e-10 of ‖A‖), except defective / companion families (ill-conditioned)
            boolean bad;
            if (!Double.isNaN(exactMnemo)) {
                bad = exactMnemo > 10 * exactNp + 1e-13;
            } else {
                bad = !family.equals("jordan") && !family.equals("companion") && dv > 1e-10;
            }
            if (bad && family.equals("companion")) {
                // a known gap, listed and not failed: a companion matrix's rows and columns differ in norm by
                // orders of magnitude; Mnemo balances by scaling as dgebal does, yet one stays >10x behind
                problems.add(String.format(Locale.ROOT, "GAP (companion) %s (n=%d): vs exact mnemo %.2e numpy %.2e",
                        name, n, exactMnemo, exactNp));
                bad = false;
            }
            if (bad) {
                failures++;
                problems.add(String.format(Locale.ROOT, "%s (%s, n=%d): |mnemo−numpy|/‖A‖ %.2e, vs exact mnemo %.2e"
                        + " numpy %.2e, solver %s, notes %s", name, family, n, dv, exactMnemo, exactNp, e.solver(),
                        e.notes()));
            }
            // vectors
            EigenResult ev;
            try {
                ev = Eigen.of(a, n, vectors);
            } catch (RuntimeException ex) {
                problems.add(name + " vectors+residual: " + ex.getMessage().lines().findFirst().orElse(""));
                w.put("vector-errors", 1, name);
                continue;
            }
            double res = residual(a, n, ev, scale, unit);
            w.put("residual", res, name);
            w.put("np-residual", ((Number) o.get("np_residual")).doubleValue(), name);
            if (res > 1e-12 && res > 100 * ((Number) o.get("np_residual")).doubleValue()) {
                failures++;
                problems.add(String.format(Locale.ROOT, "%s: residual %.2e vs numpy's %.2e", name, res,
                        ((Number) o.get("np_residual")).doubleValue()));
            }
            w.put("angle", angle(ev, read(c, "ref.vre"), read(c, "ref.vim"), rre, rim, n, unit), name);
        }
        System.out.println();
        System.out.println("### Eigenvalues: Eigen.of (CPU, float64) vs numpy.linalg.eig (LAPACK dgeev)");
        System.out.println();
        System.out.println("| family | matrices | symmetric solver / retried | maxDistanceTo disagrees |"
                + " Δλ vs numpy, maxDistanceTo | Δλ vs numpy, independent match | Δρ |"
                + " Δλ vs exact: Mnemo | Δλ vs exact: numpy | residual: Mnemo | residual: numpy |"
                + " sin∠(v, v_numpy), gap ≥ 1e-2‖A‖_F |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (Map.Entry<String, Worst> f : fam.entrySet()) {
            Worst w = f.getValue();
            StringBuilder b = new StringBuilder("| " + f.getKey() + " | " + w.count + " | " + w.symmetric + " / "
                    + w.retried + " | " + w.matchDisagree);
            for (String k : EIG_KEYS) {
                b.append(" | ").append(w.cell(k));
            }
            System.out.println(b.append(" |"));
        }
        System.out.println();
        for (Map.Entry<String, Worst> f : fam.entrySet()) {
            System.out.println("worst cases, " + f.getKey() + ": " + f.getValue().where);
        }
        problems.forEach(p -> System.out.println(p.startsWith("GAP") ? p : "PROBLEM " + p));
    }

    /** max_j ‖A·v_j − λ_j·v_j‖ / ‖A‖_F (Mnemo's vectors have unit norm), computed on A/scale. */
    private static double residual(double[] a, int n, EigenResult e, double scale, double unit) {
        double s = scale > 0 ? scale : 1;
        double[] vr = e.vectorsRe();
        double[] vi = e.vectorsIm();
        double worst = 0;
        for (int j = 0; j < n; j++) {
            double lr = e.re(j) / s;
            double li = e.im(j) / s;
            double sum = 0;
            double vn = 0;
            for (int i = 0; i < n; i++) {
                double xr = 0;
                double xi = 0;
                for (int k = 0; k < n; k++) {
                    double aik = a[i * n + k] / s;
                    xr += aik * vr[k * n + j];
                    xi += aik * vi[k * n + j];
                }
                double yr = lr * vr[i * n + j] - li * vi[i * n + j];
                double yi = lr * vi[i * n + j] + li * vr[i * n + j];
                sum += (xr - yr) * (xr - yr) + (xi - yi) * (xi - yi);
                vn += vr[i * n + j] * vr[i * n + j] + vi[i * n + j] * vi[i * n + j];
            }
            worst = Math.max(worst, Math.sqrt(sum / vn));
        }
        return worst / (unit / s);
    }

    /** The largest sin of the angle between Mnemo's and numpy's vectors, over eigenvalues ≥ 1e-2‖A‖ from the rest. */
    private static double angle(EigenResult e, double[] wr, double[] wi, double[] rre, double[] rim, int n,
                                double unit) {
        if (n < 2) {
            return Double.NaN;
        }
        double[] vr = e.vectorsRe();
        double[] vi = e.vectorsIm();
        double worst = Double.NaN;
        for (int j = 0; j < n; j++) {
            int best = -1;
            double bd = Double.POSITIVE_INFINITY;
            for (int k = 0; k < n; k++) {
                double d = Math.hypot(e.re(j) - rre[k], e.im(j) - rim[k]);
                if (d < bd) {
                    bd = d;
                    best = k;
                }
            }
            double gap = Double.POSITIVE_INFINITY;
            for (int k = 0; k < n; k++) {
                if (k != best) {
                    gap = Math.min(gap, Math.hypot(rre[best] - rre[k], rim[best] - rim[k]));
                }
            }
            if (gap < 1e-2 * unit) {
                continue;
            }
            // sin∠ = ‖v − w·(wᴴv)/‖w‖²‖ / ‖v‖ (no 1 − cos² cancellation)
            double pr = 0;
            double pi = 0;
            double nv = 0;
            double nw = 0;
            for (int i = 0; i < n; i++) {
                double ar = vr[i * n + j];
                double ai = vi[i * n + j];
                double br = wr[i * n + best];
                double bi = wi[i * n + best];
                pr += br * ar + bi * ai;          // wᴴv
                pi += br * ai - bi * ar;
                nv += ar * ar + ai * ai;
                nw += br * br + bi * bi;
            }
            double off = 0;
            for (int i = 0; i < n; i++) {
                double br = wr[i * n + best];
                double bi = wi[i * n + best];
                double xr = vr[i * n + j] - (br * pr - bi * pi) / nw;
                double xi = vi[i * n + j] - (br * pi + bi * pr) / nw;
                off += xr * xr + xi * xi;
            }
            double sin = Math.sqrt(off / nv);
            worst = Double.isNaN(worst) ? sin : Math.max(worst, sin);
        }
        return worst;
    }

    /** Greedy matching, closest pairs first (independent of Mnemo's SpectrumMatch): the largest matched distance. */
    static double greedy(double[] re1, double[] im1, double[] re2, double[] im2) {
        int n = re1.length;
        if (re2.length != n) {
            return Double.POSITIVE_INFINITY;
        }
        Integer[] idx = new Integer[n * n];
        double[] d = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                d[i * n + j] = Math.hypot(re1[i] - re2[j], im1[i] - im2[j]);
                idx[i * n + j] = i * n + j;
            }
        }
        Arrays.sort(idx, (x, y) -> Double.compare(d[x], d[y]));
        boolean[] u1 = new boolean[n];
        boolean[] u2 = new boolean[n];
        double worst = 0;
        int matched = 0;
        for (int k = 0; k < idx.length && matched < n; k++) {
            int i = idx[k] / n;
            int j = idx[k] % n;
            if (!u1[i] && !u2[j]) {
                u1[i] = true;
                u2[j] = true;
                matched++;
                worst = Math.max(worst, d[idx[k]]);
            }
        }
        return worst;
    }

    private static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    private static double frobenius(double[] a, double scale) {
        if (scale == 0) {
            return 0;
        }
        double s = 0;
        for (double v : a) {
            s += (v / scale) * (v / scale);
        }
        return Math.sqrt(s) * scale;
    }

    // ---------------------------------------------------------------- SVD and LSTM spectra

    private void svd(List<Map<String, Object>> cases) {
        double worst = 0;
        String where = "";
        int count = 0;
        for (Map<String, Object> c : cases) {
            if (!"svd".equals(c.get("group"))) {
                continue;
            }
            count++;
            int n = ((Number) ((Map<String, Object>) c.get("options")).get("n")).intValue();
            double[] s = SpectrumSummary.singularValues(Tensor.of(read(c, "in.a"), n, n));
            double[] ref = read(c, "ref.s");
            double d = maxDiff(s, ref) / ref[0];
            if (d > worst) {
                worst = d;
                where = (String) c.get("name");
            }
        }
        if (worst > 1e-12) {
            failures++;
        }
        System.out.println();
        System.out.println("### Singular values: SpectrumSummary.singularValues vs numpy.linalg.svd");
        System.out.println();
        System.out.printf(Locale.ROOT, "%d matrices (n = 1 … 64, scales 1e-3 … 1e3): max Δσ / σ_max = %.1e (%s)%n",
                count, worst, where);
    }

    @SuppressWarnings("unchecked")
    private void lstm(Map<String, Object> c) {
        Map<String, Object> o = (Map<String, Object>) c.get("options");
        RecurrentOptions options = RecurrentOptions.builder(((Number) o.get("inputSize")).intValue(),
                        ((Number) o.get("hiddenSize")).intValue()).numLayers(((Number) o.get("numLayers")).intValue())
                .bidirectional((Boolean) o.get("bidirectional")).build();
        Lstm layer = new Lstm(options, CpuBackend.float64());
        Map<String, Object> tensors = (Map<String, Object>) c.get("tensors");
        for (String key : tensors.keySet()) {
            if (key.startsWith("param.")) {
                String p = key.substring("param.".length());
                Tensor t = layer.parameters().get(p);
                t.copyFrom(Tensor.of(read(c, key), t.shape()));
            }
        }
        List<SpectrumSummary> sums = SpectrumAnalysis.of(layer);
        List<GateBlock> blocks = GateBlocks.recurrent(layer);
        System.out.println();
        System.out.println("### SpectrumAnalysis.of(LSTM, 2 layers, bidirectional, H = 16) vs numpy eigvals / svd");
        System.out.println();
        System.out.println("| block | summary label | ρ Mnemo | ρ numpy | max Δλ (matched) | max Δσ | σ_max |");
        System.out.println("|---|---|---|---|---|---|---|");
        double worst = 0;
        for (int i = 0; i < blocks.size(); i++) {
            GateBlock b = blocks.get(i);
            SpectrumSummary s = sums.get(i);
            String key = "ref." + b.parameter() + "." + b.gate();
            double[] re = read(c, key + ".re");
            double[] im = read(c, key + ".im");
            double[] sv = read(c, key + ".s");
            double rho = 0;
            for (int k = 0; k < re.length; k++) {
                rho = Math.max(rho, Math.hypot(re[k], im[k]));
            }
            double dl = s.eigen().maxDistanceTo(re, im);
            double ds = maxDiff(s.singularValues(), sv);
            worst = Math.max(worst, Math.max(dl, Math.max(ds, Math.abs(rho - s.spectralRadius()))));
            System.out.printf(Locale.ROOT, "| %s | %s/%s | %.15f | %.15f | %.1e | %.1e | %.6f |%n", b.label(),
                    s.layer(), s.gate(), s.spectralRadius(), rho, dl, ds, s.singularValues()[0]);
        }
        if (worst > 1e-12) {
            failures++;
        }
        System.out.printf(Locale.ROOT, "worst over %d blocks: %.1e%n", blocks.size(), worst);
    }

    private static double maxDiff(double[] x, double[] y) {
        if (x.length != y.length) {
            return Double.POSITIVE_INFINITY;
        }
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs(x[i] - y[i]));
        }
        return m;
    }

    // ---------------------------------------------------------------- BLEU

    @SuppressWarnings("unchecked")
    private void bleu(List<Map<String, Object>> corpora) throws Exception {
        Class<?> bleu = Class.forName("dev.mnemo.experiments.tasks.translation.Bleu");
        Method corpus = bleu.getMethod("corpus", List.class, List.class);
        Class<?> score = Class.forName("dev.mnemo.experiments.tasks.translation.Bleu$Score");
        Method mBleu = score.getMethod("bleu");
        Method mPrec = score.getMethod("precisions");
        Method mBp = score.getMethod("brevityPenalty");
        Method mC = score.getMethod("candidateLength");
        Method mR = score.getMethod("referenceLength");
        int agreeMb = 0;
        int agreeNltk = 0;
        int precAgreeMb = 0;
        double worstMb = 0;
        double worstNltk = 0;
        String worstNltkAt = "";
        List<String> diffs = new ArrayList<>();
        for (Map<String, Object> c : corpora) {
            List<List<String>> cand = (List<List<String>>) c.get("cand");
            List<List<String>> ref = (List<List<String>>) c.get("ref");
            Object s = corpus.invoke(null, cand, ref);
            double b = (Double) mBleu.invoke(s) / 100;
            double[] p = (double[]) mPrec.invoke(s);
            double bp = (Double) mBp.invoke(s);
            long cl = (Long) mC.invoke(s);
            long rl = (Long) mR.invoke(s);
            double mb = ((Number) c.get("mb_bleu")).doubleValue();
            double nl = ((Number) c.get("nltk_bleu")).doubleValue();
            List<Object> mbm = (List<Object>) c.get("mb_matches");
            List<Object> mbt = (List<Object>) c.get("mb_totals");
            boolean precOk = true;
            for (int n = 0; n < 4; n++) {
                double t = ((Number) mbt.get(n)).doubleValue();
                double want = t == 0 ? 0 : ((Number) mbm.get(n)).doubleValue() / t;
                precOk &= Math.abs(p[n] - want) <= 1e-15;
            }
            precOk &= cl == ((Number) c.get("c")).longValue() && rl == ((Number) c.get("r")).longValue();
            if (precOk) {
                precAgreeMb++;
            }
            double dmb = Math.abs(b - mb);
            double dnl = Math.abs(b - nl);
            worstMb = Math.max(worstMb, dmb);
            if (dmb <= 1e-12) {
                agreeMb++;
            } else {
                failures++;
                diffs.add("MULTI-BLEU DIFF " + c.get("name") + ": mnemo " + b + " port " + mb);
            }
            if (dnl <= 1e-12) {
                agreeNltk++;
            } else {
                diffs.add(String.format(Locale.ROOT, "nltk differs %s: mnemo %.6f (BP %.4f) nltk %.6f (BP %.4f);"
                                + " n-gram totals mnemo %s nltk %s", c.get("name"), b, bp, nl,
                        ((Number) c.get("nltk_bp")).doubleValue(), mbt, c.get("nltk_totals")));
                if (dnl > worstNltk) {
                    worstNltk = dnl;
                    worstNltkAt = (String) c.get("name");
                }
            }
        }
        System.out.println();
        System.out.println("### BLEU: Bleu.corpus (translation experiment) vs multi-bleu.perl port and nltk corpus_bleu");
        System.out.println();
        System.out.printf(Locale.ROOT, "%d corpora: equal to the multi-bleu.perl port (|Δ| ≤ 1e-12 on the 0–1 scale)"
                        + " %d, worst %.1e; precisions and lengths equal %d; equal to nltk %d, worst |Δ| %.4f (%s)%n",
                corpora.size(), agreeMb, worstMb, precAgreeMb, agreeNltk, worstNltk, worstNltkAt);
        diffs.stream().limit(12).forEach(System.out::println);
        if (diffs.size() > 12) {
            System.out.println("… " + (diffs.size() - 12) + " more");
        }
    }

    // ---------------------------------------------------------------- chaos: write Mnemo's series

    private void chaos() throws Exception {
        Path d = root.resolve("chaos");
        Files.createDirectories(d);
        Class<?> mg = Class.forName("dev.mnemo.experiments.tasks.MackeyGlass");
        Method mgSeries = mg.getMethod("series", double.class, int.class, long.class, double.class, double.class,
                double.class);
        Class<?> lz = Class.forName("dev.mnemo.experiments.tasks.Lorenz");
        Method lzSeries = lz.getMethod("series", int.class, long.class, double.class, double.class, double.class);
        List<String> meta = new ArrayList<>();
        long seed = 7;
        int n = 400;
        for (double tau : new double[] {17, 30}) {
            double dt = 0.1;
            double[] x = (double[]) mgSeries.invoke(null, tau, n, seed, dt, 1.0, 0.0);
            int delay = (int) Math.round(tau / dt);
            double[] ring = new double[delay + 1];        // the history MackeyGlass seeds: 1.2 + 0.1·(u − 0.5)
            SplittableRandom rnd = new SplittableRandom(seed);
            for (int i = 0; i < ring.length; i++) {
                ring[i] = 1.2 + 0.1 * (rnd.nextDouble() - 0.5);
            }
            if (x[0] != ring[delay]) {
                throw new IllegalStateException("the replicated history does not start the series: " + x[0]);
            }
            // the default warm-up is the same trajectory, cut
            double[] warm = (double[]) mgSeries.invoke(null, tau, 50, seed, dt, 1.0, 500.0);
            double[] longer = (double[]) mgSeries.invoke(null, tau, 550, seed, dt, 1.0, 0.0);
            boolean cut = Arrays.equals(warm, Arrays.copyOfRange(longer, 500, 550));
            String f = "mg" + (int) tau;
            write(d.resolve(f + ".f64"), x);
            write(d.resolve(f + ".history.f64"), ring);
            meta.add(String.format(Locale.ROOT, "{\"kind\": \"mackey\", \"label\": \"Mackey-Glass tau=%d, dt 0.1, every 1.0\","
                    + " \"tau\": %s, \"dt\": %s, \"sampleEvery\": 1.0, \"n\": %d, \"file\": \"%s.f64\","
                    + " \"history\": \"%s.history.f64\"}", (int) tau, tau, dt, n, f, f));
            System.out.printf(Locale.ROOT, "Mackey-Glass tau=%d: warm-up 500 equals samples 500… of warm-up 0: %s%n",
                    (int) tau, cut);
            if (!cut) {
                failures++;
            }
        }
        double[] s = (double[]) lzSeries.invoke(null, n, seed, 0.01, 0.05, 0.0);
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] s0 = {1 + rnd.nextDouble() - 0.5, 1 + rnd.nextDouble() - 0.5, 25 + rnd.nextDouble() - 0.5};
        if (!Arrays.equals(s0, Arrays.copyOf(s, 3))) {
            throw new IllegalStateException("the replicated Lorenz start differs: " + Arrays.toString(s0));
        }
        write(d.resolve("lorenz.f64"), s);
        write(d.resolve("lorenz.initial.f64"), s0);
        meta.add(String.format(Locale.ROOT, "{\"kind\": \"lorenz\", \"label\": \"Lorenz, dt 0.01, every 0.05\","
                + " \"dt\": 0.01, \"sampleEvery\": 0.05, \"n\": %d, \"file\": \"lorenz.f64\","
                + " \"initial\": \"lorenz.initial.f64\"}", n));
        Files.writeString(d.resolve("meta.json"), "{\"series\": [" + String.join(",\n", meta) + "]}\n");
        System.out.println("chaos series written to " + d + " (compare with refcheck.py chaos)");
    }

    // ---------------------------------------------------------------- files

    @SuppressWarnings("unchecked")
    private boolean has(Map<String, Object> c, String key) {
        return ((Map<String, Object>) c.get("tensors")).containsKey(key);
    }

    @SuppressWarnings("unchecked")
    private double[] read(Map<String, Object> c, String key) {
        Map<String, Object> t = (Map<String, Object>) ((Map<String, Object>) c.get("tensors")).get(key);
        if (t == null) {
            throw new IllegalArgumentException(c.get("name") + ": no tensor " + key);
        }
        try {
            byte[] bytes = Files.readAllBytes(root.resolve((String) t.get("file")));
            double[] v = new double[bytes.length / 8];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(v);
            return v;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void write(Path p, double[] v) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asDoubleBuffer().put(v);
        Files.write(p, b.array());
    }
}
