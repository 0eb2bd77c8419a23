#include "core/audit/certify.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "core/mlp/parameter_layout.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace amend {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const double kLn3 = std::log(3.0);

// A linear model (no hidden layer) of 2 inputs and 2 classes: the class-1
// logit is ln 3 * (w1 x1 + w2 x2), the class-0 logit 0, so P(class 1) is 3/4
// where w.x = 1 and 1/4 where w.x = -1.
Mlp LinearModel(double w1, double w2) {
  Mlp mlp;
  mlp.architecture.input_dim = 2;
  mlp.architecture.num_classes = 2;
  mlp.parameters[kHeadWeightName] =
      at::tensor({0.0, 0.0, kLn3 * w1, kLn3 * w2}, at::kFloat).view({2, 2});
  mlp.parameters[kHeadBiasName] = at::zeros({2}, at::kFloat);
  return mlp;
}

// The hand-worked audit: 8 rows, groups A and B of 4.
//   row  group x1  x2  label | original x1+x2 > 0 | edited x1 > 0
//   1    A      1   0   1    |  1                 |  1
//   2    A      1  -2   0    |  0                 |  1  changed
//   3    A     -1   0   0    |  0                 |  0
//   4    A     -1   2   1    |  1                 |  0  changed
//   5    B      1   0   1    |  1                 |  1
//   6    B      1   0   1    |  1                 |  1
//   7    B     -1   0   0    |  0                 |  0
//   8    B      1  -2   0    |  0                 |  1  changed
AuditSet HandWorkedAudit() {
  AuditSet audit;
  audit.rows = 8;
  audit.input_dim = 2;
  audit.features = {1, 0, 1, -2, -1, 0, -1, 2, 1, 0, 1, 0, -1, 0, 1, -2};
  audit.labels = {1, 0, 0, 1, 1, 1, 0, 0};
  audit.groups = {0, 0, 0, 0, 1, 1, 1, 1};
  audit.group_names = {"A", "B"};
  return audit;
}

// The original reads both inputs; the edit removed x2 (mask.input) and class
// 0's weights (a weight mask), so only head.weight[1][0] is left.
Mlp HandWorkedEdit() {
  Mlp edited = LinearModel(1, 0);
  edited.masks[kInputMaskName] = at::tensor({1.0f, 0.0f});
  edited.masks[MaskName(kHeadWeightName)] =
      at::tensor({0.0f, 0.0f, 1.0f, 0.0f}).view({2, 2});
  return edited;
}

TEST(CertifyTest, HandWorkedFiguresOfAnEditedLinearModel) {
  const Mlp original = LinearModel(1, 1);
  const Mlp edited = HandWorkedEdit();
  const absl::StatusOr<Certification> c =
      Certify(edited, HandWorkedAudit(), &original);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->rows, 8);
  EXPECT_EQ(c->groups, 2);
  EXPECT_EQ(c->eod_not_measured, "");

  // Edited: rows 2, 4 and 8 are wrong, so accuracy 5/8.
  // A: positives rows 1, 4 -> predicted 1, 0: TPR 1/2;
  //    negatives rows 2, 3 -> predicted 1, 0: FPR 1/2.
  // B: positives rows 5, 6 -> both 1: TPR 1;
  //    negatives rows 7, 8 -> predicted 0, 1: FPR 1/2.
  // EOD = max(1 - 1/2, 1/2 - 1/2) = 1/2.
  EXPECT_DOUBLE_EQ(c->model.accuracy, 0.625);
  ASSERT_EQ(c->model.group_rates.size(), 2u);
  EXPECT_EQ(c->model.group_rates[0].group, "A");
  EXPECT_EQ(c->model.group_rates[0].rows, 4);
  EXPECT_DOUBLE_EQ(c->model.group_rates[0].true_positive_rate, 0.5);
  EXPECT_DOUBLE_EQ(c->model.group_rates[0].false_positive_rate, 0.5);
  EXPECT_EQ(c->model.group_rates[1].group, "B");
  EXPECT_DOUBLE_EQ(c->model.group_rates[1].true_positive_rate, 1.0);
  EXPECT_DOUBLE_EQ(c->model.group_rates[1].false_positive_rate, 0.5);
  ASSERT_TRUE(c->model.equalised_odds_difference.has_value());
  EXPECT_DOUBLE_EQ(*c->model.equalised_odds_difference, 0.5);

  // Original: every row right, accuracy 1; TPR 1 and FPR 0 in both groups,
  // EOD 0.
  ASSERT_TRUE(c->against_original.has_value());
  const OriginalComparison& before = *c->against_original;
  EXPECT_DOUBLE_EQ(before.original.accuracy, 1.0);
  EXPECT_DOUBLE_EQ(*before.original.equalised_odds_difference, 0.0);
  EXPECT_DOUBLE_EQ(before.original.group_rates[1].false_positive_rate, 0.0);

  // Rows 2, 4, 8 change label: 3/8. On them w.x flips between 1 and -1, so
  // P(class 1) goes 1/4 <-> 3/4 and, with M = (1/2, 1/2),
  //   JSD = ln 2 - H(1/4) = 0.693147 - 0.562335 = 0.130812 nats;
  // on the other five rows both models give the same distribution, JSD 0.
  // Mean over 8 rows: 3 * 0.130812 / 8 = 0.049054.
  EXPECT_DOUBLE_EQ(before.labels_changed, 0.375);
  const double h_quarter = -(0.25 * std::log(0.25) + 0.75 * std::log(0.75));
  EXPECT_NEAR(before.jsd, 3.0 * (std::log(2.0) - h_quarter) / 8.0, 1e-6);
  EXPECT_NEAR(before.jsd, 0.049054, 1e-6);

  // Requirements: x2 is masked out, 1 of 2 inputs used; of the 4 head
  // weights only [1][0] is kept.
  EXPECT_EQ(c->requirement.features_total, 2);
  EXPECT_EQ(c->requirement.features_used, 1);
  EXPECT_THAT(c->requirement.removed_features, ElementsAre(1));
  EXPECT_EQ(c->requirement.weights_total, 4);
  EXPECT_EQ(c->requirement.weights_kept, 1);
  EXPECT_DOUBLE_EQ(c->requirement.weights_kept_fraction(), 0.25);
}

TEST(CertifyTest, MasksAreAppliedBeforeTheRowsAreMeasured) {
  // The weights still read x2, but mask.input removes it: the rows see the
  // model the requirement figures describe, so the figures are the edit's.
  Mlp edited = LinearModel(1, 1);
  edited.masks[kInputMaskName] = at::tensor({1.0f, 0.0f});
  const absl::StatusOr<Certification> c = Certify(edited, HandWorkedAudit());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_DOUBLE_EQ(c->model.accuracy, 0.625);
  EXPECT_DOUBLE_EQ(*c->model.equalised_odds_difference, 0.5);
  EXPECT_EQ(c->requirement.features_used, 1);
  EXPECT_EQ(c->requirement.weights_kept, 2);  // [1][0] and [1][1], unmasked
  EXPECT_FALSE(c->against_original.has_value());
}

TEST(CertifyTest, ShufflingTheRowsLeavesEveryFigureUnchanged) {
  Architecture a;
  a.input_dim = 5;
  a.num_classes = 2;
  a.layers = {{6, Activation::kRelu, Norm::kNone, 0.0, {}},
              {4, Activation::kTanh, Norm::kLayerNorm, 0.0, {0}}};
  const Mlp original = *InitializeMlp(a, 3);
  Mlp edited = *InitializeMlp(a, 4);
  edited.parameters.at("layers.1.weight").select(1, 2).zero_();
  edited.parameters.at("layers.2.skip.0.weight").select(1, 2).zero_();

  const int64_t rows = 60;
  AuditSet audit;
  audit.rows = rows;
  audit.input_dim = 5;
  audit.group_names = {"1", "2", "7"};
  const at::Tensor x = at::randn(
      {rows, 5}, at::make_generator<at::CPUGeneratorImpl>(11), at::kFloat);
  audit.features.assign(x.data_ptr<float>(), x.data_ptr<float>() + x.numel());
  for (int64_t r = 0; r < rows; ++r) {
    audit.labels.push_back(r % 2);
    audit.groups.push_back((r / 2) % 3);
  }

  std::vector<int64_t> order(static_cast<size_t>(rows));
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937(5));
  AuditSet shuffled = audit;
  for (size_t r = 0; r < order.size(); ++r) {
    const auto from = static_cast<size_t>(order[r]);
    std::copy_n(audit.features.begin() + static_cast<int64_t>(from) * 5, 5,
                shuffled.features.begin() + static_cast<int64_t>(r) * 5);
    shuffled.labels[r] = audit.labels[from];
    shuffled.groups[r] = audit.groups[from];
  }
  ASSERT_NE(shuffled.labels, audit.labels);

  const Certification c = Certify(edited, audit, &original).value();
  const Certification s = Certify(edited, shuffled, &original).value();
  EXPECT_EQ(s.rows, c.rows);
  EXPECT_EQ(s.groups, 3);
  EXPECT_DOUBLE_EQ(s.model.accuracy, c.model.accuracy);
  EXPECT_DOUBLE_EQ(*s.model.equalised_odds_difference,
                   *c.model.equalised_odds_difference);
  ASSERT_EQ(s.model.group_rates.size(), 3u);
  for (size_t g = 0; g < 3; ++g) {
    EXPECT_EQ(s.model.group_rates[g].group, c.model.group_rates[g].group);
    EXPECT_EQ(s.model.group_rates[g].rows, 20);
    EXPECT_DOUBLE_EQ(s.model.group_rates[g].true_positive_rate,
                     c.model.group_rates[g].true_positive_rate);
    EXPECT_DOUBLE_EQ(s.model.group_rates[g].false_positive_rate,
                     c.model.group_rates[g].false_positive_rate);
  }
  EXPECT_DOUBLE_EQ(s.against_original->original.accuracy,
                   c.against_original->original.accuracy);
  EXPECT_DOUBLE_EQ(*s.against_original->original.equalised_odds_difference,
                   *c.against_original->original.equalised_odds_difference);
  EXPECT_DOUBLE_EQ(s.against_original->labels_changed,
                   c.against_original->labels_changed);
  // A mean in another order: equal to rounding.
  EXPECT_NEAR(s.against_original->jsd, c.against_original->jsd, 1e-12);
  EXPECT_GT(c.against_original->jsd, 0.0);
  EXPECT_EQ(s.requirement.features_used, 4);
}

TEST(CertifyTest, FeaturesUsedAndWeightsKeptCountedByHandOnAMaskedModel) {
  // 4 -> 3 relu -> 2 relu (skip h0) -> 2. Weights: layers.1 3x4 = 12,
  // layers.2 2x3 = 6, its skip from h0 2x4 = 8, head 2x2 = 4: 30.
  Architecture a;
  a.input_dim = 4;
  a.num_classes = 2;
  a.layers = {{3, Activation::kRelu, Norm::kNone, 0.0, {}},
              {2, Activation::kRelu, Norm::kNone, 0.0, {0}}};
  Mlp mlp = *InitializeMlp(a, 9);
  at::Tensor first = mlp.parameters.at("layers.1.weight");
  at::Tensor skip = mlp.parameters.at("layers.2.skip.0.weight");
  // Input 0: its weights stay, but mask.input removes it.
  mlp.masks[kInputMaskName] = at::tensor({0.0f, 1.0f, 1.0f, 1.0f});
  // Input 1: zero in layer 1 (3) and in the skip (2): removed.
  first.select(1, 1).zero_();
  skip.select(1, 1).zero_();
  // Input 2: zero in layer 1 (3), but the skip still reads it: used.
  first.select(1, 2).zero_();
  // Two weights of layer 2 masked (the values under the mask are not zero).
  at::Tensor mask = at::ones({2, 3});
  mask[0][0] = 0;
  mask[1][2] = 0;
  mlp.masks[MaskName("layers.2.weight")] = mask;
  const RequirementFigures figures = MeasureRequirements(mlp).value();
  EXPECT_EQ(figures.features_total, 4);
  EXPECT_EQ(figures.features_used, 2);
  EXPECT_THAT(figures.removed_features, ElementsAre(0, 1));
  // 30 - 3 - 2 - 3 zeroed - 2 masked = 20.
  EXPECT_EQ(figures.weights_total, 30);
  EXPECT_EQ(figures.weights_kept, 20);
  EXPECT_DOUBLE_EQ(figures.weights_kept_fraction(), 20.0 / 30.0);
}

TEST(CertifyTest, EodIsNotMeasuredWithoutGroupsOrForMoreThanTwoClasses) {
  AuditSet audit = HandWorkedAudit();
  audit.groups.clear();
  audit.group_names.clear();
  const Certification no_groups = Certify(LinearModel(1, 1), audit).value();
  EXPECT_DOUBLE_EQ(no_groups.model.accuracy, 1.0);
  EXPECT_FALSE(no_groups.model.equalised_odds_difference.has_value());
  EXPECT_EQ(no_groups.eod_not_measured, "the audit rows have no group column");
  EXPECT_EQ(no_groups.groups, 0);

  Mlp three = LinearModel(1, 1);
  three.architecture.num_classes = 3;
  three.parameters[kHeadWeightName] = at::zeros({3, 2});
  three.parameters[kHeadWeightName][2][0] = 1.0f;
  three.parameters[kHeadBiasName] = at::zeros({3});
  const Certification multiclass = Certify(three, HandWorkedAudit()).value();
  EXPECT_FALSE(multiclass.model.equalised_odds_difference.has_value());
  EXPECT_TRUE(multiclass.model.group_rates.empty());
  EXPECT_THAT(multiclass.eod_not_measured,
              HasSubstr("binary classifiers (positive class 1); the model "
                        "has 3 classes"));
  // Class 2 wins where x1 > 0 (5 rows), class 0 elsewhere; no label is 2 and
  // label 0 is right on rows 3 and 7: accuracy 2/8.
  EXPECT_DOUBLE_EQ(multiclass.model.accuracy, 0.25);
}

TEST(CertifyTest, RefusesUndefinedRatesAndMismatchedModelsNamingTheField) {
  AuditSet audit = HandWorkedAudit();
  audit.labels[4] = 0;  // group B loses both its positives
  audit.labels[5] = 0;
  absl::StatusOr<Certification> c = Certify(LinearModel(1, 1), audit);
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(c.status().message(),
              HasSubstr("group \"B\" has no rows of label 1"));

  audit = HandWorkedAudit();
  audit.labels[0] = 2;
  c = Certify(LinearModel(1, 1), audit);
  EXPECT_THAT(c.status().message(),
              HasSubstr("labels[0]: must be a class in 0..1, got 2"));

  Mlp wide = LinearModel(1, 1);
  wide.architecture.input_dim = 3;
  wide.parameters[kHeadWeightName] = at::zeros({2, 3});
  const Mlp edited = LinearModel(1, 0);
  c = Certify(edited, HandWorkedAudit(), &wide);
  EXPECT_THAT(c.status().message(),
              HasSubstr("original: must take the model's 2 inputs to its 2 "
                        "classes, got 3 inputs and 2 classes"));

  audit = HandWorkedAudit();
  audit.features[3] = std::nanf("");
  c = Certify(edited, audit);
  EXPECT_THAT(c.status().message(),
              HasSubstr("features[1][1]: must be finite, got nan"));
}

}  // namespace
}  // namespace amend
