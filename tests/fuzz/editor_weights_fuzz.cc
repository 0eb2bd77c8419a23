// Fuzz target: any bytes as the weights file of an editor checkpoint
// (editor.safetensors), loaded into the editor its manifest describes, as
// ReadEditorCheckpoint does once the file's sha256 matches the manifest. The
// safetensors container is fuzzed on its own (safetensors_fuzz); this target
// covers what comes after it: tensor names and shapes against the
// metanetwork's parameters, the decoding of every dtype to float, and the copy
// into LibTorch's tensors. Built with g++ like edit_request_fuzz (LibTorch's
// headers do not compile with clang in C++20); scripts/fuzz.sh 60
// editor_weights runs it. Beyond "no crash, no sanitizer report": every
// refusal has a message, and weights that load write out as a file that loads
// again to the same bytes.
//
// AMEND_FUZZ_WRITE_SEED=FILE writes the editor's own weights file (the seed in
// tests/fuzz/corpus/editor_weights) and exits.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "core/editor/editor.h"
#include "core/editor/editor_checkpoint.h"
#include "core/testing/editor_fixtures.h"

namespace {

amend::Editor* editor = nullptr;

void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "editor_weights_fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // The small editor the server tests use (hidden 8, 2 layers): its weights
  // file is a few KB, so mutations stay fast.
  char pattern[] = "/tmp/amend_editor_weights_fuzz_XXXXXX";
  if (::mkdtemp(pattern) == nullptr) Fail("mkdtemp", pattern);
  const std::string dir = amend::testing::WriteTestEditor(pattern, {});
  if (dir.empty()) Fail("WriteTestEditor", pattern);
  auto loaded = amend::ReadEditorCheckpoint(dir);
  if (!loaded.ok()) Fail("ReadEditorCheckpoint", loaded.status().ToString());
  editor = loaded->editor.release();
  std::filesystem::remove_all(pattern);
  if (const char* seed = std::getenv("AMEND_FUZZ_WRITE_SEED")) {
    std::ofstream(seed, std::ios::binary)
        << amend::SerializeEditorWeights(*editor);
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const absl::Status status = amend::LoadEditorWeights(bytes, *editor);
  if (!status.ok()) {
    if (status.message().empty()) Fail("refusal without a message", "");
    return 0;
  }
  // Loaded: what the editor now holds writes out and loads back unchanged.
  const std::string written = amend::SerializeEditorWeights(*editor);
  const absl::Status again = amend::LoadEditorWeights(written, *editor);
  if (!again.ok()) Fail("reloading written weights", again.ToString());
  if (amend::SerializeEditorWeights(*editor) != written) {
    Fail("written weights changed on reload", "");
  }
  return 0;
}
