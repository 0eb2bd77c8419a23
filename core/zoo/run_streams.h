// File: core/zoo/run_streams.h
//
// The random sequences of one zoo run, shared by every trainer so that a run
// trains the same way whichever trainer or group it lands in: the data order of
// each epoch and the dropout masks.
//
// Thread-compatible.
#ifndef AMEND_CORE_ZOO_RUN_STREAMS_H_
#define AMEND_CORE_ZOO_RUN_STREAMS_H_

#include <cstdint>
#include <vector>

#include "core/util/seeded_random.h"

namespace amend {

// The permutation of 0..rows-1 that run `run_seed` visits in epoch `epoch`
// (0-based).
std::vector<int64_t> EpochOrder(uint64_t run_seed, int epoch, int64_t rows);

// The stream a run draws its dropout masks from, one draw of 32 bits per
// kept-or-dropped entry.
SeededRandom DropoutStream(uint64_t run_seed);

// Fills `out` (row stride `stride` floats) with a [batch, width]
// inverted-dropout mask: each entry 1 / keep with probability keep, else 0, in
// row-major order from `stream`, two entries per 64-bit draw. REQUIRES: 0 <
// keep < 1.
void DrawDropoutMask(SeededRandom& stream, double keep, int64_t batch,
                     int64_t width, int64_t stride, float* out);

}  // namespace amend

#endif  // AMEND_CORE_ZOO_RUN_STREAMS_H_
