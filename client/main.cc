// amend: the command-line client of Amend.
//
//   amend inspect MODEL.safetensors    check a model file offline and describe
//   it
//
// Exit codes: 0 success, 1 the command failed (e.g. the file is refused), 2
// usage error.
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "client/inspect_command.h"

namespace {

constexpr char kUsage[] =
    "amend COMMAND [args]\n"
    "\n"
    "Commands:\n"
    "  inspect MODEL.safetensors   validate a model file and print its "
    "architecture";

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  const std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() < 2) {
    std::cerr << kUsage << "\n";
    return 2;
  }
  const std::string command = args[1];
  if (command == "inspect") {
    if (args.size() != 3) {
      std::cerr << "usage: amend inspect MODEL.safetensors\n";
      return 2;
    }
    return amend::client::RunInspect(args[2], std::cout, std::cerr);
  }
  std::cerr << "amend: unknown command \"" << command << "\"\n\n"
            << kUsage << "\n";
  return 2;
}
