// streams.cpp — emulated streams, events and CUDA Graph capture. By default every stream is eager:
// submitted work runs at once. With MNEMO_EMU_STREAMS=deferred a stream queues its work and runs it
// only where a real driver would make someone wait for it: a synchronization of the stream, its
// context or an event recorded on it, a stream waiting on such an event when it reaches the wait,
// or a synchronous call on the legacy default stream (which first waits for the blocking streams
// of its context). So work that is read before anything waited for it reads stale memory, as it may
// on a GPU, instead of passing because the emulator happened to run it first. While a stream is
// captured, its work is recorded and replays at each cuGraphLaunch. The rules a real driver
// enforces during capture are kept, because breaking them is the mistake a graph-capturing caller
// makes: no allocation or synchronous call from the capturing thread
// (CU_STREAM_CAPTURE_MODE_THREAD_LOCAL; any thread in global mode), no work on the legacy default
// stream, and an invalidated capture fails at cuStreamEndCapture.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "state.h"

namespace mnemo_emu {
namespace {

struct Stream {
  CUcontext context = nullptr;  // current when it was created
  bool blocking = true;         // waits for (and is waited for by) the legacy default stream
  std::deque<std::pair<uint64_t, Work>> pending;  // deferred streams: (sequence number, work), not yet run
  uint64_t queued = 0;          // sequence number of the last work queued here
  bool capturing = false;
  bool invalidated = false;
  CUstreamCaptureMode mode = CU_STREAM_CAPTURE_MODE_GLOBAL;
  std::thread::id captureThread;
  std::vector<Work> recorded;
};

struct Graph { std::vector<Work> work; };
struct GraphExec { std::vector<Work> work; };

struct Event {
  bool timing = true;
  bool recorded = false;
  Stream* stream = nullptr;  // where it was last recorded
  uint64_t position = 0;     // the sequence number of that record on it
  std::chrono::steady_clock::time_point at;
};

Stream g_legacy;  // stream 0, CU_STREAM_LEGACY and CU_STREAM_PER_THREAD
uint64_t g_sequence = 0;  // deferred streams: numbers every queued work, across streams
std::set<Stream*> g_streams;
std::set<Graph*> g_graphs;
std::set<GraphExec*> g_execs;
// Owned here and by each record still queued: a real driver lets an event be destroyed before its
// record has run (it releases it once the record completes), so a queued record keeps it alive.
std::map<Event*, std::shared_ptr<Event>> g_events;

bool is_default(CUstream s) {
  return s == nullptr || s == CU_STREAM_LEGACY || s == CU_STREAM_PER_THREAD;
}

Stream* resolve(CUstream s) {
  if (is_default(s)) return &g_legacy;
  Stream* stream = reinterpret_cast<Stream*>(s);
  return g_streams.count(stream) ? stream : nullptr;
}

bool deferred() {
  static const bool on = [] {
    const char* v = std::getenv("MNEMO_EMU_STREAMS");
    return v != nullptr && std::strcmp(v, "deferred") == 0;
  }();
  return on;
}

// Runs `s`'s queued work in order, up to sequence number `upTo` (work it runs may flush other
// streams, or `s` itself through a wait: each item leaves the queue before it runs).
void flush(Stream* s, uint64_t upTo = UINT64_MAX) {
  if (s == nullptr || !g_streams.count(s)) return;
  while (!s->pending.empty() && s->pending.front().first <= upTo) {
    Work w = std::move(s->pending.front().second);
    s->pending.pop_front();
    w();
    if (!g_streams.count(s)) return;
  }
}

// Flushes the streams of `ctx`, only the blocking ones when `blockingOnly`. The stream whose oldest
// queued work is the newest goes first: work that only follows another stream's in time, with no
// event between them, then runs before it, as a GPU may run it.
void flush_context(CUcontext ctx, bool blockingOnly) {
  std::vector<Stream*> streams;
  for (Stream* s : g_streams) {
    if (s->context == ctx && (s->blocking || !blockingOnly) && !s->pending.empty()) streams.push_back(s);
  }
  std::sort(streams.begin(), streams.end(),
            [](const Stream* a, const Stream* b) { return a->pending.front().first > b->pending.front().first; });
  for (Stream* s : streams) flush(s);
}

// The capture that forbids unsafe calls on this thread, if any.
Stream* blocking_capture() {
  for (Stream* s : g_streams) {
    if (!s->capturing) continue;
    if (s->mode == CU_STREAM_CAPTURE_MODE_GLOBAL || s->captureThread == std::this_thread::get_id()) return s;
  }
  return nullptr;
}

}  // namespace

std::recursive_mutex& api_mutex() {
  static std::recursive_mutex m;
  return m;
}

CUresult check_not_capturing() {
  if (Stream* s = blocking_capture()) {
    s->invalidated = true;
    return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
  }
  return CUDA_SUCCESS;
}

namespace {
bool g_hostOnly = false;
}  // namespace

void set_host_only(bool on) { g_hostOnly = on; }

bool host_only() { return g_hostOnly; }

void legacy_sync() { flush_context(current_context(), true); }

bool deferred_streams() { return deferred(); }

bool is_capturing(CUstream handle) {
  Stream* s = resolve(handle);
  return s != nullptr && s->capturing;
}

void context_sync() { flush_context(current_context(), false); }

void stream_sync(CUstream handle) {
  Stream* s = resolve(handle);
  if (s == &g_legacy) {
    legacy_sync();
  } else if (s != nullptr && !s->capturing) {
    flush(s);
  }
}

CUresult submit(CUstream handle, Work work, bool compute) {
  Stream* stream = resolve(handle);
  if (stream == nullptr) return CUDA_ERROR_INVALID_HANDLE;
  // A stream takes work only in its own context: on a multi-GPU node, work for device 1 queued while
  // device 0's context is current is the caller's bug, which a real driver refuses too.
  if (stream != &g_legacy && stream->context != current_context()) return CUDA_ERROR_INVALID_HANDLE;
  if (stream == &g_legacy) {
    if (Stream* s = blocking_capture()) {  // the legacy stream would join the capture implicitly
      s->invalidated = true;
      return CUDA_ERROR_STREAM_CAPTURE_IMPLICIT;
    }
  }
  if (stream->capturing) {
    if (stream->invalidated) return CUDA_ERROR_STREAM_CAPTURE_INVALIDATED;
    stream->recorded.push_back(std::move(work));
    return CUDA_SUCCESS;
  }
  if (compute && g_hostOnly) return CUDA_SUCCESS;
  if (stream == &g_legacy) {
    legacy_sync();  // the legacy stream waits for the blocking streams' earlier work, and runs at once
    work();
  } else if (deferred()) {
    stream->queued = ++g_sequence;
    stream->pending.emplace_back(stream->queued, std::move(work));
  } else {
    work();
  }
  return CUDA_SUCCESS;
}

}  // namespace mnemo_emu

using namespace mnemo_emu;

extern "C" {

CUresult cuStreamCreate(CUstream* out, unsigned int flags) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  if (out == nullptr) return CUDA_ERROR_INVALID_VALUE;
  Stream* s = new Stream();
  s->context = current_context();
  s->blocking = (flags & CU_STREAM_NON_BLOCKING) == 0;
  g_streams.insert(s);
  *out = reinterpret_cast<CUstream>(s);
  return CUDA_SUCCESS;
}

CUresult cuStreamDestroy_v2(CUstream handle) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  Stream* s = reinterpret_cast<Stream*>(handle);
  if (is_default(handle) || !g_streams.count(s)) return CUDA_ERROR_INVALID_HANDLE;
  flush(s);  // its queued work still completes, as on a GPU
  g_streams.erase(s);
  delete s;
  return CUDA_SUCCESS;
}

CUresult cuStreamSynchronize(CUstream handle) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  Stream* s = resolve(handle);
  if (s == nullptr) return CUDA_ERROR_INVALID_HANDLE;
  if (s->capturing) {
    s->invalidated = true;
    return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
  }
  if (CUresult r = check_not_capturing()) return r;
  stream_sync(handle);
  return CUDA_SUCCESS;
}

CUresult cuStreamGetCtx(CUstream handle, CUcontext* ctx) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  Stream* s = resolve(handle);
  if (s == nullptr) return CUDA_ERROR_INVALID_HANDLE;
  if (ctx == nullptr) return CUDA_ERROR_INVALID_VALUE;
  *ctx = s == &g_legacy ? current_context() : s->context;
  return CUDA_SUCCESS;
}

// Eager streams have run everything already. A deferred stream, when it reaches the wait, runs the
// work queued on the event's stream up to the record, and no further.
CUresult cuStreamWaitEvent(CUstream handle, CUevent event, unsigned int flags) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  Stream* s = resolve(handle);
  Event* e = reinterpret_cast<Event*>(event);
  if (s == nullptr || !g_events.count(e)) return CUDA_ERROR_INVALID_HANDLE;
  if (flags != 0 && flags != CU_EVENT_WAIT_EXTERNAL) return CUDA_ERROR_INVALID_VALUE;
  if (!deferred() || s->capturing || e->stream == nullptr || e->stream == s) return CUDA_SUCCESS;
  Stream* source = e->stream;
  const uint64_t upTo = e->position;
  return submit(handle, [source, upTo] { flush(source, upTo); }, /*compute=*/false);
}

CUresult cuStreamBeginCapture_v2(CUstream handle, CUstreamCaptureMode mode) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  if (is_default(handle)) return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
  Stream* s = resolve(handle);
  if (s == nullptr) return CUDA_ERROR_INVALID_HANDLE;
  if (s->capturing) return CUDA_ERROR_ILLEGAL_STATE;
  if (mode != CU_STREAM_CAPTURE_MODE_GLOBAL && mode != CU_STREAM_CAPTURE_MODE_THREAD_LOCAL &&
      mode != CU_STREAM_CAPTURE_MODE_RELAXED) {
    return CUDA_ERROR_INVALID_VALUE;
  }
  s->capturing = true;
  s->invalidated = false;
  s->mode = mode;
  s->captureThread = std::this_thread::get_id();
  s->recorded.clear();
  return CUDA_SUCCESS;
}

CUresult cuStreamEndCapture(CUstream handle, CUgraph* out) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  Stream* s = resolve(handle);
  if (s == nullptr || out == nullptr) return CUDA_ERROR_INVALID_VALUE;
  if (!s->capturing) return CUDA_ERROR_ILLEGAL_STATE;
  if (s->mode != CU_STREAM_CAPTURE_MODE_RELAXED && s->captureThread != std::this_thread::get_id()) {
    return CUDA_ERROR_STREAM_CAPTURE_WRONG_THREAD;
  }
  s->capturing = false;
  std::vector<Work> work = std::move(s->recorded);
  s->recorded.clear();
  if (s->invalidated) {
    *out = nullptr;
    return CUDA_ERROR_STREAM_CAPTURE_INVALIDATED;
  }
  Graph* g = new Graph{std::move(work)};
  g_graphs.insert(g);
  *out = reinterpret_cast<CUgraph>(g);
  return CUDA_SUCCESS;
}

CUresult cuGraphInstantiateWithFlags(CUgraphExec* out, CUgraph graph, unsigned long long) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  Graph* g = reinterpret_cast<Graph*>(graph);
  if (out == nullptr || !g_graphs.count(g)) return CUDA_ERROR_INVALID_VALUE;
  GraphExec* e = new GraphExec{g->work};
  g_execs.insert(e);
  *out = reinterpret_cast<CUgraphExec>(e);
  return CUDA_SUCCESS;
}

CUresult cuGraphLaunch(CUgraphExec exec, CUstream stream) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  GraphExec* e = reinterpret_cast<GraphExec*>(exec);
  if (!g_execs.count(e)) return CUDA_ERROR_INVALID_VALUE;
  if (g_hostOnly) return CUDA_SUCCESS;  // a real replay's host cost does not grow with the graph
  for (const Work& w : e->work) {
    if (CUresult r = submit(stream, w)) return r;
  }
  return CUDA_SUCCESS;
}

CUresult cuGraphDestroy(CUgraph graph) {
  MNEMO_EMU_ENTRY;
  Graph* g = reinterpret_cast<Graph*>(graph);
  if (!g_graphs.erase(g)) return CUDA_ERROR_INVALID_VALUE;
  delete g;
  return CUDA_SUCCESS;
}

CUresult cuGraphExecDestroy(CUgraphExec exec) {
  MNEMO_EMU_ENTRY;
  GraphExec* e = reinterpret_cast<GraphExec*>(exec);
  if (!g_execs.erase(e)) return CUDA_ERROR_INVALID_VALUE;
  delete e;
  return CUDA_SUCCESS;
}

CUresult cuEventCreate(CUevent* out, unsigned int flags) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  if (out == nullptr) return CUDA_ERROR_INVALID_VALUE;
  auto owned = std::make_shared<Event>();
  Event* e = owned.get();
  e->timing = (flags & CU_EVENT_DISABLE_TIMING) == 0;
  g_events.emplace(e, std::move(owned));
  *out = reinterpret_cast<CUevent>(e);
  return CUDA_SUCCESS;
}

CUresult cuEventRecord(CUevent event, CUstream stream) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  Event* e = reinterpret_cast<Event*>(event);
  if (!g_events.count(e)) return CUDA_ERROR_INVALID_HANDLE;
  Stream* s = resolve(stream);
  std::shared_ptr<Event> kept = g_events[e];
  if (CUresult r = submit(stream, [kept] {
        kept->recorded = true;
        kept->at = std::chrono::steady_clock::now();
      }, /*compute=*/false)) {
    return r;
  }
  if (s != nullptr && !s->capturing) {
    e->stream = s;
    e->position = s->queued;  // the marker just queued (eager and legacy streams: everything has run)
  }
  return CUDA_SUCCESS;
}

CUresult cuEventSynchronize(CUevent event) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  Event* e = reinterpret_cast<Event*>(event);
  if (!g_events.count(e)) return CUDA_ERROR_INVALID_HANDLE;
  if (CUresult r = check_not_capturing()) return r;
  flush(e->stream, e->position);
  return CUDA_SUCCESS;
}

CUresult cuEventElapsedTime_v2(float* ms, CUevent start, CUevent end) {
  MNEMO_EMU_ENTRY;
  if (CUresult r = require_context()) return r;
  Event* a = reinterpret_cast<Event*>(start);
  Event* b = reinterpret_cast<Event*>(end);
  if (ms == nullptr) return CUDA_ERROR_INVALID_VALUE;
  if (!g_events.count(a) || !g_events.count(b)) return CUDA_ERROR_INVALID_HANDLE;
  // recorded on a deferred stream whose queue has not reached it: not complete yet
  if ((a->stream != nullptr && !a->recorded) || (b->stream != nullptr && !b->recorded)) return CUDA_ERROR_NOT_READY;
  if (!a->timing || !b->timing || !a->recorded || !b->recorded) return CUDA_ERROR_INVALID_HANDLE;
  *ms = std::chrono::duration<float, std::milli>(b->at - a->at).count();
  return CUDA_SUCCESS;
}

CUresult cuEventDestroy_v2(CUevent event) {
  MNEMO_EMU_ENTRY;
  Event* e = reinterpret_cast<Event*>(event);
  if (!g_events.erase(e)) return CUDA_ERROR_INVALID_HANDLE;  // a queued record may still hold it
  return CUDA_SUCCESS;
}

}  // extern "C"
