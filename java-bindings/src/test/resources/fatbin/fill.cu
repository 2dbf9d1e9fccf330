extern "C" __global__ void mnemo_test_fill_f32(float* x, long long n, float v) {
  long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x;
  if (i < n) x[i] = v;
}
