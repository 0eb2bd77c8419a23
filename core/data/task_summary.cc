#include "core/data/task_summary.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/util/input_attributes.h"

namespace amend {
namespace {

using OrderedJson = nlohmann::ordered_json;

struct SplitCounts {
  int64_t positives = 0;  // rows of class 1
  std::vector<int64_t> class_rows;
  int64_t group_rows[2] = {0, 0};
  int64_t group_positives[2] = {0, 0};
};

SplitCounts Count(const Task& task, const Split& split) {
  SplitCounts counts;
  counts.class_rows.assign(task.class_names.size(), 0);
  for (int64_t i = 0; i < split.rows; ++i) {
    const auto index = static_cast<size_t>(i);
    ++counts.class_rows[static_cast<size_t>(split.labels[index])];
    const bool positive = split.labels[index] == 1;
    const int group = split.groups[index];
    counts.positives += positive;
    counts.group_rows[group] += 1;
    counts.group_positives[group] += positive;
  }
  return counts;
}

double Rate(int64_t part, int64_t whole) {
  return whole == 0 ? 0.0
                    : static_cast<double>(part) / static_cast<double>(whole);
}

OrderedJson SplitSummary(const Task& task, const Split& split) {
  const SplitCounts counts = Count(task, split);
  OrderedJson summary;
  summary["rows"] = split.rows;
  if (task.num_classes() > 2) {  // no positive class: every class's share
    OrderedJson rates = OrderedJson::array();
    for (const int64_t rows : counts.class_rows)
      rates.push_back(Rate(rows, split.rows));
    summary["class_rates"] = std::move(rates);
  } else {
    summary["positive_rate"] = Rate(counts.positives, split.rows);
  }
  OrderedJson groups = OrderedJson::array();
  if (task.group_attribute.empty()) {  // a task without a sensitive attribute
    summary["groups"] = std::move(groups);
    return summary;
  }
  for (int g = 0; g < 2; ++g) {
    groups.push_back({{"group", task.group_names[static_cast<size_t>(g)]},
                      {"privileged", g == 1},
                      {"rows", counts.group_rows[g]},
                      {"positive_rate",
                       Rate(counts.group_positives[g], counts.group_rows[g])}});
  }
  summary["groups"] = std::move(groups);
  return summary;
}

}  // namespace

std::string TaskSummaryJson(const Task& task) {
  OrderedJson json;
  json["task"] = task.name;
  json["num_features"] = task.num_features();
  json["classes"] = task.class_names;
  // null for a multi-class task.
  json["positive_class"] = task.num_classes() == 2
                               ? OrderedJson(task.class_names.back())
                               : OrderedJson();
  // null for a task without one (fairness needs it).
  json["sensitive_attribute"] = task.group_attribute.empty()
                                    ? OrderedJson()
                                    : OrderedJson(task.group_attribute);
  OrderedJson features = OrderedJson::array();
  for (const Feature& feature : task.features) {
    OrderedJson entry;
    entry["name"] = feature.name;
    entry["kind"] = feature.categorical ? "categorical" : "numeric";
    if (feature.categorical) entry["categories"] = feature.categories.size();
    entry["train_mean"] = feature.mean;
    entry["train_stddev"] = feature.stddev;
    if (!feature.attribute.empty()) entry["attribute"] = feature.attribute;
    features.push_back(std::move(entry));
  }
  json["features"] = std::move(features);
  int64_t total = 0;
  OrderedJson splits;
  for (SplitName name : kAllSplits) {
    const Split& split = task.split(name);
    total += split.rows;
    splits[std::string(SplitNameString(name))] = SplitSummary(task, split);
  }
  json["rows"] = total;
  json["splits"] = std::move(splits);
  return json.dump(2);
}

std::string TaskSummaryText(const Task& task) {
  int64_t total = 0;
  for (SplitName name : kAllSplits) total += task.split(name).rows;
  std::string text = absl::StrFormat("%s: %d rows, %d features (%s)\n",
                                     task.name, total, task.num_features(),
                                     absl::StrJoin(task.feature_names(), ", "));
  if (const std::vector<std::string> of_input = task.feature_attributes();
      !of_input.empty()) {
    const InputAttributes attributes =
        IndexInputAttributes(task.feature_names(), of_input);
    std::vector<std::string> shown;
    for (int64_t a = 0; a < attributes.count(); ++a) {
      const auto index = static_cast<size_t>(a);
      shown.push_back(attributes.inputs[index] > 1
                          ? absl::StrFormat("%s (%d inputs)",
                                            attributes.names[index],
                                            attributes.inputs[index])
                          : attributes.names[index]);
    }
    absl::StrAppendFormat(&text,
                          "  %d attributes (data minimisation keeps or removes "
                          "each whole): %s\n",
                          attributes.count(), absl::StrJoin(shown, ", "));
  }
  const bool multi_class = task.num_classes() > 2;
  const std::string label =
      multi_class ? absl::StrFormat("%d classes (%s)", task.num_classes(),
                                    absl::StrJoin(task.class_names, ", "))
                  : task.class_names.back();
  const char* no_fairness =
      multi_class ? " (no fairness editors: the label is not binary)"
      : task.group_attribute.empty() ? " (no fairness editors)"
                                     : "";
  absl::StrAppendFormat(
      &text, "  label: %s; sensitive attribute: %s%s\n", label,
      task.group_attribute.empty() ? "none" : task.group_attribute,
      no_fairness);
  for (SplitName name : kAllSplits) {
    const Split& split = task.split(name);
    const SplitCounts counts = Count(task, split);
    if (multi_class) {
      std::vector<std::string> shares;
      for (const int64_t rows : counts.class_rows)
        shares.push_back(absl::StrFormat("%.3f", Rate(rows, split.rows)));
      absl::StrAppendFormat(&text, "  %-10s %6d rows  classes %s\n",
                            SplitNameString(name), split.rows,
                            absl::StrJoin(shares, " "));
      continue;
    }
    if (task.group_attribute.empty()) {
      absl::StrAppendFormat(&text, "  %-10s %6d rows  positive %.3f\n",
                            SplitNameString(name), split.rows,
                            Rate(counts.positives, split.rows));
      continue;
    }
    absl::StrAppendFormat(
        &text, "  %-10s %6d rows  positive %.3f  | %s: %.3f | %s: %.3f\n",
        SplitNameString(name), split.rows, Rate(counts.positives, split.rows),
        task.group_names[0],
        Rate(counts.group_positives[0], counts.group_rows[0]),
        task.group_names[1],
        Rate(counts.group_positives[1], counts.group_rows[1]));
  }
  return text;
}

}  // namespace amend
