#include "core/training/training_objective.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>

#include "core/editor/apply_edit.h"
#include "core/graph/graph_batch.h"
#include "core/mlp/forward.h"
#include "core/objectives/fairness.h"
#include "core/objectives/preservation.h"
#include "core/optim/epo.h"
#include "core/util/seeded_random.h"
#include "core/util/status_macros.h"

namespace amend {
namespace {

constexpr uint64_t kValidationHalvesSeed = 0x7a11da7e;

SplitTensors Rows(const SplitTensors& all, const std::vector<int64_t>& rows) {
  const at::Tensor index = at::tensor(rows, at::kLong);
  SplitTensors out;
  out.features = all.features.index_select(0, index);
  out.labels = all.labels.index_select(0, index);
  out.groups = all.groups.index_select(0, index);
  out.attributes = all.attributes;
  return out;
}

// One step's draw: zoo models, data points and, for fairness, a draw balanced
// over the (group, label) cells that the soft EOD reads.
struct Minibatch {
  std::vector<const ParameterGraph*> graphs;
  std::vector<const Mlp*> models;
  SplitTensors points;
  SplitTensors balanced;  // fairness only
  at::Tensor inputs;      // points, then balanced, as one batch
  at::Generator noise;    // of the straight-through masks
};

Minibatch DrawMinibatch(const std::vector<ZooModel>& zoo,
                        const TrainingData& data,
                        const EditorTrainingOptions& options, int64_t step,
                        bool fairness) {
  SeededRandom random(SeededRandom::Combine(options.seed, step));
  Minibatch batch;
  for (int64_t i = 0; i < options.models_per_step; ++i) {
    const ZooModel& model = zoo[random.Below(zoo.size())];
    batch.graphs.push_back(&model.graph);
    batch.models.push_back(&model.mlp);
  }
  std::vector<int64_t> rows(options.points_per_step);
  for (int64_t& row : rows) row = random.Below(data.editing.rows());
  batch.points = Rows(data.editing, rows);
  batch.inputs = batch.points.features;
  if (fairness) {
    std::vector<int64_t> cell_rows;
    const int64_t per_cell = std::max<int64_t>(1, options.points_per_step / 4);
    for (const std::vector<int64_t>& cell : data.cells) {
      if (cell.empty()) continue;
      for (int64_t i = 0; i < per_cell; ++i) {
        cell_rows.push_back(cell[random.Below(cell.size())]);
      }
    }
    batch.balanced = Rows(data.editing, cell_rows);
    batch.inputs = at::cat({batch.points.features, batch.balanced.features}, 0);
  }
  batch.noise = at::make_generator<at::CPUGeneratorImpl>(random.Next());
  return batch;
}

}  // namespace

TrainingData HalveValidation(const Task& task) {
  const SplitTensors all = ToTensors(task, SplitName::kValidation);
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
  // The (group, label) cells exist for a binary label only: fairness, the
  // one reader, refuses other tasks (CheckTaskSupports).
  if (task.num_classes() != 2) return data;
  const auto labels = data.editing.labels.accessor<int64_t, 1>();
  const auto groups = data.editing.groups.accessor<int64_t, 1>();
  for (int64_t i = 0; i < data.editing.rows(); ++i) {
    data.cells[2 * groups[i] + labels[i]].push_back(i);
  }
  return data;
}

absl::StatusOr<StepLosses> TrainingObjective(
    Editor& editor, const std::vector<ZooModel>& zoo, const TrainingData& data,
    const EditorTrainingOptions& options, int64_t step) {
  const EditorConfig& config = editor.config();
  const bool fairness = config.requirement == Requirement::kFairness;
  const Minibatch drawn = DrawMinibatch(zoo, data, options, step, fairness);
  const std::vector<const ParameterGraph*>& graphs = drawn.graphs;
  const std::vector<const Mlp*>& models = drawn.models;
  const SplitTensors& points = drawn.points;
  const SplitTensors& balanced = drawn.balanced;
  const at::Tensor& inputs = drawn.inputs;
  const GraphBatch batch = BatchGraphs(graphs);
  const MetanetworkOutput output = editor.network()->forward(batch);
  EditSpec spec;
  spec.requirement = config.requirement;
  spec.variant = config.variant;
  spec.straight_through = true;
  spec.mask_temperature = config.mask_temperature;
  spec.mask_noise = drawn.noise;
  if (!config.feature_attributes.empty())
    spec.input_attribute = config.attributes().of_input;
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

double SelectionScore(const EditorFigures& figures, double lambda,
                      Scalarisation scalarisation) {
  if (scalarisation == Scalarisation::kEpo) {
    return std::max(figures.jsd.mean, lambda * figures.requirement.mean);
  }
  return figures.jsd.mean + lambda * figures.requirement.mean;
}

}  // namespace amend
