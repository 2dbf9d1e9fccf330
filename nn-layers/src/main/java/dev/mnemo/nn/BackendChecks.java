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

    /** {@link Backend#copyColumns}. */
    public static void copyColumns(Tensor src, int srcCol, Tensor dst, int dstCol, int width) {
        matrix("src", src);
        matrix("dst", dst);
        int rows = src.dim(0);
        if (dst.dim(0) != rows) {
            throw new IllegalArgumentException("dst must have the " + rows + " rows of src "
                    + Tensor.shapeString(src.shape()) + ", got " + Tensor.shapeString(dst.shape()));
        }
        if (width < 0 || srcCol < 0 || dstCol < 0 || srcCol + width > src.dim(1) || dstCol + width > dst.dim(1)) {
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
        if (keyColumn < 0 || keyColumn + keys.dim(2) > width || valueColumn < 0 || valueColumn + values.dim(2) > width) {
            throw new IllegalArgumentException("ringWrite's columns [" + keyColumn + ", " + (keyColumn + keys.dim(2))
                    + ") and [" + valueColumn + ", " + (valueColumn + values.dim(2)) + ") must lie within src's "
                    + width + " columns");
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
}
