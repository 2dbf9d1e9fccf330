// emu_cuda.h — the shared core of Mnemo's emulated CUDA libraries (native/emu-cuda).
//
// One shared object, libmnemo_emu_cuda.so, stands in for libcuda.so.1, libcublas.so.13 and
// libcusolver.so.12 (symlinks to it), so the Java side's `gpu` tests can run on a machine without
// a GPU: device memory is host memory, kernels are the real cuda-kernels/ sources compiled as C++
// against native/emu (every thread a coroutine), cuBLAS and cuSOLVER are host loops and LAPACK.
// It checks the Java bindings, argument packing, plans, the kernels' logic and, with deferred
// streams, the order the host sets between streams — nothing about speed, races or real GPU memory
// ordering within the work; a GPU run still decides.
//
// Every entry point (driver, cuBLAS, cuSOLVER) starts with MNEMO_EMU_ENTRY: it takes the one API
// lock (the emulator's thread state is global, and the JVM may call from several threads, e.g. a
// Cleaner freeing memory) and counts the call (calls.cpp: the census tests read to check that a
// warmed-up forward allocates, frees and synchronizes nothing).
#pragma once
#include <cuda.h>
#include <functional>
#include <mutex>

namespace mnemo_emu {

std::recursive_mutex& api_mutex();

// One more call of `entry` (an entry point's __func__, or "launch:<kernel>"); the API lock is held.
void count_call(const char* entry);

#define MNEMO_EMU_ENTRY                                                                    \
  std::lock_guard<std::recursive_mutex> mnemo_emu_guard(::mnemo_emu::api_mutex()); \
  ::mnemo_emu::count_call(__func__)

// Stream-ordered work: runs at once (eager streams, the default), or waits in the stream's queue
// until something synchronizes with it (deferred streams, MNEMO_EMU_STREAMS=deferred; see
// streams.cpp), or, while `stream` is being captured (cuStreamBeginCapture), is appended to the graph
// being built and runs at each cuGraphLaunch. Work must copy every host-side value it needs (scalars such as alpha/beta) when it
// is created: a captured graph replays it later. Returns CUDA_SUCCESS or the error a real driver
// gives (e.g. an invalidated capture).
// `compute` false marks bookkeeping that runs even in host-only mode (an event's timestamp).
using Work = std::function<void()>;
CUresult submit(CUstream stream, Work work, bool compute = true);

// Deferred streams: the points where a real driver makes the host or the legacy default stream wait.
// The legacy stream's synchronous calls (cuMemcpy*, cuMemsetD32) first run the queued work of the
// current context's blocking streams; cuCtxSynchronize and cuMemFree run every stream's of the
// context; cuStreamSynchronize (and a pageable cuMemcpyDtoHAsync) run that stream's. All are no-ops
// with eager streams.
void legacy_sync();
bool deferred_streams();  // MNEMO_EMU_STREAMS=deferred
bool is_capturing(CUstream stream);
void context_sync();
void stream_sync(CUstream stream);

// Host-only mode (mnemo_emu_set_host_only): submitted compute work is dropped, so a caller's host
// cost can be timed without the emulator running its kernels. Results are garbage meanwhile.
void set_host_only(bool on);
bool host_only();

}  // namespace mnemo_emu
