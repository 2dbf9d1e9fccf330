/**
 * Checked eigendecomposition of real square matrices on the CPU (EJML) or the GPU (cuSOLVER), single
 * or batched: {@link dev.mnemo.nn.linalg.Eigen}.
 */
package dev.mnemo.nn.linalg;
