#include "core/training/zoo_models.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "core/mlp/model_file.h"
#include "core/util/file_io.h"
#include "core/util/sha256.h"
#include "core/util/status_macros.h"

namespace amend {

absl::StatusOr<std::vector<ZooModel>> LoadZooModels(const std::string& zoo_dir,
                                                    absl::string_view split,
                                                    int64_t max_models) {
  const std::filesystem::path root(zoo_dir);
  AMEND_ASSIGN_OR_RETURN(
      const std::vector<ManifestEntry> entries,
      ReadManifest((root / ManifestFileName(0, 1)).string()));
  std::vector<ZooModel> models;
  for (const ManifestEntry& entry : entries) {
    if (entry.split != split) continue;
    if (max_models > 0 && static_cast<int64_t>(models.size()) >= max_models) {
      break;
    }
    const std::string path = (root / entry.file).string();
    AMEND_ASSIGN_OR_RETURN(const std::string bytes,
                           ReadFileToString(path, kMaxModelFileBytes));
    const std::string sha = Sha256Hex(bytes);
    if (sha != entry.sha256) {
      return absl::DataLossError(absl::StrCat(
          path, ": sha256 is ", sha, ", the manifest says ", entry.sha256));
    }
    ZooModel model;
    model.entry = entry;
    absl::StatusOr<Mlp> mlp = ParseModelFile(bytes);
    if (!mlp.ok()) {
      return absl::Status(mlp.status().code(),
                          absl::StrCat(path, ": ", mlp.status().message()));
    }
    model.mlp = *std::move(mlp);
    AMEND_ASSIGN_OR_RETURN(model.graph, BuildParameterGraph(model.mlp));
    models.push_back(std::move(model));
  }
  if (models.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        zoo_dir, ": the zoo has no models in its \"", split, "\" split"));
  }
  return models;
}

std::vector<const Mlp*> MlpPointers(const std::vector<ZooModel>& models) {
  std::vector<const Mlp*> pointers;
  pointers.reserve(models.size());
  for (const ZooModel& model : models) pointers.push_back(&model.mlp);
  return pointers;
}

}  // namespace amend
