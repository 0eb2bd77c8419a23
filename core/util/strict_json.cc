#include "core/util/strict_json.h"

#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/util/client_text.h"

namespace amend {

StrictJson ParseStrictJson(absl::string_view text) {
  StrictJson parsed;
  std::vector<std::set<std::string>> open_objects;
  bool found_duplicate = false;
  const nlohmann::json::parser_callback_t watch_keys =
      [&](int depth, nlohmann::json::parse_event_t event,
          nlohmann::json& value) {
        using Event = nlohmann::json::parse_event_t;
        if (event == Event::object_start) {
          open_objects.emplace_back();
        } else if (event == Event::object_end) {
          if (!open_objects.empty()) open_objects.pop_back();
        } else if (event == Event::key && !found_duplicate &&
                   !open_objects.empty()) {
          std::string key = value.get<std::string>();
          if (!open_objects.back().insert(key).second) {
            found_duplicate = true;
            parsed.duplicate_key = ClientText(key);
            parsed.duplicate_depth = depth;
          }
        }
        return true;
      };
  parsed.value = nlohmann::json::parse(text.begin(), text.end(), watch_keys,
                                       /*allow_exceptions=*/false);
  if (parsed.value.is_discarded()) {
    parsed.error = absl::InvalidArgumentError("must be valid JSON");
  } else if (found_duplicate) {
    parsed.error = absl::InvalidArgumentError(absl::StrCat(
        "'", parsed.duplicate_key, "' appears twice in one JSON object"));
    parsed.value = nlohmann::json(nlohmann::json::value_t::discarded);
  }
  return parsed;
}

}  // namespace amend
