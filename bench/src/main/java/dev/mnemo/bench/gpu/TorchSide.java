package dev.mnemo.bench.gpu;

import dev.mnemo.cuda.CudaProbe;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * The PyTorch side of an extra table (memnet, eigen): the lines above the table that name the card, the
 * driver and where the torch numbers come from (or why there are none), and the torch rows that may
 * stand beside ours. The main report has this in {@link Report}; these tables printed none, so a
 * missing PyTorch side showed only as empty columns and another card's file was joined silently.
 */
final class TorchSide {
    private TorchSide() {
    }

    /**
     * Prints the header and returns the comparable rows of a torch script's JSON {@code doc}
     * ({"available", "reason", "info", "results"}, null when no file was given): none when PyTorch did not
     * run or ran on another card than Mnemo's.
     */
    static Map<?, ?> header(PrintStream out, Object doc, Path file, String policy) {
        String card = GpuBenchmarkRunner.cardName();
        out.println("- card: " + (card == null ? "none" : card));
        out.println("- driver: " + GpuBenchmarkRunner.driver(CudaProbe.probe()));
        out.println("- policy: " + policy);
        String missing;
        Map<?, ?> rows = Map.of();
        if (!(doc instanceof Map<?, ?> d)) {
            missing = file == null ? "no --torch file given" : "no results in " + file;
        } else {
            Map<?, ?> info = d.get("info") instanceof Map<?, ?> i ? i : Map.of();
            Object device = info.get("device");
            if (!Boolean.TRUE.equals(d.get("available"))) {
                missing = d.get("reason") instanceof String r && !r.isEmpty() ? r : "the file says PyTorch did not run";
            } else if (card != null && device != null && !card.equals(device)) {
                missing = "PyTorch ran on " + device + ", Mnemo on " + card + ": not compared (a file from another "
                        + "machine?)";
            } else {
                missing = "";
                rows = d.get("results") instanceof Map<?, ?> r ? r : Map.of();
                out.println("- torch: " + info.get("version") + " on " + device);
            }
        }
        if (!missing.isEmpty()) {
            out.println("- **PyTorch side missing**: " + missing);
        }
        out.println();
        return rows;
    }
}
