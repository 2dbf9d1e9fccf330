package dev.mnemo.jcuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.cuda.CudaBackend;
import dev.mnemo.nn.layers.Lstm;
import dev.mnemo.nn.layers.RecurrentOptions;
import java.util.SplittableRandom;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The interop on device 1 ({@code CudaBackend.float32(1)}): JCuda memory of device 1 carries an LSTM of
 * device 1, and device 0's memory is refused. Needs two devices (the emulated CUDA plays two in
 * {@code scripts/emu-gpu-tests.sh}).
 */
@Tag("gpu")
class JCudaInteropSecondDeviceGpuTest {

    @Test
    void secondDeviceMemoryCarriesASecondDeviceLstm() {
        var reason = CudaBackend.unavailableReason();
        Assumptions.assumeTrue(reason.isEmpty(), () -> reason.orElse(""));
        int count = CudaBackend.deviceCount();
        Assumptions.assumeTrue(count >= 2, () -> "needs two CUDA devices, found " + count);
        CudaBackend second = CudaBackend.float32(1);
        JCudaException.check(cuInit(0), "cuInit");
        CUdevice[] devices = {new CUdevice(), new CUdevice()};
        CUcontext[] primary = {new CUcontext(), new CUcontext()};
        for (int d = 0; d < 2; d++) {
            JCudaException.check(cuDeviceGet(devices[d], d), "cuDeviceGet");
            JCudaException.check(cuDevicePrimaryCtxRetain(primary[d], devices[d]), "cuDevicePrimaryCtxRetain");
        }
        CUdeviceptr onFirst = new CUdeviceptr();
        JCudaException.check(cuCtxSetCurrent(primary[0]), "cuCtxSetCurrent");
        JCudaException.check(cuMemAlloc(onFirst, 64), "cuMemAlloc on device 0");
        JCudaException.check(cuCtxSetCurrent(primary[1]), "cuCtxSetCurrent");
        CUstream stream = new CUstream();
        JCudaException.check(cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING), "cuStreamCreate");
        int steps = 5;
        int batch = 3;
        int input = 4;
        int hidden = 9;
        CUdeviceptr x = new CUdeviceptr();
        CUdeviceptr y = new CUdeviceptr();
        JCudaException.check(cuMemAlloc(x, (long) steps * batch * input * Sizeof.FLOAT), "cuMemAlloc x");
        JCudaException.check(cuMemAlloc(y, (long) steps * batch * hidden * Sizeof.FLOAT), "cuMemAlloc y");
        try (JCudaInterop interop = JCudaInterop.open(second)) {
            RecurrentOptions options = RecurrentOptions.builder(input, hidden).seed(4).build();
            Lstm lstm = new Lstm(options, second);
            Lstm cpu = new Lstm(options, CpuBackend.float32());
            second.copy(cpu.flatParameters(), lstm.flatParameters());
            float[] hostX = new float[steps * batch * input];
            var rnd = new SplittableRandom(8);
            for (int i = 0; i < hostX.length; i++) {
                hostX[i] = (float) (2 * rnd.nextDouble() - 1);
            }
            JCudaException.check(cuMemcpyHtoD(x, Pointer.to(hostX), (long) hostX.length * Sizeof.FLOAT), "cuMemcpyHtoD");
            JCudaLstmExample.forward(interop, lstm, x, y, steps, batch, stream);
            JCudaException.check(cuStreamSynchronize(stream), "cuStreamSynchronize");
            float[] got = new float[steps * batch * hidden];
            JCudaException.check(cuMemcpyDtoH(Pointer.to(got), y, (long) got.length * Sizeof.FLOAT), "cuMemcpyDtoH");
            float[] want = cpu.forward(Tensor.of(hostX, steps, batch, input), null).output().toFloatArray();
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-5, "output " + i + " written by device 1's LSTM into JCuda memory");
            }
            var e = assertThrows(IllegalArgumentException.class, () -> interop.wrap(onFirst, 64));
            assertTrue(e.getMessage().contains("not in device 1's primary context"), e.getMessage());
        } finally {
            cuMemFree(x);
            cuMemFree(y);
            cuStreamDestroy(stream);
            JCudaException.check(cuCtxSetCurrent(primary[0]), "cuCtxSetCurrent");
            cuMemFree(onFirst);
            cuDevicePrimaryCtxRelease(devices[0]);
            cuDevicePrimaryCtxRelease(devices[1]);
        }
    }
}
