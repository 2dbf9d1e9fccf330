/**
 * Mnemo with JCuda: JCuda's device memory ({@code CUdeviceptr}) as Mnemo {@code DeviceBuffer}s and
 * CUDA tensors without a copy, JCuda streams as Mnemo streams, and Mnemo's layer work ordered
 * with a JCuda stream through events ({@link dev.mnemo.jcuda.JCudaInterop}).
 *
 * <p>JCuda ships no module descriptor: it is the automatic module {@code jcuda} (named after its
 * jar), and its native library comes from the {@code jcuda-natives} jar on the class path. Run on
 * the class path (as the tests and benchmarks do) or put both jars on the module path.
 */
module dev.mnemo.jcuda {
    exports dev.mnemo.jcuda;
    requires transitive dev.mnemo.cuda;
    requires transitive dev.mnemo.nn;
    requires transitive jcuda;
}
