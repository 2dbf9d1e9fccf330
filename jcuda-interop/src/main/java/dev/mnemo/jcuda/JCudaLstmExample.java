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

import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.cuda.CudaBackend;
import dev.mnemo.nn.layers.Lstm;
import dev.mnemo.nn.layers.RecurrentOptions;
import dev.mnemo.nn.layers.RecurrentOutput;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;

/**
 * An {@link Lstm} whose input and output live in JCuda allocations: the input is read in place,
 * the output is written into the caller's memory, all ordered with the caller's JCuda stream.
 *
 * <pre>
 *   java --enable-native-access=ALL-UNNAMED -cp "jars/*" dev.mnemo.jcuda.JCudaLstmExample
 * </pre>
 */
public final class JCudaLstmExample {
    private JCudaLstmExample() {
    }

    /**
     * {@code y ← lstm(x)} on device memory JCuda owns: {@code x} holds {@code [T, B, I]} floats,
     * {@code y} receives {@code [T, B, H]}. Queued after the work already on {@code stream}, and
     * {@code stream} waits for it: synchronize {@code stream} (or queue more JCuda work on it) to
     * read {@code y}.
     */
    public static void forward(JCudaInterop interop, Lstm lstm, CUdeviceptr x, CUdeviceptr y, int steps, int batch,
                               CUstream stream) {
        int input = lstm.options().inputSize();
        int hidden = lstm.options().hiddenSize();
        interop.ordered(stream, () -> {
            Tensor in = interop.tensor(x, steps, batch, input);         // a view: no copy
            Tensor out = interop.tensor(y, steps, batch, hidden);
            RecurrentOutput result = lstm.forward(in, null);
            interop.backend().copy(result.output(), out);             // device to device, on Mnemo's stream
        });
    }

    public static void main(String[] args) {
        CudaBackend.unavailableReason().ifPresent(reason -> {
            System.out.println("JCudaLstmExample skipped: " + reason);
            System.exit(0);
        });
        int steps = 5;
        int batch = 3;
        int input = 4;
        int hidden = 8;
        // JCuda side: device 0's primary context, a stream, two allocations.
        CUdevice device = new CUdevice();
        JCudaException.check(cuInit(0), "cuInit");
        JCudaException.check(cuDeviceGet(device, 0), "cuDeviceGet");
        CUcontext context = new CUcontext();
        JCudaException.check(cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        JCudaException.check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
        CUstream stream = new CUstream();
        JCudaException.check(cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING), "cuStreamCreate");
        float[] hostX = new float[steps * batch * input];
        for (int i = 0; i < hostX.length; i++) {
            hostX[i] = (float) Math.sin(0.37 * i);
        }
        CUdeviceptr x = new CUdeviceptr();
        CUdeviceptr y = new CUdeviceptr();
        JCudaException.check(cuMemAlloc(x, (long) hostX.length * Float.BYTES), "cuMemAlloc");
        JCudaException.check(cuMemAlloc(y, (long) steps * batch * hidden * Float.BYTES), "cuMemAlloc");
        JCudaException.check(cuMemcpyHtoD(x, Pointer.to(hostX), (long) hostX.length * Float.BYTES), "cuMemcpyHtoD");

        Lstm lstm = new Lstm(RecurrentOptions.builder(input, hidden).seed(1).build(), CudaBackend.float32());
        try (JCudaInterop interop = JCudaInterop.open(CudaBackend.float32())) {
            forward(interop, lstm, x, y, steps, batch, stream);
            JCudaException.check(cuStreamSynchronize(stream), "cuStreamSynchronize");
        }
        float[] hostY = new float[steps * batch * hidden];
        JCudaException.check(cuMemcpyDtoH(Pointer.to(hostY), y, (long) hostY.length * Float.BYTES), "cuMemcpyDtoH");
        System.out.printf("y[T-1, 0, 0..3] = %.5f %.5f %.5f %.5f%n", hostY[hostY.length - batch * hidden],
                hostY[hostY.length - batch * hidden + 1], hostY[hostY.length - batch * hidden + 2],
                hostY[hostY.length - batch * hidden + 3]);
        cuMemFree(x);
        cuMemFree(y);
        cuStreamDestroy(stream);
        cuDevicePrimaryCtxRelease(device);
    }
}
