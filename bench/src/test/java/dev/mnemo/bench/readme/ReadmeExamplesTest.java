package dev.mnemo.bench.readme;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mnemo.bench.readme.ReadmeBlocks.Block;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every java block of the README compiles, and every block that needs no GPU runs. */
class ReadmeExamplesTest {
    @TempDir
    Path work;

    @Test
    void everyJavaBlockCompilesAndTheOnesWithoutCudaRun() throws IOException {
        assumeTrue(ReadmeBlocks.noCompilerReason().isEmpty(), () -> ReadmeBlocks.noCompilerReason().orElse(""));
        List<Block> blocks = ReadmeBlocks.parse(ReadmeBlocks.readme());
        assertFalse(blocks.isEmpty(), "the README has no java block");
        ClassLoader loader = ReadmeBlocks.compile(blocks, work);
        assertAll("the README's java blocks", blocks.stream().filter(b -> b.scaffold().onCpu())
                .map(b -> () -> ReadmeBlocks.run(loader, b, work)));
    }
}
