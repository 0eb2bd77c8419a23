// File: trainer/subcommand.h
//
// A subcommand of amend-trainer: its name, its line of the usage text, the
// flags it reads and how it runs. Each subcommand defines its own flags in
// trainer/{data,zoo,editor,eval}_flags.cc (flags several subcommands read are in
// common_flags.cc), next to the builder that turns them into the options
// struct of commands.h; main.cc dispatches and refuses a flag that the chosen
// subcommand does not read.
//
// Not thread-safe (reads the global flags, writes to stderr).
#ifndef AMEND_TRAINER_SUBCOMMAND_H_
#define AMEND_TRAINER_SUBCOMMAND_H_

#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "trainer/commands.h"

namespace amend::trainer {

struct Subcommand {
  std::string name;
  std::string synopsis;  // its line of the usage text, after the name
  // The flags it reads, without "--". --threads and Abseil's own flags
  // (--help, --flagfile, ...) are read by every subcommand.
  std::vector<std::string> flags;
  std::function<int()> run;  // builds its options from the flags and runs
};

Subcommand DataSubcommand();
Subcommand TaskCreateSubcommand();
Subcommand TaskSynthSubcommand();
Subcommand ForwardSubcommand();
Subcommand InitSubcommand();
Subcommand ZooSubcommand();
Subcommand ZooMergeSubcommand();
Subcommand TrainSubcommand();
Subcommand SweepSubcommand();
Subcommand EditSubcommand();
Subcommand EvalSubcommand();
Subcommand PipelineSubcommand();

// Runs `command` with the options built from the flags, or, when the builder
// refused them, prints "amend-trainer <name>: <why>" and returns kExitUsage.
template <typename Options>
int RunWithOptions(const std::string& name,
                   const absl::StatusOr<Options>& options,
                   int (*command)(const Options&)) {
  if (!options.ok()) {
    std::cerr << "amend-trainer " << name << ": " << options.status().message()
              << "\n";
    return kExitUsage;
  }
  return command(*options);
}

}  // namespace amend::trainer

#endif  // AMEND_TRAINER_SUBCOMMAND_H_
