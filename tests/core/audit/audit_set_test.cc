#include "core/audit/audit_set.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace amend {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

AuditCsvOptions Columns(int64_t input_dim, const std::string& label,
                        const std::string& group) {
  AuditCsvOptions options;
  options.input_dim = input_dim;
  options.num_classes = 2;
  options.label_column = label;
  options.group_column = group;
  return options;
}

// Two inputs, two classes, the default columns.
const AuditCsvOptions kBinaryOfTwo = Columns(2, "", "");

absl::Status ParseError(const std::string& text,
                        const AuditCsvOptions& options = kBinaryOfTwo) {
  return ParseAuditCsv(text, "audit.csv", options).status();
}

TEST(AuditSetTest, InputsAreTheColumnsLeftOnceLabelAndGroupAreTaken) {
  // The label and group may sit anywhere; the inputs keep their file order.
  const AuditSet audit =
      ParseAuditCsv("group,x1,label,x2\nb,1,1,-2\na,0.5,0,3\nb,-1,1.0,0\n",
                    "audit.csv", kBinaryOfTwo)
          .value();
  EXPECT_EQ(audit.rows, 3);
  EXPECT_EQ(audit.input_dim, 2);
  EXPECT_THAT(audit.features, ElementsAre(1, -2, 0.5, 3, -1, 0));
  EXPECT_THAT(audit.labels, ElementsAre(1, 0, 1));
  EXPECT_THAT(audit.group_names, ElementsAre("a", "b"));
  EXPECT_THAT(audit.groups, ElementsAre(1, 0, 1));
}

TEST(AuditSetTest, ReadsWhatTheTrainerWritesWhereGroupIsAFeature) {
  // amend-trainer data --features_out: a feature named "group", then the
  // prefixed label, group and source row.
  const AuditSet audit =
      ParseAuditCsv(
          "income,group,amend:label,amend:group,amend:source_row\n"
          "0.5,1,1,10,7\n-0.5,0,0,2,9\n0.1,1,0,10,12\n",
          "test.csv", kBinaryOfTwo)
          .value();
  EXPECT_THAT(audit.features, ElementsAre(0.5, 1, -0.5, 0, 0.1, 1));
  // Integer group ids are ordered as numbers: 2 before 10.
  EXPECT_THAT(audit.group_names, ElementsAre("2", "10"));
  EXPECT_THAT(audit.groups, ElementsAre(1, 0, 1));
}

TEST(AuditSetTest, NamedColumnsAndNoGroups) {
  const AuditSet audit = ParseAuditCsv("a,y,b,sex\n1,1,2,F\n3,0,4,M\n",
                                       "audit.csv", Columns(2, "y", "sex"))
                             .value();
  EXPECT_THAT(audit.features, ElementsAre(1, 2, 3, 4));
  EXPECT_THAT(audit.group_names, ElementsAre("F", "M"));
  const AuditSet ungrouped =
      ParseAuditCsv("a,b,label\n1,2,1\n", "audit.csv", kBinaryOfTwo).value();
  EXPECT_FALSE(ungrouped.has_groups());
  EXPECT_TRUE(ungrouped.groups.empty());
}

TEST(AuditSetTest, RefusesBadInputNamingTheField) {
  EXPECT_THAT(ParseError("").message(), HasSubstr("audit.csv"));
  EXPECT_THAT(ParseError("x1,x2,label\n").message(), HasSubstr("audit.csv"));
  EXPECT_THAT(ParseError("x1,x2\n1,2\n").message(),
              HasSubstr("audit.csv: no label column"));
  EXPECT_THAT(
      ParseError("x1,x2,label\n1,2,1\n", Columns(2, "y", "")).message(),
      HasSubstr("audit.csv: label column \"y\": not in the header (x1,x2,"
                "label)"));
  EXPECT_THAT(ParseError("x1,x2,x3,label\n1,2,3,1\n").message(),
              HasSubstr("audit.csv: input columns: must be 2 (the model's "
                        "input_dim), got 3 (x1,x2,x3) besides label "
                        "\"label\" (no group column)"));
  EXPECT_THAT(ParseError("x1,x2,label\n1,2,1\n1,2\n").message(),
              HasSubstr("audit.csv:3"));
  EXPECT_THAT(ParseError("x1,x2,label\n1,2,nan\n").message(),
              HasSubstr("audit.csv:2: column label: must be a class in 0..1, "
                        "got \"nan\""));
  EXPECT_THAT(ParseError("x1,x2,label\n1,2,yes\n").message(),
              HasSubstr("column label: must be a class in 0..1, got \"yes\""));
  EXPECT_THAT(ParseError("x1,x2,label\n1,2,1\n1,2,2\n").message(),
              HasSubstr("audit.csv:3: column label: must be a class in 0..1, "
                        "got \"2\""));
  EXPECT_THAT(ParseError("x1,x2,label\n1,2,0.5\n").message(),
              HasSubstr("got \"0.5\""));
  EXPECT_THAT(ParseError("x1,x2,label\n1,abc,1\n").message(),
              HasSubstr("audit.csv:2: column x2: must be a finite number, got "
                        "\"abc\""));
  EXPECT_THAT(ParseError("x1,x2,label\ninf,1,1\n").message(),
              HasSubstr("column x1: must be a finite number"));
  EXPECT_THAT(ParseError("x1,x2,label,group\n1,2,1,\n").message(),
              HasSubstr("audit.csv:2: column group: every row needs a group"));
  std::string many = "x1,x2,label,group\n";
  for (int g = 0; g <= kMaxAuditGroups; ++g) {
    absl::StrAppend(&many, "1,2,", g % 2, ",", g, "\n");
  }
  EXPECT_THAT(ParseError(many).message(),
              HasSubstr("audit.csv: column group: groups: at most 64 distinct "
                        "groups, got 65"));
  EXPECT_EQ(ParseError(many).code(), absl::StatusCode::kInvalidArgument);
}

TEST(AuditSetTest, ValidateNamesTheRowOfAnAuditBuiltFromTensors) {
  AuditSet audit;
  audit.rows = 2;
  audit.input_dim = 2;
  audit.features = {1, 2, 3, 4};
  audit.labels = {0, 1};
  EXPECT_TRUE(ValidateAuditSet(audit, 2, 2).ok());
  EXPECT_THAT(ValidateAuditSet(audit, 3, 2).message(),
              HasSubstr("features: rows must have 3 values (the model's "
                        "input_dim), got 2"));
  audit.groups = {0, 1};
  audit.group_names = {"only"};
  EXPECT_THAT(ValidateAuditSet(audit, 2, 2).message(),
              HasSubstr("groups[1]: must be a group index in 0..0, got 1"));
  audit.rows = 0;
  EXPECT_THAT(ValidateAuditSet(audit, 2, 2).message(),
              HasSubstr("rows: must be at least 1, got 0"));
  // The bounds come before the sizes: nothing of a huge audit is read.
  audit.rows = kMaxAuditRows + 1;
  EXPECT_THAT(ValidateAuditSet(audit, 2, 2).message(),
              HasSubstr("rows: at most 1000000 audit rows, got 1000001"));
}

}  // namespace
}  // namespace amend
