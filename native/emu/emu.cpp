// CPU emulator of CUDA blocks: every thread of a block is a coroutine on one OS thread;
// __syncthreads and __shfl_xor_sync yield to a scheduler that releases them when all live
// threads (of the block / warp) have arrived. Ordinary launches run one block after another (in
// index order, or a shuffled order under MNEMO_EMU_SCHEDULE=shuffle);
// cooperative launches (run_grid_cooperative) keep every block of the grid live at once, so a
// grid-wide barrier that spins with __nanosleep makes progress; cluster launches keep one cluster
// live at a time.
#include <sys/mman.h>

#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>
#include "cuda_runtime.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EMU_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define EMU_ASAN 1
#endif
#ifdef EMU_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

// Coroutine switching. On x86-64 a hand-written switch that saves only the callee-saved registers
// and the SSE/x87 control words: glibc's swapcontext also saves the signal mask with a system call
// on every switch, which made the emulator ten times slower on shuffle-heavy kernels. Elsewhere,
// ucontext.
namespace {
#if defined(__x86_64__)
extern "C" void mnemo_emu_switch_stack(void** saveSp, void* loadSp);
asm(R"(
  .text
  .globl mnemo_emu_switch_stack
  .hidden mnemo_emu_switch_stack
  .type mnemo_emu_switch_stack, @function
mnemo_emu_switch_stack:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  subq $8, %rsp
  stmxcsr (%rsp)
  fnstcw 4(%rsp)
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  ldmxcsr (%rsp)
  fldcw 4(%rsp)
  addq $8, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .size mnemo_emu_switch_stack, .-mnemo_emu_switch_stack
)");

struct Context { void* sp = nullptr; };

// A fresh stack that "returns" into start() with the control words of the calling thread.
void context_init(Context* c, char* stack, size_t size, void (*start)()) {
  auto top = reinterpret_cast<uintptr_t>(stack + size) & ~uintptr_t{15};
  auto* slot = reinterpret_cast<uint64_t*>(top - 16);  // start's return address, 16-byte aligned
  slot[0] = reinterpret_cast<uint64_t>(start);
  slot[1] = 0;
  uint64_t* frame = slot - 7;  // control words, r15, r14, r13, r12, rbx, rbp
  for (int i = 1; i < 7; ++i) frame[i] = 0;
  uint32_t mxcsr;
  uint16_t fpucw;
  asm volatile("stmxcsr %0" : "=m"(mxcsr));
  asm volatile("fnstcw %0" : "=m"(fpucw));
  frame[0] = mxcsr | (uint64_t{fpucw} << 32);
  c->sp = frame;
}

void context_switch(Context* from, Context* to) { mnemo_emu_switch_stack(&from->sp, to->sp); }
#else
}  // namespace
#include <ucontext.h>
namespace {
struct Context { ucontext_t uc; };

void context_init(Context* c, char* stack, size_t size, void (*start)()) {
  getcontext(&c->uc);
  c->uc.uc_stack.ss_sp = stack;
  c->uc.uc_stack.ss_size = size;
  c->uc.uc_link = nullptr;
  makecontext(&c->uc, start, 0);
}

void context_switch(Context* from, Context* to) { swapcontext(&from->uc, &to->uc); }
#endif
}  // namespace

uint3 threadIdx, blockIdx;
dim3 blockDim, gridDim;

namespace {
enum State { kRunnable, kAtBarrier, kAtShfl, kDone };
struct Thread {
  Context ctx;
  State state;
  uint3 idx;
  uint3 block;  // the thread's block (cooperative grids run every block at once)
  unsigned long long shflIn, shflOut;
  int shflMask;
  unsigned long long clusterPhase;  // cluster barriers this thread has arrived at
};
constexpr size_t kStack = 256 * 1024;
std::vector<Thread> threads;
// Coroutine stacks: one anonymous mapping without swap reserved for it (MAP_NORESERVE), so the
// thousands of threads of a grid of many live blocks cost only the stack pages they touch. Grown
// between launches, when no coroutine lives, by mapping afresh; unmapped at exit.
struct Stacks {
  char* base = nullptr;
  size_t count = 0;
  ~Stacks() {
    if (base != nullptr) munmap(base, count * kStack);
  }
  // Room for n stacks.
  void reserve(size_t n) {
    if (n <= count) return;
    if (base != nullptr) munmap(base, count * kStack);
    void* p = mmap(nullptr, n * kStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
      std::fprintf(stderr, "emu: could not map %zu coroutine stacks of %zu KiB\n", n, kStack / 1024);
      std::abort();
    }
    base = static_cast<char*>(p);
    count = n;
  }
  char* operator[](size_t t) const { return base + t * kStack; }
} stacks;
Context scheduler;
int current = -1;
void (*g_body)(void*);
void* g_arg;
long long g_launches = 0;
long long g_spins = 0;
std::vector<std::vector<float>> g_smem;  // dynamic shared memory, one per live block
unsigned g_firstBlock = 0;               // blockIdx.x of the first live block (g_smem[0])
unsigned g_clusterSize = 0;              // blocks per cluster; 0 outside a cluster launch
std::vector<unsigned long long> g_clusterArrivals;  // per cluster: arrivals over the whole launch
#ifdef EMU_ASAN
void* g_fake = nullptr;
const void* g_schedBottom = nullptr;
size_t g_schedSize = 0;
#endif

void yield_to_scheduler() {
#ifdef EMU_ASAN
  void* fake = nullptr;
  __sanitizer_start_switch_fiber(&fake, g_schedBottom, g_schedSize);
#endif
  context_switch(&threads[current].ctx, &scheduler);
#ifdef EMU_ASAN
  __sanitizer_finish_switch_fiber(fake, &g_schedBottom, &g_schedSize);
#endif
}

void entry() {
#ifdef EMU_ASAN
  __sanitizer_finish_switch_fiber(nullptr, &g_schedBottom, &g_schedSize);
#endif
  g_body(g_arg);
  threads[current].state = kDone;
#ifdef EMU_ASAN
  __sanitizer_start_switch_fiber(nullptr, g_schedBottom, g_schedSize);
#endif
  context_switch(&threads[current].ctx, &scheduler);  // never resumed
  std::abort();
}

// The order runnable threads are resumed in each round: in index order, or (MNEMO_EMU_SCHEDULE=
// shuffle) a fresh seeded permutation every round, so code that only works because the emulator
// happens to run lower threads or blocks first has a chance to fail. Deterministic per seed
// (MNEMO_EMU_SEED).
std::vector<unsigned> g_order;
unsigned long long g_rng = 0;
bool g_shuffle = false;
bool g_scheduleRead = false;

void read_schedule() {
  if (g_scheduleRead) return;
  g_scheduleRead = true;
  const char* mode = std::getenv("MNEMO_EMU_SCHEDULE");
  g_shuffle = mode != nullptr && std::string(mode) == "shuffle";
  const char* seed = std::getenv("MNEMO_EMU_SEED");
  g_rng = seed != nullptr ? std::strtoull(seed, nullptr, 10) : 20261126ULL;
}

const std::vector<unsigned>& resume_order(unsigned n) {
  read_schedule();
  g_order.resize(n);
  for (unsigned i = 0; i < n; ++i) g_order[i] = i;
  if (g_shuffle) {
    for (unsigned i = n; i > 1; --i) {  // Fisher-Yates with a 64-bit LCG
      g_rng = g_rng * 6364136223846793005ULL + 1442695040888963407ULL;
      std::swap(g_order[i - 1], g_order[static_cast<unsigned>((g_rng >> 33) % i)]);
    }
  }
  return g_order;
}

// The order an ordinary launch runs its blocks in (linear index x + y·X + z·X·Y): in index order,
// or under the shuffle schedule a seeded permutation per launch. A real GPU promises no order, so a
// kernel whose last-arriving block does the row's work (a split read's fused merge) must also be
// right when that block is not the highest index.
std::vector<unsigned long long> block_order(unsigned long long blocks) {
  read_schedule();
  std::vector<unsigned long long> order(blocks);
  for (unsigned long long i = 0; i < blocks; ++i) order[i] = i;
  if (g_shuffle) {
    for (unsigned long long i = blocks; i > 1; --i) {
      g_rng = g_rng * 6364136223846793005ULL + 1442695040888963407ULL;
      std::swap(order[i - 1], order[(g_rng >> 33) % i]);
    }
  }
  return order;
}

void resume(int t) {
  current = t;
  threadIdx = threads[t].idx;
  blockIdx = threads[t].block;
#ifdef EMU_ASAN
  __sanitizer_start_switch_fiber(&g_fake, stacks[t], kStack);
#endif
  context_switch(&scheduler, &threads[t].ctx);
#ifdef EMU_ASAN
  __sanitizer_finish_switch_fiber(g_fake, nullptr, nullptr);
#endif
  current = -1;
}
}  // namespace

void __syncthreads() {
  threads[current].state = kAtBarrier;
  yield_to_scheduler();
}

unsigned long long emu_shfl_xor(unsigned mask, unsigned long long bits, int laneMask) {
  if (mask != 0xffffffffu) { std::fprintf(stderr, "emu: partial shfl mask\n"); std::abort(); }
  Thread& me = threads[current];
  me.shflIn = bits;
  me.shflMask = laneMask;
  me.state = kAtShfl;
  yield_to_scheduler();
  return threads[current].shflOut;
}

void __nanosleep(unsigned) {
  // A spinning thread (grid barrier) gives the others a turn; it stays runnable.
  ++g_spins;
  if (g_spins > 2000000000LL) { std::fprintf(stderr, "emu: endless spin (grid barrier deadlock?)\n"); std::abort(); }
  yield_to_scheduler();
}

namespace emu {
void* dynamic_shared() {
  if (current < 0 || g_smem.empty()) { std::fprintf(stderr, "emu: no dynamic shared memory\n"); std::abort(); }
  return g_smem[threads[current].block.x - g_firstBlock].data();
}

// Blocks [first, first + count) of the grid live at once (the cooperative launch's scheduling).
void run_blocks_live(dim3 grid, dim3 block, unsigned first, unsigned count, size_t smemBytes, void (*body)(void*),
                     void* arg);

void run_grid_clusters(dim3 grid, dim3 block, unsigned clusterSize, size_t smemBytes, void (*body)(void*), void* arg) {
  if (clusterSize == 0 || clusterSize > 16 || grid.x % clusterSize != 0) {
    std::fprintf(stderr, "emu: bad cluster launch: grid %u, cluster %u\n", grid.x, clusterSize);
    std::abort();
  }
  g_clusterSize = clusterSize;
  g_clusterArrivals.assign(grid.x / clusterSize, 0);
  // One cluster at a time: CUDA promises co-residency within a cluster only, so a kernel that
  // waits on another cluster deadlocks here, as it may on a GPU.
  for (unsigned first = 0; first < grid.x; first += clusterSize) {
    run_blocks_live(grid, block, first, clusterSize, smemBytes, body, arg);
  }
  g_clusterSize = 0;
}

// Thread t (index `local` within its block) starts the kernel body from the top.
void start_thread(unsigned t, uint3 block, unsigned local) {
  Thread& th = threads[t];
  th.block = block;
  th.idx = {local % blockDim.x, (local / blockDim.x) % blockDim.y, local / (blockDim.x * blockDim.y)};
  th.state = kRunnable;
  context_init(&th.ctx, stacks[t], kStack, entry);
}

// Runs threads [0, blocks·nt), `blocks` live blocks of nt threads, until all have returned: each
// round resumes every runnable thread, then releases the warps whose live lanes all wait at a
// shuffle and the blocks whose live threads all wait at __syncthreads.
void schedule_blocks(unsigned blocks, unsigned nt) {
  const unsigned all = blocks * nt;
  for (;;) {
    bool progressed = false;
    for (unsigned t : resume_order(all)) {
      if (threads[t].state == kRunnable) { resume(static_cast<int>(t)); progressed = true; }
    }
    unsigned doneAll = 0;
    for (unsigned b = 0; b < blocks; ++b) {
      const unsigned first = b * nt, last = first + nt;
      for (unsigned lo = first; lo < last; lo += 32) {
        const unsigned hi = std::min(last, lo + 32);
        unsigned atShfl = 0, live = 0;
        for (unsigned t = lo; t < hi; ++t) {
          if (threads[t].state != kDone) ++live;
          if (threads[t].state == kAtShfl) ++atShfl;
        }
        if (atShfl > 0 && atShfl == live) {
          if (live != 32) { std::fprintf(stderr, "emu: shfl with %u live lanes\n", live); std::abort(); }
          for (unsigned t = lo; t < hi; ++t) {
            const int m = threads[t].shflMask;
            if (m != threads[lo].shflMask) { std::fprintf(stderr, "emu: shfl mask mismatch lane %u mask %d vs lane0 %d\n", t - lo, m, threads[lo].shflMask); std::abort(); }
            threads[t].shflOut = threads[lo + ((t - lo) ^ static_cast<unsigned>(m))].shflIn;
          }
          for (unsigned t = lo; t < hi; ++t) threads[t].state = kRunnable;
          progressed = true;
        }
      }
      unsigned done = 0, atBar = 0;
      for (unsigned t = first; t < last; ++t) {
        done += threads[t].state == kDone;
        atBar += threads[t].state == kAtBarrier;
      }
      doneAll += done;
      if (atBar > 0 && atBar + done == nt) {
        if (done > 0) { std::fprintf(stderr, "emu: __syncthreads after %u threads exited\n", done); std::abort(); }
        for (unsigned t = first; t < last; ++t) threads[t].state = kRunnable;
        progressed = true;
      }
    }
    if (doneAll == all) return;
    if (!progressed) { std::fprintf(stderr, "emu: deadlock\n"); std::abort(); }
  }
}

// Every block of a 1-D grid live at once (a cooperative launch): __syncthreads releases a block
// when all its threads arrive, shuffles a warp of a block, __nanosleep yields (spin waits).
void run_grid_cooperative(dim3 grid, dim3 block, size_t smemBytes, void (*body)(void*), void* arg) {
  run_blocks_live(grid, block, 0, grid.x, smemBytes, body, arg);
}

void run_blocks_live(dim3 grid, dim3 block, unsigned first, unsigned count, size_t smemBytes, void (*body)(void*),
                     void* arg) {
  ++g_launches;
  const unsigned nt = block.x * block.y * block.z;
  if (nt == 0 || nt > 1024 || nt % 32 != 0 || grid.x == 0 || grid.y != 1 || grid.z != 1 || count > kMaxLiveBlocks) {
    std::fprintf(stderr, "emu: bad cooperative launch grid (%u,%u,%u) block %u\n", grid.x, grid.y, grid.z, nt);
    std::abort();
  }
  g_body = body;
  g_arg = arg;
  gridDim = grid;
  blockDim = block;
  const unsigned all = count * nt;
  threads.assign(all, Thread{});
  stacks.reserve(all);
  g_firstBlock = first;
  g_smem.assign(count, std::vector<float>((smemBytes + 3) / 4));
  for (auto& v : g_smem) std::fill(v.begin(), v.end(), std::nanf(""));  // unwritten shared reads show
  for (unsigned t = 0; t < all; ++t) start_thread(t, {first + t / nt, 0, 0}, t % nt);
  schedule_blocks(count, nt);
  g_smem.clear();
  g_firstBlock = 0;
}

void run_grid(dim3 grid, dim3 block, size_t smemBytes, void (*body)(void*), void* arg) {
  ++g_launches;
  const unsigned nt = block.x * block.y * block.z;
  if (nt == 0 || nt > 1024 || grid.x == 0 || grid.y == 0 || grid.z == 0 || grid.y > 65535 || grid.z > 65535) {
    std::fprintf(stderr, "emu: bad launch config grid (%u,%u,%u) block (%u,%u,%u)\n", grid.x, grid.y, grid.z, block.x, block.y, block.z);
    std::abort();
  }
  g_body = body;
  g_arg = arg;
  gridDim = grid;
  blockDim = block;
  threads.resize(nt);
  stacks.reserve(nt);
  for (unsigned long long linear : block_order(static_cast<unsigned long long>(grid.x) * grid.y * grid.z)) {
    const unsigned bx = static_cast<unsigned>(linear % grid.x);
    const unsigned by = static_cast<unsigned>(linear / grid.x % grid.y);
    const unsigned bz = static_cast<unsigned>(linear / grid.x / grid.y);
    blockIdx = {bx, by, bz};
    if (smemBytes > 0) {  // this block's own, NaN until written (as run_blocks_live's); one buffer reused
      g_smem.resize(1);
      g_smem[0].assign((smemBytes + 3) / 4, std::nanf(""));
      g_firstBlock = bx;
    }
    for (unsigned t = 0; t < nt; ++t) start_thread(t, blockIdx, t);
    schedule_blocks(1, nt);
  }
  g_smem.clear();
  g_firstBlock = 0;
}
}  // namespace emu

namespace {
void need_cluster(const char* what) {
  if (current < 0 || ::g_clusterSize == 0) { std::fprintf(stderr, "emu: %s outside a cluster launch\n", what); std::abort(); }
}
}  // namespace

unsigned __clusterRelativeBlockRank() {
  need_cluster("__clusterRelativeBlockRank");
  return threads[current].block.x % g_clusterSize;
}

unsigned __clusterSizeInBlocks() {
  need_cluster("__clusterSizeInBlocks");
  return g_clusterSize;
}

// The same offset in the dynamic shared memory of block `rank` of this block's cluster.
void* __cluster_map_shared_rank(const void* ptr, unsigned rank) {
  need_cluster("__cluster_map_shared_rank");
  const unsigned block = threads[current].block.x;
  const std::vector<float>& mine = g_smem[block - g_firstBlock];
  const char* base = reinterpret_cast<const char*>(mine.data());
  const char* at = static_cast<const char*>(ptr);
  if (rank >= g_clusterSize || at < base || at >= base + mine.size() * sizeof(float)) {
    std::fprintf(stderr, "emu: __cluster_map_shared_rank(%p, %u): not this block's shared memory or rank >= %u\n",
                 ptr, rank, g_clusterSize);
    std::abort();
  }
  const unsigned peer = block / g_clusterSize * g_clusterSize + rank;
  return reinterpret_cast<char*>(g_smem[peer - g_firstBlock].data()) + (at - base);
}

void __cluster_barrier_arrive() {
  need_cluster("__cluster_barrier_arrive");
  ++g_clusterArrivals[threads[current].block.x / g_clusterSize];
  ++threads[current].clusterPhase;
}

// Spins (yielding, like __nanosleep) until every thread of the cluster has arrived as often as
// this one.
void __cluster_barrier_wait() {
  need_cluster("__cluster_barrier_wait");
  const unsigned cluster = threads[current].block.x / g_clusterSize;
  const unsigned long long target = threads[current].clusterPhase * g_clusterSize * blockDim.x * blockDim.y * blockDim.z;
  while (g_clusterArrivals[cluster] < target) __nanosleep(0);
}

cudaError_t cudaMallocBytes(void** p, size_t n) { *p = std::malloc(n); std::memset(*p, 0xA5, n); return *p ? cudaSuccess : cudaErrorMemoryAllocation; }
cudaError_t cudaFree(void* p) { std::free(p); return cudaSuccess; }
cudaError_t cudaMemcpy(void* d, const void* s, size_t n, cudaMemcpyKind) { if (n) std::memcpy(d, s, n); return cudaSuccess; }
cudaError_t cudaMemset(void* d, int v, size_t n) { std::memset(d, v, n); return cudaSuccess; }
cudaError_t cudaMemsetAsync(void* d, int v, size_t n, cudaStream_t) { std::memset(d, v, n); return cudaSuccess; }
cudaError_t cudaDeviceSynchronize() { return cudaSuccess; }
cudaError_t cudaGetLastError() { return cudaSuccess; }
const char* cudaGetErrorName(cudaError_t) { return "emu"; }
const char* cudaGetErrorString(cudaError_t) { return "emu"; }
