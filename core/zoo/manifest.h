// File: core/zoo/manifest.h
//
// The zoo manifest (docs/ZOO_FORMAT.md): one JSON line per checkpoint with its
// id, run, epoch, stage, zoo split, the run's full configuration, accuracy and
// loss on the task's three data splits, the model file and its sha256.
// Manifests are rewritten whole and atomically, so a reader never sees a
// partial line.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(std::vector<ManifestEntry> entries,
//                          ReadManifest(path));
//
// Thread-safe (pure functions; writes are atomic).
#ifndef AMEND_CORE_ZOO_MANIFEST_H_
#define AMEND_CORE_ZOO_MANIFEST_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/data_tensors/classifier_metrics.h"
#include "core/zoo/search_space.h"

namespace amend {

struct ManifestEntry {
  std::string id;  // "r000017-e060"
  int64_t run = 0;
  int epoch = 0;
  std::string stage;  // "early", "mid" or "final"
  std::string split;  // zoo split of the run: "train", "validation" or "test"
  RunConfig config;
  ClassifierMetrics train, validation, test;  // on the task's data splits
  std::string file;    // relative to the zoo folder: "models/<id>.safetensors"
  std::string sha256;  // of the file's bytes

  bool operator==(const ManifestEntry&) const = default;
};

std::string ManifestEntryToJson(const ManifestEntry& entry);
absl::StatusOr<ManifestEntry> ManifestEntryFromJson(absl::string_view line);

// Lines in the order given. Empty lines are ignored when reading; a bad line is
// refused with its line number.
std::string ManifestToText(const std::vector<ManifestEntry>& entries);
absl::StatusOr<std::vector<ManifestEntry>> ParseManifest(
    absl::string_view text, absl::string_view what);
absl::StatusOr<std::vector<ManifestEntry>> ReadManifest(
    const std::string& path);
absl::Status WriteManifest(const std::string& path,
                           const std::vector<ManifestEntry>& entries);

// Sorted by (run, epoch): the canonical order of a complete manifest.
void SortManifest(std::vector<ManifestEntry>& entries);

// "manifest.jsonl" or "manifest.shard-<i>-of-<n>.jsonl".
std::string ManifestFileName(int shard_index, int shard_count);

}  // namespace amend

#endif  // AMEND_CORE_ZOO_MANIFEST_H_
