package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mnemo.cuda.GemmPrecision;
import dev.mnemo.nn.Backend;
import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.Nonlinearity;
import dev.mnemo.nn.Tensor;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The CPU and CUDA backends refuse the same bad calls with the same message ({@link dev.mnemo.nn.BackendChecks}),
 * without a GPU: the CUDA backend checks shapes before devices, so host tensors reach no further than its checks.
 * Each call here ran on the CPU before, reading or writing outside a view.
 */
class CpuCudaChecksParityTest {
    private final CudaBackend cuda = new CudaBackend(null, GemmPrecision.FP32);
    private final CpuBackend cpu = CpuBackend.float32();

    private void bothRefuse(String message, Consumer<Backend> call) {
        for (Backend be : new Backend[] {cpu, cuda}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> call.accept(be),
                    be.toString());
            assertEquals(message, e.getMessage(), be.toString());
        }
    }

    @Test
    void lossesColumnSumsAndDropoutRefuseOperandsOfAnotherSize() {
        Tensor big = Tensor.zeros(6);
        bothRefuse("target must have the 4 elements of pred [4], got 2 [2]",
                be -> be.squaredError(Tensor.zeros(4), big.slice(2, 4), 1, Tensor.zeros(4)));
        bothRefuse("grad must have the 4 elements of pred [4], got 2 [2]",
                be -> be.squaredError(Tensor.zeros(4), Tensor.zeros(4), 1, big.slice(0, 2)));
        bothRefuse("grad may alias pred or target exactly but must not partly overlap them",
                be -> be.squaredError(big.slice(0, 4), Tensor.zeros(4), 1, big.slice(1, 5)));
        bothRefuse("out must have 3 elements (the columns of m [2, 3]), got [2]",
                be -> be.addColumnSums(Tensor.zeros(2, 3), big.slice(0, 2)));
        bothRefuse("m must be a matrix [rows, cols], got [4]", be -> be.addColumnSums(Tensor.zeros(4), Tensor.zeros(1)));
        bothRefuse("y must have the 4 elements of x [4], got 2 [2]",
                be -> be.dropout(Tensor.zeros(4), 0.5, 1, 0, Tensor.zeros(4), big.slice(0, 2)));
        bothRefuse("mask must have the 4 elements of x [4], got 2 [2]",
                be -> be.dropout(Tensor.zeros(4), 0.5, 1, 0, Tensor.zeros(2), Tensor.zeros(4)));
    }

    @Test
    void cellsRefuseTheSameShapesAndOverlaps() {
        Tensor h = Tensor.zeros(2, 3);
        bothRefuse("wx must have shape [2, 3], got [4]", be -> be.rnnCellForward(Nonlinearity.RELU,
                Tensor.zeros(6).slice(0, 4), Tensor.zeros(2, 3), null, null, h));
        bothRefuse("dh must have shape [2, 3], got [3]", be -> be.rnnCellBackward(Nonlinearity.TANH, h,
                Tensor.zeros(2, 3), Tensor.zeros(3), Tensor.zeros(2, 3)));
        Tensor wide = Tensor.zeros(3, 12);
        bothRefuse("gates may alias wx exactly but must not partly overlap it, got gates at offset 12 and wx at offset 0 "
                + "of one storage", be -> be.lstmCellForward(wide.slice(0, 2), Tensor.zeros(2, 12), null, null, h,
                wide.slice(1, 3), Tensor.zeros(2, 3), Tensor.zeros(2, 3)));
        bothRefuse("dc must have shape [2, 3], got [2, 4]", be -> be.lstmCellBackward(Tensor.zeros(2, 12), h, h,
                Tensor.zeros(2, 3), Tensor.zeros(2, 3), Tensor.zeros(2, 4), Tensor.zeros(2, 12)));
        Tensor wide3 = Tensor.zeros(3, 9);
        bothRefuse("gates may alias wx exactly but must not partly overlap it, got gates at offset 9 and wx at offset 0 "
                + "of one storage", be -> be.gruCellForward(wide3.slice(0, 2), Tensor.zeros(2, 9), null, null, h,
                wide3.slice(1, 3), Tensor.zeros(2, 3), Tensor.zeros(2, 3)));
        bothRefuse("gates and hn must both be given (training) or both be null (inference), got gates given and hn null",
                be -> be.gruCellForward(Tensor.zeros(2, 9), Tensor.zeros(2, 9), null, null, h, Tensor.zeros(2, 9), null,
                        Tensor.zeros(2, 3)));
        bothRefuse("hPrev must have shape [2, 3], got [3, 2]", be -> be.gruCellBackward(Tensor.zeros(2, 9), h,
                Tensor.zeros(3, 2), h, h, Tensor.zeros(2, 9), Tensor.zeros(2, 9)));
    }

    @Test
    void optimizerUpdatesRefuseMissingShortOrOverlappingBuffers() {
        // on the CPU a [2] gradient view of a [4] parameter read two elements past the view
        Tensor big = Tensor.zeros(8);
        var sgd = new Backend.SgdParams(1, 0, 0, 0, false, true);
        bothRefuse("grad must have the 4 elements of param [4], got 2 [2]",
                be -> be.sgdUpdate(Tensor.zeros(4), big.slice(0, 2), null, sgd));
        bothRefuse("momentumBuffer must not be null with momentum 0.9",
                be -> be.sgdUpdate(Tensor.zeros(4), Tensor.zeros(4), null, new Backend.SgdParams(1, 0.9, 0, 0, false, true)));
        bothRefuse("grad must not overlap param: " + big.slice(2, 6) + ", " + big.slice(0, 4),
                be -> be.sgdUpdate(big.slice(0, 4), big.slice(2, 6), null, sgd));
        var adam = new Backend.AdamParams(1e-3, 0.9, 0.999, 1e-8, 0, 1, false);
        bothRefuse("expAvg must have the 4 elements of param [4], got 2 [2]",
                be -> be.adamUpdate(Tensor.zeros(4), Tensor.zeros(4), Tensor.zeros(2), Tensor.zeros(4), adam));
        bothRefuse("expAvgSq must not overlap expAvg: " + big.slice(3, 7) + ", " + big.slice(0, 4),
                be -> be.adamUpdate(Tensor.zeros(4), Tensor.zeros(4), big.slice(0, 4), big.slice(3, 7), adam));
        var centered = new Backend.RmsPropParams(1e-2, 0.99, 1e-8, 0, 0, true);
        bothRefuse("gradAvg must not be null with momentum 0.0, centered",
                be -> be.rmsPropUpdate(Tensor.zeros(4), Tensor.zeros(4), Tensor.zeros(4), null, null, centered));
        bothRefuse("squareAvg must have the 4 elements of param [4], got 5 [5]",
                be -> be.rmsPropUpdate(Tensor.zeros(4), Tensor.zeros(4), Tensor.zeros(5), null, Tensor.zeros(4), centered));
    }
}
