package dev.mnemo.bench;

import java.nio.charset.StandardCharsets;

/**
 * The kernel the launch-overhead benchmark launches: it does nothing, and takes the arguments of
 * {@code mnemo_tensor_fill_f32} ({@code float*, long long, float}), the kernel the C harness's
 * {@code launch} command times, so both marshal the same three arguments. Written as PTX, which the
 * driver JIT-compiles for any GPU at module load: the benchmark needs no nvcc and no fatbin.
 */
final class NoopKernel {
    static final String NAME = "mnemo_bench_noop";

    static final String PTX = """
            .version 7.0
            .target sm_50
            .address_size 64

            .visible .entry mnemo_bench_noop(
                .param .u64 mnemo_bench_noop_dst,
                .param .u64 mnemo_bench_noop_n,
                .param .f32 mnemo_bench_noop_value
            )
            {
                ret;
            }
            """;

    /** Threads per block, as the harness launches its fill (one block). */
    static final int BLOCK = 256;

    private NoopKernel() {
    }

    /** The PTX text as bytes (the loaders append the NUL it needs). */
    static byte[] ptx() {
        return PTX.getBytes(StandardCharsets.US_ASCII);
    }
}
