// persistent_phases.cuh — family "persistent": where a cluster kernel's step spends its cycles, for
// the instrumented harness only (`mnemo_harness_phases persistent_phases`, built with
// -DMNEMO_PERSISTENT_PHASES). Without the macro every call below is empty and the kernels are
// unchanged.
//
// Why: at B = 128, H = 128 an LSTM step took 7.4 µs on an H200 whatever the cluster size, against
// 1.6 µs at B = 1, and neither the product's tile count nor the barrier explained it. Thread 0 of
// each block reads clock64() between the phases of its time loop and adds each lap to a counter;
// the host reads the counters (mnemo_persistent_phase_cycles) after one launch.
#pragma once

#include "mnemo_kernels.h"

namespace mnemo::persistent {

// Phases a kernel can time (what each slot times is the kernel's own: see its lap() calls), and
// one more slot, the last, for the step count.
constexpr int kPhases = 6;
constexpr int kPhaseSlots = kPhases + 1;
// Blocks that record (blockIdx.x below this).
constexpr int kPhaseBlocks = 264;

#ifdef MNEMO_PERSISTENT_PHASES
// [block][slot]: cycles summed over the steps of the last launch; slot kPhases: the steps timed.
__device__ unsigned long long mnemo_persistent_phase_cycles[kPhaseBlocks][kPhaseSlots];

class PhaseClock {
 public:
  __device__ __forceinline__ PhaseClock() : on_(threadIdx.x == 0 && blockIdx.x < kPhaseBlocks) {
    for (unsigned long long& c : cycles_) c = 0;
    last_ = clock64();
  }

  // Starts a phase without counting the time since the last lap (e.g. at the top of a step).
  __device__ __forceinline__ void restart() { last_ = clock64(); }

  // Adds the cycles since the last lap or restart to `slot`.
  __device__ __forceinline__ void lap(int slot) {
    const long long now = clock64();
    cycles_[slot] += static_cast<unsigned long long>(now - last_);
    last_ = now;
  }

  __device__ __forceinline__ void count_step() { ++cycles_[kPhases]; }

  // Writes this block's sums for the host.
  __device__ __forceinline__ void flush() const {
    if (!on_) return;
    for (int i = 0; i < kPhaseSlots; ++i) mnemo_persistent_phase_cycles[blockIdx.x][i] = cycles_[i];
  }

 private:
  bool on_;
  long long last_;
  unsigned long long cycles_[kPhaseSlots];
};
#else
class PhaseClock {
 public:
  __device__ __forceinline__ void restart() {}
  __device__ __forceinline__ void lap(int) {}
  __device__ __forceinline__ void count_step() {}
  __device__ __forceinline__ void flush() const {}
};
#endif

}  // namespace mnemo::persistent
