package dev.mnemo.cuda;

import static dev.mnemo.cuda.CLayouts.C_FLOAT;
import static dev.mnemo.cuda.CLayouts.C_INT;
import static dev.mnemo.cuda.CLayouts.C_LONG_LONG;
import static dev.mnemo.cuda.CLayouts.C_POINTER;
import static dev.mnemo.cuda.CLayouts.C_SIZE_T;
import static dev.mnemo.cuda.CLayouts.C_UINT;
import static dev.mnemo.cuda.CLayouts.DEVICE_PTR;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The CUDA driver API ({@code libcuda.so.1}), one typed wrapper per function.
 *
 * <p>Each handle is looked up once, under the symbol the library exports: {@code cuda.h} maps
 * many plain names to versioned ones ({@code cuMemAlloc} is {@code cuMemAlloc_v2},
 * {@code cuEventElapsedTime} is {@code cuEventElapsedTime_v2} in CUDA 13). Each wrapper runs
 * {@code invokeExact} and turns a status other than {@code CUDA_SUCCESS} into a
 * {@link CudaException} at once. Device pointers are {@code long}; handles are
 * {@link MemorySegment}s. Out-parameters live in a per-call confined arena.
 *
 * <p>These are raw calls: they do not check which thread owns a context. Prefer the resource
 * classes ({@link CudaContext}, {@link DeviceBuffer}, ...), which do.
 */
public final class CudaDriver {
    /** {@code CUDA_SUCCESS}. */
    public static final int CUDA_SUCCESS = 0;
    /** {@code CUDA_ERROR_NO_DEVICE}: no CUDA-capable device is detected. */
    public static final int CUDA_ERROR_NO_DEVICE = 100;
    /** {@code CU_STREAM_DEFAULT}: the stream synchronizes with the legacy default stream. */
    public static final int CU_STREAM_DEFAULT = 0;
    /** {@code CU_STREAM_NON_BLOCKING}. */
    public static final int CU_STREAM_NON_BLOCKING = 1;
    /** {@code CU_EVENT_DEFAULT}: an event that records timing. */
    public static final int CU_EVENT_DEFAULT = 0;
    /** {@code CU_STREAM_CAPTURE_MODE_GLOBAL}. */
    public static final int CU_STREAM_CAPTURE_MODE_GLOBAL = 0;
    /** {@code CU_STREAM_CAPTURE_MODE_THREAD_LOCAL}. */
    public static final int CU_STREAM_CAPTURE_MODE_THREAD_LOCAL = 1;
    /** {@code CU_STREAM_CAPTURE_MODE_RELAXED}. */
    public static final int CU_STREAM_CAPTURE_MODE_RELAXED = 2;

    private static final NativeLibrary LIB = NativeLibrary.cuda();

    private static final MethodHandle CU_GET_ERROR_NAME = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER), "cuGetErrorName");
    private static final MethodHandle CU_GET_ERROR_STRING = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER), "cuGetErrorString");
    private static final MethodHandle CU_INIT = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_UINT), "cuInit");
    private static final MethodHandle CU_DRIVER_GET_VERSION = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER), "cuDriverGetVersion");
    private static final MethodHandle CU_DEVICE_GET_COUNT = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER), "cuDeviceGetCount");
    private static final MethodHandle CU_DEVICE_GET = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT), "cuDeviceGet");
    private static final MethodHandle CU_DEVICE_GET_NAME = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT), "cuDeviceGetName");
    private static final MethodHandle CU_DEVICE_TOTAL_MEM = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT), "cuDeviceTotalMem_v2");
    private static final MethodHandle CU_DEVICE_GET_ATTRIBUTE = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT), "cuDeviceGetAttribute");
    private static final MethodHandle CU_DEVICE_PRIMARY_CTX_RETAIN = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT), "cuDevicePrimaryCtxRetain");
    private static final MethodHandle CU_DEVICE_PRIMARY_CTX_RELEASE = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_INT), "cuDevicePrimaryCtxRelease_v2");
    private static final MethodHandle CU_CTX_SET_CURRENT = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER), "cuCtxSetCurrent");
    private static final MethodHandle CU_CTX_GET_CURRENT = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER), "cuCtxGetCurrent");
    /** Each thread's out-parameter of cuCtxGetCurrent, asked before every call: no allocation per ask. */
    private static final ThreadLocal<MemorySegment> CURRENT_OUT =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(C_POINTER));
    private static final MethodHandle CU_CTX_SYNCHRONIZE = LIB.downcall(
            FunctionDescriptor.of(C_INT), "cuCtxSynchronize");
    private static final MethodHandle CU_MEM_ALLOC = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_SIZE_T), "cuMemAlloc_v2");
    private static final MethodHandle CU_MEM_FREE = LIB.downcall(
            FunctionDescriptor.of(C_INT, DEVICE_PTR), "cuMemFree_v2");
    private static final MethodHandle CU_MEMCPY_HTOD = LIB.downcall(
            FunctionDescriptor.of(C_INT, DEVICE_PTR, C_POINTER, C_SIZE_T), "cuMemcpyHtoD_v2");
    private static final MethodHandle CU_MEMCPY_DTOH = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, DEVICE_PTR, C_SIZE_T), "cuMemcpyDtoH_v2");
    private static final MethodHandle CU_MEMCPY_HTOD_ASYNC = LIB.downcall(
            FunctionDescriptor.of(C_INT, DEVICE_PTR, C_POINTER, C_SIZE_T, C_POINTER), "cuMemcpyHtoDAsync_v2");
    private static final MethodHandle CU_MEMCPY_DTOH_ASYNC = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, DEVICE_PTR, C_SIZE_T, C_POINTER), "cuMemcpyDtoHAsync_v2");
    private static final MethodHandle CU_MEMCPY_DTOD = LIB.downcall(
            FunctionDescriptor.of(C_INT, DEVICE_PTR, DEVICE_PTR, C_SIZE_T), "cuMemcpyDtoD_v2");
    private static final MethodHandle CU_MEMCPY_DTOD_ASYNC = LIB.downcall(
            FunctionDescriptor.of(C_INT, DEVICE_PTR, DEVICE_PTR, C_SIZE_T, C_POINTER), "cuMemcpyDtoDAsync_v2");
    private static final MethodHandle CU_MEMCPY_PEER_ASYNC = LIB.downcall(
            FunctionDescriptor.of(C_INT, DEVICE_PTR, C_POINTER, DEVICE_PTR, C_POINTER, C_SIZE_T, C_POINTER),
            "cuMemcpyPeerAsync");
    private static final MethodHandle CU_MEMSET_D32 = LIB.downcall(
            FunctionDescriptor.of(C_INT, DEVICE_PTR, C_UINT, C_SIZE_T), "cuMemsetD32_v2");
    private static final MethodHandle CU_MEMSET_D32_ASYNC = LIB.downcall(
            FunctionDescriptor.of(C_INT, DEVICE_PTR, C_UINT, C_SIZE_T, C_POINTER), "cuMemsetD32Async");
    private static final MethodHandle CU_STREAM_CREATE = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_UINT), "cuStreamCreate");
    private static final MethodHandle CU_STREAM_DESTROY = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER), "cuStreamDestroy_v2");
    private static final MethodHandle CU_STREAM_SYNCHRONIZE = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER), "cuStreamSynchronize");
    private static final MethodHandle CU_EVENT_CREATE = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_UINT), "cuEventCreate");
    private static final MethodHandle CU_EVENT_RECORD = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER), "cuEventRecord");
    private static final MethodHandle CU_EVENT_SYNCHRONIZE = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER), "cuEventSynchronize");
    /** CUDA 13 headers map cuEventElapsedTime to _v2; CUDA 12 drivers may export only the plain name. */
    private static final MethodHandle CU_EVENT_ELAPSED_TIME = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER),
            "cuEventElapsedTime_v2", "cuEventElapsedTime");
    private static final MethodHandle CU_EVENT_DESTROY = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER), "cuEventDestroy_v2");
    private static final MethodHandle CU_MODULE_LOAD_DATA = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER), "cuModuleLoadData");
    private static final MethodHandle CU_MODULE_UNLOAD = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER), "cuModuleUnload");
    private static final MethodHandle CU_MODULE_GET_FUNCTION = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER), "cuModuleGetFunction");
    private static final MethodHandle CU_LAUNCH_KERNEL = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_UINT, C_UINT, C_UINT, C_UINT, C_UINT, C_UINT,
                    C_UINT, C_POINTER, C_POINTER, C_POINTER), "cuLaunchKernel");
    private static final MethodHandle CU_LAUNCH_COOPERATIVE_KERNEL = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_UINT, C_UINT, C_UINT, C_UINT, C_UINT, C_UINT,
                    C_UINT, C_POINTER, C_POINTER), "cuLaunchCooperativeKernel");
    private static final MethodHandle CU_LAUNCH_KERNEL_EX = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER), "cuLaunchKernelEx");
    private static final MethodHandle CU_OCCUPANCY_MAX_ACTIVE_CLUSTERS = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER), "cuOccupancyMaxActiveClusters");
    private static final MethodHandle CU_OCCUPANCY_MAX_ACTIVE_BLOCKS = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT, C_SIZE_T),
            "cuOccupancyMaxActiveBlocksPerMultiprocessor");
    private static final MethodHandle CU_FUNC_GET_ATTRIBUTE = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_POINTER), "cuFuncGetAttribute");
    private static final MethodHandle CU_FUNC_SET_ATTRIBUTE = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT), "cuFuncSetAttribute");
    private static final MethodHandle CU_STREAM_BEGIN_CAPTURE = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT), "cuStreamBeginCapture_v2");
    private static final MethodHandle CU_STREAM_END_CAPTURE = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER), "cuStreamEndCapture");
    private static final MethodHandle CU_GRAPH_INSTANTIATE = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_LONG_LONG), "cuGraphInstantiateWithFlags");
    private static final MethodHandle CU_GRAPH_LAUNCH = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER), "cuGraphLaunch");
    private static final MethodHandle CU_GRAPH_EXEC_DESTROY = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER), "cuGraphExecDestroy");
    private static final MethodHandle CU_GRAPH_DESTROY = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER), "cuGraphDestroy");

    private CudaDriver() {
    }

    /** Whether {@code libcuda.so.1} was found and loaded (says nothing about devices). */
    public static boolean isLoaded() {
        return LIB.isLoaded();
    }

    // ───────────────────────────── errors ─────────────────────────────

    /** {@code cuGetErrorName}: e.g. {@code CUDA_ERROR_OUT_OF_MEMORY}; a generic name for an unknown code. */
    public static String errorName(int code) {
        String name = errorText(CU_GET_ERROR_NAME, code);
        return name != null ? name : "CUresult(" + code + ")";
    }

    /** {@code cuGetErrorString}: e.g. "out of memory"; empty for an unknown code. */
    public static String errorString(int code) {
        String text = errorText(CU_GET_ERROR_STRING, code);
        return text != null ? text : "";
    }

    private static String errorText(MethodHandle handle, int code) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_POINTER);
            int status = (int) handle.invokeExact(code, out);
            return status == CUDA_SUCCESS ? CLayouts.cString(out.get(C_POINTER, 0)) : null;
        } catch (Throwable t) {
            return null; // the name is a courtesy: never let it hide the original failure
        }
    }

    /** Throws a {@link CudaException} for any status but {@code CUDA_SUCCESS}. */
    static void check(int status, String call) {
        if (status != CUDA_SUCCESS) {
            throw CudaException.driver(call, status, errorName(status), errorString(status));
        }
    }

    // ───────────────────────────── initialisation, devices ─────────────────────────────

    /** {@code cuInit(0)}; idempotent. */
    public static void init() {
        int status;
        try {
            status = (int) CU_INIT.invokeExact(0);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuInit", t);
        }
        check(status, "cuInit");
    }

    /** {@code cuDriverGetVersion}: e.g. 13000 for CUDA 13.0 (works before {@link #init()}). */
    public static int driverGetVersion() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_INT);
            int status = (int) CU_DRIVER_GET_VERSION.invokeExact(out);
            check(status, "cuDriverGetVersion");
            return out.get(C_INT, 0);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuDriverGetVersion", t);
        }
    }

    /** {@code cuDeviceGetCount}. */
    public static int deviceGetCount() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_INT);
            int status = (int) CU_DEVICE_GET_COUNT.invokeExact(out);
            check(status, "cuDeviceGetCount");
            return out.get(C_INT, 0);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuDeviceGetCount", t);
        }
    }

    /** {@code cuDeviceGet}: the {@code CUdevice} of an ordinal. */
    public static int deviceGet(int ordinal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_INT);
            int status = (int) CU_DEVICE_GET.invokeExact(out, ordinal);
            check(status, "cuDeviceGet");
            return out.get(C_INT, 0);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuDeviceGet", t);
        }
    }

    /** {@code cuDeviceGetName}. */
    public static String deviceGetName(int device) {
        try (Arena arena = Arena.ofConfined()) {
            int capacity = 256;
            MemorySegment out = arena.allocate(capacity);
            int status = (int) CU_DEVICE_GET_NAME.invokeExact(out, capacity, device);
            check(status, "cuDeviceGetName");
            return out.getString(0);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuDeviceGetName", t);
        }
    }

    /** {@code cuDeviceTotalMem_v2}: bytes of device memory. */
    public static long deviceTotalMem(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_SIZE_T);
            int status = (int) CU_DEVICE_TOTAL_MEM.invokeExact(out, device);
            check(status, "cuDeviceTotalMem_v2");
            return out.get(C_SIZE_T, 0);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuDeviceTotalMem_v2", t);
        }
    }

    /** {@code cuDeviceGetAttribute}. */
    public static int deviceGetAttribute(DeviceAttribute attribute, int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_INT);
            int status = (int) CU_DEVICE_GET_ATTRIBUTE.invokeExact(out, attribute.nativeValue(), device);
            check(status, "cuDeviceGetAttribute");
            return out.get(C_INT, 0);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuDeviceGetAttribute", t);
        }
    }

    // ───────────────────────────── contexts ─────────────────────────────

    /** {@code cuDevicePrimaryCtxRetain}. */
    public static MemorySegment devicePrimaryCtxRetain(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_POINTER);
            int status = (int) CU_DEVICE_PRIMARY_CTX_RETAIN.invokeExact(out, device);
            check(status, "cuDevicePrimaryCtxRetain");
            return out.get(C_POINTER, 0);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuDevicePrimaryCtxRetain", t);
        }
    }

    /** {@code cuDevicePrimaryCtxRelease_v2}. */
    public static void devicePrimaryCtxRelease(int device) {
        int status;
        try {
            status = (int) CU_DEVICE_PRIMARY_CTX_RELEASE.invokeExact(device);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuDevicePrimaryCtxRelease_v2", t);
        }
        check(status, "cuDevicePrimaryCtxRelease_v2");
    }

    /** {@code cuCtxSetCurrent}. */
    public static void ctxSetCurrent(MemorySegment context) {
        int status;
        try {
            status = (int) CU_CTX_SET_CURRENT.invokeExact(context);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuCtxSetCurrent", t);
        }
        check(status, "cuCtxSetCurrent");
    }

    /** {@code cuCtxGetCurrent}: the calling thread's current context's address, 0 when it has none. */
    public static long ctxGetCurrent() {
        MemorySegment out = CURRENT_OUT.get();
        int status;
        try {
            status = (int) CU_CTX_GET_CURRENT.invokeExact(out);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuCtxGetCurrent", t);
        }
        check(status, "cuCtxGetCurrent");
        return out.get(C_POINTER, 0).address();
    }

    /** {@code cuCtxSynchronize}: waits for all work of the current context. */
    public static void ctxSynchronize() {
        int status;
        try {
            status = (int) CU_CTX_SYNCHRONIZE.invokeExact();
        } catch (Throwable t) {
            throw CudaException.rethrow("cuCtxSynchronize", t);
        }
        check(status, "cuCtxSynchronize");
    }

    // ───────────────────────────── memory ─────────────────────────────

    /** {@code cuMemAlloc_v2}: a device pointer to {@code bytes} bytes. */
    public static long memAlloc(long bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(DEVICE_PTR);
            int status = (int) CU_MEM_ALLOC.invokeExact(out, bytes);
            check(status, "cuMemAlloc_v2");
            return out.get(DEVICE_PTR, 0);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuMemAlloc_v2", t);
        }
    }

    /** {@code cuMemFree_v2}. */
    public static void memFree(long devicePtr) {
        int status;
        try {
            status = (int) CU_MEM_FREE.invokeExact(devicePtr);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuMemFree_v2", t);
        }
        check(status, "cuMemFree_v2");
    }

    /** {@code cuMemcpyHtoD_v2}; {@code src} must be a native segment. */
    public static void memcpyHtoD(long dst, MemorySegment src, long bytes) {
        int status;
        try {
            status = (int) CU_MEMCPY_HTOD.invokeExact(dst, src, bytes);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuMemcpyHtoD_v2", t);
        }
        check(status, "cuMemcpyHtoD_v2");
    }

    /** {@code cuMemcpyDtoH_v2}; {@code dst} must be a native segment. */
    public static void memcpyDtoH(MemorySegment dst, long src, long bytes) {
        int status;
        try {
            status = (int) CU_MEMCPY_DTOH.invokeExact(dst, src, bytes);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuMemcpyDtoH_v2", t);
        }
        check(status, "cuMemcpyDtoH_v2");
    }

    /** {@code cuMemcpyHtoDAsync_v2}; {@code src} must stay alive until the stream reaches the copy. */
    public static void memcpyHtoDAsync(long dst, MemorySegment src, long bytes, MemorySegment stream) {
        int status;
        try {
            status = (int) CU_MEMCPY_HTOD_ASYNC.invokeExact(dst, src, bytes, stream);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuMemcpyHtoDAsync_v2", t);
        }
        check(status, "cuMemcpyHtoDAsync_v2");
    }

    /** {@code cuMemcpyDtoHAsync_v2}; {@code dst} must stay alive until the stream reaches the copy. */
    public static void memcpyDtoHAsync(MemorySegment dst, long src, long bytes, MemorySegment stream) {
        int status;
        try {
            status = (int) CU_MEMCPY_DTOH_ASYNC.invokeExact(dst, src, bytes, stream);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuMemcpyDtoHAsync_v2", t);
        }
        check(status, "cuMemcpyDtoHAsync_v2");
    }

    /** {@code cuMemcpyDtoD_v2}. */
    public static void memcpyDtoD(long dst, long src, long bytes) {
        int status;
        try {
            status = (int) CU_MEMCPY_DTOD.invokeExact(dst, src, bytes);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuMemcpyDtoD_v2", t);
        }
        check(status, "cuMemcpyDtoD_v2");
    }

    /** {@code cuMemcpyDtoDAsync_v2}. */
    public static void memcpyDtoDAsync(long dst, long src, long bytes, MemorySegment stream) {
        int status;
        try {
            status = (int) CU_MEMCPY_DTOD_ASYNC.invokeExact(dst, src, bytes, stream);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuMemcpyDtoDAsync_v2", t);
        }
        check(status, "cuMemcpyDtoDAsync_v2");
    }

    /**
     * {@code cuMemcpyPeerAsync}: copies {@code bytes} from {@code src} (memory of {@code srcContext}) to
     * {@code dst} (memory of {@code dstContext}) on {@code stream}, directly between the devices where
     * they have peer access, staged by the driver where they do not.
     */
    public static void memcpyPeerAsync(long dst, MemorySegment dstContext, long src, MemorySegment srcContext,
                                       long bytes, MemorySegment stream) {
        int status;
        try {
            status = (int) CU_MEMCPY_PEER_ASYNC.invokeExact(dst, dstContext, src, srcContext, bytes, stream);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuMemcpyPeerAsync", t);
        }
        check(status, "cuMemcpyPeerAsync");
    }

    /** {@code cuMemsetD32_v2}: sets {@code count} 32-bit words to {@code value}. */
    public static void memsetD32(long dst, int value, long count) {
        int status;
        try {
            status = (int) CU_MEMSET_D32.invokeExact(dst, value, count);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuMemsetD32_v2", t);
        }
        check(status, "cuMemsetD32_v2");
    }

    /** {@code cuMemsetD32Async}. */
    public static void memsetD32Async(long dst, int value, long count, MemorySegment stream) {
        int status;
        try {
            status = (int) CU_MEMSET_D32_ASYNC.invokeExact(dst, value, count, stream);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuMemsetD32Async", t);
        }
        check(status, "cuMemsetD32Async");
    }

    // ───────────────────────────── streams and events ─────────────────────────────

    /** {@code cuStreamCreate}. */
    public static MemorySegment streamCreate(int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_POINTER);
            int status = (int) CU_STREAM_CREATE.invokeExact(out, flags);
            check(status, "cuStreamCreate");
            return out.get(C_POINTER, 0);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuStreamCreate", t);
        }
    }

    /** {@code cuStreamDestroy_v2}. */
    public static void streamDestroy(MemorySegment stream) {
        int status;
        try {
            status = (int) CU_STREAM_DESTROY.invokeExact(stream);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuStreamDestroy_v2", t);
        }
        check(status, "cuStreamDestroy_v2");
    }

    /** {@code cuStreamSynchronize}. */
    public static void streamSynchronize(MemorySegment stream) {
        int status;
        try {
            status = (int) CU_STREAM_SYNCHRONIZE.invokeExact(stream);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuStreamSynchronize", t);
        }
        check(status, "cuStreamSynchronize");
    }

    /** {@code cuEventCreate}. */
    public static MemorySegment eventCreate(int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_POINTER);
            int status = (int) CU_EVENT_CREATE.invokeExact(out, flags);
            check(status, "cuEventCreate");
            return out.get(C_POINTER, 0);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuEventCreate", t);
        }
    }

    /** {@code cuEventRecord}. */
    public static void eventRecord(MemorySegment event, MemorySegment stream) {
        int status;
        try {
            status = (int) CU_EVENT_RECORD.invokeExact(event, stream);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuEventRecord", t);
        }
        check(status, "cuEventRecord");
    }

    /** {@code cuEventSynchronize}. */
    public static void eventSynchronize(MemorySegment event) {
        int status;
        try {
            status = (int) CU_EVENT_SYNCHRONIZE.invokeExact(event);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuEventSynchronize", t);
        }
        check(status, "cuEventSynchronize");
    }

    /** {@code cuEventElapsedTime_v2} (or the unversioned symbol on older drivers): milliseconds from start to end. */
    public static float eventElapsedTime(MemorySegment start, MemorySegment end) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_FLOAT);
            int status = (int) CU_EVENT_ELAPSED_TIME.invokeExact(out, start, end);
            check(status, "cuEventElapsedTime_v2");
            return out.get(C_FLOAT, 0);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuEventElapsedTime_v2", t);
        }
    }

    /** {@code cuEventDestroy_v2}. */
    public static void eventDestroy(MemorySegment event) {
        int status;
        try {
            status = (int) CU_EVENT_DESTROY.invokeExact(event);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuEventDestroy_v2", t);
        }
        check(status, "cuEventDestroy_v2");
    }

    // ───────────────────────────── modules and launches ─────────────────────────────

    /** {@code cuModuleLoadData}: {@code image} is a native, suitably aligned fatbin/cubin/PTX image. */
    public static MemorySegment moduleLoadData(MemorySegment image) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_POINTER);
            int status = (int) CU_MODULE_LOAD_DATA.invokeExact(out, image);
            check(status, "cuModuleLoadData");
            return out.get(C_POINTER, 0);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuModuleLoadData", t);
        }
    }

    /** {@code cuModuleUnload}. */
    public static void moduleUnload(MemorySegment module) {
        int status;
        try {
            status = (int) CU_MODULE_UNLOAD.invokeExact(module);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuModuleUnload", t);
        }
        check(status, "cuModuleUnload");
    }

    /** {@code cuModuleGetFunction}. */
    public static MemorySegment moduleGetFunction(MemorySegment module, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_POINTER);
            int status = (int) CU_MODULE_GET_FUNCTION.invokeExact(out, module, arena.allocateFrom(name));
            check(status, "cuModuleGetFunction(" + name + ")");
            return out.get(C_POINTER, 0);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuModuleGetFunction", t);
        }
    }

    /**
     * {@code cuLaunchKernel} with {@code kernelParams} a {@code void**} (one pointer per kernel
     * argument, each to the argument's value) and no {@code extra}.
     */
    public static void launchKernel(MemorySegment function, int gridX, int gridY, int gridZ,
                                    int blockX, int blockY, int blockZ, int sharedMemBytes,
                                    MemorySegment stream, MemorySegment kernelParams) {
        int status;
        try {
            status = (int) CU_LAUNCH_KERNEL.invokeExact(function, gridX, gridY, gridZ, blockX, blockY,
                    blockZ, sharedMemBytes, stream, kernelParams, MemorySegment.NULL);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuLaunchKernel", t);
        }
        check(status, "cuLaunchKernel");
    }

    /**
     * {@code cuLaunchCooperativeKernel}: like {@link #launchKernel}, but every block of the grid is
     * resident at once (so blocks may wait for each other); fails with
     * {@code CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE} when the grid cannot be co-resident.
     */
    public static void launchCooperativeKernel(MemorySegment function, int gridX, int gridY, int gridZ,
                                               int blockX, int blockY, int blockZ, int sharedMemBytes,
                                               MemorySegment stream, MemorySegment kernelParams) {
        int status;
        try {
            status = (int) CU_LAUNCH_COOPERATIVE_KERNEL.invokeExact(function, gridX, gridY, gridZ, blockX,
                    blockY, blockZ, sharedMemBytes, stream, kernelParams);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuLaunchCooperativeKernel", t);
        }
        check(status, "cuLaunchCooperativeKernel");
    }

    /**
     * {@code cuLaunchKernelEx}: a launch described by a {@code CUlaunchConfig} ({@link LaunchConfig}),
     * e.g. with a thread-block cluster dimension; {@code kernelParams} as in {@link #launchKernel}.
     */
    public static void launchKernelEx(MemorySegment config, MemorySegment function, MemorySegment kernelParams) {
        int status;
        try {
            status = (int) CU_LAUNCH_KERNEL_EX.invokeExact(config, function, kernelParams, MemorySegment.NULL);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuLaunchKernelEx", t);
        }
        check(status, "cuLaunchKernelEx");
    }

    /**
     * {@code cuOccupancyMaxActiveClusters}: how many clusters of the launch {@code config} describes
     * (its cluster dimension, block size and dynamic shared memory) can be resident on the device at
     * once; 0 when not even one fits.
     */
    public static int occupancyMaxActiveClusters(MemorySegment function, MemorySegment config) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_INT);
            int status = (int) CU_OCCUPANCY_MAX_ACTIVE_CLUSTERS.invokeExact(out, function, config);
            check(status, "cuOccupancyMaxActiveClusters");
            return out.get(C_INT, 0);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuOccupancyMaxActiveClusters", t);
        }
    }

    /**
     * {@code cuOccupancyMaxActiveBlocksPerMultiprocessor}: how many blocks of {@code blockSize}
     * threads and {@code dynamicSharedMemBytes} of dynamic shared memory fit on one SM at once.
     */
    public static int occupancyMaxActiveBlocksPerMultiprocessor(MemorySegment function, int blockSize,
                                                                long dynamicSharedMemBytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_INT);
            int status = (int) CU_OCCUPANCY_MAX_ACTIVE_BLOCKS.invokeExact(out, function, blockSize,
                    dynamicSharedMemBytes);
            check(status, "cuOccupancyMaxActiveBlocksPerMultiprocessor");
            return out.get(C_INT, 0);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuOccupancyMaxActiveBlocksPerMultiprocessor", t);
        }
    }

    /** {@code cuFuncGetAttribute}. */
    public static int funcGetAttribute(FunctionAttribute attribute, MemorySegment function) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_INT);
            int status = (int) CU_FUNC_GET_ATTRIBUTE.invokeExact(out, attribute.nativeValue(), function);
            check(status, "cuFuncGetAttribute");
            return out.get(C_INT, 0);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuFuncGetAttribute", t);
        }
    }

    /** {@code cuFuncSetAttribute}: e.g. raise the dynamic shared memory limit above 48 KiB. */
    public static void funcSetAttribute(MemorySegment function, FunctionAttribute attribute, int value) {
        int status;
        try {
            status = (int) CU_FUNC_SET_ATTRIBUTE.invokeExact(function, attribute.nativeValue(), value);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuFuncSetAttribute", t);
        }
        check(status, "cuFuncSetAttribute");
    }

    // ───────────────────────────── graphs ─────────────────────────────

    /** {@code cuStreamBeginCapture_v2}. */
    public static void streamBeginCapture(MemorySegment stream, int mode) {
        int status;
        try {
            status = (int) CU_STREAM_BEGIN_CAPTURE.invokeExact(stream, mode);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuStreamBeginCapture_v2", t);
        }
        check(status, "cuStreamBeginCapture_v2");
    }

    /** {@code cuStreamEndCapture}: the captured {@code CUgraph}. */
    public static MemorySegment streamEndCapture(MemorySegment stream) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_POINTER);
            int status = (int) CU_STREAM_END_CAPTURE.invokeExact(stream, out);
            check(status, "cuStreamEndCapture");
            return out.get(C_POINTER, 0);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuStreamEndCapture", t);
        }
    }

    /** {@code cuGraphInstantiateWithFlags}: the executable graph. */
    public static MemorySegment graphInstantiate(MemorySegment graph, long flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_POINTER);
            int status = (int) CU_GRAPH_INSTANTIATE.invokeExact(out, graph, flags);
            check(status, "cuGraphInstantiateWithFlags");
            return out.get(C_POINTER, 0);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuGraphInstantiateWithFlags", t);
        }
    }

    /** {@code cuGraphLaunch}. */
    public static void graphLaunch(MemorySegment graphExec, MemorySegment stream) {
        int status;
        try {
            status = (int) CU_GRAPH_LAUNCH.invokeExact(graphExec, stream);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuGraphLaunch", t);
        }
        check(status, "cuGraphLaunch");
    }

    /** {@code cuGraphExecDestroy}. */
    public static void graphExecDestroy(MemorySegment graphExec) {
        int status;
        try {
            status = (int) CU_GRAPH_EXEC_DESTROY.invokeExact(graphExec);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuGraphExecDestroy", t);
        }
        check(status, "cuGraphExecDestroy");
    }

    /** {@code cuGraphDestroy}. */
    public static void graphDestroy(MemorySegment graph) {
        int status;
        try {
            status = (int) CU_GRAPH_DESTROY.invokeExact(graph);
        } catch (Throwable t) {
            throw CudaException.rethrow("cuGraphDestroy", t);
        }
        check(status, "cuGraphDestroy");
    }
}
