// File: client/certify_command.h
//
// `amend certify --model M --audit A.csv [--original O]`: offline, the
// compliance figures of a model measured on the caller's own audit rows
// (core/audit/certify.h): accuracy, EOD and the rates behind it, the inputs it
// uses and the weights it keeps, and, against the original, the JSD, accuracy
// and EOD before and after and the fraction of labels changed. Nothing is
// edited and no server is needed. The audit CSV's columns: core/audit/
// audit_set.h and docs/API.md ("Audit CSV").
//
// Not thread-safe (writes to the given streams).
#ifndef AMEND_CLIENT_CERTIFY_COMMAND_H_
#define AMEND_CLIENT_CERTIFY_COMMAND_H_

#include <ostream>
#include <string>

#include "client/output_format.h"

namespace amend::client {

struct CertifyCommandOptions {
  std::string model_path;
  std::string audit_path;
  // Empty: no comparison with an original.
  std::string original_path;
  // Empty: the defaults of core/audit/audit_set.h ("amend:label", else
  // "label"; "amend:group", else "group", else no groups).
  std::string label_column;
  std::string group_column;
};

// Returns 0 when the figures were measured, 1 when a model or the audit is
// refused (reason on `err`, naming the file and field).
// With OutputFormat::kJson: {"model", "audit", "label_column",
// "group_column", "rows", "groups", "accuracy", "eod" (null when not
// measured, with "eod_not_measured" saying why), "group_rates" [{"group",
// "rows", "true_positive_rate", "false_positive_rate"}], "features_used",
// "features_total", "removed_features", "weights_kept", "weights_total",
// "weights_kept_fraction"} and, with an original, "original" {"model",
// "accuracy", "eod", "group_rates"}, "jsd" (nats) and "labels_changed".
int RunCertify(const CertifyCommandOptions& options, std::ostream& out,
               std::ostream& err, OutputFormat format = OutputFormat::kTable);

}  // namespace amend::client

#endif  // AMEND_CLIENT_CERTIFY_COMMAND_H_
