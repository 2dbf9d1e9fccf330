package dev.mnemo.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mnemo.nn.Device;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.cuda.CudaBackend;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A study on CUDA: its one worker takes over a device the caller opened, and the caller takes it back
 * to read the results (each step would throw "belongs to thread" otherwise, as {@code mnemo reproduce
 * --device cuda} did on a machine of several cores before).
 */
@Tag("gpu")
class StudyPoolGpuTest {

    @Test
    void theWorkerAndThenTheCallerOwnTheDevice() throws Exception {
        var reason = CudaBackend.unavailableReason();
        Assumptions.assumeTrue(reason.isEmpty(), () -> reason.orElse(""));
        CudaBackend gpu = CudaBackend.float32();
        Tensor start = gpu.copyOf(Tensor.of(new float[] {1, 2, 3}, 3));   // the caller opened the device
        int workers = StudyPool.threads(null, "cuda");
        assertEquals(1, workers);
        try (StudyPool pool = new StudyPool(workers, "cuda")) {
            List<Future<Tensor>> runs = List.of(1.0, 2.0).stream().map(f -> pool.submit(() -> {
                Tensor t = gpu.copyOf(start);
                gpu.scale(t, f);
                return t;
            })).toList();
            Map<String, List<Tensor>> results = pool.awaitAll(Map.of("runs", runs));
            assertArrayEquals(new float[] {1, 2, 3}, results.get("runs").get(0).to(Device.CPU).toFloatArray());
            assertArrayEquals(new float[] {2, 4, 6}, results.get("runs").get(1).to(Device.CPU).toFloatArray());
        }
        assertArrayEquals(new float[] {1, 2, 3}, start.to(Device.CPU).toFloatArray());
    }
}
