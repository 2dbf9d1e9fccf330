package dev.mnemo.bench.readme;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mnemo.bench.readme.ReadmeBlocks.Block;
import dev.mnemo.nn.cuda.CudaBackend;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's java blocks that use CUDA run on it. */
@Tag("gpu")
class ReadmeExamplesGpuTest {
    @TempDir
    Path work;

    @Test
    void theJavaBlocksThatUseCudaRunOnIt() throws IOException {
        var reason = CudaBackend.unavailableReason();
        assumeTrue(reason.isEmpty(), () -> "no GPU: " + reason.orElse(""));
        assumeTrue(ReadmeBlocks.noCompilerReason().isEmpty(), () -> ReadmeBlocks.noCompilerReason().orElse(""));
        List<Block> blocks = ReadmeBlocks.parse(ReadmeBlocks.readme()).stream().filter(b -> b.scaffold().onGpu()).toList();
        assertFalse(blocks.isEmpty(), "the README has no java block that uses CUDA");
        ClassLoader loader = ReadmeBlocks.compile(blocks, work);
        assertAll("the README's java blocks on CUDA", blocks.stream().map(b -> () -> ReadmeBlocks.run(loader, b, work)));
    }
}
