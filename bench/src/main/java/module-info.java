/**
 * Mnemo benchmarks: JMH benchmarks of the CPU backend and of kernel-launch overhead (Mnemo FFM vs
 * JCuda vs CUDA Graphs, {@link dev.mnemo.bench.LaunchOverheadBenchmark}), and the GPU benchmark runner
 * ({@link dev.mnemo.bench.gpu.GpuBenchmarkRunner}) that times the CUDA layers beside PyTorch/cuDNN.
 * The JMH annotation processor generates its harness into {@code dev.mnemo.bench.jmh_generated},
 * inside this module, and the module compiles under JPMS; the benchmarks are <em>run</em> from the
 * class path, where JMH's forked VMs find the generated classes by name (see
 * {@link dev.mnemo.bench.RecurrentBenchmark} for the command). Nothing is exported: no code depends
 * on the benchmarks.
 */
module dev.mnemo.bench {
    requires dev.mnemo.nn;
    requires dev.mnemo.cuda;
    requires dev.mnemo.jcuda;
    requires jmh.core;
    requires ejml.core;
    requires ejml.ddense;
}
