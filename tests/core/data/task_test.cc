#include "core/data/task.h"

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/util/file_io.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace amend {
namespace {

using ::testing::HasSubstr;

const Task& Adult() {
  static const Task* task = [] {
    auto loaded = LoadTask("adult", AMEND_TEST_DATA_DIR);
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    return new Task(*std::move(loaded));
  }();
  return *task;
}

const Task& Bank() {
  static const Task* task = [] {
    auto loaded = LoadTask("bank", AMEND_TEST_DATA_DIR);
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    return new Task(*std::move(loaded));
  }();
  return *task;
}

int FeatureIndex(const Task& task, const std::string& name) {
  for (size_t i = 0; i < task.features.size(); ++i) {
    if (task.features[i].name == name) return static_cast<int>(i);
  }
  ADD_FAILURE() << "no feature " << name;
  return 0;
}

// Undoes the standardisation of one feature of one row.
double RawValue(const Task& task, const Split& split, int64_t row,
                const std::string& name) {
  const int f = FeatureIndex(task, name);
  const double z =
      split.features[static_cast<size_t>(row * task.num_features() + f)];
  return z * task.features[static_cast<size_t>(f)].stddev +
         task.features[static_cast<size_t>(f)].mean;
}

// Finds a record by its index in the raw files.
std::pair<const Split*, int64_t> FindRecord(const Task& task,
                                            int64_t source_row) {
  for (SplitName name : kAllSplits) {
    const Split& split = task.split(name);
    for (int64_t i = 0; i < split.rows; ++i) {
      if (split.source_row[static_cast<size_t>(i)] == source_row)
        return {&split, i};
    }
  }
  ADD_FAILURE() << "no record " << source_row;
  return {nullptr, 0};
}

int64_t Count(const std::vector<int64_t>& v, int64_t value) {
  return std::count(v.begin(), v.end(), value);
}

TEST(AdultTaskTest, HasTheDocumentedRowsSplitsAndLabels) {
  const Task& task = Adult();
  EXPECT_EQ(task.num_features(), 14);
  EXPECT_EQ(task.num_classes(), 2);
  // adult.data 32,561 rows: 24,720 <=50K, 7,841 >50K; validation = round(0.2 x
  // each class).
  EXPECT_EQ(task.validation.rows, 4944 + 1568);
  EXPECT_EQ(task.train.rows, 32561 - 6512);
  EXPECT_EQ(task.test.rows, 16281);
  EXPECT_EQ(Count(task.train.labels, 1) + Count(task.validation.labels, 1),
            7841);
  EXPECT_EQ(Count(task.validation.labels, 1), 1568);
  EXPECT_EQ(Count(task.test.labels, 1), 3846);
  // sex: 32,650 Male and 16,192 Female over all rows (datasets README).
  int64_t male = 0;
  for (SplitName s : kAllSplits)
    male +=
        std::count(task.split(s).groups.begin(), task.split(s).groups.end(), 1);
  EXPECT_EQ(male, 32650);
}

TEST(AdultTaskTest, CategoriesAreSortedWithQuestionMarkFirst) {
  const Task& task = Adult();
  const auto& workclass =
      task.features[static_cast<size_t>(FeatureIndex(task, "workclass"))];
  ASSERT_TRUE(workclass.categorical);
  EXPECT_EQ(
      workclass.categories,
      (std::vector<std::string>{"?", "Federal-gov", "Local-gov", "Never-worked",
                                "Private", "Self-emp-inc", "Self-emp-not-inc",
                                "State-gov", "Without-pay"}));
  const std::map<std::string, size_t> expected_counts = {
      {"education", 16},     {"marital-status", 7}, {"occupation", 15},
      {"relationship", 6},   {"race", 5},           {"sex", 2},
      {"native-country", 42}};
  for (const auto& [name, count] : expected_counts) {
    EXPECT_EQ(task.features[static_cast<size_t>(FeatureIndex(task, name))]
                  .categories.size(),
              count)
        << name;
  }
  EXPECT_FALSE(task.features[static_cast<size_t>(FeatureIndex(task, "age"))]
                   .categorical);
}

TEST(AdultTaskTest, KnownRecordsDecodeToTheirRawValues) {
  const Task& task = Adult();
  // adult.data line 1: 39, State-gov, 77516, Bachelors, 13, Never-married,
  // Adm-clerical, Not-in-family, White, Male, 2174, 0, 40, United-States, <=50K
  auto [split, row] = FindRecord(task, 0);
  ASSERT_NE(split, nullptr);
  EXPECT_NEAR(RawValue(task, *split, row, "age"), 39, 1e-3);
  EXPECT_NEAR(RawValue(task, *split, row, "fnlwgt"), 77516, 0.05);
  EXPECT_NEAR(RawValue(task, *split, row, "education-num"), 13, 1e-4);
  EXPECT_NEAR(RawValue(task, *split, row, "capital-gain"), 2174, 0.01);
  EXPECT_NEAR(RawValue(task, *split, row, "hours-per-week"), 40, 1e-4);
  EXPECT_NEAR(RawValue(task, *split, row, "workclass"), 7,
              1e-4);  // "State-gov"
  EXPECT_EQ(split->labels[static_cast<size_t>(row)], 0);
  EXPECT_EQ(split->groups[static_cast<size_t>(row)], 1);
  // adult.test's first record (after the junk line): 25, Private, 226802, 11th,
  // 7, Never-married, Machine-op-inspct, Own-child, Black, Male, 0, 0, 40,
  // United-States, <=50K.
  EXPECT_EQ(task.test.source_row[0], 32561);
  EXPECT_NEAR(RawValue(task, task.test, 0, "age"), 25, 1e-3);
  EXPECT_NEAR(RawValue(task, task.test, 0, "fnlwgt"), 226802, 0.05);
  EXPECT_EQ(task.test.labels[0], 0);
  // adult.test line 4: 28, Local-gov, 336951, Assoc-acdm, 12, ..., >50K.  (the
  // '.' is stripped)
  EXPECT_EQ(task.test.labels[2], 1);
}

TEST(AdultTaskTest, TrainFeaturesAreStandardisedAndSplitsStratified) {
  const Task& task = Adult();
  for (int64_t f = 0; f < task.num_features(); ++f) {
    double sum = 0, squares = 0;
    for (int64_t r = 0; r < task.train.rows; ++r) {
      const double v =
          task.train.features[static_cast<size_t>(r * task.num_features() + f)];
      sum += v;
      squares += v * v;
    }
    const double mean = sum / static_cast<double>(task.train.rows);
    EXPECT_NEAR(mean, 0.0, 1e-5) << task.features[static_cast<size_t>(f)].name;
    EXPECT_NEAR(squares / static_cast<double>(task.train.rows) - mean * mean,
                1.0, 1e-4);
  }
  const double train_rate = static_cast<double>(Count(task.train.labels, 1)) /
                            static_cast<double>(task.train.rows);
  const double val_rate =
      static_cast<double>(Count(task.validation.labels, 1)) /
      static_cast<double>(task.validation.rows);
  EXPECT_NEAR(train_rate, val_rate, 1e-3);
}

TEST(BankTaskTest, HasTheDocumentedRowsSplitsAndGroups) {
  const Task& task = Bank();
  EXPECT_EQ(task.num_features(), 16);
  // 39,922 no / 5,289 yes; validation and test = round(0.2 x each class).
  EXPECT_EQ(task.validation.rows, 7984 + 1058);
  EXPECT_EQ(task.test.rows, 7984 + 1058);
  EXPECT_EQ(task.train.rows, 45211 - 2 * 9042);
  EXPECT_EQ(Count(task.train.labels, 1) + Count(task.validation.labels, 1) +
                Count(task.test.labels, 1),
            5289);
  // bank-full.csv row 1:
  // 58;"management";"married";"tertiary";"no";2143;"yes";"no";"unknown";5;
  // "may";261;1;-1;0;"unknown";"no"
  auto [split, row] = FindRecord(task, 0);
  ASSERT_NE(split, nullptr);
  EXPECT_NEAR(RawValue(task, *split, row, "age"), 58, 1e-3);
  EXPECT_NEAR(RawValue(task, *split, row, "balance"), 2143, 0.01);
  EXPECT_NEAR(RawValue(task, *split, row, "duration"), 261, 1e-3);
  EXPECT_NEAR(RawValue(task, *split, row, "pdays"), -1, 1e-3);
  EXPECT_EQ(split->groups[static_cast<size_t>(row)], 1);  // 25 <= 58 < 60
  EXPECT_EQ(split->labels[static_cast<size_t>(row)], 0);
  const std::map<std::string, size_t> expected_counts = {
      {"job", 12},    {"marital", 3}, {"education", 4},
      {"default", 2}, {"housing", 2}, {"loan", 2},
      {"contact", 3}, {"month", 12},  {"poutcome", 4}};
  for (const auto& [name, count] : expected_counts) {
    EXPECT_EQ(task.features[static_cast<size_t>(FeatureIndex(task, name))]
                  .categories.size(),
              count)
        << name;
  }
  // Group = 25 <= age < 60, checked against the decoded age of every test row.
  for (int64_t r = 0; r < task.test.rows; ++r) {
    const double age = RawValue(task, task.test, r, "age");
    EXPECT_EQ(task.test.groups[static_cast<size_t>(r)],
              age >= 24.5 && age < 59.5 ? 1 : 0);
  }
}

TEST(TaskTest, UnknownTaskIsNotFound) {
  EXPECT_EQ(LoadTask("iris", AMEND_TEST_DATA_DIR).status().code(),
            absl::StatusCode::kNotFound);
}

class CorruptDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_ / "bank-marketing");
    std::filesystem::copy_file(std::string(AMEND_TEST_DATA_DIR) + "/SHA256SUMS",
                               dir_ / "SHA256SUMS");
    std::filesystem::copy_file(
        std::string(AMEND_TEST_DATA_DIR) + "/bank-marketing/bank-full.csv.gz",
        dir_ / "bank-marketing/bank-full.csv.gz");
  }
  testing::ScopedTempDir temp_;
  const std::filesystem::path& dir_ = temp_.path();
};

TEST_F(CorruptDataTest, AFlippedByteIsDataLoss) {
  const std::string path = (dir_ / "bank-marketing/bank-full.csv.gz").string();
  std::string bytes = *ReadFileToString(path);
  bytes[bytes.size() / 2] ^= 0x01;
  ASSERT_TRUE(WriteFileAtomically(path, bytes).ok());
  auto task = LoadTask("bank", dir_.string());
  EXPECT_EQ(task.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(task.status().message()),
              HasSubstr("sha256 must be a33820520e31"));
}

TEST_F(CorruptDataTest, AMissingChecksumIsFailedPrecondition) {
  ASSERT_TRUE(WriteFileAtomically((dir_ / "SHA256SUMS").string(), "").ok());
  auto task = LoadTask("bank", dir_.string());
  EXPECT_EQ(task.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(task.status().message()),
              HasSubstr("has no checksum for bank-marketing/bank-full.csv.gz"));
}

}  // namespace
}  // namespace amend
