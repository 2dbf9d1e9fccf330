// selftest.cpp — the emulated driver enforces what it claims (scripts/emu-cuda.sh runs this after
// the build): each rule a real driver has, broken once on purpose, must give the real error, and
// the legal version of the same call must work. Kernels: mnemo_tensor_fill_f32(x, n, value) for
// ordinary launches, mnemo_persistent_lstm_fwd_f32 for the cooperative rules.
#include <cuda.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

extern "C" long long mnemo_emu_call_census(char* out, long long capacity);
extern "C" void mnemo_emu_reset_call_census();
extern "C" void mnemo_emu_set_host_only(int on);
extern "C" void mnemo_emu_set_gpc_sms(int sms);
// CUDA 13's cuda.h maps cuCtxCreate to _v4; JCuda and the emulation use the _v2 entry point.
extern "C" CUresult cuCtxCreate_v2(CUcontext* ctx, unsigned int flags, CUdevice device);

namespace {
int g_failed = 0;

void expect(CUresult got, CUresult want, const char* what) {
  if (got != want) {
    std::printf("FAIL %s: got %d, want %d\n", what, static_cast<int>(got), static_cast<int>(want));
    ++g_failed;
  }
}

// A fatbin as the driver sees it: only the magic word is checked.
const uint32_t kImage[4] = {0xBA55ED50u, 0, 0, 0};
}  // namespace

int main() {
  CUdeviceptr d = 0;
  expect(cuMemAlloc(&d, 64), CUDA_ERROR_NOT_INITIALIZED, "allocation before cuInit");
  expect(cuInit(0), CUDA_SUCCESS, "cuInit");
  expect(cuMemAlloc(&d, 64), CUDA_ERROR_INVALID_CONTEXT, "allocation with no current context");
  CUcontext ctx;
  expect(cuDevicePrimaryCtxRetain(&ctx, 0), CUDA_SUCCESS, "retain the primary context");
  expect(cuCtxSetCurrent(ctx), CUDA_SUCCESS, "make it current");

  // Memory: copies stay inside allocations; fresh memory reads as NaN.
  expect(cuMemAlloc(&d, 128), CUDA_SUCCESS, "cuMemAlloc");
  float host[32] = {};
  expect(cuMemcpyDtoH(host, d, 128), CUDA_SUCCESS, "read 128 bytes");
  if (host[0] == host[0]) { std::printf("FAIL fresh memory is not NaN\n"); ++g_failed; }
  expect(cuMemcpyHtoD(d + 96, host, 64), CUDA_ERROR_INVALID_VALUE, "a copy past the allocation's end");
  expect(cuMemFree(d + 4), CUDA_ERROR_INVALID_VALUE, "free of an address that was not allocated");
  size_t total = 0;  // past the device's memory (128 bytes of it are held): refused, not asked of the host
  expect(cuDeviceTotalMem(&total, 0), CUDA_SUCCESS, "cuDeviceTotalMem");
  CUdeviceptr huge = 0;
  expect(cuMemAlloc(&huge, total - 64), CUDA_ERROR_OUT_OF_MEMORY, "an allocation past what the device has left");

  CUmodule module;
  expect(cuModuleLoadData(&module, "not a fatbin"), CUDA_ERROR_INVALID_IMAGE, "load of a non-fatbin");
  expect(cuModuleLoadData(&module, kImage), CUDA_SUCCESS, "load a fatbin");
  CUfunction fill, lstm;
  expect(cuModuleGetFunction(&fill, module, "mnemo_no_such_kernel"), CUDA_ERROR_NOT_FOUND, "an unknown kernel");
  expect(cuModuleGetFunction(&fill, module, "mnemo_tensor_fill_f32"), CUDA_SUCCESS, "find fill");
  expect(cuModuleGetFunction(&lstm, module, "mnemo_persistent_lstm_fwd_f32"), CUDA_SUCCESS, "find a persistent kernel");

  // An ordinary launch runs the real kernel on the arguments it is given.
  long long n = 16;
  float value = 2.5f;
  void* args[] = {&d, &n, &value};
  expect(cuLaunchKernel(fill, 1, 1, 1, 32, 1, 1, 0, nullptr, args, nullptr), CUDA_SUCCESS, "launch fill");
  expect(cuMemcpyDtoH(host, d, 128), CUDA_SUCCESS, "read back");
  if (host[15] != 2.5f || host[16] == host[16]) {
    std::printf("FAIL fill wrote the wrong elements: x[15] = %g, x[16] = %g\n", host[15], host[16]);
    ++g_failed;
  }
  expect(cuLaunchKernel(fill, 1, 1, 1, 2048, 1, 1, 0, nullptr, args, nullptr), CUDA_ERROR_INVALID_VALUE,
         "a block of 2048 threads");
  expect(cuLaunchKernel(fill, 1, 1, 1, 32, 1, 1, 64 * 1024, nullptr, args, nullptr), CUDA_ERROR_INVALID_VALUE,
         "64 KiB of dynamic shared memory without cuFuncSetAttribute");
  expect(cuFuncSetAttribute(fill, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, 64 * 1024), CUDA_SUCCESS,
         "raise the dynamic shared memory limit");

  // Clusters live in one GPC: with 2 SMs a GPC and 3 blocks of 64 KiB an SM, 8 blocks find no room.
  // Before compute capability 9.0 (MNEMO_EMU_ARCH) there are no clusters at all.
  int clusterLaunch = 0;
  expect(cuDeviceGetAttribute(&clusterLaunch, CU_DEVICE_ATTRIBUTE_CLUSTER_LAUNCH, 0), CUDA_SUCCESS, "cluster launch");
  {
    CUlaunchAttribute attr{};
    attr.id = CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION;
    attr.value.clusterDim.x = 8;
    attr.value.clusterDim.y = 1;
    attr.value.clusterDim.z = 1;
    CUlaunchConfig config{};
    config.gridDimX = 8;
    config.gridDimY = config.gridDimZ = 1;
    config.blockDimX = 32;
    config.blockDimY = config.blockDimZ = 1;
    config.sharedMemBytes = 64 * 1024;
    config.attrs = &attr;
    config.numAttrs = 1;
    int clusters = -1;
    if (clusterLaunch == 0) {
      expect(cuOccupancyMaxActiveClusters(&clusters, fill, &config), CUDA_ERROR_NOT_SUPPORTED,
             "cluster occupancy before compute capability 9.0");
      expect(cuLaunchKernelEx(&config, fill, args, nullptr), CUDA_ERROR_NOT_SUPPORTED,
             "a cluster launch before compute capability 9.0");
    } else {
      expect(cuOccupancyMaxActiveClusters(&clusters, fill, &config), CUDA_SUCCESS, "cluster occupancy");
      if (clusters < 1) { std::printf("FAIL 8-block clusters without GPCs: %d fit\n", clusters); ++g_failed; }
      mnemo_emu_set_gpc_sms(2);
      expect(cuOccupancyMaxActiveClusters(&clusters, fill, &config), CUDA_SUCCESS, "cluster occupancy, small GPCs");
      if (clusters != 0) { std::printf("FAIL 8-block clusters in 2-SM GPCs: %d fit\n", clusters); ++g_failed; }
      expect(cuLaunchKernelEx(&config, fill, args, nullptr), CUDA_ERROR_INVALID_CLUSTER_SIZE,
             "a cluster of more blocks than a GPC holds");
      attr.value.clusterDim.x = 4;
      config.gridDimX = 4;
      int gpcSmCount = 0;
      expect(cuDeviceGetAttribute(&gpcSmCount, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, 0), CUDA_SUCCESS, "SM count");
      expect(cuOccupancyMaxActiveClusters(&clusters, fill, &config), CUDA_SUCCESS, "4-block cluster occupancy");
      if (clusters != gpcSmCount / 2) {
        std::printf("FAIL 4-block clusters in 2-SM GPCs: %d fit, want one a GPC (%d)\n", clusters, gpcSmCount / 2);
        ++g_failed;
      }
      expect(cuLaunchKernelEx(&config, fill, args, nullptr), CUDA_SUCCESS, "a cluster that fits a GPC");
      mnemo_emu_set_gpc_sms(0);
    }
  }

  // Cooperative launches: no more blocks than are co-resident.
  int perSm = 0, sms = 0, regs = 0, maxThreads = 0;
  expect(cuDeviceGetAttribute(&sms, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, 0), CUDA_SUCCESS, "SM count");
  expect(cuOccupancyMaxActiveBlocksPerMultiprocessor(&perSm, lstm, 256, 0), CUDA_SUCCESS, "occupancy");
  expect(cuFuncGetAttribute(&regs, CU_FUNC_ATTRIBUTE_NUM_REGS, lstm), CUDA_SUCCESS, "registers");
  expect(cuFuncGetAttribute(&maxThreads, CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, lstm), CUDA_SUCCESS, "max threads");
  if (perSm < 1 || regs < 1 || maxThreads < 32) { std::printf("FAIL occupancy %d, regs %d, threads %d\n", perSm, regs, maxThreads); ++g_failed; }
  std::vector<char> params(512, 0);
  void* coop[] = {params.data()};
  const unsigned tooMany = static_cast<unsigned>(perSm * sms + 1);
  expect(cuLaunchCooperativeKernel(lstm, tooMany, 1, 1, 256, 1, 1, 0, nullptr, coop), CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE,
         "a cooperative grid larger than what is co-resident");
  if (maxThreads < 1024) {
    expect(cuLaunchKernel(lstm, 1, 1, 1, 1024, 1, 1, 0, nullptr, coop, nullptr), CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES,
           "a block whose registers do not fit an SM");
  }
  // A legal cooperative grid of more than 64 blocks (the emulator's limit once) runs every block.
  int fillPerSm = 0;
  expect(cuOccupancyMaxActiveBlocksPerMultiprocessor(&fillPerSm, fill, 256, 0), CUDA_SUCCESS, "fill occupancy");
  const unsigned wide = static_cast<unsigned>(std::min(fillPerSm * sms, 100));
  if (wide > 64) {
    CUdeviceptr big;
    long long bigN = 256LL * wide;
    float seven = 7.0f;
    void* bigArgs[] = {&big, &bigN, &seven};
    std::vector<float> back(static_cast<size_t>(bigN));
    expect(cuMemAlloc(&big, static_cast<size_t>(bigN) * sizeof(float)), CUDA_SUCCESS, "allocate for the wide grid");
    expect(cuLaunchCooperativeKernel(fill, wide, 1, 1, 256, 1, 1, 0, nullptr, bigArgs), CUDA_SUCCESS,
           "a cooperative grid of more than 64 blocks");
    expect(cuMemcpyDtoH(back.data(), big, static_cast<size_t>(bigN) * sizeof(float)), CUDA_SUCCESS, "read it back");
    for (float v : back) {
      if (v != 7.0f) { std::printf("FAIL the wide cooperative grid left %g in its output\n", v); ++g_failed; break; }
    }
    expect(cuMemFree(big), CUDA_SUCCESS, "free the wide grid's buffer");
  }

  // Capture: stream work is recorded and replayed; synchronous calls and allocation are refused.
  CUstream stream;
  expect(cuStreamCreate(&stream, 0), CUDA_SUCCESS, "cuStreamCreate");
  expect(cuStreamBeginCapture(stream, CU_STREAM_CAPTURE_MODE_THREAD_LOCAL), CUDA_SUCCESS, "begin capture");
  value = 7.0f;
  expect(cuLaunchKernel(fill, 1, 1, 1, 32, 1, 1, 0, stream, args, nullptr), CUDA_SUCCESS, "captured launch");
  value = -1.0f;  // arguments were read at capture
  float probe = 0;
  expect(cuMemcpyDtoH(&probe, d, 4), CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED,
         "a synchronous copy during capture");
  CUgraph graph;
  expect(cuStreamEndCapture(stream, &graph), CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, "end of an invalidated capture");
  expect(cuStreamBeginCapture(stream, CU_STREAM_CAPTURE_MODE_THREAD_LOCAL), CUDA_SUCCESS, "capture again");
  value = 7.0f;
  expect(cuLaunchKernel(fill, 1, 1, 1, 32, 1, 1, 0, stream, args, nullptr), CUDA_SUCCESS, "captured launch");
  value = -1.0f;
  CUdeviceptr scratch;
  expect(cuMemAlloc(&scratch, 4), CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "allocation during capture");
  expect(cuStreamEndCapture(stream, &graph), CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, "allocation invalidated it too");
  expect(cuStreamBeginCapture(stream, CU_STREAM_CAPTURE_MODE_THREAD_LOCAL), CUDA_SUCCESS, "a clean capture");
  value = 7.0f;
  expect(cuLaunchKernel(fill, 1, 1, 1, 32, 1, 1, 0, stream, args, nullptr), CUDA_SUCCESS, "captured launch");
  value = -1.0f;
  expect(cuStreamEndCapture(stream, &graph), CUDA_SUCCESS, "end capture");
  expect(cuMemcpyDtoH(host, d, 4), CUDA_SUCCESS, "read before replay");
  if (host[0] != 2.5f) { std::printf("FAIL a captured launch ran during capture\n"); ++g_failed; }
  CUgraphExec exec;
  expect(cuGraphInstantiateWithFlags(&exec, graph, 0), CUDA_SUCCESS, "instantiate");
  expect(cuGraphLaunch(exec, stream), CUDA_SUCCESS, "replay");
  expect(cuMemcpyDtoH(host, d, 4), CUDA_SUCCESS, "read after replay");
  if (host[0] != 7.0f) { std::printf("FAIL the replay did not use the captured arguments (%g)\n", host[0]); ++g_failed; }

  // The census counts entry points and launches by kernel since the last reset.
  mnemo_emu_reset_call_census();
  expect(cuLaunchKernel(fill, 1, 1, 1, 32, 1, 1, 0, nullptr, args, nullptr), CUDA_SUCCESS, "launch fill");
  expect(cuLaunchKernel(fill, 1, 1, 1, 32, 1, 1, 0, nullptr, args, nullptr), CUDA_SUCCESS, "launch fill again");
  char census[256];
  const long long needed = mnemo_emu_call_census(census, sizeof census);
  const char* want = "cuLaunchKernel 2\nlaunch:mnemo_tensor_fill_f32 2\n";
  if (std::strcmp(census, want) != 0 || needed != static_cast<long long>(std::strlen(want)) + 1) {
    std::printf("FAIL census after two launches: '%s' (%lld bytes)\n", census, needed);
    ++g_failed;
  }

  // Host-only mode accepts work and drops it.
  expect(cuMemcpyDtoH(&probe, d, 4), CUDA_SUCCESS, "read before a host-only launch");
  mnemo_emu_set_host_only(1);
  value = probe + 1.0f;
  expect(cuLaunchKernel(fill, 1, 1, 1, 32, 1, 1, 0, nullptr, args, nullptr), CUDA_SUCCESS, "a host-only launch");
  mnemo_emu_set_host_only(0);
  expect(cuMemcpyDtoH(host, d, 4), CUDA_SUCCESS, "read after a host-only launch");
  if (host[0] != probe) { std::printf("FAIL a host-only launch ran (%g, was %g)\n", host[0], probe); ++g_failed; }

  // A stream takes work only while its own context is current (another device's, on a real node).
  CUcontext other;
  expect(cuCtxCreate_v2(&other, 0, 0), CUDA_SUCCESS, "a second context");
  expect(cuLaunchKernel(fill, 1, 1, 1, 32, 1, 1, 0, stream, args, nullptr), CUDA_ERROR_INVALID_HANDLE,
         "a launch on a stream of a context that is not current");
  expect(cuCtxDestroy(other), CUDA_SUCCESS, "destroy the second context");
  expect(cuCtxSetCurrent(ctx), CUDA_SUCCESS, "the stream's context again");
  expect(cuLaunchKernel(fill, 1, 1, 1, 32, 1, 1, 0, stream, args, nullptr), CUDA_SUCCESS, "a launch in its context");
  int devices = 0;
  expect(cuDeviceGetCount(&devices), CUDA_SUCCESS, "count the devices (MNEMO_EMU_DEVICE_COUNT)");
  CUdevice past;
  expect(cuDeviceGet(&past, devices), CUDA_ERROR_INVALID_DEVICE, "the device past the last");
  expect(cuDevicePrimaryCtxRetain(&other, devices), CUDA_ERROR_INVALID_DEVICE, "its primary context");

  // A peer copy (another device's memory, on a real node) names each side's context, and each
  // pointer must lie in memory of the context named for it.
  CUcontext peer;
  expect(cuCtxCreate_v2(&peer, 0, 0), CUDA_SUCCESS, "a peer context");
  CUdeviceptr far = 0;
  expect(cuMemAlloc(&far, 16), CUDA_SUCCESS, "memory in the peer context");
  expect(cuCtxSetCurrent(ctx), CUDA_SUCCESS, "the stream's context for the copy");
  const float four[4] = {1.0f, 2.0f, 3.0f, 4.0f};
  expect(cuMemcpyHtoD(d, four, 16), CUDA_SUCCESS, "the source values");
  expect(cuMemcpyPeerAsync(far, ctx, d, ctx, 16, stream), CUDA_ERROR_INVALID_VALUE,
         "a peer copy naming the wrong context for its destination");
  expect(cuMemcpyPeerAsync(far, peer, d, ctx, 32, stream), CUDA_ERROR_INVALID_VALUE,
         "a peer copy past the destination's end");
  expect(cuMemcpyPeerAsync(far, peer, d, ctx, 16, stream), CUDA_SUCCESS, "a peer copy");
  expect(cuStreamSynchronize(stream), CUDA_SUCCESS, "wait for it");
  float got[4] = {};
  expect(cuMemcpyDtoH(got, far, 16), CUDA_SUCCESS, "read the peer's memory");
  if (std::memcmp(got, four, 16) != 0) {
    std::printf("FAIL the peer copy wrote %g %g %g %g\n", got[0], got[1], got[2], got[3]);
    ++g_failed;
  }
  expect(cuCtxDestroy(peer), CUDA_SUCCESS, "destroy the peer context");
  expect(cuCtxSetCurrent(ctx), CUDA_SUCCESS, "the first context again");

  // Deferred streams (MNEMO_EMU_STREAMS=deferred): queued work runs when something waits for it.
  const char* mode = std::getenv("MNEMO_EMU_STREAMS");
  if (mode != nullptr && std::strcmp(mode, "deferred") == 0) {
    CUstream second;
    expect(cuStreamCreate(&second, 0), CUDA_SUCCESS, "a second stream");
    float one = 1.0f, two = 2.0f;
    long long four = 4;
    void* fillOne[] = {&d, &four, &one};
    void* fillTwo[] = {&d, &four, &two};
    expect(cuLaunchKernel(fill, 1, 1, 1, 32, 1, 1, 0, stream, fillOne, nullptr), CUDA_SUCCESS, "queue fill 1");
    CUevent reached;
    expect(cuEventCreate(&reached, 0), CUDA_SUCCESS, "an event");
    expect(cuEventRecord(reached, stream), CUDA_SUCCESS, "record after fill 1");
    expect(cuStreamWaitEvent(second, reached, 0), CUDA_SUCCESS, "the second stream waits for it");
    expect(cuLaunchKernel(fill, 1, 1, 1, 32, 1, 1, 0, second, fillTwo, nullptr), CUDA_SUCCESS, "queue fill 2");
    expect(cuStreamSynchronize(second), CUDA_SUCCESS, "run the second stream (and, at the wait, the first)");
    expect(cuMemcpyDtoH(host, d, 4), CUDA_SUCCESS, "read");
    if (host[0] != 2.0f) { std::printf("FAIL the wait did not order fill 1 before fill 2 (%g)\n", host[0]); ++g_failed; }
    expect(cuLaunchKernel(fill, 1, 1, 1, 32, 1, 1, 0, second, fillOne, nullptr), CUDA_SUCCESS, "queue fill 1 again");
    expect(cuMemsetD32(d, 0, 4), CUDA_SUCCESS, "a synchronous memset waits for the blocking streams");
    expect(cuMemcpyDtoH(host, d, 4), CUDA_SUCCESS, "read after the memset");
    if (host[0] != 0.0f) { std::printf("FAIL the queued fill ran after the memset (%g)\n", host[0]); ++g_failed; }
    CUstream loose;
    expect(cuStreamCreate(&loose, CU_STREAM_NON_BLOCKING), CUDA_SUCCESS, "a non-blocking stream");
    expect(cuLaunchKernel(fill, 1, 1, 1, 32, 1, 1, 0, loose, fillTwo, nullptr), CUDA_SUCCESS, "queue on it");
    expect(cuMemcpyDtoH(host, d, 4), CUDA_SUCCESS, "a synchronous copy does not wait for it");
    if (host[0] != 0.0f) { std::printf("FAIL a synchronous copy waited for a non-blocking stream\n"); ++g_failed; }
    expect(cuStreamSynchronize(loose), CUDA_SUCCESS, "wait for it");
    expect(cuMemcpyDtoH(host, d, 4), CUDA_SUCCESS, "read after the wait");
    if (host[0] != 2.0f) { std::printf("FAIL the non-blocking stream's fill did not run (%g)\n", host[0]); ++g_failed; }
    // A wait covers the work before the record, not what the stream queued after it.
    CUdeviceptr snapshot = 0;
    expect(cuMemAlloc(&snapshot, 16), CUDA_SUCCESS, "a snapshot buffer");
    expect(cuLaunchKernel(fill, 1, 1, 1, 32, 1, 1, 0, loose, fillOne, nullptr), CUDA_SUCCESS, "queue fill 1");
    expect(cuEventRecord(reached, loose), CUDA_SUCCESS, "record after it");
    expect(cuLaunchKernel(fill, 1, 1, 1, 32, 1, 1, 0, loose, fillTwo, nullptr), CUDA_SUCCESS, "queue fill 2 after");
    expect(cuStreamWaitEvent(second, reached, 0), CUDA_SUCCESS, "wait for the record");
    expect(cuMemcpyDtoDAsync(snapshot, d, 16, second), CUDA_SUCCESS, "copy after the wait");
    expect(cuStreamSynchronize(second), CUDA_SUCCESS, "run the second stream");
    expect(cuMemcpyDtoH(host, snapshot, 4), CUDA_SUCCESS, "read the snapshot");
    if (host[0] != 1.0f) { std::printf("FAIL the wait ran work queued after the record (%g)\n", host[0]); ++g_failed; }
    expect(cuStreamSynchronize(loose), CUDA_SUCCESS, "the rest of the non-blocking stream");
    // Without an event, later work on another stream may run first, and here it does.
    expect(cuMemsetD32(d, 0, 4), CUDA_SUCCESS, "zeros");
    expect(cuLaunchKernel(fill, 1, 1, 1, 32, 1, 1, 0, stream, fillOne, nullptr), CUDA_SUCCESS, "queue fill 1");
    expect(cuMemcpyDtoDAsync(snapshot, d, 16, second), CUDA_SUCCESS, "queue a copy on another stream, no event");
    expect(cuMemcpyDtoH(host, snapshot, 4), CUDA_SUCCESS, "a synchronous read runs both streams");
    if (host[0] != 0.0f) { std::printf("FAIL the unordered copy ran after the fill (%g)\n", host[0]); ++g_failed; }
    expect(cuMemFree(snapshot), CUDA_SUCCESS, "free the snapshot");
    expect(cuStreamDestroy(loose), CUDA_SUCCESS, "destroy the non-blocking stream");
    expect(cuEventDestroy(reached), CUDA_SUCCESS, "destroy the event");
    // A real driver lets an event go before its queued record runs (JCudaInterop closes so).
    CUevent early;
    expect(cuEventCreate(&early, 0), CUDA_SUCCESS, "an event to destroy early");
    expect(cuLaunchKernel(fill, 1, 1, 1, 32, 1, 1, 0, stream, fillOne, nullptr), CUDA_SUCCESS, "queue fill 1");
    expect(cuEventRecord(early, stream), CUDA_SUCCESS, "record it after the fill");
    expect(cuEventDestroy(early), CUDA_SUCCESS, "destroy it with the record still queued");
    expect(cuStreamSynchronize(stream), CUDA_SUCCESS, "the queued record then runs on a kept event");
    expect(cuEventRecord(early, stream), CUDA_ERROR_INVALID_HANDLE, "the destroyed event is gone");
    expect(cuStreamDestroy(second), CUDA_SUCCESS, "destroy the second stream");
  }

  // Another thread's view: a context is per thread.
  expect(cuCtxSetCurrent(nullptr), CUDA_SUCCESS, "no context");
  expect(cuMemFree(d), CUDA_ERROR_INVALID_CONTEXT, "free with no current context");
  expect(cuCtxSetCurrent(ctx), CUDA_SUCCESS, "context again");
  expect(cuMemFree(d), CUDA_SUCCESS, "free");

  std::printf("emu-cuda selftest: %s\n", g_failed == 0 ? "every rule holds" : "FAILED");
  return g_failed == 0 ? 0 : 1;
}
