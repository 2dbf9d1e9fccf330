package dev.mnemo.jcuda;

import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuMemGetAddressRange;
import static jcuda.driver.JCudaDriver.cuPointerGetAttribute;
import static jcuda.driver.JCudaDriver.cuStreamGetCtx;

import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUpointer_attribute;
import jcuda.driver.CUresult;

/** {@link DriverQueries} answered through JCuda's driver API (loads JCuda's native library). */
final class JCudaQueries implements DriverQueries {
    static final JCudaQueries INSTANCE = new JCudaQueries();

    private JCudaQueries() {
    }

    @Override
    public long primaryContext(int ordinal) {
        CUdevice device = new CUdevice();
        JCudaException.check(cuDeviceGet(device, ordinal), "cuDeviceGet");
        CUcontext primary = new CUcontext();
        JCudaException.check(cuDevicePrimaryCtxRetain(primary, device), "cuDevicePrimaryCtxRetain");
        JCudaException.check(cuDevicePrimaryCtxRelease(device), "cuDevicePrimaryCtxRelease");
        return JCudaHandles.handle(primary);
    }

    @Override
    public long streamContext(long stream) {
        CUcontext context = new CUcontext();
        JCudaException.check(cuStreamGetCtx(JCudaHandles.stream(stream), context), "cuStreamGetCtx");
        return JCudaHandles.handle(context);
    }

    @Override
    public Allocation allocation(long address) {
        CUdeviceptr pointer = JCudaHandles.pointer(address);
        long[] context = new long[1];
        int status = cuPointerGetAttribute(Pointer.to(context), CUpointer_attribute.CU_POINTER_ATTRIBUTE_CONTEXT, pointer);
        if (status == CUresult.CUDA_ERROR_INVALID_VALUE) {
            return null;
        }
        JCudaException.check(status, "cuPointerGetAttribute(CONTEXT)");
        int[] ordinal = new int[1];
        JCudaException.check(cuPointerGetAttribute(Pointer.to(ordinal),
                CUpointer_attribute.CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL, pointer), "cuPointerGetAttribute(DEVICE_ORDINAL)");
        CUdeviceptr base = new CUdeviceptr();
        long[] size = new long[1];
        status = cuMemGetAddressRange(base, size, pointer);
        if (status == CUresult.CUDA_ERROR_NOT_FOUND || status == CUresult.CUDA_ERROR_INVALID_VALUE) {
            return new Allocation(context[0], ordinal[0], address, Allocation.UNKNOWN_SIZE);
        }
        JCudaException.check(status, "cuMemGetAddressRange");
        return new Allocation(context[0], ordinal[0], JCudaHandles.address(base), size[0]);
    }
}
