// File: core/editor/editor.h
//
// A learned editor: its configuration and its metanetwork. Edit() is the one
// forward pass the server, `amend-trainer edit` and the evaluation all use: a
// batch of MLPs in, edited MLPs (with hard masks) and their statistics out.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(std::unique_ptr<Editor> editor,
//                          Editor::Create(config, /*seed=*/1));
//   AMEND_ASSIGN_OR_RETURN(std::vector<EditResult> results,
//                          editor->Edit({&mlp}));
//
// Thread-safety: Edit() is const and may run concurrently from many threads;
// anything that changes the network (training, loading) needs exclusive access.
#ifndef AMEND_CORE_EDITOR_EDITOR_H_
#define AMEND_CORE_EDITOR_EDITOR_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/editor/apply_edit.h"
#include "core/editor/compute_device.h"
#include "core/editor/edit_cost.h"
#include "core/editor/editor_config.h"
#include "core/gmn/metanetwork.h"
#include "core/mlp/mlp.h"

namespace amend {

struct EditStatistics {
  int64_t features_kept = 0;
  int64_t features_total = 0;
  std::vector<std::string> kept_feature_names;  // input order
  int64_t weights_kept = 0;  // weights not masked (all for non-pruning edits)
  int64_t weights_total = 0;
  double weights_kept_fraction() const {
    return weights_total == 0 ? 1.0
                              : static_cast<double>(weights_kept) /
                                    static_cast<double>(weights_total);
  }
};

// Largest parameter magnitude an editor accepts. Its encoders are linear in
// the parameters and LayerNorm squares them: far above this the float
// arithmetic overflows and the edit is NaN. Trained MLPs sit many orders of
// magnitude below.
inline constexpr double kMaxEditableMagnitude = 1e6;

// Returns true when an edit in progress should stop (its callers gave up).
using EditStopCheck = std::function<bool()>;

// Which implementation runs the metanetwork in Editor::Edit(). kAuto: the
// inference kernels (core/gmn/metanetwork_inference.h) whenever the network
// allows them (CPU, float32), LibTorch's operators otherwise. kLibTorch: always
// LibTorch's operators on the editor's device (the path training
// differentiates and the one a GPU runs; tests and benchmarks compare the
// two).
enum class ForwardPath { kAuto, kLibTorch };

struct EditResult {
  Mlp edited;  // edited parameters plus the requirement's masks
  EditStatistics statistics;
};

class Editor {
 public:
  // A freshly initialised editor; the same seed gives the same weights.
  static absl::StatusOr<std::unique_ptr<Editor>> Create(
      const EditorConfig& config, uint64_t seed);

  const EditorConfig& config() const { return config_; }
  // Where the metanetwork's forward pass runs (the CPU unless MoveTo moved
  // it). Graphs are built and edits applied on the CPU either way.
  const c10::Device& device() const { return device_; }

  // Moves the metanetwork to `device` (from ParseComputeDevice). Internal
  // naming the device when LibTorch cannot. Needs exclusive access.
  absl::Status MoveTo(const c10::Device& device);

  Metanetwork& network() { return network_; }
  const Metanetwork& network() const { return network_; }

  // OK if the editor can edit models of this architecture; InvalidArgument
  // naming the mismatch otherwise.
  absl::Status CheckSupports(const Architecture& architecture) const;

  // CheckSupports, and every parameter at most kMaxEditableMagnitude in
  // magnitude: InvalidArgument "parameters.<name>: ..." naming the first
  // that is not. REQUIRES: ValidateParameters(mlp) is OK.
  absl::Status CheckEditable(const Mlp& mlp) const;

  // Edits every model (eval mode, hard masks): through LibTorch in one
  // metanetwork pass, through the kernels in groups of models small enough to
  // stay in cache; computed in chunks of kEditEdgesPerChunk edges. Errors: InvalidArgument
  // naming the model and field for a model CheckEditable refuses or whose
  // parameters do not match its architecture; Cancelled when `stop` (checked
  // after every chunk; may be null) returned true; Internal when an edited
  // parameter is not finite (the edit diverged: the inputs were checked).
  absl::StatusOr<std::vector<EditResult>> Edit(
      const std::vector<const Mlp*>& models,
      const EditStopCheck& stop = nullptr,
      ForwardPath path = ForwardPath::kAuto) const;

  // Called with a model's index in the call and its result.
  using EditDone = std::function<void(size_t index, EditResult result)>;

  // Edit(), handing each model's result to `done` (on the calling thread) as
  // soon as its group is computed, so that a server replies to the first
  // models of a batch while the others compute. On an error, the models
  // handed over so far keep their results and the others get none; a model
  // that diverged is Internal naming it, and no model of its group or after
  // it is handed over. A GPU out of memory is ResourceExhausted.
  absl::Status EditEach(const std::vector<const Mlp*>& models,
                        const EditDone& done,
                        const EditStopCheck& stop = nullptr,
                        ForwardPath path = ForwardPath::kAuto) const;

 private:
  Editor(EditorConfig config, Metanetwork network);

  EditorConfig config_;
  Metanetwork network_;
  c10::Device device_{c10::kCPU};
};

// The statistics of an edited model's masks. Features are the config's
// attributes (EditorConfig::attributes): an attribute of several inputs is
// kept when any of its inputs is.
EditStatistics ComputeEditStatistics(const EditorConfig& config,
                                     const Mlp& edited);
// The same with attributes given (names may be empty: inputs past them count
// as their own unnamed attributes).
EditStatistics ComputeEditStatistics(const InputAttributes& attributes,
                                     const Mlp& edited);

}  // namespace amend

#endif  // AMEND_CORE_EDITOR_EDITOR_H_
