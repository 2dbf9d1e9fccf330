// mnemo_kernels.cu — the unity translation unit: every kernel family, one fatbin, one CUmodule.
//
// Why one translation unit:
//   - The JVM side loads one fatbin with cuModuleLoadData and finds every entry point in that
//     one CUmodule with cuModuleGetFunction: one resource in the jar, one load, one handle.
//   - `nvcc -fatbin` turns one translation unit into one fatbin. Several .cu files would need
//     relocatable device code (-rdc) and a device-link step, which costs cross-file inlining
//     and makes calls into shared device code real calls; as one unit, ptxas sees everything.
//   - The native harness compiles this same file, so it times exactly what the jar ships.
// Each family file still includes what it needs and compiles on its own; names at file scope
// live in a per-family namespace (mnemo::<family>) so the families cannot collide here.
//
// Adding a family: write <family>.cu next to this file (declarations in
// native/include/mnemo_kernels.h) and add one #include line below. CMake rebuilds the fatbin
// whenever any .cu/.cuh here or the header changes.

#include "tensor_elementwise.cu"
#include "clip_global_norm.cu"
#include "tensor_sum_rows.cu"
#include "rnn_pointwise_fwd.cu"
#include "rnn_pointwise_bwd.cu"
#include "lstm_pointwise_fwd.cu"
#include "lstm_pointwise_bwd.cu"
#include "gru_pointwise_fwd.cu"
#include "gru_pointwise_bwd.cu"
#include "loss_softmax_xent_fwd.cu"
#include "loss_softmax_xent_bwd.cu"
#include "loss_mse_fwd.cu"
#include "loss_mse_bwd.cu"
#include "optim_sgd.cu"
#include "optim_adam.cu"
#include "optim_rmsprop.cu"
#include "memnet_read_fwd.cu"
#include "memnet_read_bwd.cu"
#include "memnet_ring_write.cu"
#include "memnet_sequence.cu"
#include "memnet_stream.cu"
#include "persistent_fwd.cu"
#include "persistent_bwd.cu"
#include "eigen_batched.cu"
#include "dropout.cu"
#include "scatter_add_rows.cu"
#include "gather_rows.cu"
#include "persistent_cluster_fwd.cu"
#include "persistent_cluster_bwd.cu"
#include "persistent_wide_fwd.cu"
#include "persistent_wide_bwd.cu"
#include "input_narrow_bwd.cu"
