// File: trainer/progress_bar.h
//
// A one-line progress bar for long jobs: fraction done, a free-form status,
// elapsed time and ETA, redrawn in place on a terminal and printed at most
// every 10 s otherwise (logs stay readable).
//
// Not thread-safe.
#ifndef AMEND_TRAINER_PROGRESS_BAR_H_
#define AMEND_TRAINER_PROGRESS_BAR_H_

#include <ostream>
#include <string>

namespace amend::trainer {

class ProgressBar {
 public:
  ProgressBar(std::string label, std::ostream& out);

  // done/total in any unit; elapsed in seconds since the job started.
  void Update(double done, double total, double elapsed_seconds,
              const std::string& status);
  void Finish();

 private:
  std::string label_;
  std::ostream& out_;
  bool terminal_;
  double last_print_ = -1e9;
  std::string last_line_;
};

// "1h02m", "3m07s", "12s".
std::string FormatDuration(double seconds);

}  // namespace amend::trainer

#endif  // AMEND_TRAINER_PROGRESS_BAR_H_
