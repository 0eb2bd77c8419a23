#include "core/gmn/metanetwork_options.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "core/util/range_error.h"

namespace amend {
namespace {

absl::Status OutOfRange(absl::string_view prefix, absl::string_view field,
                        absl::string_view expected, double got) {
  return OutOfRangeError(absl::StrCat(prefix, ".", field), expected, got);
}

}  // namespace

absl::Status ValidateMetanetworkOptions(const MetanetworkOptions& options,
                                        absl::string_view field_prefix) {
  const MetanetworkOptions& n = options;
  if (n.hidden < 1 || n.hidden > 1024) {
    return OutOfRange(field_prefix, "hidden", "in [1, 1024]", n.hidden);
  }
  if (n.layers < 1 || n.layers > 32) {
    return OutOfRange(field_prefix, "layers", "in [1, 32]", n.layers);
  }
  if (!(n.dropout >= 0.0 && n.dropout < 1.0)) {
    return OutOfRange(field_prefix, "dropout", "in [0, 1)", n.dropout);
  }
  if (n.max_hidden_layers < 1 || n.max_hidden_layers > 64) {
    return OutOfRange(field_prefix, "max_hidden_layers", "in [1, 64]",
                      n.max_hidden_layers);
  }
  if (!std::isfinite(n.residual_scale_init)) {
    return OutOfRange(field_prefix, "residual_scale_init", "finite",
                      n.residual_scale_init);
  }
  if (!std::isfinite(n.mask_logit_init)) {
    return OutOfRange(field_prefix, "mask_logit_init", "finite",
                      n.mask_logit_init);
  }
  return absl::OkStatus();
}

}  // namespace amend
