// File: core/util/input_attributes.h
//
// Which model inputs form one attribute. A user whose model consumes their
// own preprocessing feeds e.g. the one-hot columns occupation=Sales,
// occupation=Tech-support, ... : data minimisation keeps or removes the
// attribute "occupation" as a whole, and counts and names attributes, not
// columns. Without groups every input is its own attribute.
//
// Example:
//   InputAttributes a = IndexInputAttributes({"age", "job=a", "job=b"},
//                                            {"age", "job", "job"});
//   // a.names == {"age", "job"}, a.of_input == {0, 1, 1}
//
// Thread-safe (plain data, pure functions).
#ifndef AMEND_CORE_UTIL_INPUT_ATTRIBUTES_H_
#define AMEND_CORE_UTIL_INPUT_ATTRIBUTES_H_

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace amend {

struct InputAttributes {
  std::vector<std::string> names;  // in order of each one's first input
  std::vector<int64_t> of_input;   // [input_dim]: attribute index per input
  std::vector<int64_t> inputs;     // [attributes]: inputs per attribute

  int64_t count() const { return static_cast<int64_t>(names.size()); }
  // True when every input is its own attribute.
  bool trivial() const { return names.size() == of_input.size(); }
  bool operator==(const InputAttributes&) const = default;
};

// `attribute_of_input` names each input's attribute (same length as
// `input_names`); empty means every input is its own attribute, named as the
// input.
inline InputAttributes IndexInputAttributes(
    const std::vector<std::string>& input_names,
    const std::vector<std::string>& attribute_of_input) {
  const std::vector<std::string>& keys =
      attribute_of_input.empty() ? input_names : attribute_of_input;
  InputAttributes attributes;
  std::unordered_map<std::string, int64_t> index_of;
  for (const std::string& key : keys) {
    auto [it, added] = index_of.emplace(key, attributes.count());
    if (added) {
      attributes.names.push_back(key);
      attributes.inputs.push_back(0);
    }
    const int64_t index = it->second;
    attributes.of_input.push_back(index);
    ++attributes.inputs[static_cast<size_t>(index)];
  }
  return attributes;
}

}  // namespace amend

#endif  // AMEND_CORE_UTIL_INPUT_ATTRIBUTES_H_
