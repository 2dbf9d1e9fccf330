package dev.mnemo.nn.analysis;

import dev.mnemo.nn.Device;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.layers.RecurrentLayer;
import dev.mnemo.nn.linalg.Eigen;
import dev.mnemo.nn.linalg.EigenOptions;
import dev.mnemo.nn.linalg.EigenResult;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Spectra of every gate block of a recurrent layer: each H×H block of every {@code weight_hh_l{k}}
 * (LSTM i, f, g, o; GRU r, z, n; RNN the one block {@code h}), decomposed in one
 * {@link Eigen#ofBatch} call.
 */
public final class SpectrumAnalysis {

    private SpectrumAnalysis() {
    }

    /** One summary per gate block, in {@link GateBlocks#recurrent} order; layers labelled {@code l0}… */
    public static List<SpectrumSummary> of(RecurrentLayer layer) {
        return of("", layer, EigenOptions.defaults());
    }

    /**
     * One summary per gate block, in {@link GateBlocks#recurrent} order.
     *
     * @param name a prefix for the layer labels ({@code encoder} gives {@code encoder.l0}); "" for none
     */
    public static List<SpectrumSummary> of(String name, RecurrentLayer layer, EigenOptions options) {
        List<GateBlock> blocks = GateBlocks.recurrent(layer);
        // host copies, made on this thread: a CUDA layer's tensors belong to the thread using its context
        List<Tensor> views = new ArrayList<>(blocks.size());
        for (GateBlock b : blocks) {
            views.add(b.view().device() == Device.CPU ? b.view() : b.view().to(Device.CPU));
        }
        List<EigenResult> eig = Eigen.ofBatch(views, options);
        String prefix = name == null || name.isEmpty() ? "" : name + ".";
        return IntStream.range(0, blocks.size()).parallel()
                .mapToObj(i -> SpectrumSummary.of(prefix + blocks.get(i).layer(), blocks.get(i).gate(), eig.get(i),
                        views.get(i)))
                .toList();
    }
}
