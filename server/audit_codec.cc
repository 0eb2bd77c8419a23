#include "server/audit_codec.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/util/status_macros.h"
#include "server/wire_floats.h"

namespace amend::server {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat("audit.", field, ": ", message));
}

absl::Status DecodeFeatures(const amend::v1::Tensor& tensor, int64_t input_dim,
                            AuditSet& audit) {
  AMEND_ASSIGN_OR_RETURN(const size_t element_size,
                         WireElementSize(tensor, "audit.features"));
  const std::vector<int64_t> shape(tensor.shape().begin(),
                                   tensor.shape().end());
  if (shape.size() != 2 || shape[1] != input_dim || shape[0] < 1 ||
      shape[0] > kMaxAuditRows) {
    return Invalid("features",
                   absl::StrCat("shape is [", absl::StrJoin(shape, ", "),
                                "], expected [rows, ", input_dim,
                                "] with 1 to ", kMaxAuditRows, " rows"));
  }
  const uint64_t count = static_cast<uint64_t>(shape[0] * shape[1]);
  AMEND_RETURN_IF_ERROR(
      CheckWireSize(tensor, element_size, shape, "audit.features"));
  audit.features.resize(count);
  CopyWireFloats(tensor, element_size, audit.features.data());
  audit.rows = shape[0];
  audit.input_dim = input_dim;
  return absl::OkStatus();
}

// The CSV form's order: numeric when every name is an integer, else by bytes.
std::vector<std::string> OrderedGroupNames(std::vector<std::string> names) {
  bool numeric = true;
  std::map<std::string, int64_t> values;
  for (const std::string& name : names) {
    int64_t value = 0;
    numeric = numeric && absl::SimpleAtoi(name, &value);
    values[name] = value;
  }
  std::sort(names.begin(), names.end(),
            [&](const std::string& a, const std::string& b) {
              return numeric ? values[a] < values[b] : a < b;
            });
  return names;
}

}  // namespace

absl::StatusOr<AuditSet> DecodeAudit(const amend::v1::AuditData& data,
                                     int64_t input_dim, int64_t num_classes) {
  AuditSet audit;
  AMEND_RETURN_IF_ERROR(DecodeFeatures(data.features(), input_dim, audit));
  if (data.labels_size() != audit.rows) {
    return Invalid("labels", absl::StrCat("has ", data.labels_size(),
                                          " values, expected one per row (",
                                          audit.rows, ")"));
  }
  audit.labels.assign(data.labels().begin(), data.labels().end());
  if (data.groups_size() > 0) {
    if (data.groups_size() != audit.rows) {
      return Invalid("groups", absl::StrCat("has ", data.groups_size(),
                                            " values, expected one per row (",
                                            audit.rows, ") or none"));
    }
    std::map<std::string, int64_t> index;
    for (int r = 0; r < data.groups_size(); ++r) {
      if (data.groups(r).empty()) {
        return Invalid(absl::StrCat("groups[", r, "]"), "is empty");
      }
      index.emplace(data.groups(r), 0);
    }
    if (static_cast<int64_t>(index.size()) > kMaxAuditGroups) {
      return Invalid("groups",
                     absl::StrCat(index.size(), " distinct groups, at most ",
                                  kMaxAuditGroups));
    }
    std::vector<std::string> names;
    for (const auto& [name, unused] : index) names.push_back(name);
    audit.group_names = OrderedGroupNames(std::move(names));
    for (size_t g = 0; g < audit.group_names.size(); ++g) {
      index[audit.group_names[g]] = static_cast<int64_t>(g);
    }
    audit.groups.reserve(static_cast<size_t>(audit.rows));
    for (const std::string& group : data.groups()) {
      audit.groups.push_back(index[group]);
    }
  }
  if (absl::Status valid = ValidateAuditSet(audit, input_dim, num_classes);
      !valid.ok()) {
    return absl::Status(valid.code(), absl::StrCat("audit.", valid.message()));
  }
  return audit;
}

void DescribeAudit(const Certification& certification,
                   amend::v1::AuditResult* out) {
  auto figures = [](const AuditFigures& in, amend::v1::AuditModelFigures* f) {
    f->set_accuracy(in.accuracy);
    if (in.equalised_odds_difference) f->set_eod(*in.equalised_odds_difference);
  };
  out->set_rows(certification.rows);
  out->set_groups(static_cast<int32_t>(certification.groups));
  figures(certification.against_original->original, out->mutable_original());
  figures(certification.model, out->mutable_edited());
  out->set_jsd(certification.against_original->jsd);
  out->set_labels_changed(certification.against_original->labels_changed);
  out->set_eod_not_measured(certification.eod_not_measured);
  out->set_features_used(
      static_cast<int32_t>(certification.requirement.features_used));
  out->set_features_total(
      static_cast<int32_t>(certification.requirement.features_total));
  out->set_weights_kept(certification.requirement.weights_kept);
  out->set_weights_total(certification.requirement.weights_total);
}

}  // namespace amend::server
