package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mnemo.cuda.GemmPrecision;
import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Nonlinearity;
import dev.mnemo.nn.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The CUDA backend's argument checks, without a GPU: shapes and devices are checked before any CUDA
 * call, so a backend view without a runtime reaches no further than its messages.
 */
class CudaBackendValidationTest {
    final CudaBackend cuda = new CudaBackend(null, GemmPrecision.FP32);

    static void rejected(String message, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(message, e.getMessage());
    }

    @Test
    void hostTensorsAreRejectedByName() {
        rejected("t must be a cuda float32 tensor (this backend's device), got Tensor[3] float32 cpu; move it with "
                + "to(Device.CUDA)", () -> cuda.fill(Tensor.zeros(3), 1));
        rejected("a must be a cuda float32 tensor (this backend's device), got Tensor[2, 3] float32 cpu; move it with "
                + "to(Device.CUDA)", () -> cuda.gemm(false, false, 1, Tensor.zeros(2, 3), Tensor.zeros(3, 4), 0,
                Tensor.zeros(2, 4)));
        rejected("param must be a cuda float32 tensor (this backend's device), got Tensor[4] float32 cpu; move it with "
                + "to(Device.CUDA)", () -> cuda.adamUpdate(Tensor.zeros(4), Tensor.zeros(4), Tensor.zeros(4),
                Tensor.zeros(4), new Backend.AdamParams(1e-3, 0.9, 0.999, 1e-8, 0, 1, false)));
    }

    @Test
    void cellShapesAreCheckedBeforeDevices() {
        rejected("wx must have shape [6, 32], got [6, 24]", () -> cuda.lstmCellForward(Tensor.zeros(6, 24),
                Tensor.zeros(6, 32), null, null, Tensor.zeros(6, 8), Tensor.zeros(6, 32), Tensor.zeros(6, 8),
                Tensor.zeros(6, 8)));
        rejected("bhh must have shape [24], got [8]", () -> cuda.gruCellForward(Tensor.zeros(6, 24),
                Tensor.zeros(6, 24), null, Tensor.zeros(8), Tensor.zeros(6, 8), Tensor.zeros(6, 24),
                Tensor.zeros(6, 8), Tensor.zeros(6, 8)));
        rejected("dPre must have shape [2, 5], got [5, 2]", () -> cuda.rnnCellBackward(Nonlinearity.TANH,
                Tensor.zeros(2, 5), Tensor.zeros(2, 5), Tensor.zeros(2, 5), Tensor.zeros(5, 2)));
        rejected("dRh must have shape [1, 99], got [1, 33]", () -> cuda.gruCellBackward(Tensor.zeros(1, 99),
                Tensor.zeros(1, 33), Tensor.zeros(1, 33), Tensor.zeros(1, 33), Tensor.zeros(1, 33),
                Tensor.zeros(1, 99), Tensor.zeros(1, 33)));
    }

    @Test
    void otherArgumentsAreCheckedToo() {
        rejected("gemm shapes do not conform: op(a) of Tensor[2, 3] float32 cpu, op(b) of Tensor[4, 4] float32 cpu, "
                + "c Tensor[2, 4] float32 cpu (op(a) must be [2, k], op(b) [k, 4])",
                () -> cuda.gemm(false, false, 1, Tensor.zeros(2, 3), Tensor.zeros(4, 4), 0, Tensor.zeros(2, 4)));
        rejected("rows[1] must be in [0, 5) (table rows), got 5",
                () -> cuda.gatherRows(Tensor.zeros(5, 2), new int[] {0, 5}, Tensor.zeros(2, 2)));
        rejected("targets must have 3 elements (one per row of logits), got 2",
                () -> cuda.softmaxCrossEntropy(Tensor.zeros(3, 4), new int[] {0, 1}, 1, Tensor.zeros(3, 4)));
        rejected("targets[1] must be in [0, 4) (classes), got 4",
                () -> cuda.softmaxCrossEntropy(Tensor.zeros(2, 4), new int[] {0, 4}, 1, Tensor.zeros(2, 4)));
        rejected("momentumBuffer must not be null with momentum 0.9",
                () -> cuda.sgdUpdate(Tensor.zeros(4), Tensor.zeros(4), null,
                        new Backend.SgdParams(0.1, 0.9, 0, 0, false, true)));
        rejected("step must be in [1, 2147483647] (the kernel's int), got 0",
                () -> cuda.adamUpdate(Tensor.zeros(4), Tensor.zeros(4), Tensor.zeros(4), Tensor.zeros(4),
                        new Backend.AdamParams(1e-3, 0.9, 0.999, 1e-8, 0, 0, false)));
        rejected("dst must have shape [3, 2, 4], got [2, 3, 4]",
                () -> cuda.transpose01(Tensor.zeros(2, 3, 4), Tensor.zeros(2, 3, 4)));
    }

    /** The narrow kernel's shapes and the GEMM path's are refused alike, with the CPU backend's messages. */
    @Test
    void inputGradientsAreCheckedOnEitherPath() {
        rejected("dIn must have shape [3, 1], got [3, 2]", () -> cuda.inputGradients(new Backend.InputGradients(
                Tensor.zeros(3, 8), Tensor.zeros(3, 1), Tensor.zeros(8, 1), Tensor.zeros(8, 1), null, null,
                Tensor.zeros(3, 2), 0.0)));
        rejected("dIn must have shape [3, 6], got [3, 2]", () -> cuda.inputGradients(new Backend.InputGradients(
                Tensor.zeros(3, 8), Tensor.zeros(3, 6), Tensor.zeros(8, 6), Tensor.zeros(8, 6), null, null,
                Tensor.zeros(3, 2), 0.0)));
    }
}
