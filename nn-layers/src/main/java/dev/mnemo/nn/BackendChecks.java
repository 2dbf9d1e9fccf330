package dev.mnemo.nn;

/**
 * The argument checks of the {@link Backend} operations, shared by the CPU and CUDA backends so that
 * both refuse the same calls with the same message: a shape that does not fit, an index outside its
 * table, an output that overlaps an input it may not. Without them the CPU backend, which indexes its
 * arrays directly, read or wrote outside a view (a neighbouring tensor) where CUDA refused.
 *
 * <p>Used by the backends; not a stable API.
 */
public final class BackendChecks {

    private BackendChecks() {
    }

    // ---- building blocks ----

    /** A dropout probability: in [0, 1] (1 keeps nothing); NaN fails. */
    public static void dropoutProbability(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("p must be in [0, 1], got " + p);
        }
    }

    /** {@code t} is {@code expected}'s shape. */
    public static void shape(String name, Tensor t, int... expected) {
        if (t == null) {
            throw new IllegalArgumentException(name + " must not be null (expected shape "
                    + Tensor.shapeString(expected) + ")");
        }
        if (!t.hasShape(expected)) {
            throw new IllegalArgumentException(name + " must have shape " + Tensor.shapeString(expected) + ", got "
                    + Tensor.shapeString(t.shape()));
        }
    }

    /** As {@link #shape} when {@code t} is not null. */
    public static void optionalShape(String name, Tensor t, int... expected) {
        if (t != null) {
            shape(name, t, expected);
        }
    }

    /** {@code b} has {@code a}'s element count. */
    public static void sameNumel(String aName, Tensor a, String bName, Tensor b) {
        if (a == null || b == null) {
            throw new IllegalArgumentException(aName + " and " + bName + " must not be null, got " + a + " and " + b);
        }
        if (a.numel() != b.numel()) {
            throw new IllegalArgumentException(bName + " must have the " + a.numel() + " elements of " + aName + " "
                    + Tensor.shapeString(a.shape()) + ", got " + b.numel() + " " + Tensor.shapeString(b.shape()));
        }
    }

    /** Every {@code values[i]} in {@code [0, bound)}; {@code boundName} says what bounds them. */
    public static void indices(String name, int[] values, int bound, String boundName) {
        if (values == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        for (int i = 0; i < values.length; i++) {
            if (values[i] < 0 || values[i] >= bound) {
                throw new IllegalArgumentException(name + "[" + i + "] must be in [0, " + bound + ") (" + boundName
                        + "), got " + values[i]);
            }
        }
    }

    /** {@code t} has rank 2. */
    public static void matrix(String name, Tensor t) {
        if (t == null || t.rank() != 2) {
            throw new IllegalArgumentException(name + " must be a matrix [rows, cols], got "
                    + (t == null ? "null" : Tensor.shapeString(t.shape())));
        }
    }

    /** Views of one storage starting at one element. */
    public static boolean sameStart(Tensor a, Tensor b) {
        return a.sharesStorageWith(b) && a.offset() == b.offset();
    }

    /** Views of one storage sharing at least one element. */
    public static boolean overlap(Tensor a, Tensor b) {
        return a.sharesStorageWith(b) && a.numel() > 0 && b.numel() > 0
                && a.offset() < b.offset() + b.numel() && b.offset() < a.offset() + a.numel();
    }

    // ---- one per operation: the contract of the Backend method of that name ----

    /** {@link Backend#sgdUpdate}: the momentum buffer needed where momentum is on. */
    public static void sgdUpdate(Tensor param, Tensor grad, Tensor momentumBuffer, Backend.SgdParams hp) {
        optimizerBuffers(param, new String[] {"grad", "momentumBuffer"}, new Tensor[] {grad, momentumBuffer},
                new boolean[] {true, hp.momentum() != 0}, "momentum " + hp.momentum());
    }

    /** {@link Backend#adamUpdate}. */
    public static void adamUpdate(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq) {
        optimizerBuffers(param, new String[] {"grad", "expAvg", "expAvgSq"}, new Tensor[] {grad, expAvg, expAvgSq},
                new boolean[] {true, true, true}, "");
    }

    /** {@link Backend#rmsPropUpdate}: the momentum buffer where momentum is on, the mean gradient where centered. */
    public static void rmsPropUpdate(Tensor param, Tensor grad, Tensor squareAvg, Tensor momentumBuffer,
                                     Tensor gradAvg, Backend.RmsPropParams hp) {
        optimizerBuffers(param, new String[] {"grad", "squareAvg", "momentumBuffer", "gradAvg"},
                new Tensor[] {grad, squareAvg, momentumBuffer, gradAvg},
                new boolean[] {true, true, hp.momentum() > 0, hp.centered()},
                "momentum " + hp.momentum() + (hp.centered() ? ", centered" : ""));
    }

    /**
     * Each buffer the options use present, with param's element count, and none overlapping param or another:
     * the update reads and writes them all element by element.
     */
    private static void optimizerBuffers(Tensor param, String[] names, Tensor[] buffers, boolean[] used,
                                         String options) {
        if (param == null) {
            throw new IllegalArgumentException("param must not be null");
        }
        for (int i = 0; i < names.length; i++) {
            if (!used[i]) {
                continue;
            }
            if (buffers[i] == null) {
                throw new IllegalArgumentException(names[i] + " must not be null" + (options.isEmpty() ? ""
                        : " with " + options));
            }
            sameNumel("param", param, names[i], buffers[i]);
            if (overlap(param, buffers[i])) {
                throw new IllegalArgumentException(names[i] + " must not overlap param: " + buffers[i] + ", " + param);
            }
            for (int j = 0; j < i; j++) {
                if (used[j] && overlap(buffers[j], buffers[i])) {
                    throw new IllegalArgumentException(names[i] + " must not overlap " + names[j] + ": " + buffers[i]
                            + ", " + buffers[j]);
                }
            }
        }
    }

    /** {@link Backend#copyColumns}. */
    public static void copyColumns(Tensor src, int srcCol, Tensor dst, int dstCol, int width) {
        matrix("src", src);
        matrix("dst", dst);
        int rows = src.dim(0);
        if (dst.dim(0) != rows) {
            throw new IllegalArgumentException("dst must have the " + rows + " rows of src "
                    + Tensor.shapeString(src.shape()) + ", got " + Tensor.shapeString(dst.shape()));
        }
        // width > dim − col, not col + width > dim: that sum wrapped past Integer.MAX_VALUE and let a copy through
        if (width < 0 || srcCol < 0 || dstCol < 0 || width > src.dim(1) - srcCol || width > dst.dim(1) - dstCol) {
            throw new IllegalArgumentException("columns [" + srcCol + ", +" + width + ") of src "
                    + Tensor.shapeString(src.shape()) + " and [" + dstCol + ", +" + width + ") of dst "
                    + Tensor.shapeString(dst.shape()) + " must lie within the matrices");
        }
        if (rows > 0 && width > 0 && overlap(src, dst)) {
            throw new IllegalArgumentException("dst must not overlap src in copyColumns, got " + dst + " and " + src);
        }
    }

    /**
     * {@link Backend#ringWrite}'s operands: src {@code [B, W]} with both column ranges inside W, keys
     * {@code [B, M, d_k]}, values {@code [B, M, d_v]}, M of both the same.
     */
    public static void ringWrite(Tensor src, int keyColumn, int valueColumn, Tensor keys, Tensor values) {
        matrix("src", src);
        if (keys == null || keys.rank() != 3 || values == null || values.rank() != 3 || keys.dim(0) != src.dim(0)
                || values.dim(0) != src.dim(0) || keys.dim(1) != values.dim(1) || keys.dim(1) < 1) {
            throw new IllegalArgumentException("ringWrite needs keys [B, M, d_k] and values [B, M, d_v] with B = "
                    + src.dim(0) + " (src's rows) and M >= 1, got " + describe(keys) + " and " + describe(values));
        }
        int width = src.dim(1);
        // d > width − column, not column + d > width, which wraps past Integer.MAX_VALUE
        if (keyColumn < 0 || keys.dim(2) > width - keyColumn || valueColumn < 0
                || values.dim(2) > width - valueColumn) {
            throw new IllegalArgumentException("ringWrite's columns [" + keyColumn + ", "
                    + ((long) keyColumn + keys.dim(2)) + ") and [" + valueColumn + ", "
                    + ((long) valueColumn + values.dim(2)) + ") must lie within src's " + width + " columns");
        }
    }

    private static String describe(Tensor t) {
        return t == null ? "null" : Tensor.shapeString(t.shape());
    }

    /** {@link Backend#transpose01}. */
    public static void transpose01(Tensor src, Tensor dst) {
        if (src == null || src.rank() != 3) {
            throw new IllegalArgumentException("src must have rank 3 [n0, n1, w], got "
                    + (src == null ? "null" : Tensor.shapeString(src.shape())));
        }
        shape("dst", dst, src.dim(1), src.dim(0), src.dim(2));
        if (overlap(src, dst)) {
            throw new IllegalArgumentException("dst must not overlap src in transpose01, got " + dst + " and " + src);
        }
    }

    /** {@link Backend#multiply}: out may alias a or b exactly, not in part. */
    public static void multiply(Tensor a, Tensor b, Tensor out) {
        elementwise(a, b, out);
    }

    /** {@link Backend#add}: as {@link #multiply}. */
    public static void add(Tensor a, Tensor b, Tensor out) {
        elementwise(a, b, out);
    }

    /** Two operands and an output of one numel, the output either one of them exactly or apart from both. */
    private static void elementwise(Tensor a, Tensor b, Tensor out) {
        sameNumel("a", a, "b", b);
        sameNumel("a", a, "out", out);
        for (Tensor in : new Tensor[] {a, b}) {
            if (overlap(in, out) && !sameStart(in, out)) {
                throw new IllegalArgumentException("out may alias a or b exactly but must not partly overlap them, got "
                        + out + " at offset " + out.offset() + " and " + in + " at offset " + in.offset());
            }
        }
    }

    /** {@link Backend#gemm}: matrices whose shapes conform, c overlapping neither a nor b. */
    public static void gemm(boolean transA, boolean transB, Tensor a, Tensor b, Tensor c) {
        matrix("a", a);
        matrix("b", b);
        matrix("c", c);
        int m = c.dim(0);
        int n = c.dim(1);
        int k = transA ? a.dim(0) : a.dim(1);
        if ((transA ? a.dim(1) : a.dim(0)) != m || (transB ? b.dim(1) : b.dim(0)) != k
                || (transB ? b.dim(0) : b.dim(1)) != n) {
            throw new IllegalArgumentException("gemm shapes do not conform: op(a) of " + a + (transA ? "ᵀ" : "")
                    + ", op(b) of " + b + (transB ? "ᵀ" : "") + ", c " + c + " (op(a) must be [" + m + ", k], op(b) [k, "
                    + n + "])");
        }
        if (overlap(c, a) || overlap(c, b)) {
            throw new IllegalArgumentException("c must not alias a or b in gemm, got c " + c + " at offset " + c.offset());
        }
    }

    /** {@link Backend#inputGradients}: the shapes of its GEMMs and column sums, outputs apart from inputs. */
    public static void inputGradients(Backend.InputGradients g) {
        matrix("dWx", g.dWx());
        matrix("x", g.x());
        int rows = g.dWx().dim(0);
        int gates = g.dWx().dim(1);
        int inputs = g.x().dim(1);
        shape("x", g.x(), rows, inputs);
        shape("wIh", g.wIh(), gates, inputs);
        shape("dwIh", g.dwIh(), gates, inputs);
        optionalShape("dbIh", g.dbIh(), gates);
        optionalShape("dbHh", g.dbHh(), gates);
        shape("dIn", g.dIn(), rows, inputs);
        Tensor[] inputsRead = {g.dWx(), g.x(), g.wIh()};
        String[] inputNames = {"dWx", "x", "wIh"};
        Tensor[] outputs = {g.dwIh(), g.dbIh(), g.dbHh(), g.dIn()};
        String[] outputNames = {"dwIh", "dbIh", "dbHh", "dIn"};
        for (int o = 0; o < outputs.length; o++) {
            for (int i = 0; i < inputsRead.length && outputs[o] != null; i++) {
                if (overlap(outputs[o], inputsRead[i])) {
                    throw new IllegalArgumentException(outputNames[o] + " must not overlap " + inputNames[i]
                            + " in inputGradients, got " + outputs[o] + " and " + inputsRead[i]);
                }
            }
        }
    }

    /** {@link Backend#addColumnSums}: out has m's column count of elements and does not overlap m. */
    public static void addColumnSums(Tensor m, Tensor out) {
        matrix("m", m);
        int cols = m.dim(1);
        if (out == null || out.numel() != cols) {
            throw new IllegalArgumentException("out must have " + cols + " elements (the columns of m "
                    + Tensor.shapeString(m.shape()) + "), got " + (out == null ? "null" : Tensor.shapeString(out.shape())));
        }
        if (overlap(m, out)) {
            throw new IllegalArgumentException("out must not overlap m in addColumnSums, got " + out + " and " + m);
        }
    }

    /** {@link Backend#addRowVector}. */
    public static void addRowVector(Tensor m, Tensor v) {
        matrix("m", m);
        int cols = m.dim(1);
        if (v == null || v.numel() != cols) {
            throw new IllegalArgumentException("v must have " + cols + " elements (the columns of m "
                    + Tensor.shapeString(m.shape()) + "), got " + (v == null ? "null" : Tensor.shapeString(v.shape())));
        }
        if (overlap(m, v)) {
            throw new IllegalArgumentException("v must not overlap m in addRowVector, got " + v + " and " + m);
        }
    }

    /** {@link Backend#gatherRows}. */
    public static void gatherRows(Tensor table, int[] rows, Tensor out) {
        tableRows("gatherRows", table, rows, "out", out);
    }

    /** {@link Backend#carryFinishedRows}: dst and src one [R, W] shape, apart; lengths [R]; t >= 0. */
    public static void carryFinishedRows(Tensor dst, Tensor src, Tensor lengths, int t) {
        matrix("dst", dst);
        shape("src", src, dst.dim(0), dst.dim(1));
        shape("lengths", lengths, dst.dim(0));
        if (t < 0) {
            throw new IllegalArgumentException("t must be >= 0, got " + t);
        }
        if (overlap(dst, src)) {
            throw new IllegalArgumentException("src must not overlap dst in carryFinishedRows");
        }
    }

    /** {@link Backend#zeroEndedSteps}: x rank 3, lengths one per row of x's batch dimension. */
    public static void zeroEndedSteps(Tensor x, Tensor lengths, boolean batchFirst) {
        if (x == null || x.rank() != 3) {
            throw new IllegalArgumentException("x must be [T, B, W] (or [B, T, W] batch-first), got "
                    + (x == null ? "null" : Tensor.shapeString(x.shape())));
        }
        shape("lengths", lengths, x.dim(batchFirst ? 0 : 1));
    }

    /** {@link Backend#scatterAddRows}. */
    public static void scatterAddRows(Tensor src, int[] rows, Tensor table) {
        tableRows("scatterAddRows", table, rows, "src", src);
    }

    /** A row operation's table, its row indices, and the [rows, width] tensor on the other side, apart from the table. */
    private static void tableRows(String op, Tensor table, int[] rows, String name, Tensor other) {
        matrix("table", table);
        indices("rows", rows, table.dim(0), "table rows");
        shape(name, other, rows.length, table.dim(1));
        if (overlap(table, other)) {
            throw new IllegalArgumentException(name + " must not overlap table in " + op);
        }
    }

    /** {@link Backend#softmaxCrossEntropy}: one target in range per row; dLogits may alias logits exactly. */
    public static void softmaxCrossEntropy(Tensor logits, int[] targets, Tensor dLogits) {
        matrix("logits", logits);
        int n = logits.dim(0);
        int classes = logits.dim(1);
        shape("dLogits", dLogits, n, classes);
        if (targets == null || targets.length != n) {
            throw new IllegalArgumentException("targets must have " + n + " elements (one per row of logits), got "
                    + (targets == null ? "null" : targets.length));
        }
        indices("targets", targets, classes, "classes");
        if (overlap(logits, dLogits) && !sameStart(logits, dLogits)) {
            throw new IllegalArgumentException("dLogits may alias logits exactly but must not partly overlap it");
        }
    }

    /** {@link Backend#squaredError}: one numel for all three; grad may alias pred or target exactly, not in part. */
    public static void squaredError(Tensor pred, Tensor target, Tensor grad) {
        sameNumel("pred", pred, "target", target);
        sameNumel("pred", pred, "grad", grad);
        if ((overlap(grad, pred) && !sameStart(grad, pred)) || (overlap(grad, target) && !sameStart(grad, target))) {
            throw new IllegalArgumentException("grad may alias pred or target exactly but must not partly overlap them");
        }
    }

    /**
     * Both {@link Backend#dropout} overloads: x, mask and y of one numel, p in [0, 1], the mask apart
     * from x and y, y either x exactly or apart from it.
     */
    public static void dropout(Tensor x, double p, Tensor mask, Tensor y) {
        sameNumel("x", x, "mask", mask);
        sameNumel("x", x, "y", y);
        dropoutProbability(p);
        if (overlap(mask, x) || overlap(mask, y)) {
            throw new IllegalArgumentException("mask must not overlap x or y in dropout");
        }
        if (overlap(x, y) && !sameStart(x, y)) {
            throw new IllegalArgumentException("y may alias x exactly but must not partly overlap it, got y at offset "
                    + y.offset() + " and x at offset " + x.offset() + " of one storage");
        }
    }

    // ---- the recurrent cells ----
    // The forward checks cover every operand but rh, whose shapes differ by backend: [B, G·H] here; CUDA also
    // takes [S, B, G·H] partials (Backend#recurrentProductBuffer). Each backend checks rh right after.

    /** {@link Backend#rnnCellForward}, all but rh: h [B, H], wx [B, H], biases [H]. */
    public static void rnnCellForward(Tensor wx, Tensor bih, Tensor bhh, Tensor h) {
        matrix("h", h);
        int b = h.dim(0);
        int hs = h.dim(1);
        shape("wx", wx, b, hs);
        optionalShape("bih", bih, hs);
        optionalShape("bhh", bhh, hs);
    }

    /** {@link Backend#rnnCellBackward}: h, dhOut, dh and dPre one [B, H] shape. */
    public static void rnnCellBackward(Tensor h, Tensor dhOut, Tensor dh, Tensor dPre) {
        matrix("h", h);
        int b = h.dim(0);
        int hs = h.dim(1);
        shape("dhOut", dhOut, b, hs);
        shape("dh", dh, b, hs);
        shape("dPre", dPre, b, hs);
    }

    /** {@link Backend#lstmCellForward}, all but rh: gates (if given) wx itself or apart from it. */
    public static void lstmCellForward(Tensor wx, Tensor bih, Tensor bhh, Tensor cPrev, Tensor gates, Tensor c,
                                       Tensor h) {
        matrix("h", h);
        int b = h.dim(0);
        int hs = h.dim(1);
        int g = gateWidth(4, hs);
        shape("wx", wx, b, g);
        optionalShape("bih", bih, g);
        optionalShape("bhh", bhh, g);
        shape("cPrev", cPrev, b, hs);
        optionalShape("gates", gates, b, g);
        shape("c", c, b, hs);
        if (gates != null) {
            gatesInPlaceOrApart(wx, gates);
        }
    }

    /** {@link Backend#lstmCellBackward}: c [B, H] sets the shapes. */
    public static void lstmCellBackward(Tensor gates, Tensor cPrev, Tensor c, Tensor dhOut, Tensor dh, Tensor dc,
                                        Tensor dGates) {
        matrix("c", c);
        int b = c.dim(0);
        int hs = c.dim(1);
        int g = gateWidth(4, hs);
        shape("gates", gates, b, g);
        shape("cPrev", cPrev, b, hs);
        shape("dhOut", dhOut, b, hs);
        shape("dh", dh, b, hs);
        shape("dc", dc, b, hs);
        shape("dGates", dGates, b, g);
    }

    /**
     * {@link Backend#gruCellForward}, all but rh: gates and hn both given or both null, gates wx itself or
     * apart from it.
     *
     * @return whether the forward keeps gates and hn ({@link Backend#gruKeeps})
     */
    public static boolean gruCellForward(Tensor wx, Tensor bih, Tensor bhh, Tensor hPrev, Tensor gates, Tensor hn,
                                         Tensor h) {
        matrix("h", h);
        int b = h.dim(0);
        int hs = h.dim(1);
        int g = gateWidth(3, hs);
        shape("wx", wx, b, g);
        optionalShape("bih", bih, g);
        optionalShape("bhh", bhh, g);
        shape("hPrev", hPrev, b, hs);
        boolean keeps = Backend.gruKeeps(gates, hn);
        optionalShape("gates", gates, b, g);
        optionalShape("hn", hn, b, hs);
        if (keeps) {
            gatesInPlaceOrApart(wx, gates);
        }
        return keeps;
    }

    /** {@link Backend#gruCellBackward}: hn [B, H] sets the shapes. */
    public static void gruCellBackward(Tensor gates, Tensor hn, Tensor hPrev, Tensor dhOut, Tensor dh, Tensor dWx,
                                       Tensor dRh) {
        matrix("hn", hn);
        int b = hn.dim(0);
        int hs = hn.dim(1);
        int g = gateWidth(3, hs);
        shape("gates", gates, b, g);
        shape("hPrev", hPrev, b, hs);
        shape("dhOut", dhOut, b, hs);
        shape("dh", dh, b, hs);
        shape("dWx", dWx, b, g);
        shape("dRh", dRh, b, g);
    }

    /** G·H, refused where it passes Integer.MAX_VALUE (the product wrapped, and a wrong shape could match it). */
    private static int gateWidth(int gates, int hs) {
        if (hs > Integer.MAX_VALUE / gates) {
            throw new IllegalArgumentException("the hidden size times " + gates + " gates must be at most "
                    + Integer.MAX_VALUE + ", got hidden size " + hs);
        }
        return gates * hs;
    }

    /**
     * {@code gates} either is {@code wx} (the layers overwrite the projection with the activations, which
     * the kernels allow: each element is read before it is written) or does not overlap it.
     */
    private static void gatesInPlaceOrApart(Tensor wx, Tensor gates) {
        if (overlap(wx, gates) && !sameStart(wx, gates)) {
            throw new IllegalArgumentException("gates may alias wx exactly but must not partly overlap it, got gates at "
                    + "offset " + gates.offset() + " and wx at offset " + wx.offset() + " of one storage");
        }
    }
}
