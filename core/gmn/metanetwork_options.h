// File: core/gmn/metanetwork_options.h
//
// The metanetwork's shape and initialisation: plain data without LibTorch, so
// that an editor's config (core/editor/editor_config.h) can carry it without
// pulling the tensor library into everything that reads editor.json.
//
// Thread-safe (plain data, pure functions).
#ifndef AMEND_CORE_GMN_METANETWORK_OPTIONS_H_
#define AMEND_CORE_GMN_METANETWORK_OPTIONS_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace amend {

// The input and class counts are not here: they come from the task the editor
// is trained on (EditorConfig's feature and class names).
struct MetanetworkOptions {
  // Width d of the node and edge states. Default 32, in [1, 1024].
  int64_t hidden = 32;
  // Number of bidirectional message-passing layers T. Default 3, in [1, 32].
  int64_t layers = 3;
  // Dropout probability inside the layers, applied in training mode only.
  // Default 0, in [0, 1).
  double dropout = 0.0;
  // Deepest MLP the editor accepts, in hidden layers; sizes the node-type and
  // γ tables, so it is fixed when the editor is built. Default 8, in [1, 64].
  int64_t max_hidden_layers = 8;
  // Initial value of every γ, the learnable per-layer scale of the residuals
  // (unitless). Default 0.01, any finite number.
  double residual_scale_init = 0.01;
  // Initial bias of the mask-logit outputs, in logits: > 0 starts by keeping
  // everything, lower starts pruning sooner. Default 3, any finite number.
  double mask_logit_init = 3.0;

  bool operator==(const MetanetworkOptions&) const = default;
};

// OK, or InvalidArgument "<field_prefix>.<field>: must be <range>, got <value>"
// for the first field outside the range documented above.
absl::Status ValidateMetanetworkOptions(const MetanetworkOptions& options,
                                        absl::string_view field_prefix);

}  // namespace amend

#endif  // AMEND_CORE_GMN_METANETWORK_OPTIONS_H_
