// File: core/zoo/accuracy_histogram.h
//
// An SVG histogram of checkpoint accuracies, one colour per checkpoint stage,
// written next to a zoo's manifest so people can see at a glance that the zoo
// spans a range of accuracies.
//
// Thread-safe (pure functions; the file is written atomically).
#ifndef AMEND_CORE_ZOO_ACCURACY_HISTOGRAM_H_
#define AMEND_CORE_ZOO_ACCURACY_HISTOGRAM_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace amend {

// Bars over [lo, hi] of the pooled values in `bins` bins, stacked per series,
// with axes and a legend. Series are drawn in map order.
std::string AccuracyHistogramSvg(
    const std::map<std::string, std::vector<double>>& series,
    const std::string& title, int bins = 40);

// The histogram's file in a zoo folder.
inline constexpr char kZooHistogramFile[] = "accuracy_histogram.svg";

// Writes AccuracyHistogramSvg(series, title) to <zoo_dir>/kZooHistogramFile.
absl::Status WriteZooHistogram(
    const std::string& zoo_dir,
    const std::map<std::string, std::vector<double>>& series,
    const std::string& title);

// Quantile q in [0, 1] of `values` (linear interpolation); 0 for an empty
// vector.
double Quantile(std::vector<double> values, double q);

}  // namespace amend

#endif  // AMEND_CORE_ZOO_ACCURACY_HISTOGRAM_H_
