#include "trainer/stop_signal.h"

#include <atomic>
#include <csignal>
#include <cstdlib>

namespace amend::trainer {
namespace {

std::atomic<bool> stop_requested{false};

void OnSignal(int signal) {
  if (stop_requested.exchange(true)) std::_Exit(128 + signal);
}

}  // namespace

void InstallStopHandler() {
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
}

bool StopRequested() { return stop_requested.load(); }

}  // namespace amend::trainer
