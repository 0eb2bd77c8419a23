// amend-trainer: builds the data views, the MLP zoo and the editors.
//
// Example:
//   amend-trainer data    --task T                   JSON summary of a task
//   amend-trainer task create --data F.csv --label C --positive V --out DIR
//   amend-trainer task synth --rows N --seed S --out F.csv
//   amend-trainer pipeline --task T --out DIR [--size quick|standard|full]
//   amend-trainer forward --model M --input X.csv --out P.csv
//   amend-trainer init    --architecture JSON --seed S --out M
//   amend-trainer zoo     --task T --runs N --seed S --out DIR [--shard i/n]
//   amend-trainer zoo-merge --zoo DIR
//   amend-trainer train   --task T --zoo Z --requirement R --lambda L --out D
//   amend-trainer sweep   --task T --zoo Z --requirement R --lambdas L1,L2 --out D
//   amend-trainer edit    --editor D --model M --out O
//   amend-trainer eval    --task T --zoo Z --requirement R --editors E --out O
//
// Each subcommand defines its flags and builds its options struct in one of
// data_flags.cc (data, forward, init), zoo_flags.cc (zoo, zoo-merge),
// editor_flags.cc (train, sweep, edit) and eval_flags.cc; common_flags.cc
// holds the flags several share. This file only dispatches, and refuses a
// flag the chosen subcommand does not read, so that a misplaced flag is not
// silently ignored.
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/internal/parse.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/util/allocator.h"
#include "core/util/threads.h"
#include "trainer/common_flags.h"
#include "trainer/subcommand.h"

namespace amend::trainer {
namespace {

std::vector<Subcommand> Subcommands() {
  return {DataSubcommand(),     TaskCreateSubcommand(), TaskSynthSubcommand(),
          ForwardSubcommand(),  InitSubcommand(),       ZooSubcommand(),
          ZooMergeSubcommand(), TrainSubcommand(),      SweepSubcommand(),
          EditSubcommand(),     EvalSubcommand(),       PipelineSubcommand()};
}

std::string UsageText(const std::vector<Subcommand>& subcommands) {
  std::string usage = "amend-trainer SUBCOMMAND [flags]\n\nSubcommands:\n";
  for (const Subcommand& subcommand : subcommands) {
    absl::StrAppendFormat(&usage, "  %-11s %s\n", subcommand.name,
                          subcommand.synopsis);
  }
  absl::StrAppend(&usage, "\nRun with --helpfull for every flag.");
  return usage;
}

bool Reads(const Subcommand& subcommand, const std::string& flag) {
  return std::find(subcommand.flags.begin(), subcommand.flags.end(), flag) !=
         subcommand.flags.end();
}

// OK, or InvalidArgument naming the first flag on the command line that
// `chosen` does not read and the subcommands that do. WasPresentOnCommandLine
// is Abseil's internal API; Abseil 20220623 has no public one that tells a
// flag given its default value from an absent one.
absl::Status CheckFlagsBelongTo(const Subcommand& chosen,
                                const std::vector<Subcommand>& subcommands) {
  for (const Subcommand& other : subcommands) {
    for (const std::string& flag : other.flags) {
      if (Reads(chosen, flag) ||
          !absl::flags_internal::WasPresentOnCommandLine(flag)) {
        continue;
      }
      std::vector<std::string> readers;
      for (const Subcommand& reader : subcommands) {
        if (Reads(reader, flag)) readers.push_back(reader.name);
      }
      // Abseil takes one-letter flags with one dash or two; show the form
      // users type.
      const absl::string_view dashes = flag.size() == 1 ? "-" : "--";
      return absl::InvalidArgumentError(
          absl::StrCat(dashes, flag, " is a flag of ",
                       absl::StrJoin(readers, ", "), ", not of ", chosen.name));
    }
  }
  return absl::OkStatus();
}

// OK, or Internal naming the first drift between the flags trainer/ defines
// and the subcommands' lists: a listed flag that does not exist would be
// refused to the subcommand that reads it, and an unlisted one accepted
// everywhere. Checked at every start (about a hundred lookups), so any test
// that runs amend-trainer catches a table that fell behind.
absl::Status CheckFlagTable(const std::vector<Subcommand>& subcommands) {
  for (const Subcommand& subcommand : subcommands) {
    for (const std::string& flag : subcommand.flags) {
      if (absl::FindCommandLineFlag(flag) == nullptr) {
        return absl::InternalError(absl::StrCat(
            subcommand.name, " lists --", flag, ", which is not defined"));
      }
    }
  }
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (flag->Filename().find("trainer/") == std::string::npos ||
        name == "threads") {
      continue;
    }
    const bool listed = std::any_of(
        subcommands.begin(), subcommands.end(),
        [&](const Subcommand& s) { return Reads(s, std::string(name)); });
    if (!listed) {
      return absl::InternalError(absl::StrCat("--", name, " is defined in ",
                                              flag->Filename(),
                                              " but no subcommand lists it"));
    }
  }
  return absl::OkStatus();
}

int Main(int argc, char** argv) {
  const std::vector<Subcommand> subcommands = Subcommands();
  if (absl::Status table = CheckFlagTable(subcommands); !table.ok()) {
    std::cerr << "amend-trainer: internal error: " << table.message() << "\n";
    return kExitFailure;
  }
  const std::string usage = UsageText(subcommands);
  absl::SetProgramUsageMessage(usage);
  const std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() < 2 || positional.size() > 3) {
    std::cerr << usage << "\n";
    return kExitUsage;
  }
  // Two-word subcommands: "task create".
  const std::string name = positional.size() == 3
                               ? absl::StrCat(positional[1], " ", positional[2])
                               : std::string(positional[1]);
  const auto chosen =
      std::find_if(subcommands.begin(), subcommands.end(),
                   [&](const Subcommand& s) { return s.name == name; });
  if (chosen == subcommands.end()) {
    std::cerr << "amend-trainer: unknown subcommand \"" << name << "\"\n\n"
              << usage << "\n";
    return kExitUsage;
  }
  if (absl::Status status = CheckFlagsBelongTo(*chosen, subcommands);
      !status.ok()) {
    std::cerr << "amend-trainer " << name << ": " << status.message() << "\n";
    return kExitUsage;
  }
  TuneAllocatorForTensors();
  ConfigureThreads(absl::GetFlag(FLAGS_threads));
  return chosen->run();
}

}  // namespace
}  // namespace amend::trainer

int main(int argc, char** argv) { return amend::trainer::Main(argc, argv); }
