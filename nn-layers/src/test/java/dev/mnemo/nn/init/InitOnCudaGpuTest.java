package dev.mnemo.nn.init;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Device;
import dev.mnemo.nn.analysis.SpectrumAnalysis;
import dev.mnemo.nn.analysis.SpectrumSummary;
import dev.mnemo.nn.cuda.CudaBackend;
import dev.mnemo.nn.layers.Lstm;
import dev.mnemo.nn.layers.RecurrentOptions;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Initializers and spectrum analysis on a layer whose parameters live on the GPU: the same values
 * as on the CPU (init is drawn on the host in float64 and uploaded; analysis downloads). Skipped,
 * with the reason, where the CUDA backend cannot start.
 */
@Tag("gpu")
class InitOnCudaGpuTest {

    @BeforeEach
    void assumeCuda() {
        Assumptions.assumeTrue(CudaBackend.isAvailable(), () -> CudaBackend.unavailableReason().orElse(""));
    }

    @Test
    void aCudaLayerGetsTheSameParametersAndSpectraAsACpuLayer() {
        RecurrentOptions o = RecurrentOptions.builder(3, 24).numLayers(2).build();
        var cpu = new Lstm(o);
        var gpu = new Lstm(o, Backend.of(Device.CUDA));
        for (String name : List.of("eigen", "orthogonal", "sp-rnn", "xavier")) {
            RecurrentInit init = Initializers.byName(name, Map.of("seed", 4, "forget-bias", 1));
            init.apply(cpu);
            init.apply(gpu);
            assertArrayEquals(cpu.flatParameters().toFloatArray(), gpu.flatParameters().to(Device.CPU).toFloatArray(),
                    name);
            List<SpectrumSummary> a = SpectrumAnalysis.of(cpu);
            List<SpectrumSummary> b = SpectrumAnalysis.of(gpu);
            assertEquals(a.size(), b.size());
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(a.get(i).re(), b.get(i).re(), 0, name);
                assertArrayEquals(a.get(i).singularValues(), b.get(i).singularValues(), 0, name);
            }
        }
    }
}
