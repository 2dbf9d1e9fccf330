package dev.mnemo.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The cooperative-launch, occupancy and function-attribute bindings, as far as a machine without a GPU can tell. */
class CooperativeBindingsTest {

    @Test
    void functionAttributeValuesMatchCudaH() throws IOException {
        Path header = Path.of(System.getenv().getOrDefault("CUDA_HOME", "/usr/local/cuda"), "include", "cuda.h");
        Assumptions.assumeTrue(Files.isRegularFile(header), "no cuda.h at " + header);
        String text = Files.readString(header);
        for (FunctionAttribute a : FunctionAttribute.values()) {
            Matcher m = Pattern.compile("CU_FUNC_ATTRIBUTE_" + a.name() + "\\s*=\\s*(\\d+)").matcher(text);
            assertTrue(m.find(), "CU_FUNC_ATTRIBUTE_" + a.name() + " not in cuda.h");
            assertEquals(Integer.parseInt(m.group(1)), a.nativeValue(), a.name());
        }
        for (String name : new String[]{"cuLaunchCooperativeKernel", "cuOccupancyMaxActiveBlocksPerMultiprocessor",
                "cuFuncGetAttribute", "cuFuncSetAttribute"}) {
            assertTrue(text.contains("CUresult CUDAAPI " + name + "("), name + " not declared in cuda.h");
        }
    }

    @Test
    void withoutADriverTheCallsThrowNamingTheFunction() {
        Assumptions.assumeFalse(CudaDriver.isLoaded(), "libcuda.so.1 is present: the GPU tests cover these calls");
        var e = assertThrows(CudaException.class, () -> CudaDriver.launchCooperativeKernel(MemorySegment.NULL, 1, 1, 1,
                256, 1, 1, 0, MemorySegment.NULL, MemorySegment.NULL));
        assertTrue(e.getMessage().contains("cuLaunchCooperativeKernel"), e.getMessage());
        e = assertThrows(CudaException.class,
                () -> CudaDriver.occupancyMaxActiveBlocksPerMultiprocessor(MemorySegment.NULL, 256, 0));
        assertTrue(e.getMessage().contains("cuOccupancyMaxActiveBlocksPerMultiprocessor"), e.getMessage());
        e = assertThrows(CudaException.class,
                () -> CudaDriver.funcGetAttribute(FunctionAttribute.NUM_REGS, MemorySegment.NULL));
        assertTrue(e.getMessage().contains("cuFuncGetAttribute"), e.getMessage());
        e = assertThrows(CudaException.class, () -> CudaDriver.funcSetAttribute(MemorySegment.NULL,
                FunctionAttribute.MAX_DYNAMIC_SHARED_SIZE_BYTES, 100_000));
        assertTrue(e.getMessage().contains("cuFuncSetAttribute"), e.getMessage());
    }
}
