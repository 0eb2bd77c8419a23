#include "core/editor/editor.h"

#include <ATen/ATen.h>

#include <cmath>
#include <mutex>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/editor/hard_edit.h"
#include "core/gmn/metanetwork_inference.h"
#include "core/graph/graph_batch.h"
#include "core/mlp/float_values.h"
#include "core/mlp/parameter_layout.h"
#include "core/util/status_macros.h"
#include "core/util/torch_boundary.h"

namespace amend {
namespace {

// LibTorch initialises module weights from its global generator; serialising
// construction makes the seed alone decide them.
std::mutex& InitialisationMutex() {
  static std::mutex mutex;
  return mutex;
}

// Mask entries above 0.5 (kept).
int64_t CountKept(const at::Tensor& mask) {
  const at::Tensor values = CpuFloatValues(mask);
  const float* data = values.data_ptr<float>();
  int64_t kept = 0;
  for (int64_t i = 0; i < values.numel(); ++i) kept += data[i] > 0.5f;
  return kept;
}

}  // namespace

Editor::Editor(EditorConfig config, Metanetwork network)
    : config_(std::move(config)), network_(std::move(network)) {}

absl::StatusOr<std::unique_ptr<Editor>> Editor::Create(
    const EditorConfig& config, uint64_t seed) {
  AMEND_RETURN_IF_ERROR(ValidateEditorConfig(config));
  return CallTorch(
      "creating the editor", TorchInputs::kValidated,
      [&]() -> absl::StatusOr<std::unique_ptr<Editor>> {
        std::lock_guard<std::mutex> lock(InitialisationMutex());
        at::manual_seed(seed);
        Metanetwork network(config.input_dim(), config.num_classes(),
                            config.network);
        network->eval();
        return std::unique_ptr<Editor>(new Editor(config, std::move(network)));
      });
}

absl::Status Editor::MoveTo(const c10::Device& device) {
  return CallTorch(
      absl::StrCat("moving the editor to ", ComputeDeviceName(device)),
      TorchInputs::kValidated, [&]() -> absl::Status {
        network_->to(device);
        device_ = device;
        return absl::OkStatus();
      });
}

absl::Status Editor::CheckSupports(const Architecture& architecture) const {
  return network_->CheckSupports(architecture);
}

absl::Status Editor::CheckEditable(const Mlp& mlp) const {
  AMEND_RETURN_IF_ERROR(CheckSupports(mlp.architecture));
  return CallTorch(
      "checking parameter magnitudes", TorchInputs::kValidated,
      [&]() -> absl::Status {
        for (const auto& [name, parameter] : mlp.parameters) {
          const at::Tensor values = CpuFloatValues(parameter);
          const int64_t index = FirstFloatFailing(values, [](float v) {
            return std::abs(v) <= kMaxEditableMagnitude;
          });
          if (index < 0) continue;
          return absl::InvalidArgumentError(absl::StrCat(
              "parameters.", name, ": magnitudes must be at most ",
              kMaxEditableMagnitude, " for the editor, got ",
              values.data_ptr<float>()[index], " at flat index ", index));
        }
        return absl::OkStatus();
      });
}

namespace {

// The forward pass through LibTorch's operators on the network's device, its
// outputs back on the CPU where the edit is applied. On the CPU the moves are
// no-ops: this is the code a GPU runs, tested on the CPU.
std::optional<MetanetworkOutput> LibTorchForward(MetanetworkImpl& network,
                                                 const c10::Device& device,
                                                 const GraphBatch& batch,
                                                 const EditStopCheck& stop) {
  std::optional<MetanetworkOutput> output = network.ForwardInChunks(
      MoveGraphBatch(batch, device), kEditEdgesPerChunk, stop);
  if (!output.has_value() || device.is_cpu()) return output;
  for (at::Tensor* tensor : {&output->edge_delta, &output->edge_mask_logit,
                             &output->node_delta, &output->node_mask_logit}) {
    *tensor = tensor->to(c10::kCPU);
  }
  return output;
}

// Through the kernels, a call's models are computed in groups of at most this
// many edges (a larger model alone): a group's per-edge states (384 bytes per
// edge) then stay in a core's cache across the layers, which a batch of many
// models as one graph does not (docs/BENCHMARKS.md, "Edit latency"). Through
// LibTorch, on a GPU above all, one graph for the whole batch is what pays.
constexpr int64_t kKernelGroupEdges = 4096;

// [begin, end) ranges of consecutive models, each of at most `group_edges`
// edges or a single model; one range of them all when group_edges is 0.
std::vector<std::pair<size_t, size_t>> ModelGroups(
    const std::vector<ParameterGraph>& graphs, int64_t group_edges) {
  std::vector<std::pair<size_t, size_t>> groups;
  int64_t edges = 0;
  for (size_t i = 0; i < graphs.size(); ++i) {
    const bool full = group_edges > 0 && edges > 0 &&
                      edges + graphs[i].num_edges > group_edges;
    if (groups.empty() || full) {
      groups.emplace_back(i, i);
      edges = 0;
    }
    groups.back().second = i + 1;
    edges += graphs[i].num_edges;
  }
  return groups;
}

// Internal when an edited tensor holds a NaN or infinity: the inputs were
// finite and bounded, so the editor diverged, not the caller's model.
absl::Status CheckEditFinite(const EditResult& result, size_t index) {
  for (const auto& [name, tensor] : result.edited.parameters) {
    if (FirstFloatFailing(CpuFloatValues(tensor),
                          [](float v) { return std::isfinite(v); }) < 0) {
      continue;
    }
    return absl::InternalError(absl::StrCat(
        "the edit diverged: edited parameter ", name, " of models[", index,
        "] is not finite although every input was finite and at most ",
        kMaxEditableMagnitude, " in magnitude; please report this model"));
  }
  return absl::OkStatus();
}

}  // namespace

EditStatistics ComputeEditStatistics(const EditorConfig& config,
                                     const Mlp& edited) {
  return ComputeEditStatistics(config.attributes(), edited);
}

EditStatistics ComputeEditStatistics(const InputAttributes& attributes,
                                     const Mlp& edited) {
  EditStatistics statistics;
  const int64_t inputs = edited.architecture.input_dim;
  auto input_mask = edited.masks.find(kInputMaskName);
  const at::Tensor input_values = input_mask == edited.masks.end()
                                      ? at::Tensor()
                                      : CpuFloatValues(input_mask->second);
  // A mask of another size than the inputs (not one ApplyEdit makes) counts
  // the inputs past its end as kept rather than reading past it.
  const int64_t mask_size = input_values.defined() ? input_values.numel() : 0;
  auto input_kept = [&](int64_t i) {
    return i >= mask_size || input_values.data_ptr<float>()[i] > 0.5f;
  };
  if (!attributes.trivial() &&
      static_cast<int64_t>(attributes.of_input.size()) == inputs) {
    std::vector<bool> kept(static_cast<size_t>(attributes.count()), false);
    for (int64_t i = 0; i < inputs; ++i) {
      if (input_kept(i))
        kept[static_cast<size_t>(attributes.of_input[static_cast<size_t>(i)])] =
            true;
    }
    statistics.features_total = attributes.count();
    for (size_t a = 0; a < kept.size(); ++a) {
      if (!kept[a]) continue;
      ++statistics.features_kept;
      statistics.kept_feature_names.push_back(attributes.names[a]);
    }
  } else {
    statistics.features_total = inputs;
    for (int64_t i = 0; i < inputs; ++i) {
      if (!input_kept(i)) continue;
      ++statistics.features_kept;
      if (i < static_cast<int64_t>(attributes.names.size()))
        statistics.kept_feature_names.push_back(
            attributes.names[static_cast<size_t>(i)]);
    }
  }
  for (const TensorSpec& spec : ExpectedTensors(edited.architecture)) {
    if (!IsWeightRole(spec.role)) continue;
    int64_t numel = 1;
    for (int64_t extent : spec.shape) numel *= extent;
    statistics.weights_total += numel;
    auto mask = edited.masks.find(MaskName(spec.name));
    statistics.weights_kept +=
        mask == edited.masks.end() ? numel : CountKept(mask->second);
  }
  return statistics;
}

absl::StatusOr<std::vector<EditResult>> Editor::Edit(
    const std::vector<const Mlp*>& models, const EditStopCheck& stop,
    ForwardPath path) const {
  std::vector<EditResult> results(models.size());
  AMEND_RETURN_IF_ERROR(EditEach(
      models,
      [&](size_t index, EditResult result) {
        results[index] = std::move(result);
      },
      stop, path));
  return results;
}

absl::Status Editor::EditEach(const std::vector<const Mlp*>& models,
                              const EditDone& done, const EditStopCheck& stop,
                              ForwardPath path) const {
  if (models.empty()) return absl::OkStatus();
  std::vector<ParameterGraph> graphs;
  graphs.reserve(models.size());
  for (size_t i = 0; i < models.size(); ++i) {
    const Mlp& mlp = *models[i];
    absl::StatusOr<ParameterGraph> graph = BuildParameterGraph(mlp);
    if (!graph.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("models[", i, "]: ", graph.status().message()));
    }
    // After the graph: building it validates the parameters CheckEditable
    // reads.
    absl::Status editable = CheckEditable(mlp);
    if (!editable.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("models[", i, "].", editable.message()));
    }
    graphs.push_back(*std::move(graph));
  }
  const MetanetworkImpl& network = *network_.ptr();
  const bool kernels =
      path == ForwardPath::kAuto && CanUseInferenceKernels(network);
  EditSpec spec;
  spec.requirement = config_.requirement;
  spec.variant = config_.variant;
  // Indexed once per call, for the masks and every result's statistics.
  const InputAttributes attributes = config_.attributes();
  if (!config_.feature_attributes.empty())
    spec.input_attribute = attributes.of_input;
  for (const auto& [begin, end] :
       ModelGroups(graphs, kernels ? kKernelGroupEdges : 0)) {
    auto edit_group = [&, begin = begin,
                       end = end]() -> absl::StatusOr<std::vector<EditResult>> {
      at::NoGradGuard no_grad;
      std::vector<const ParameterGraph*> pointers;
      for (size_t i = begin; i < end; ++i) pointers.push_back(&graphs[i]);
      const GraphBatch batch = BatchGraphs(pointers);
      std::optional<MetanetworkOutput> forward;
      try {
        forward =
            kernels ? InferenceForward(network, batch, kEditEdgesPerChunk, stop)
                    : LibTorchForward(*network_.ptr(), device_, batch, stop);
      } catch (const c10::OutOfMemoryError& e) {
        // A GPU's memory: the edit may fit later or on a smaller batch.
        return absl::ResourceExhaustedError(
            absl::StrCat("editing on ", ComputeDeviceName(device_),
                         ": out of memory (", e.what_without_backtrace(), ")"));
      }
      if (!forward.has_value()) {
        return absl::CancelledError(
            "cancelled: the edit was stopped part-way (its callers gave up "
            "or the server is stopping)");
      }
      AMEND_ASSIGN_OR_RETURN(
          EditedBatch edited,
          kernels ? ApplyHardEdit(pointers, batch, *forward, spec)
                  : ApplyEdit(pointers, batch, *forward, spec));
      std::vector<EditResult> group(end - begin);
      for (size_t i = begin; i < end; ++i) {
        Mlp& mlp = group[i - begin].edited;
        mlp.architecture = models[i]->architecture;
        for (auto& [name, tensor] : edited.parameters[i - begin]) {
          mlp.parameters[name] = tensor.contiguous();
        }
        for (auto& [name, tensor] : edited.masks[i - begin]) {
          mlp.masks[name] = tensor.contiguous();
        }
        group[i - begin].statistics = ComputeEditStatistics(attributes, mlp);
        AMEND_RETURN_IF_ERROR(CheckEditFinite(group[i - begin], i));
      }
      return group;
    };
    // The models passed CheckSupports and became graphs above: what LibTorch
    // refuses from here on is our bug, not the caller's input. The results
    // are handed over outside, so that what `done` throws is not taken for
    // LibTorch's.
    AMEND_ASSIGN_OR_RETURN(
        std::vector<EditResult> group,
        CallTorch("editing", TorchInputs::kValidated, edit_group));
    for (size_t i = begin; i < end; ++i) done(i, std::move(group[i - begin]));
  }
  return absl::OkStatus();
}

}  // namespace amend
