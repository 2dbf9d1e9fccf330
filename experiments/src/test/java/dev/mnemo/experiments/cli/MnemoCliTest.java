package dev.mnemo.experiments.cli;

import static dev.mnemo.experiments.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.cuda.CudaProbe;
import org.junit.jupiter.api.Test;

/** Runs the CLI in-process and checks what a user sees. */
class MnemoCliTest {

    @Test
    void infoNamesTheBackendTheProbeChose() {
        CliRun run = run("info");
        assertEquals(0, run.exitCode(), run.err());
        CudaProbe probe = CudaProbe.probe();
        // the backend's reason, not the driver's alone: a driver without cuBLAS or kernels printed cuda, then failed
        var reason = dev.mnemo.nn.cuda.CudaBackend.unavailableReason();
        if (reason.isEmpty()) {
            assertTrue(run.out().contains("backend: cuda (device 0 of " + probe.devices().size()), run.out());
            assertTrue(run.out().contains("cuda input-side backward: one read of the gate gradients for at most 4 "
                    + "inputs (mnemo.cuda.narrowInput)"), run.out());
            assertTrue(run.out().contains("cuda MemNet sequence: one launch each way where the cell fits a block's "
                    + "shared memory (at most 256 slots) (mnemo.cuda.memnetLoop)"), run.out());
        } else {
            assertTrue(run.out().contains("backend: cpu — " + reason.get()), run.out());
        }
        assertTrue(run.out().contains(probe.describe().strip()), run.out());
        assertTrue(run.out().contains("cpu gemm: " + dev.mnemo.nn.CpuBackend.gemmImplementation()), run.out());
    }

    @Test
    void unknownCommandFailsWithOneLineAndNoStackTrace() {
        CliRun run = run("frobnicate");
        assertNotEquals(0, run.exitCode());
        assertTrue(run.err().contains("frobnicate"), run.err());
        assertFalse(run.err().contains("\tat "), "no stack trace expected:\n" + run.err());
    }

    @Test
    void helpListsEveryCommand() {
        CliRun run = run("--help");
        assertEquals(0, run.exitCode());
        assertTrue(run.out().contains("info"), run.out());
    }
}
