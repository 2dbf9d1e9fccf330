/**
 * Mnemo's CUDA bindings: the CUDA driver API, cuBLAS and cuSOLVER over the Foreign Function &amp;
 * Memory API, resource classes with visible lifetimes, and typed launchers for Mnemo's kernels.
 *
 * <p>The vendor libraries are opened at run time (see {@link dev.mnemo.cuda.NativeLibraries}), so
 * this module loads on a machine without CUDA; {@link dev.mnemo.cuda.CudaProbe} says what is there.
 * Native access must be enabled for this module ({@code --enable-native-access=dev.mnemo.cuda}, or
 * {@code ALL-UNNAMED} on the class path).
 */
module dev.mnemo.cuda {
    exports dev.mnemo.cuda;
    exports dev.mnemo.cuda.kernels;
}
