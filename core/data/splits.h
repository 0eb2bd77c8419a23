// File: core/data/splits.h
//
// Stratified, seeded splitting of row indices: within each class, rows are
// shuffled with SeededRandom and cut into consecutive parts of the requested
// fractions (each part's size is round(fraction x class size)); the remainder
// is the last part. Every part is returned in ascending row order, so a split
// does not depend on anything but the labels and the seed.
//
// Example:
//   // parts: validation, test, train (the rest).
//   auto parts = StratifiedSplit(labels, {0.2, 0.2}, /*seed=*/kSplitSeed);
//
// Thread-safe (pure function).
#ifndef AMEND_CORE_DATA_SPLITS_H_
#define AMEND_CORE_DATA_SPLITS_H_

#include <cstdint>
#include <vector>

namespace amend {

// The fixed seed of the bundled tasks' splits.
inline constexpr uint64_t kSplitSeed = 20240611;

// Returns fractions.size() + 1 parts of indices into `labels`: one per
// fraction, then the rest. REQUIRES: fractions are >= 0 and sum to at most 1;
// labels are >= 0.
std::vector<std::vector<int64_t>> StratifiedSplit(
    const std::vector<int64_t>& labels, const std::vector<double>& fractions,
    uint64_t seed);

}  // namespace amend

#endif  // AMEND_CORE_DATA_SPLITS_H_
