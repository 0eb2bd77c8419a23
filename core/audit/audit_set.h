// File: core/audit/audit_set.h
//
// Audit data: the caller's own rows on which a model's compliance figures are
// measured (core/audit/certify.h), offline by `amend certify` or, later, sent
// with an edit. An AuditSet holds the model's inputs as the model takes them
// (already encoded), a label per row and, optionally, a sensitive group per
// row. It is bounded: at most kMaxAuditRows rows and kMaxAuditGroups groups.
//
// The CSV form (docs/API.md, "Audit CSV"): a header row, then one row per
// example. The label column is the one named in AuditCsvOptions, else
// "amend:label" when the header has it, else "label". The group column is the
// one named, else "amend:group", else "group" when present, else there are no
// groups. Every other column whose name starts with "amend:" is ignored
// (amend:source_row); the rest are the model's inputs, in file order, and
// must number input_dim: what `amend-trainer data --features_out` writes
// (inputs, amend:label, amend:group, amend:source_row) is an audit file as it
// stands. Groups are names (integer ids are names too), ordered numerically
// when every name is an integer and by bytes otherwise.
//
// Example:
//   AuditCsvOptions options;
//   options.input_dim = mlp.architecture.input_dim;
//   options.num_classes = mlp.architecture.num_classes;
//   AMEND_ASSIGN_OR_RETURN(AuditSet audit,
//                          ParseAuditCsv(text, "audit.csv", options));
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_AUDIT_AUDIT_SET_H_
#define AMEND_CORE_AUDIT_AUDIT_SET_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace amend {

// A million rows measure any rate to about 1e-3 and keep an audit of a wide
// model within a few GiB while it is parsed.
inline constexpr int64_t kMaxAuditRows = 1'000'000;
// The CSV text itself, checked before parsing (a parsed cell costs several
// times its bytes).
inline constexpr uint64_t kMaxAuditCsvBytes = uint64_t{64} << 20;
// More distinct groups than this is almost always a feature column taken for
// the sensitive attribute, and per-group rates of so few rows mean little.
inline constexpr int64_t kMaxAuditGroups = 64;

// The default column names; the "amend:" ones are what amend-trainer data
// --features_out writes.
inline constexpr char kAuditLabelColumn[] = "label";
inline constexpr char kAuditGroupColumn[] = "group";
inline constexpr char kAmendLabelColumn[] = "amend:label";
inline constexpr char kAmendGroupColumn[] = "amend:group";
inline constexpr char kAmendColumnPrefix[] = "amend:";

struct AuditSet {
  int64_t rows = 0;
  int64_t input_dim = 0;
  std::vector<float> features;  // [rows, input_dim] row-major
  std::vector<int64_t> labels;  // [rows], each in 0..num_classes-1
  // [rows] indices into group_names; empty when the audit has no groups.
  std::vector<int64_t> groups;
  std::vector<std::string> group_names;  // in the order described above
  // The CSV columns the labels and groups came from, so a report can say
  // which were taken; empty for an audit not read from CSV, or no groups.
  std::string label_column;
  std::string group_column;

  bool has_groups() const { return !group_names.empty(); }
};

struct AuditCsvOptions {
  // The model the rows are for. REQUIRES: both > 0.
  int64_t input_dim = 0;
  int64_t num_classes = 0;
  // Empty: the defaults of the file comment. A named column must exist.
  std::string label_column;
  std::string group_column;
};

// Parses an audit CSV (the file's bytes; the separator is sniffed from the
// header as core/data/csv_table.h does). InvalidArgument, prefixed with
// `file_name` and, for a cell, its line and column name, for: more than
// kMaxAuditCsvBytes or kMaxAuditRows, no header or no rows, a row of another
// width than the header, a named column that is not there, input columns
// other than input_dim of them, an input that is not a finite number, a label
// that is not a class in 0..num_classes-1, an empty group or more than
// kMaxAuditGroups groups.
absl::StatusOr<AuditSet> ParseAuditCsv(absl::string_view text,
                                       absl::string_view file_name,
                                       const AuditCsvOptions& options);

// Checks an AuditSet built by other means (tensors of a request) against the
// model: sizes, finite features, labels in 0..num_classes-1, group indices
// within group_names, the row and group bounds. Messages name the field and
// row, e.g. "labels[3]: must be a class in 0..1, got 2".
absl::Status ValidateAuditSet(const AuditSet& audit, int64_t input_dim,
                              int64_t num_classes);

}  // namespace amend

#endif  // AMEND_CORE_AUDIT_AUDIT_SET_H_
