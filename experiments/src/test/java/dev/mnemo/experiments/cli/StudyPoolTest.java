package dev.mnemo.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** How many workers a study gets, by device (no GPU needed). */
class StudyPoolTest {

    @Test
    void theCpuGetsOneWorkerPerCoreUnlessTold() {
        assertEquals(Runtime.getRuntime().availableProcessors(), StudyPool.threads(null, "cpu"));
        assertEquals(3, StudyPool.threads(3, "cpu"));
        assertEquals(0, StudyPool.threads(0, "cpu"), "passed on for the caller's message");
    }

    @Test
    void cudaGetsOneWorkerAndRefusesMore() {
        assertEquals(1, StudyPool.threads(null, "cuda"));
        assertEquals(1, StudyPool.threads(null, "CUDA:1"));
        assertEquals(1, StudyPool.threads(1, "cuda:0"));
        var e = assertThrows(IllegalArgumentException.class, () -> StudyPool.threads(4, "cuda"));
        assertEquals("--threads 4 with --device cuda: the runs share one CUDA device, whose context one thread uses "
                + "at a time; use --threads 1 (the default on CUDA)", e.getMessage());
    }

    @Test
    void devicesByName() {
        assertTrue(StudyPool.onCuda("cuda"));
        assertTrue(StudyPool.onCuda(" cuda:2 "));
        assertFalse(StudyPool.onCuda("cpu"));
        assertFalse(StudyPool.onCuda("tpu"), "unknown names are RunSettings' to refuse");
    }
}
