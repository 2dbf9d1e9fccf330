package dev.mnemo.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The CPU backend refuses what the CUDA backend refuses, with the same messages ({@link BackendChecks}). Each case
 * used to run: a wrong answer, or a read or write outside the view it was given (into a neighbouring tensor).
 */
class CpuBackendChecksTest {

    private static final CpuBackend BE = CpuBackend.float32();

    private static void refused(String message, Executable call) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    private static Tensor iota(int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.numel(); i++) {
            t.setFlat(i, i + 1);
        }
        return t;
    }

    @Test
    void indicesOutsideTheViewAreRefusedAndNothingIsWritten() {
        Tensor big = iota(4, 2);
        Tensor view = big.slice(2, 4);                       // rows 2 and 3 of big
        refused("rows[0] must be in [0, 2) (table rows), got -1",
                () -> BE.gatherRows(view, new int[] {-1}, Tensor.zeros(1, 2)));   // read big's row 1
        refused("rows[1] must be in [0, 2) (table rows), got 2",
                () -> BE.scatterAddRows(Tensor.zeros(2, 2), new int[] {0, 2}, view));
        refused("rows[0] must be in [0, 2) (table rows), got -1",
                () -> BE.scatterAddRows(iota(1, 2), new int[] {-1}, view));         // wrote into big's row 1
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6, 7, 8}, big.toDoubleArray());
        refused("out must have shape [1, 2], got [1, 3]", () -> BE.gatherRows(view, new int[] {0}, Tensor.zeros(1, 3)));
    }

    /** Rows with t >= their length take src's row, the others keep dst's; bad shapes, t and overlaps are refused. */
    @Test
    void carryFinishedRowsCopiesExactlyTheEndedRows() {
        Tensor dst = iota(4, 2);
        Tensor src = Tensor.of(new double[] {-1, -2, -3, -4, -5, -6, -7, -8}, 4, 2);
        Tensor lengths = Tensor.of(new double[] {5, 3, 4, 1}, 4);
        BE.carryFinishedRows(dst, src, lengths, 3);   // rows 1 (length 3) and 3 (length 1) have ended
        assertArrayEquals(new double[] {1, 2, -3, -4, 5, 6, -7, -8}, dst.toDoubleArray());
        BE.carryFinishedRows(dst, iota(4, 2), lengths, 0);   // none has ended at step 0
        assertArrayEquals(new double[] {1, 2, -3, -4, 5, 6, -7, -8}, dst.toDoubleArray());
        refused("src must have shape [4, 2], got [4, 3]",
                () -> BE.carryFinishedRows(dst, Tensor.zeros(4, 3), lengths, 1));
        refused("lengths must have shape [4], got [3]",
                () -> BE.carryFinishedRows(dst, src, Tensor.zeros(3), 1));
        refused("t must be >= 0, got -1", () -> BE.carryFinishedRows(dst, src, lengths, -1));
        Tensor big = iota(6, 2);
        refused("src must not overlap dst in carryFinishedRows",
                () -> BE.carryFinishedRows(big.slice(0, 4), big.slice(2, 6), lengths, 1));
    }

    /** Steps at or past a row's length become 0, time-major and batch-first; a wrong lengths shape is refused. */
    @Test
    void zeroEndedStepsZerosExactlyThePaddedSteps() {
        Tensor lengths = Tensor.of(new double[] {3, 1}, 2);
        Tensor timeMajor = iota(3, 2, 2);   // [T 3, B 2, W 2]: row 1 ends after step 0
        BE.zeroEndedSteps(timeMajor, lengths, false);
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6, 0, 0, 9, 10, 0, 0}, timeMajor.toDoubleArray());
        Tensor batchFirst = iota(2, 3, 2);  // [B 2, T 3, W 2]
        BE.zeroEndedSteps(batchFirst, lengths, true);
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0}, batchFirst.toDoubleArray());
        refused("lengths must have shape [2], got [3]", () -> BE.zeroEndedSteps(iota(3, 2, 2), Tensor.zeros(3), false));
        refused("x must be [T, B, W] (or [B, T, W] batch-first), got [3, 2]",
                () -> BE.zeroEndedSteps(iota(3, 2), lengths, false));
    }

    @Test
    void theCrossEntropyRefusesATargetOutOfRange() {
        Tensor logits = iota(2, 3);
        // target 3 of 3 classes read the next row's first logit: a loss of −48.9
        refused("targets[0] must be in [0, 3) (classes), got 3",
                () -> BE.softmaxCrossEntropy(logits, new int[] {3, 0}, 1.0, Tensor.zeros(2, 3)));
        refused("targets must have 2 elements (one per row of logits), got 1",
                () -> BE.softmaxCrossEntropy(logits, new int[] {0}, 1.0, Tensor.zeros(2, 3)));
    }

    @Test
    void gemmRefusesAliasingAndNonMatrices() {
        Tensor a = iota(2, 2);
        Tensor eye = Tensor.of(new float[] {1, 0, 0, 1}, 2, 2);
        refused("c must not alias a or b in gemm, got c Tensor[2, 2] float32 cpu at offset 0",
                () -> BE.gemm(false, false, 1, a, eye, 0, a));                   // gave [0, 0, 0, 0]
        refused("c must be a matrix [rows, cols], got [2, 2, 5]",
                () -> BE.gemm(false, false, 1, a, eye, 0, Tensor.zeros(2, 2, 5)));
        refused("a must be a matrix [rows, cols], got [4]", () -> BE.gemm(false, false, 1, iota(4), eye, 0,
                Tensor.zeros(2, 2)));
    }

    @Test
    void copiesTransposesAndProductsRefuseShapesThatDoNotFit() {
        Tensor big = iota(4, 2);
        refused("dst must have the 4 rows of src [4, 2], got [2, 2]",
                () -> BE.copyColumns(iota(4, 2), 0, big.slice(0, 2), 0, 2));
        Tensor square = iota(2, 2, 1);
        refused("dst must not overlap src in transpose01, got Tensor[2, 2, 1] float32 cpu and Tensor[2, 2, 1] float32 cpu",
                () -> BE.transpose01(square, square));
        refused("dst must have shape [3, 2, 1], got [2, 3, 1]", () -> BE.transpose01(iota(2, 3, 1), iota(2, 3, 1)));
        refused("out must have the 2 elements of a [2], got 4 [4]",
                () -> BE.multiply(iota(2), iota(2), Tensor.zeros(4)));   // read past both views
        refused("v must have 2 elements (the columns of m [2, 2]), got [3]", () -> BE.addRowVector(iota(2, 2), iota(3)));
    }

    @Test
    void addSumsElementwise() {
        Tensor dst = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        BE.add(Tensor.of(new float[] {10, -20, 0.5f, 0}, 4), dst, dst);   // any shape of the same numel; out may be b
        assertArrayEquals(new double[] {11, -18, 3.5, 4}, dst.toDoubleArray());
        BE.add(dst, dst, dst);   // out may be a and b
        assertArrayEquals(new double[] {22, -36, 7, 8}, dst.toDoubleArray());
        refused("b must have the 3 elements of a [3], got 4 [4]", () -> BE.add(iota(3), iota(4), iota(3)));
        Tensor row = iota(5);
        refused("out may alias a or b exactly but must not partly overlap them, got Tensor[4] float32 cpu at offset 1 "
                + "and Tensor[4] float32 cpu at offset 0", () -> BE.add(row.slice(0, 4), iota(4), row.slice(1, 5)));
    }

    /**
     * The input side of a layer direction's gradients: dW_ih += dWxᵀ·x, both biases += the column sums,
     * dIn = dWx·W_ih + beta·dIn, against sums written out by hand; bad shapes and overlaps are refused.
     */
    @Test
    void inputGradientsAreTheGemmsAndColumnSums() {
        Tensor dWx = iota(3, 2);                      // rows [1 2] [3 4] [5 6]
        Tensor x = Tensor.of(new float[] {1, -1, 2}, 3, 1);
        Tensor w = Tensor.of(new float[] {10, 100}, 2, 1);
        Tensor dw = Tensor.of(new float[] {0.5f, 0.25f}, 2, 1);
        Tensor dbIh = Tensor.zeros(2);
        Tensor dbHh = Tensor.of(new float[] {1, 1}, 2);
        Tensor dIn = Tensor.of(new float[] {7, 8, 9}, 3, 1);
        BE.inputGradients(new Backend.InputGradients(dWx, x, w, dw, dbIh, dbHh, dIn, 1.0));
        assertArrayEquals(new double[] {0.5 + 1 - 3 + 10, 0.25 + 2 - 4 + 12}, dw.toDoubleArray());
        assertArrayEquals(new double[] {9, 12}, dbIh.toDoubleArray());
        assertArrayEquals(new double[] {10, 13}, dbHh.toDoubleArray());
        assertArrayEquals(new double[] {7 + 210, 8 + 430, 9 + 650}, dIn.toDoubleArray());
        BE.inputGradients(new Backend.InputGradients(dWx, x, w, dw, null, null, dIn, 0.0));   // beta 0 overwrites
        assertArrayEquals(new double[] {210, 430, 650}, dIn.toDoubleArray());
        assertArrayEquals(new double[] {9, 12}, dbIh.toDoubleArray(), "no bias given, none summed");

        refused("dIn must have shape [3, 1], got [3, 2]", () -> BE.inputGradients(
                new Backend.InputGradients(dWx, x, w, dw, null, null, Tensor.zeros(3, 2), 0.0)));
        refused("wIh must have shape [2, 1], got [1, 2]", () -> BE.inputGradients(
                new Backend.InputGradients(dWx, x, Tensor.zeros(1, 2), dw, null, null, dIn, 0.0)));
        refused("dbIh must have shape [2], got [3]", () -> BE.inputGradients(
                new Backend.InputGradients(dWx, x, w, dw, Tensor.zeros(3), null, dIn, 0.0)));
        Tensor both = Tensor.zeros(5, 1);
        refused("dIn must not overlap x in inputGradients, got Tensor[3, 1] float32 cpu and Tensor[3, 1] float32 cpu",
                () -> BE.inputGradients(new Backend.InputGradients(dWx, both.slice(0, 3), w, dw, null, null,
                        both.slice(2, 5), 0.0)));
    }

    /** Column ranges are compared without int overflow: these wrapped past Integer.MAX_VALUE and were let through. */
    @Test
    void columnRangesPastIntegerMaxValueAreRefusedBeforeAnyWrite() {
        Tensor src = iota(2, 3);
        Tensor dst = iota(2, 3);
        refused("columns [1, +2147483647) of src [2, 3] and [1, +2147483647) of dst [2, 3] must lie within the matrices",
                () -> BE.copyColumns(src, 1, dst, 1, Integer.MAX_VALUE));   // wrote dst[0, 1], then AIOOBE
        refused("columns [2147483647, +2) of src [2, 3] and [0, +2) of dst [2, 3] must lie within the matrices",
                () -> BE.copyColumns(src, Integer.MAX_VALUE, dst, 0, 2));
        refused("columns [0, +2) of src [2, 3] and [2147483647, +2) of dst [2, 3] must lie within the matrices",
                () -> BE.copyColumns(src, 0, dst, Integer.MAX_VALUE, 2));
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, dst.toDoubleArray());
        Tensor keys = Tensor.zeros(2, 2, 2);
        Tensor values = Tensor.zeros(2, 2, 1);
        try (Backend.DevicePosition step = BE.devicePosition()) {
            refused("ringWrite's columns [2147483647, 2147483649) and [0, 1) must lie within src's 3 columns",
                    () -> BE.ringWrite(src, Integer.MAX_VALUE, 0, keys, values, step));
            refused("ringWrite's columns [0, 2) and [2147483647, 2147483648) must lie within src's 3 columns",
                    () -> BE.ringWrite(src, 0, Integer.MAX_VALUE, keys, values, step));
        }
        assertArrayEquals(new double[8], keys.toDoubleArray());
    }

    /** squaredError: pred, target and grad of one numel (a smaller view read or wrote its neighbours). */
    @Test
    void squaredErrorRefusesOperandsOfAnotherSizeOrPartlyOverlapping() {
        Tensor pred = iota(4);
        Tensor big = iota(6);
        refused("target must have the 4 elements of pred [4], got 2 [2]",
                () -> BE.squaredError(pred, big.slice(2, 4), 1, Tensor.zeros(4)));   // read big[4], big[5]
        refused("grad must have the 4 elements of pred [4], got 2 [2]",
                () -> BE.squaredError(pred, iota(4), 1, big.slice(0, 2)));           // wrote big[2], big[3]
        refused("target must have the 4 elements of pred [4], got 5 [5]",
                () -> BE.squaredError(pred, iota(5), 1, Tensor.zeros(4)));
        refused("grad may alias pred or target exactly but must not partly overlap them",
                () -> BE.squaredError(big.slice(0, 4), iota(4), 1, big.slice(1, 5)));
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, big.toDoubleArray());
        // grad may be pred itself
        Tensor p = Tensor.of(new float[] {1, 2}, 2);
        assertEquals(5.0, BE.squaredError(p, Tensor.of(new float[] {0, 4}, 2), 0.5, p));
        assertArrayEquals(new double[] {1, -2}, p.toDoubleArray());
    }

    /** addColumnSums: out has m's column count and lies apart from m (it wrote a neighbour, or threw AIOOBE). */
    @Test
    void addColumnSumsRefusesAnOutOfAnotherSizeAndOverlaps() {
        Tensor big = iota(4);
        refused("out must have 3 elements (the columns of m [2, 3]), got [2]",
                () -> BE.addColumnSums(iota(2, 3), big.slice(0, 2)));   // added into big[2]
        refused("m must be a matrix [rows, cols], got [4]", () -> BE.addColumnSums(iota(4), Tensor.zeros(1)));
        assertArrayEquals(new double[] {1, 2, 3, 4}, big.toDoubleArray());
        Tensor both = iota(3, 2);
        refused("out must not overlap m in addColumnSums, got Tensor[2] float32 cpu and Tensor[2, 2] float32 cpu",
                () -> BE.addColumnSums(both.slice(0, 2), both.select(1)));
        Tensor out = Tensor.of(new float[] {10, 20}, 2);
        BE.addColumnSums(both, out);
        assertArrayEquals(new double[] {10 + 9, 20 + 12}, out.toDoubleArray());
    }

    /** Both dropout overloads: x, mask and y of one numel, the mask apart, y x itself or apart. */
    @Test
    void dropoutRefusesMasksAndOutputsOfAnotherSizeAndOverlaps() {
        Tensor x = iota(4);
        Tensor big = iota(6);
        try (Backend.DevicePosition at = BE.devicePosition()) {
            for (Dropout call : new Dropout[] {
                    (xx, mask, y) -> BE.dropout(xx, 0.5, 7, 0, mask, y),
                    (xx, mask, y) -> BE.dropout(xx, 0.5, 7, at, 0, mask, y)}) {
                refused("y must have the 4 elements of x [4], got 2 [2]",
                        () -> call.run(x, Tensor.zeros(4), big.slice(0, 2)));   // wrote big[2], big[3]
                refused("mask must have the 4 elements of x [4], got 2 [2]",
                        () -> call.run(x, Tensor.zeros(2), Tensor.zeros(4)));   // AIOOBE
                refused("mask must not overlap x or y in dropout",
                        () -> call.run(big.slice(0, 4), big.slice(2, 6), Tensor.zeros(4)));
                refused("mask must not overlap x or y in dropout", () -> call.run(x, x, Tensor.zeros(4)));
                refused("y may alias x exactly but must not partly overlap it, got y at offset 1 and x at offset 0 of "
                        + "one storage", () -> call.run(big.slice(0, 4), Tensor.zeros(4), big.slice(1, 5)));
                assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, big.toDoubleArray());
            }
            Tensor y = iota(4);
            Tensor mask = Tensor.zeros(4);
            BE.dropout(y, 0.5, 7, at, 0, mask, y);   // y may be x itself
            for (int i = 0; i < 4; i++) {
                assertEquals((i + 1) * mask.getFlat(i), y.getFlat(i));
            }
        }
    }

    private interface Dropout {
        void run(Tensor x, Tensor mask, Tensor y);
    }

    /**
     * The cells check shapes as CUDA does, in both element types: a wx of 4 elements for [2, 3] read a neighbour
     * (float32) or threw AIOOBE (float64).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(DType.class)
    void cellsRefuseShapesThatDoNotFit(DType dtype) {
        CpuBackend be = dtype == DType.FLOAT64 ? CpuBackend.float64() : CpuBackend.float32();
        Tensor h = Tensor.zeros(dtype, 2, 3);
        Tensor big = Tensor.zeros(dtype, 6);
        refused("wx must have shape [2, 3], got [4]", () -> be.rnnCellForward(Nonlinearity.RELU, big.slice(0, 4),
                Tensor.zeros(dtype, 2, 3), null, null, h));
        refused("rh must have shape [2, 3], got [3, 2]", () -> be.rnnCellForward(Nonlinearity.TANH,
                Tensor.zeros(dtype, 2, 3), Tensor.zeros(dtype, 3, 2), null, null, h));
        refused("bhh must have shape [3], got [2]", () -> be.rnnCellForward(Nonlinearity.TANH,
                Tensor.zeros(dtype, 2, 3), Tensor.zeros(dtype, 2, 3), null, Tensor.zeros(dtype, 2), h));
        refused("h must be a matrix [rows, cols], got [6]", () -> be.rnnCellForward(Nonlinearity.TANH,
                Tensor.zeros(dtype, 2, 3), Tensor.zeros(dtype, 2, 3), null, null, big));
        refused("dPre must have shape [2, 3], got [3, 2]", () -> be.rnnCellBackward(Nonlinearity.TANH, h,
                Tensor.zeros(dtype, 2, 3), Tensor.zeros(dtype, 2, 3), Tensor.zeros(dtype, 3, 2)));

        Tensor g4 = Tensor.zeros(dtype, 2, 12);
        refused("wx must have shape [2, 12], got [2, 9]", () -> be.lstmCellForward(Tensor.zeros(dtype, 2, 9), g4, null,
                null, h, g4, Tensor.zeros(dtype, 2, 3), Tensor.zeros(dtype, 2, 3)));
        refused("rh must have shape [2, 12], got [2, 2, 12]", () -> be.lstmCellForward(g4, Tensor.zeros(dtype, 2, 2,
                12), null, null, h, null, Tensor.zeros(dtype, 2, 3), Tensor.zeros(dtype, 2, 3)));
        refused("c must have shape [2, 3], got [2, 2]", () -> be.lstmCellForward(g4, g4, null, null, h, null,
                Tensor.zeros(dtype, 2, 2), Tensor.zeros(dtype, 2, 3)));
        Tensor wide = Tensor.zeros(dtype, 3, 12);
        refused("gates may alias wx exactly but must not partly overlap it, got gates at offset 12 and wx at offset 0 "
                + "of one storage", () -> be.lstmCellForward(wide.slice(0, 2), g4, null, null, h, wide.slice(1, 3),
                Tensor.zeros(dtype, 2, 3), Tensor.zeros(dtype, 2, 3)));
        refused("dGates must have shape [2, 12], got [2, 3]", () -> be.lstmCellBackward(g4, h, h,
                Tensor.zeros(dtype, 2, 3), Tensor.zeros(dtype, 2, 3), Tensor.zeros(dtype, 2, 3),
                Tensor.zeros(dtype, 2, 3)));

        Tensor g3 = Tensor.zeros(dtype, 2, 9);
        refused("hn must have shape [2, 3], got [2, 9]", () -> be.gruCellForward(g3, g3, null, null, h,
                Tensor.zeros(dtype, 2, 9), Tensor.zeros(dtype, 2, 9), Tensor.zeros(dtype, 2, 3)));
        refused("bih must have shape [9], got [3]", () -> be.gruCellForward(g3, g3, Tensor.zeros(dtype, 3), null, h,
                null, null, Tensor.zeros(dtype, 2, 3)));
        refused("dRh must have shape [2, 9], got [2, 3]", () -> be.gruCellBackward(g3, h, h, Tensor.zeros(dtype, 2,
                3), Tensor.zeros(dtype, 2, 3), Tensor.zeros(dtype, 2, 9), Tensor.zeros(dtype, 2, 3)));
        assertArrayEquals(new double[6], big.toDoubleArray());
    }
}
