#include "core/data/task_create.h"

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/data/synthetic_task.h"
#include "core/data/task.h"
#include "core/data/task_card.h"
#include "core/data/task_directory.h"
#include "core/data/task_summary.h"
#include "core/util/file_io.h"
#include "core/util/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace amend {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Ten rows, five of each class. "score" has one missing value.
constexpr char kSmallCsv[] =
    "id,age,city,score,label\n"
    "1,20,paris,1.5,yes\n"
    "2,30,rome,?,no\n"
    "3,40,lyon,2.5,yes\n"
    "4,50,paris,0.5,no\n"
    "5,60,rome,3.5,yes\n"
    "6,25,lyon,1.0,no\n"
    "7,35,paris,2.0,yes\n"
    "8,45,rome,,no\n"
    "9,55,lyon,4.0,yes\n"
    "10,65,paris,0.0,no\n";

class TaskCreateTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = temp_.file(name);
    EXPECT_TRUE(WriteFileAtomically(path, text).ok());
    return path;
  }
  TaskCreateOptions Options(const std::string& csv = kSmallCsv) {
    TaskCreateOptions options;
    options.name = "small";
    options.data_path = Write("small.csv", csv);
    options.label = "label";
    options.positive = "yes";
    options.ignore = {"id"};
    return options;
  }
  std::string ErrorOf(const TaskCreateOptions& options) {
    auto created = CreateTask(options);
    EXPECT_FALSE(created.ok());
    return std::string(created.status().message());
  }
  testing::ScopedTempDir temp_;
};

TEST_F(TaskCreateTest, InfersTypesAndStandardisesWithTheTrainRowsByHand) {
  auto created = CreateTask(Options());
  ASSERT_TRUE(created.ok()) << created.status();
  const TaskCard& card = created->card;
  ASSERT_EQ(card.features.size(), 3u);
  EXPECT_EQ(card.features[0].name, "age");
  EXPECT_FALSE(card.features[0].categorical);
  EXPECT_TRUE(card.features[1].categorical);
  EXPECT_THAT(card.features[1].categories,
              ElementsAre("lyon", "paris", "rome"));
  EXPECT_FALSE(card.features[2].categorical);
  EXPECT_THAT(card.class_names, ElementsAre("no", "yes"));
  // 60/20/20 of five rows per class: 3 train, 1 validation, 1 test each.
  ASSERT_EQ(card.split_assignment.size(), 10u);
  EXPECT_EQ(std::count(card.split_assignment.begin(),
                       card.split_assignment.end(), kAssignTrain),
            6);

  // The statistics, computed here from the raw values of the train rows.
  const double ages[] = {20, 30, 40, 50, 60, 25, 35, 45, 55, 65};
  const double scores[] = {1.5, NAN, 2.5, 0.5, 3.5, 1.0, 2.0, NAN, 4.0, 0.0};
  auto mean_sd = [&](const double* values) {
    double sum = 0, n = 0;
    for (int r = 0; r < 10; ++r) {
      if (card.split_assignment[r] != kAssignTrain || std::isnan(values[r]))
        continue;
      sum += values[r];
      ++n;
    }
    const double mean = sum / n;
    double squares = 0;
    for (int r = 0; r < 10; ++r) {
      if (card.split_assignment[r] != kAssignTrain || std::isnan(values[r]))
        continue;
      squares += (values[r] - mean) * (values[r] - mean);
    }
    return std::pair{mean, std::sqrt(squares / n)};
  };
  const auto [age_mean, age_sd] = mean_sd(ages);
  const auto [score_mean, score_sd] = mean_sd(scores);
  EXPECT_NEAR(card.features[0].mean, age_mean, 1e-12);
  EXPECT_NEAR(card.features[0].stddev, age_sd, 1e-12);
  EXPECT_NEAR(card.features[2].mean, score_mean, 1e-12);
  EXPECT_NEAR(card.features[2].stddev, score_sd, 1e-12);

  // Written, loaded back: inputs are (value - mean) / sd; missing is 0.
  const std::string dir = temp_.file("tasks/small");
  ASSERT_TRUE(WriteTaskDirectory(*created, dir).ok());
  auto task = LoadTaskDirectory(dir);
  ASSERT_TRUE(task.ok()) << task.status();
  const Split& train = task->train;
  ASSERT_EQ(train.rows, 6);
  const double city_codes[] = {1, 2, 0, 1, 2, 0, 1, 2, 0, 1};
  for (int64_t i = 0; i < train.rows; ++i) {
    const int64_t r = train.source_row[static_cast<size_t>(i)];
    const float* x = &train.features[static_cast<size_t>(i * 3)];
    EXPECT_NEAR(x[0], (ages[r] - age_mean) / age_sd, 1e-6) << "row " << r;
    EXPECT_NEAR(
        x[1], (city_codes[r] - card.features[1].mean) / card.features[1].stddev,
        1e-6);
    EXPECT_NEAR(
        x[2], std::isnan(scores[r]) ? 0.0 : (scores[r] - score_mean) / score_sd,
        1e-6);
    EXPECT_EQ(train.labels[static_cast<size_t>(i)], r % 2 == 0 ? 1 : 0);
  }
}

TEST_F(TaskCreateTest, SameInputsGiveTheSameBytes) {
  auto first = CreateTask(Options());
  auto second = CreateTask(Options());
  ASSERT_TRUE(first.ok() && second.ok());
  ASSERT_TRUE(WriteTaskDirectory(*first, temp_.file("a")).ok());
  ASSERT_TRUE(WriteTaskDirectory(*second, temp_.file("b")).ok());
  EXPECT_EQ(*ReadFileToString(temp_.file("a/task.json")),
            *ReadFileToString(temp_.file("b/task.json")));
  EXPECT_EQ(*ReadFileToString(temp_.file("a/data/small.csv")), kSmallCsv);
  TaskCreateOptions reseeded = Options();
  reseeded.seed = 99;
  auto third = CreateTask(reseeded);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->card.split_seed, 99u);
}

TEST_F(TaskCreateTest, SensitiveValueAndRangeRules) {
  TaskCreateOptions options = Options();
  options.sensitive = "city";
  options.privileged = "paris,rome";
  auto by_value = CreateTask(options);
  ASSERT_TRUE(by_value.ok()) << by_value.status();
  EXPECT_EQ(by_value->card.sensitive->group_names[0], "lyon");
  EXPECT_EQ(by_value->card.sensitive->group_names[1], "city in {paris,rome}");

  options.sensitive = "age";
  options.privileged = "25..60";
  auto by_range = CreateTask(options);
  ASSERT_TRUE(by_range.ok()) << by_range.status();
  ASSERT_TRUE(WriteTaskDirectory(*by_range, temp_.file("t")).ok());
  auto task = LoadTaskDirectory(temp_.file("t"));
  ASSERT_TRUE(task.ok()) << task.status();
  const double ages[] = {20, 30, 40, 50, 60, 25, 35, 45, 55, 65};
  for (const Split* split : {&task->train, &task->validation, &task->test}) {
    for (size_t i = 0; i < split->groups.size(); ++i) {
      const double age = ages[split->source_row[i]];
      EXPECT_EQ(split->groups[i], age >= 25 && age < 60 ? 1 : 0) << age;
    }
  }
  EXPECT_EQ(task->group_attribute, "age");
  EXPECT_EQ(task->group_names[1], "25 <= age < 60");
}

TEST_F(TaskCreateTest, ATestFileIsTheTestSplit) {
  TaskCreateOptions options = Options();
  options.test_path = Write("holdout.csv",
                            "id,age,city,score,label\n"
                            "11,33,rome,1.0,yes\n12,44,lyon,2.0,no\n");
  auto created = CreateTask(options);
  ASSERT_TRUE(created.ok()) << created.status();
  ASSERT_TRUE(WriteTaskDirectory(*created, temp_.file("t")).ok());
  EXPECT_TRUE(std::filesystem::exists(temp_.file("t/test/holdout.csv")));
  auto task = LoadTaskDirectory(temp_.file("t"));
  ASSERT_TRUE(task.ok()) << task.status();
  EXPECT_THAT(task->test.source_row, ElementsAre(10, 11));
  EXPECT_EQ(task->train.rows + task->validation.rows, 10);
}

TEST_F(TaskCreateTest, LabelProblemsSayWhatToDo) {
  std::string three = kSmallCsv;
  three.replace(three.find("no\n"), 2, "maybe");
  EXPECT_THAT(ErrorOf(Options(three)),
              HasSubstr("has 3 values (\"maybe\", \"no\", \"yes\")"));
  EXPECT_THAT(ErrorOf(Options(three)), HasSubstr("--binarize_label"));
  TaskCreateOptions binarized = Options(three);
  binarized.binarize_label = true;
  auto created = CreateTask(binarized);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_THAT(created->card.class_names, ElementsAre("not yes", "yes"));

  TaskCreateOptions absent = Options();
  absent.positive = "Yes";
  EXPECT_THAT(ErrorOf(absent),
              HasSubstr("\"Yes\" never occurs in column label"));

  std::string missing = kSmallCsv;
  missing.replace(missing.find(",yes\n"), 5, ",?\n");
  EXPECT_THAT(ErrorOf(Options(missing)),
              HasSubstr("small.csv:2: column label: the label is missing"));
}

TEST_F(TaskCreateTest, WithoutPositiveEveryLabelValueIsAClass) {
  // Labels 2, 10 and 1 cycle over ten rows: numeric order is 1, 2, 10.
  std::string csv = "x,noise,grade\n";
  const char* grades[] = {"2", "10", "1"};
  for (int r = 0; r < 30; ++r) {
    absl::StrAppend(&csv, r, ",", (r * 7) % 5, ",", grades[r % 3], "\n");
  }
  TaskCreateOptions options;
  options.name = "grades";
  options.data_path = Write("grades.csv", csv);
  options.label = "grade";
  auto created = CreateTask(options);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_THAT(created->card.class_names, ElementsAre("1", "2", "10"));
  EXPECT_EQ(created->card.positive_value, "");
  ASSERT_TRUE(WriteTaskDirectory(*created, temp_.file("g")).ok());
  auto task = LoadTaskDirectory(temp_.file("g"));
  ASSERT_TRUE(task.ok()) << task.status();
  EXPECT_EQ(task->num_classes(), 3);
  for (const Split* split : {&task->train, &task->validation, &task->test}) {
    std::set<int64_t> seen;
    for (int64_t i = 0; i < split->rows; ++i) {
      const auto r = static_cast<size_t>(split->source_row[i]);
      const int64_t want = std::string(grades[r % 3]) == "1"   ? 0
                           : std::string(grades[r % 3]) == "2" ? 1
                                                               : 2;
      EXPECT_EQ(split->labels[static_cast<size_t>(i)], want) << r;
      seen.insert(want);
    }
    EXPECT_EQ(seen.size(), 3u);  // stratified: every class in every split
  }
  EXPECT_THAT(TaskSummaryText(*task), HasSubstr("3 classes (1, 2, 10)"));

  // A card claiming a positive value among three classes is refused.
  TaskCard bad = created->card;
  bad.positive_value = "2";
  EXPECT_THAT(std::string(ValidateTaskCard(bad).message()),
              HasSubstr("label.classes"));
  options.positive = "2";
  EXPECT_THAT(ErrorOf(options),
              HasSubstr("leave out --positive for a 3-class"));
}

TEST_F(TaskCreateTest, InputsAsIsKeepTheValuesAndGroupOneHotColumns) {
  // Already-numeric model inputs: x and the one-hot job=*, split by file.
  auto rows = [](int begin, int end) {
    std::string csv = "x,job=a,job=b,job=c,unused,y\n";
    for (int r = begin; r < end; ++r) {
      absl::StrAppend(&csv, r * 0.5 - 3, ",", r % 3 == 0, ",", r % 3 == 1, ",",
                      r % 3 == 2, ",", r, ",", r % 2 ? "yes" : "no", "\n");
    }
    return csv;
  };
  TaskCreateOptions options;
  options.name = "onehot";
  options.data_path = Write("train.csv", rows(0, 12));
  options.validation_path = Write("validation.csv", rows(12, 18));
  options.test_path = Write("test.csv", rows(18, 24));
  options.label = "y";
  options.positive = "yes";
  options.ignore = {"unused"};
  options.inputs_as_is = true;
  auto created = CreateTask(options);
  ASSERT_TRUE(created.ok()) << created.status();
  ASSERT_TRUE(WriteTaskDirectory(*created, temp_.file("o")).ok());
  auto task = LoadTaskDirectory(temp_.file("o"));
  ASSERT_TRUE(task.ok()) << task.status();
  EXPECT_THAT(task->feature_attributes(),
              ElementsAre("x", "job", "job", "job"));
  EXPECT_EQ(task->train.rows, 12);
  EXPECT_EQ(task->validation.rows, 6);
  EXPECT_EQ(task->test.rows, 6);
  // Nothing standardised: row r of the validation file is (r*0.5-3, one-hot).
  for (int64_t i = 0; i < task->validation.rows; ++i) {
    const int r = 12 + static_cast<int>(i);
    const float* x = &task->validation.features[static_cast<size_t>(i) * 4];
    EXPECT_EQ(x[0], static_cast<float>(r * 0.5 - 3));
    EXPECT_EQ(x[1], r % 3 == 0 ? 1.0f : 0.0f);
    EXPECT_EQ(x[3], r % 3 == 2 ? 1.0f : 0.0f);
  }
  const std::string card = *ReadFileToString(temp_.file("o/task.json"));
  EXPECT_THAT(card, HasSubstr("\"attribute\": \"job\""));
  EXPECT_THAT(card, HasSubstr("\"role\": \"validation\""));

  // Named groups instead of the separator; an unknown one is refused.
  options.inputs_as_is = false;
  options.feature_groups = {"job"};
  auto named = CreateTask(options);
  ASSERT_TRUE(named.ok()) << named.status();
  EXPECT_EQ(named->card.features[2].attribute, "job");
  EXPECT_EQ(named->card.features[0].attribute, "");
  options.feature_groups = {"city"};
  EXPECT_THAT(ErrorOf(options),
              HasSubstr("--feature_groups: no column starts with \"city=\""));

  // Text among inputs as is, and a validation file without a test file.
  options.feature_groups.clear();
  options.inputs_as_is = true;
  options.ignore.clear();
  options.validation_path.clear();
  options.test_path.clear();
  options.data_path = Write("text.csv",
                            "x,job=a,unused,y\n1,0,n/a,yes\n"
                            "2,1,3,no\n");
  EXPECT_THAT(ErrorOf(options),
              HasSubstr("text.csv:2: column unused: --inputs_as_is, but "
                        "\"n/a\" is not a number"));
  options.validation_path = temp_.file("validation.csv");
  EXPECT_THAT(ErrorOf(options), HasSubstr("--validation needs --test"));
}

TEST_F(TaskCreateTest, ColumnProblemsNameTheColumnAndTheFix) {
  TaskCreateOptions with_id = Options();
  with_id.ignore = {};
  with_id.numeric = {"city"};
  EXPECT_THAT(ErrorOf(with_id),
              HasSubstr("small.csv:2: column city: --numeric, but \"paris\" "
                        "is not a number"));

  std::string constant = kSmallCsv;
  for (const char* city : {"rome", "lyon"}) {
    for (size_t at; (at = constant.find(city)) != std::string::npos;)
      constant.replace(at, 4, "nice");
  }
  for (size_t at; (at = constant.find("paris")) != std::string::npos;)
    constant.replace(at, 5, "nice");
  EXPECT_THAT(ErrorOf(Options(constant)),
              HasSubstr("column city: is constant (\"nice\" in every row)"));
  EXPECT_THAT(ErrorOf(Options(constant)), HasSubstr("--ignore city"));

  TaskCreateOptions unknown = Options();
  unknown.ignore = {"ID"};
  EXPECT_THAT(ErrorOf(unknown), HasSubstr("--ignore: no column \"ID\""));

  EXPECT_THAT(ErrorOf(Options("a,a,label\n1,2,yes\n")),
              HasSubstr("header \"a\" appears twice"));
  EXPECT_THAT(ErrorOf(Options("id,age,label\n1,2,yes\n3,no\n")),
              HasSubstr("small.csv:3: has 2 fields, the header 3"));
}

TEST_F(TaskCreateTest, GroupsAndSplitsMustBeUsable) {
  TaskCreateOptions one_group = Options();
  one_group.sensitive = "age";
  one_group.privileged = "0..100";
  EXPECT_THAT(ErrorOf(one_group),
              HasSubstr("every row is in the privileged group"));

  TaskCreateOptions tiny =
      Options("id,age,label\n1,20,yes\n2,30,no\n3,40,yes\n4,50,no\n");
  EXPECT_THAT(ErrorOf(tiny), HasSubstr("split"));

  TaskCreateOptions bad_split = Options();
  bad_split.split_percent = {50, 20, 20};
  EXPECT_THAT(ErrorOf(bad_split), HasSubstr("summing to 100, got 50/20/20"));

  TaskCreateOptions bundled = Options();
  bundled.name = "adult";
  EXPECT_THAT(ErrorOf(bundled), HasSubstr("is a bundled task"));
  bundled.name = "../escape";
  EXPECT_THAT(ErrorOf(bundled), HasSubstr("--name: must be 1..64 letters"));
}

TEST_F(TaskCreateTest, AChangedDataFileIsDataLossAndAnExistingFolderIsKept) {
  auto created = CreateTask(Options());
  ASSERT_TRUE(created.ok());
  const std::string dir = temp_.file("t");
  ASSERT_TRUE(WriteTaskDirectory(*created, dir).ok());
  EXPECT_EQ(WriteTaskDirectory(*created, dir).code(),
            absl::StatusCode::kAlreadyExists);
  std::string bytes = kSmallCsv;
  bytes[30] = '9';
  ASSERT_TRUE(WriteFileAtomically(dir + "/data/small.csv", bytes).ok());
  auto task = LoadTaskDirectory(dir);
  EXPECT_EQ(task.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(task.status().message()),
              HasSubstr("changed after the task was made"));
  // Nothing but the finished folder is left beside it.
  int entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(temp_.path())) {
    (void)entry;
    ++entries;
  }
  EXPECT_EQ(entries, 2);  // small.csv and t
}

TEST_F(TaskCreateTest, TasksAreFoundByPathOrNameUnderTheTasksFolder) {
  auto created = CreateTask(Options());
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(WriteTaskDirectory(*created, temp_.file("tasks/small")).ok());
  auto by_path = LoadTask(temp_.file("tasks/small"), "unused");
  ASSERT_TRUE(by_path.ok()) << by_path.status();
  EXPECT_EQ(by_path->name, "small");
  auto by_name = LoadTask("small", "unused", temp_.file("tasks"));
  ASSERT_TRUE(by_name.ok()) << by_name.status();
  EXPECT_EQ(by_name->train.features, by_path->train.features);
  // Zoos record this hash; anyone can recompute it from the file.
  EXPECT_EQ(by_path->card_sha256,
            Sha256Hex(*ReadFileToString(temp_.file("tasks/small/task.json"))));
  auto missing = LoadTask("other", "unused", temp_.file("tasks"));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.status().message()),
              HasSubstr("task create"));
}

TEST_F(TaskCreateTest, CardJsonRoundTripsAndNamesABadField) {
  auto created = CreateTask(Options());
  ASSERT_TRUE(created.ok());
  const nlohmann::json json = TaskCardToJson(created->card);
  auto back = TaskCardFromJson(json);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, created->card);

  nlohmann::json no_label = json;
  no_label.erase("label");
  EXPECT_THAT(std::string(TaskCardFromJson(no_label).status().message()),
              HasSubstr("task.label: is required"));
  nlohmann::json bad_sd = json;
  bad_sd["features"][0]["stddev"] = 0.0;
  EXPECT_THAT(std::string(TaskCardFromJson(bad_sd).status().message()),
              HasSubstr("features[0].stddev: must be finite and > 0"));
  nlohmann::json bad_split = json;
  bad_split["split"]["assignment"] = "0120x";
  EXPECT_THAT(std::string(TaskCardFromJson(bad_split).status().message()),
              HasSubstr("split.assignment: must hold only 0, 1 and 2"));
}

// The synthetic generator's truth, measured on its own output: the label
// follows the planted features and ignores the noise.
TEST(SyntheticTaskTest, LabelFollowsPlantedFeaturesNotNoise) {
  const std::string csv = SyntheticTaskCsv({.rows = 20000, .seed = 3});
  EXPECT_EQ(csv, SyntheticTaskCsv({.rows = 20000, .seed = 3}));
  EXPECT_NE(csv, SyntheticTaskCsv({.rows = 20000, .seed = 4}));
  const std::vector<std::string> lines =
      absl::StrSplit(csv, '\n', absl::SkipEmpty());
  // Correlation of a numeric column with the label.
  auto correlation = [&](int column) {
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, n = 0;
    for (size_t i = 1; i < lines.size(); ++i) {
      const std::vector<std::string> cells = absl::StrSplit(lines[i], ',');
      if (cells[column] == "?") continue;
      const double x = std::stod(cells[column]);
      const double y = cells[10] == "yes" ? 1 : 0;
      sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y, ++n;
    }
    return (sxy / n - sx / n * sy / n) /
           std::sqrt((sxx / n - sx * sx / n / n) * (syy / n - sy * sy / n / n));
  };
  EXPECT_GT(correlation(0), 0.25);  // income
  EXPECT_LT(correlation(1), -0.2);  // debt
  EXPECT_GT(correlation(2), 0.12);  // tenure
  for (int noise = 4; noise < 8; ++noise)
    EXPECT_LT(std::abs(correlation(noise)), 0.03) << "noise" << noise - 3;
}

}  // namespace
}  // namespace amend
