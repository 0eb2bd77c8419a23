#include "core/training/editor_trainer.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <limits>

#include "absl/strings/str_cat.h"
#include "core/editor/apply_edit.h"
#include "core/mlp/forward.h"
#include "core/mlp/model_file.h"
#include "core/mlp/safetensors.h"
#include "core/objectives/fairness.h"
#include "core/objectives/preservation.h"
#include "core/optim/epo.h"
#include "core/training/edit_comparison.h"
#include "core/training/sanity_baselines.h"
#include "core/training/zoo_models.h"
#include "core/util/file_io.h"
#include "core/util/seeded_random.h"
#include "core/util/sha256.h"
#include "core/util/status_macros.h"
#include "core/util/torch_boundary.h"

namespace amend {
namespace {

// The validation split is halved once, independently of the training seed, so
// editors trained with different seeds are selected on the same data.
constexpr uint64_t kValidationHalvesSeed = 0x7a11da7e;
constexpr char kStateTensorsFile[] = "training_state.safetensors";
constexpr char kStateJsonFile[] = "training_state.json";
constexpr uint64_t kMaxStateBytes = uint64_t{1} << 30;

struct TrainingData {
  SplitTensors editing;    // the half the loss reads
  SplitTensors selection;  // the half model selection reads
  // Rows of `editing` per (group, label) cell, cell = 2 * group + label.
  std::array<std::vector<int64_t>, 4> cells;
};

SplitTensors Rows(const SplitTensors& all, const std::vector<int64_t>& rows) {
  const at::Tensor index = at::tensor(rows, at::kLong);
  SplitTensors out;
  out.features = all.features.index_select(0, index);
  out.labels = all.labels.index_select(0, index);
  out.groups = all.groups.index_select(0, index);
  return out;
}

TrainingData HalveValidation(const Task& task) {
  const SplitTensors all = ToTensors(task.validation);
  std::vector<int64_t> order(all.rows());
  for (int64_t i = 0; i < all.rows(); ++i) order[i] = i;
  SeededRandom random(kValidationHalvesSeed);
  random.Shuffle(order);
  const size_t half = order.size() / 2;
  TrainingData data;
  data.editing =
      Rows(all, std::vector<int64_t>(order.begin(), order.begin() + half));
  data.selection =
      Rows(all, std::vector<int64_t>(order.begin() + half, order.end()));
  const auto labels = data.editing.labels.accessor<int64_t, 1>();
  const auto groups = data.editing.groups.accessor<int64_t, 1>();
  for (int64_t i = 0; i < data.editing.rows(); ++i) {
    data.cells[2 * groups[i] + labels[i]].push_back(i);
  }
  return data;
}

std::string StatePath(const std::string& dir, const char* file) {
  return (std::filesystem::path(dir) / file).string();
}

// Parameters of the network by name, in registration order.
std::vector<std::pair<std::string, at::Tensor>> NamedParameters(
    Editor& editor) {
  std::vector<std::pair<std::string, at::Tensor>> named;
  for (auto& item : editor.network()->named_parameters(true)) {
    named.emplace_back(item.key(), item.value());
  }
  return named;
}

struct TrainingState {
  int64_t step = 0;
  double best_score = std::numeric_limits<double>::infinity();
  int64_t best_step = -1;
  std::vector<at::Tensor> best;  // parameter values of the best selection
  nlohmann::json history = nlohmann::json::array();
  double seconds = 0.0;  // training time over all sessions
};

absl::Status SaveState(const std::string& dir, Editor& editor, AdamW& optimizer,
                       const TrainingState& state,
                       const nlohmann::json& settings) {
  const auto named = NamedParameters(editor);
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (size_t i = 0; i < named.size(); ++i) {
    tensors.emplace_back("parameter/" + named[i].first, named[i].second);
    tensors.emplace_back("first_moment/" + named[i].first,
                         optimizer.first_moments()[i]);
    tensors.emplace_back("second_moment/" + named[i].first,
                         optimizer.second_moments()[i]);
    if (!state.best.empty()) {
      tensors.emplace_back("best/" + named[i].first, state.best[i]);
    }
  }
  const std::string bytes = SerializeFloat32Tensors(tensors, {});
  const nlohmann::json json{{"settings", settings},
                            {"step", state.step},
                            {"best_score", state.best_score},
                            {"best_step", state.best_step},
                            {"history", state.history},
                            {"seconds", state.seconds},
                            {"tensors_sha256", Sha256Hex(bytes)}};
  AMEND_RETURN_IF_ERROR(
      WriteFileAtomically(StatePath(dir, kStateTensorsFile), bytes));
  return WriteFileAtomically(StatePath(dir, kStateJsonFile), json.dump());
}

// Restores a saved state into editor, optimizer and state. Returns false when
// there is none.
absl::StatusOr<bool> LoadState(const std::string& dir, Editor& editor,
                               AdamW& optimizer, TrainingState& state,
                               const nlohmann::json& settings) {
  const std::string json_path = StatePath(dir, kStateJsonFile);
  if (!std::filesystem::exists(json_path)) return false;
  AMEND_ASSIGN_OR_RETURN(const std::string text,
                         ReadFileToString(json_path, kMaxStateBytes));
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object() || !json.contains("settings") ||
      !json.value("step", nlohmann::json()).is_number_integer() ||
      !json.value("best_step", nlohmann::json()).is_number_integer()) {
    return absl::DataLossError(
        absl::StrCat(json_path, ": not a training state"));
  }
  if (json["settings"] != settings) {
    return absl::FailedPreconditionError(absl::StrCat(
        dir,
        ": holds the training state of an editor with other settings; use "
        "another --out or delete the folder"));
  }
  const std::string tensors_path = StatePath(dir, kStateTensorsFile);
  AMEND_ASSIGN_OR_RETURN(const std::string bytes,
                         ReadFileToString(tensors_path, kMaxStateBytes));
  if (Sha256Hex(bytes) != json.value("tensors_sha256", "")) {
    return absl::DataLossError(
        absl::StrCat(tensors_path, ": sha256 does not match ", kStateJsonFile));
  }
  AMEND_ASSIGN_OR_RETURN(const SafetensorsFile file, ParseSafetensors(bytes));
  const auto named = NamedParameters(editor);
  const bool has_best = json.value("best_step", int64_t{-1}) >= 0;
  auto read = [&](const std::string& name, at::Tensor& target) -> absl::Status {
    const SafetensorsTensor* tensor = file.Find(name);
    if (tensor == nullptr) {
      return absl::DataLossError(
          absl::StrCat(tensors_path, ": tensor ", name, " is missing"));
    }
    AMEND_ASSIGN_OR_RETURN(const std::vector<float> values,
                           DecodeFloat32(*tensor));
    if (static_cast<int64_t>(values.size()) != target.numel()) {
      return absl::DataLossError(
          absl::StrCat(tensors_path, ": tensor ", name, " has the wrong size"));
    }
    at::NoGradGuard no_grad;
    target.copy_(at::from_blob(const_cast<float*>(values.data()),
                               target.sizes(), at::kFloat));
    return absl::OkStatus();
  };
  state.best.clear();
  for (size_t i = 0; i < named.size(); ++i) {
    at::Tensor parameter = named[i].second;
    AMEND_RETURN_IF_ERROR(read("parameter/" + named[i].first, parameter));
    AMEND_RETURN_IF_ERROR(
        read("first_moment/" + named[i].first, optimizer.first_moments()[i]));
    AMEND_RETURN_IF_ERROR(
        read("second_moment/" + named[i].first, optimizer.second_moments()[i]));
    if (has_best) {
      at::Tensor best = at::empty_like(parameter).detach();
      AMEND_RETURN_IF_ERROR(read("best/" + named[i].first, best));
      state.best.push_back(best);
    }
  }
  // JSON has no infinity: a state saved before the first selection stores
  // best_score as null.
  state.step = json.value("step", int64_t{0});
  state.best_score = json["best_score"].is_number()
                         ? json["best_score"].get<double>()
                         : std::numeric_limits<double>::infinity();
  state.best_step = json.value("best_step", int64_t{-1});
  state.history = json.value("history", nlohmann::json::array());
  state.seconds = json.value("seconds", 0.0);
  optimizer.set_step(state.step);
  return true;
}

std::vector<at::Tensor> CloneParameters(Editor& editor) {
  std::vector<at::Tensor> copies;
  for (const auto& [name, tensor] : NamedParameters(editor)) {
    copies.push_back(tensor.detach().clone());
  }
  return copies;
}

void RestoreParameters(Editor& editor, const std::vector<at::Tensor>& values) {
  at::NoGradGuard no_grad;
  const auto named = NamedParameters(editor);
  for (size_t i = 0; i < named.size(); ++i) {
    at::Tensor parameter = named[i].second;
    parameter.copy_(values[i]);
  }
}

double SelectionScore(const EditorFigures& figures, double lambda,
                      Scalarisation scalarisation) {
  if (scalarisation == Scalarisation::kEpo) {
    return std::max(figures.jsd.mean, lambda * figures.requirement.mean);
  }
  return figures.jsd.mean + lambda * figures.requirement.mean;
}

struct StepLosses {
  at::Tensor loss, jsd, requirement;  // scalars
};

// One forward of the training objective on a drawn minibatch.
absl::StatusOr<StepLosses> TrainingObjective(
    Editor& editor, const std::vector<ZooModel>& zoo, const TrainingData& data,
    const EditorTrainingOptions& options, int64_t step) {
  const EditorConfig& config = editor.config();
  SeededRandom random(SeededRandom::Combine(options.seed, step));
  std::vector<const ParameterGraph*> graphs;
  std::vector<const Mlp*> models;
  for (int64_t i = 0; i < options.models_per_step; ++i) {
    const ZooModel& model = zoo[random.Below(zoo.size())];
    graphs.push_back(&model.graph);
    models.push_back(&model.mlp);
  }
  std::vector<int64_t> rows(options.points_per_step);
  for (int64_t& row : rows) row = random.Below(data.editing.rows());
  const SplitTensors points = Rows(data.editing, rows);
  const bool fairness = config.requirement == Requirement::kFairness;
  SplitTensors balanced;
  if (fairness) {
    std::vector<int64_t> cell_rows;
    const int64_t per_cell = std::max<int64_t>(1, options.points_per_step / 4);
    for (const std::vector<int64_t>& cell : data.cells) {
      if (cell.empty()) continue;
      for (int64_t i = 0; i < per_cell; ++i) {
        cell_rows.push_back(cell[random.Below(cell.size())]);
      }
    }
    balanced = Rows(data.editing, cell_rows);
  }
  const at::Tensor inputs =
      fairness ? at::cat({points.features, balanced.features}, 0)
               : points.features;
  at::Generator noise = at::make_generator<at::CPUGeneratorImpl>(random.Next());

  const GraphBatch batch = BatchGraphs(graphs);
  const MetanetworkOutput output = editor.network()->forward(batch);
  EditSpec spec;
  spec.requirement = config.requirement;
  spec.variant = config.variant;
  spec.straight_through = true;
  spec.mask_temperature = config.mask_temperature;
  spec.mask_noise = noise;
  AMEND_ASSIGN_OR_RETURN(const EditedBatch edited,
                         ApplyEdit(graphs, batch, output, spec));
  std::vector<at::Tensor> jsds, requirements;
  for (size_t g = 0; g < models.size(); ++g) {
    const Architecture& architecture = models[g]->architecture;
    at::Tensor original;
    {
      at::NoGradGuard no_grad;
      AMEND_ASSIGN_OR_RETURN(
          original,
          Logits(architecture, models[g]->parameters, points.features));
    }
    AMEND_ASSIGN_OR_RETURN(const at::Tensor after,
                           Logits(architecture, edited.parameters[g], inputs));
    jsds.push_back(
        JensenShannonFromLogits(original, after.narrow(0, 0, points.rows()))
            .mean());
    if (fairness) {
      const at::Tensor tempered =
          at::softmax(after.narrow(0, points.rows(), balanced.rows()) /
                          config.fairness_temperature,
                      1)
              .select(1, 1);
      requirements.push_back(SoftEqualisedOddsDifference(
          tempered, balanced.labels, balanced.groups));
    } else {
      requirements.push_back(edited.kept_fraction[g]);
    }
  }
  StepLosses losses;
  losses.jsd = at::stack(jsds).mean();
  losses.requirement = at::stack(requirements).mean();
  losses.loss = losses.jsd + config.lambda * losses.requirement;
  return losses;
}

// Leaves in every parameter's .grad the EPO-weighted sum of the two
// objectives' gradients, 2 (alpha_1 dJSD + alpha_2 dR), alpha from the
// losses, the gradients' Gram matrix and the preference (1, lambda).
void EpoBackward(const StepLosses& losses,
                 const std::vector<at::Tensor>& parameters, double lambda) {
  auto gradients = [&]() {
    std::vector<at::Tensor> grads;
    for (const at::Tensor& p : parameters) {
      grads.push_back(p.grad().defined() ? p.grad().detach().clone()
                                         : at::zeros_like(p));
      if (p.grad().defined()) p.mutable_grad().zero_();
    }
    return grads;
  };
  losses.jsd.backward({}, /*retain_graph=*/true);
  const std::vector<at::Tensor> jsd_grads = gradients();
  losses.requirement.backward();
  const std::vector<at::Tensor> requirement_grads = gradients();
  Gram gram = {};
  for (size_t i = 0; i < parameters.size(); ++i) {
    const double jj = jsd_grads[i].mul(jsd_grads[i]).sum().item<double>();
    const double jr =
        jsd_grads[i].mul(requirement_grads[i]).sum().item<double>();
    const double rr =
        requirement_grads[i].mul(requirement_grads[i]).sum().item<double>();
    gram[0][0] += jj;
    gram[0][1] += jr;
    gram[1][0] += jr;
    gram[1][1] += rr;
  }
  const Pair alpha =
      EpoWeights({losses.jsd.item<double>(), losses.requirement.item<double>()},
                 gram, {1.0, lambda});
  for (size_t i = 0; i < parameters.size(); ++i) {
    at::Tensor combined =
        2.0 * (alpha[0] * jsd_grads[i] + alpha[1] * requirement_grads[i]);
    at::Tensor parameter = parameters[i];
    parameter.mutable_grad() = combined;
  }
}

}  // namespace

nlohmann::json TrainingOptionsToJson(const EditorTrainingOptions& o) {
  nlohmann::json json = {{"steps", o.steps},
                         {"models_per_step", o.models_per_step},
                         {"points_per_step", o.points_per_step},
                         {"learning_rate", o.optimizer.learning_rate},
                         {"weight_decay", o.optimizer.weight_decay},
                         {"warmup_steps", o.optimizer.warmup_steps},
                         {"clip_norm", o.optimizer.clip_norm},
                         {"eval_every", o.eval_every},
                         {"selection_models", o.selection_models},
                         {"seed", o.seed},
                         {"max_train_models", o.max_train_models},
                         {"max_validation_models", o.max_validation_models},
                         {"max_test_models", o.max_test_models},
                         {"max_test_rows", o.max_test_rows}};
  // Only when not the default, so editors trained before the option existed
  // keep their settings (and resume).
  if (o.scalarisation == Scalarisation::kEpo) json["scalarisation"] = "epo";
  return json;
}

EditorConfig MakeEditorConfig(const Task& task, Requirement requirement,
                              EditVariant variant, double lambda) {
  EditorConfig config;
  config.task = task.name;
  for (const Feature& feature : task.features) {
    config.feature_names.push_back(feature.name);
  }
  config.class_names = task.class_names;
  config.requirement = requirement;
  config.variant = variant;
  config.lambda = lambda;
  return config;
}

absl::StatusOr<EditorManifest> TrainEditor(
    const Task& task, const std::string& zoo_dir, const EditorConfig& config,
    const EditorTrainingOptions& options, const std::string& out_dir,
    const TrainingProgressCallback& progress) {
  AMEND_RETURN_IF_ERROR(ValidateEditorConfig(config));
  if (options.steps < 1 || options.models_per_step < 1 ||
      options.points_per_step < 4 || options.eval_every < 1 ||
      options.checkpoint_every < 1) {
    return absl::InvalidArgumentError(
        "training options: steps, models_per_step, eval_every and "
        "checkpoint_every must be >= 1 and points_per_step >= 4");
  }
  if (config.task != task.name || config.input_dim() != task.num_features()) {
    return absl::InvalidArgumentError(
        absl::StrCat("config.task: the editor is for \"", config.task,
                     "\" but the data is \"", task.name, "\""));
  }
  const nlohmann::json settings{{"config", EditorConfigToJson(config)},
                                {"options", TrainingOptionsToJson(options)}};

  if (std::filesystem::exists(StatePath(out_dir, kEditorManifestFile))) {
    AMEND_ASSIGN_OR_RETURN(EditorManifest existing,
                           ReadEditorManifest(out_dir));
    if (existing.config == config &&
        existing.training.value("options", nlohmann::json()) ==
            settings["options"]) {
      return existing;
    }
    return absl::FailedPreconditionError(absl::StrCat(
        out_dir,
        ": already holds an editor trained with other settings; use another "
        "--out or delete it"));
  }
  AMEND_RETURN_IF_ERROR(CreateDirectories(out_dir));

  AMEND_ASSIGN_OR_RETURN(
      const std::vector<ZooModel> train,
      LoadZooModels(zoo_dir, "train", options.max_train_models));
  AMEND_ASSIGN_OR_RETURN(
      const std::vector<ZooModel> validation,
      LoadZooModels(zoo_dir, "validation", options.max_validation_models));
  const TrainingData data = HalveValidation(task);
  std::vector<const Mlp*> selection_models = MlpPointers(validation);
  if (options.selection_models > 0 &&
      static_cast<int64_t>(selection_models.size()) >
          options.selection_models) {
    selection_models.resize(options.selection_models);
  }

  AMEND_ASSIGN_OR_RETURN(std::unique_ptr<Editor> editor,
                         Editor::Create(config, options.seed));
  for (const std::vector<ZooModel>* split : {&train, &validation}) {
    for (const ZooModel& model : *split) {
      absl::Status supported = editor->CheckSupports(model.mlp.architecture);
      if (!supported.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(
            zoo_dir, "/", model.entry.file, ": ", supported.message()));
      }
    }
  }
  std::vector<at::Tensor> parameters;
  for (const auto& [name, tensor] : NamedParameters(*editor)) {
    parameters.push_back(tensor);
  }
  AdamW optimizer(parameters, options.optimizer);
  TrainingState state;
  AMEND_ASSIGN_OR_RETURN(
      const bool resumed,
      LoadState(out_dir, *editor, optimizer, state, settings));

  auto evaluate = [&](const std::vector<const Mlp*>& models,
                      const SplitTensors& on,
                      absl::string_view name) -> absl::StatusOr<EditorFigures> {
    editor->network()->eval();
    AMEND_ASSIGN_OR_RETURN(const std::vector<EditOutcome> records,
                           CompareEditor(*editor, models, on));
    return Summarise(records, name);
  };

  const auto started = std::chrono::steady_clock::now();
  const int64_t first_step = state.step;
  const double seconds_before = state.seconds;
  double loss_average = 0.0, jsd_average = 0.0, requirement_average = 0.0;
  bool first_report = true;
  while (state.step < options.steps) {
    editor->network()->train();
    AMEND_ASSIGN_OR_RETURN(
        const StepLosses losses,
        CallTorch("training step", [&]() -> absl::StatusOr<StepLosses> {
          AMEND_ASSIGN_OR_RETURN(
              StepLosses step_losses,
              TrainingObjective(*editor, train, data, options, state.step));
          if (options.scalarisation == Scalarisation::kEpo) {
            EpoBackward(step_losses, parameters, config.lambda);
          } else {
            step_losses.loss.backward();
          }
          optimizer.Step();
          return step_losses;
        }));
    ++state.step;
    const double smoothing = first_report ? 0.0 : 0.95;
    loss_average =
        smoothing * loss_average + (1 - smoothing) * losses.loss.item<double>();
    jsd_average =
        smoothing * jsd_average + (1 - smoothing) * losses.jsd.item<double>();
    requirement_average = smoothing * requirement_average +
                          (1 - smoothing) * losses.requirement.item<double>();

    TrainingProgress report;
    if (state.step % options.eval_every == 0 || state.step == options.steps) {
      AMEND_ASSIGN_OR_RETURN(
          const EditorFigures figures,
          evaluate(selection_models, data.selection, "validation"));
      const double score =
          SelectionScore(figures, config.lambda, options.scalarisation);
      state.history.push_back({{"step", state.step},
                               {"score", score},
                               {"jsd", figures.jsd.mean},
                               {"requirement", figures.requirement.mean}});
      if (score < state.best_score) {
        state.best_score = score;
        state.best_step = state.step;
        state.best = CloneParameters(*editor);
      }
      report.selection_score = score;
    }
    const double seconds = std::chrono::duration<double>(
                               std::chrono::steady_clock::now() - started)
                               .count();
    state.seconds = seconds_before + seconds;
    if (state.step % options.checkpoint_every == 0 &&
        state.step < options.steps) {
      AMEND_RETURN_IF_ERROR(
          SaveState(out_dir, *editor, optimizer, state, settings));
    }
    if (progress) {
      report.step = state.step;
      report.steps = options.steps;
      report.loss = loss_average;
      report.jsd = jsd_average;
      report.requirement = requirement_average;
      report.seconds = seconds;
      const double per_step =
          seconds / static_cast<double>(state.step - first_step);
      report.eta_seconds =
          per_step * static_cast<double>(options.steps - state.step);
      report.resumed = resumed && first_report;
      if (!progress(report)) {
        AMEND_RETURN_IF_ERROR(
            SaveState(out_dir, *editor, optimizer, state, settings));
        return absl::CancelledError(absl::StrCat(
            "training stopped at step ", state.step, "; rerun to resume"));
      }
    }
    first_report = false;
  }

  if (!state.best.empty()) RestoreParameters(*editor, state.best);
  editor->network()->eval();
  EditorManifest manifest;
  manifest.config = config;
  AMEND_ASSIGN_OR_RETURN(
      manifest.validation,
      evaluate(MlpPointers(validation), data.selection, "validation"));
  {
    AMEND_ASSIGN_OR_RETURN(
        const std::vector<ZooModel> test,
        LoadZooModels(zoo_dir, "test", options.max_test_models));
    const SplitTensors test_data = ToTensors(task.test, options.max_test_rows);
    const std::vector<const Mlp*> test_models = MlpPointers(test);
    AMEND_ASSIGN_OR_RETURN(const std::vector<EditOutcome> records,
                           CompareEditor(*editor, test_models, test_data));
    manifest.test = Summarise(records, "test");
    AMEND_ASSIGN_OR_RETURN(
        const std::optional<MatchedBaseline> baseline,
        CompareMatchedBaseline(config.requirement, test_models, records,
                               test_data, data.selection, "test"));
    if (baseline) {
      manifest.test_baseline = {
          {"name", baseline->name},
          {"figures", EditorFiguresToJson(baseline->figures)},
          {"editor_wins", baseline->editor_wins}};
    }
  }
  manifest.training = {{"options", settings["options"]},
                       {"zoo",
                        {{"dir", zoo_dir},
                         {"train_models", train.size()},
                         {"validation_models", validation.size()}}},
                       {"best_step", state.best_step},
                       {"selection_history", state.history},
                       {"seconds", state.seconds}};
  AMEND_RETURN_IF_ERROR(WriteEditorCheckpoint(out_dir, *editor, manifest));
  std::error_code ignored;
  std::filesystem::remove(StatePath(out_dir, kStateTensorsFile), ignored);
  std::filesystem::remove(StatePath(out_dir, kStateJsonFile), ignored);
  return ReadEditorManifest(out_dir);
}

}  // namespace amend
