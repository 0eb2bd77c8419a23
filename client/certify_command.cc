#include "client/certify_command.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/audit/audit_set.h"
#include "core/audit/certify.h"
#include "core/mlp/model_file.h"
#include "core/util/file_io.h"

namespace amend::client {
namespace {

nlohmann::json RatesJson(const std::vector<GroupRates>& rates) {
  nlohmann::json json = nlohmann::json::array();
  for (const GroupRates& g : rates) {
    json.push_back({{"group", g.group},
                    {"rows", g.rows},
                    {"true_positive_rate", g.true_positive_rate},
                    {"false_positive_rate", g.false_positive_rate}});
  }
  return json;
}

nlohmann::json EodJson(const AuditFigures& figures) {
  if (!figures.equalised_odds_difference.has_value()) return nullptr;
  return *figures.equalised_odds_difference;
}

nlohmann::json CertificationJson(const CertifyCommandOptions& options,
                                 const AuditSet& audit,
                                 const Certification& c) {
  nlohmann::json json{{"model", options.model_path},
                      {"audit", options.audit_path},
                      {"label_column", audit.label_column},
                      {"group_column", audit.group_column},
                      {"rows", c.rows},
                      {"groups", c.groups},
                      {"accuracy", c.model.accuracy},
                      {"eod", EodJson(c.model)}};
  if (!c.eod_not_measured.empty()) {
    json["eod_not_measured"] = c.eod_not_measured;
  }
  json["group_rates"] = RatesJson(c.model.group_rates);
  const RequirementFigures& r = c.requirement;
  json["features_used"] = r.features_used;
  json["features_total"] = r.features_total;
  json["removed_features"] = r.removed_features;
  json["weights_kept"] = r.weights_kept;
  json["weights_total"] = r.weights_total;
  json["weights_kept_fraction"] = r.weights_kept_fraction();
  if (c.against_original.has_value()) {
    const OriginalComparison& before = *c.against_original;
    json["original"] = {
        {"model", options.original_path},
        {"accuracy", before.original.accuracy},
        {"eod", EodJson(before.original)},
        {"group_rates", RatesJson(before.original.group_rates)}};
    json["jsd"] = before.jsd;
    json["labels_changed"] = before.labels_changed;
  }
  return json;
}

// "0.5", or "1 -> 0.5" with an original.
std::string Figure(const std::optional<double>& before, double after) {
  return before.has_value() ? absl::StrFormat("%.6g -> %.6g", *before, after)
                            : absl::StrFormat("%.6g", after);
}

void PrintTable(const CertifyCommandOptions& options, const AuditSet& audit,
                const Certification& c, std::ostream& out) {
  const OriginalComparison* before =
      c.against_original.has_value() ? &*c.against_original : nullptr;
  out << "model:          " << options.model_path << "\n";
  if (before != nullptr) {
    out << "original:       " << options.original_path << "\n";
  }
  out << "audit:          " << options.audit_path << ": " << c.rows
      << " rows, label column \"" << audit.label_column << "\"";
  if (audit.has_groups()) {
    out << ", " << c.groups << " groups in column \"" << audit.group_column
        << "\"";
  }
  out << "\n"
      << "accuracy:       "
      << Figure(before ? std::optional<double>(before->original.accuracy)
                       : std::nullopt,
                c.model.accuracy)
      << "\n";
  if (!c.model.equalised_odds_difference.has_value()) {
    out << "EOD:            not measured: " << c.eod_not_measured << "\n";
  } else {
    out << "EOD:            "
        << Figure(before ? before->original.equalised_odds_difference
                         : std::nullopt,
                  *c.model.equalised_odds_difference)
        << "\n";
    for (size_t g = 0; g < c.model.group_rates.size(); ++g) {
      const GroupRates& now = c.model.group_rates[g];
      const GroupRates* then =
          before ? &before->original.group_rates[g] : nullptr;
      out << "  group " << now.group << " (" << now.rows << " rows): TPR "
          << Figure(then ? std::optional<double>(then->true_positive_rate)
                         : std::nullopt,
                    now.true_positive_rate)
          << ", FPR "
          << Figure(then ? std::optional<double>(then->false_positive_rate)
                         : std::nullopt,
                    now.false_positive_rate)
          << "\n";
    }
  }
  if (before != nullptr) {
    out << absl::StrFormat(
        "JSD:            %.6g nats (original -> model, mean over rows)\n"
        "labels changed: %.6g of the rows\n",
        before->jsd, before->labels_changed);
  }
  const RequirementFigures& r = c.requirement;
  out << "features used:  " << r.features_used << " of " << r.features_total;
  if (!r.removed_features.empty()) {
    out << " (removed inputs: " << absl::StrJoin(r.removed_features, ", ")
        << ")";
  }
  out << "\n"
      << absl::StrFormat("weights kept:   %d of %d (%.6g)\n", r.weights_kept,
                         r.weights_total, r.weights_kept_fraction());
}

}  // namespace

int RunCertify(const CertifyCommandOptions& options, std::ostream& out,
               std::ostream& err, OutputFormat format) {
  absl::StatusOr<Mlp> model = ReadModelFile(options.model_path);
  if (!model.ok()) return ReportFailure("certify", model.status(), err, format);
  std::optional<Mlp> original;
  if (!options.original_path.empty()) {
    absl::StatusOr<Mlp> read = ReadModelFile(options.original_path);
    if (!read.ok()) return ReportFailure("certify", read.status(), err, format);
    original = *std::move(read);
  }
  absl::StatusOr<std::string> text =
      ReadFileToString(options.audit_path, kMaxAuditCsvBytes);
  if (!text.ok()) return ReportFailure("certify", text.status(), err, format);
  AuditCsvOptions csv;
  csv.input_dim = model->architecture.input_dim;
  csv.num_classes = model->architecture.num_classes;
  csv.label_column = options.label_column;
  csv.group_column = options.group_column;
  absl::StatusOr<AuditSet> audit =
      ParseAuditCsv(*text, options.audit_path, csv);
  if (!audit.ok()) return ReportFailure("certify", audit.status(), err, format);
  absl::StatusOr<Certification> certification =
      Certify(*model, *audit, original.has_value() ? &*original : nullptr);
  if (!certification.ok()) {
    return ReportFailure("certify", certification.status(), err, format);
  }
  if (format == OutputFormat::kJson) {
    out << JsonText(CertificationJson(options, *audit, *certification)) << "\n";
  } else {
    PrintTable(options, *audit, *certification, out);
  }
  return 0;
}

}  // namespace amend::client
