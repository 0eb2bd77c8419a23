#include "core/data/splits.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/util/seeded_random.h"

namespace amend {

std::vector<std::vector<int64_t>> StratifiedSplit(
    const std::vector<int64_t>& labels, const std::vector<double>& fractions,
    uint64_t seed) {
  std::map<int64_t, std::vector<int64_t>> rows_by_class;
  for (size_t i = 0; i < labels.size(); ++i) {
    rows_by_class[labels[i]].push_back(static_cast<int64_t>(i));
  }
  std::vector<std::vector<int64_t>> parts(fractions.size() + 1);
  for (auto& [label, rows] : rows_by_class) {
    SeededRandom random(
        SeededRandom::Combine(seed, static_cast<uint64_t>(label)));
    random.Shuffle(rows);
    size_t begin = 0;
    for (size_t p = 0; p < fractions.size(); ++p) {
      const auto count = static_cast<size_t>(
          std::llround(fractions[p] * static_cast<double>(rows.size())));
      const size_t end = std::min(rows.size(), begin + count);
      parts[p].insert(parts[p].end(),
                      rows.begin() + static_cast<std::ptrdiff_t>(begin),
                      rows.begin() + static_cast<std::ptrdiff_t>(end));
      begin = end;
    }
    parts.back().insert(parts.back().end(),
                        rows.begin() + static_cast<std::ptrdiff_t>(begin),
                        rows.end());
  }
  for (auto& part : parts) std::sort(part.begin(), part.end());
  return parts;
}

}  // namespace amend
