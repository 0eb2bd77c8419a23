#include "core/data_tensors/split_tensors.h"

#include <ATen/ATen.h>

#include <algorithm>

namespace amend {

SplitTensors ToTensors(const Split& split, int64_t max_rows) {
  const int64_t rows =
      max_rows > 0 ? std::min(max_rows, split.rows) : split.rows;
  const int64_t columns =
      split.rows == 0
          ? 0
          : static_cast<int64_t>(split.features.size()) / split.rows;
  SplitTensors tensors;
  tensors.features = at::from_blob(const_cast<float*>(split.features.data()),
                                   {split.rows, columns}, at::kFloat)
                         .narrow(0, 0, rows)
                         .clone();
  tensors.labels = at::from_blob(const_cast<int64_t*>(split.labels.data()),
                                 {split.rows}, at::kLong)
                       .narrow(0, 0, rows)
                       .clone();
  tensors.groups = at::from_blob(const_cast<int8_t*>(split.groups.data()),
                                 {split.rows}, at::kChar)
                       .narrow(0, 0, rows)
                       .to(at::kLong);
  return tensors;
}

SplitTensors ToTensors(const Task& task, SplitName split, int64_t max_rows) {
  SplitTensors tensors = ToTensors(task.split(split), max_rows);
  const std::vector<std::string> attributes = task.feature_attributes();
  if (!attributes.empty())
    tensors.attributes = IndexInputAttributes(task.feature_names(), attributes);
  return tensors;
}

}  // namespace amend
