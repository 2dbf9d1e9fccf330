package dev.mnemo.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Status-name tables (values from cublas_api.h and cusolver_common.h) and exception contents. */
class StatusNamesTest {

    @Test
    void cublasNamesFollowTheHeader() {
        assertEquals("CUBLAS_STATUS_SUCCESS", CublasStatus.nameOf(0));
        assertEquals("CUBLAS_STATUS_ALLOC_FAILED", CublasStatus.nameOf(3));
        assertEquals("CUBLAS_STATUS_INVALID_VALUE", CublasStatus.nameOf(7));
        assertEquals("CUBLAS_STATUS_EXECUTION_FAILED", CublasStatus.nameOf(13));
        assertEquals("CUBLAS_STATUS_NOT_SUPPORTED", CublasStatus.nameOf(15));
        assertEquals("CUBLAS_STATUS_UNKNOWN(2)", CublasStatus.nameOf(2));
    }

    @Test
    void cusolverNamesFollowTheHeader() {
        assertEquals("CUSOLVER_STATUS_INVALID_VALUE", CusolverStatus.nameOf(3));
        assertEquals("CUSOLVER_STATUS_EXECUTION_FAILED", CusolverStatus.nameOf(6));
        assertEquals("CUSOLVER_STATUS_INTERNAL_ERROR", CusolverStatus.nameOf(7));
        assertEquals("CUSOLVER_STATUS_INVALID_WORKSPACE", CusolverStatus.nameOf(31));
        assertEquals("CUSOLVER_STATUS_UNKNOWN(17)", CusolverStatus.nameOf(17));
    }

    @Test
    void exceptionsCarryLibraryCallCodeAndName() {
        CudaException blas = CudaException.cublas("cublasSgemm_v2", 7);
        assertEquals(CudaException.Library.CUBLAS, blas.library());
        assertEquals("cublasSgemm_v2", blas.call());
        assertEquals(7, blas.code());
        assertEquals("CUBLAS_STATUS_INVALID_VALUE", blas.codeName());
        assertEquals("cublasSgemm_v2 failed: CUBLAS_STATUS_INVALID_VALUE (7)", blas.getMessage());
        assertEquals(OptionalInt.empty(), blas.info());

        CudaException driver = CudaException.driver("cuMemAlloc_v2", 2, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory");
        assertEquals("cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (2): out of memory", driver.getMessage());
        assertEquals(CudaException.Library.DRIVER, driver.library());
    }

    @Test
    void cusolverInfoIsCarried() {
        CudaException diverged = CudaException.cusolverInfo("cusolverDnXgeev", 3);
        assertEquals(OptionalInt.of(3), diverged.info());
        assertEquals(CudaException.Library.CUSOLVER, diverged.library());
        assertTrue(diverged.getMessage().startsWith("cusolverDnXgeev reported info = 3: the algorithm did not converge"),
                diverged.getMessage());
        assertTrue(CudaException.cusolverInfo("cusolverDnXsyevd", -5).getMessage().contains("parameter 5"));
    }

    @Test
    void rethrowPassesUncheckedExceptionsThroughAndWrapsOthers() {
        IllegalStateException ise = new IllegalStateException("x");
        assertEquals(ise, CudaException.rethrow("c", ise));
        RuntimeException wrapped = CudaException.rethrow("cuInit", new Exception("checked"));
        assertTrue(wrapped instanceof CudaException);
        assertTrue(wrapped.getMessage().startsWith("cuInit threw"), wrapped.getMessage());
    }
}
