#include "trainer/progress_bar.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "absl/strings/str_format.h"

namespace amend::trainer {

std::string FormatDuration(double seconds) {
  const auto s = static_cast<int64_t>(std::max(0.0, std::round(seconds)));
  if (s >= 3600) return absl::StrFormat("%dh%02dm", s / 3600, (s % 3600) / 60);
  if (s >= 60) return absl::StrFormat("%dm%02ds", s / 60, s % 60);
  return absl::StrFormat("%ds", s);
}

ProgressBar::ProgressBar(std::string label, std::ostream& out)
    : label_(std::move(label)),
      out_(out),
      terminal_(::isatty(STDERR_FILENO) != 0) {}

void ProgressBar::Update(double done, double total, double elapsed_seconds,
                         const std::string& status) {
  if (!terminal_ && elapsed_seconds - last_print_ < 10.0 && done < total)
    return;
  last_print_ = elapsed_seconds;
  const double fraction = total > 0 ? std::clamp(done / total, 0.0, 1.0) : 1.0;
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(fraction * kWidth);
  const std::string eta =
      fraction > 0 && fraction < 1
          ? FormatDuration(elapsed_seconds * (1 - fraction) / fraction)
          : "-";
  last_line_ = absl::StrFormat(
      "%s [%s%s] %5.1f%%  %s  elapsed %s  ETA %s", label_,
      std::string(static_cast<size_t>(filled), '#'),
      std::string(static_cast<size_t>(kWidth - filled), '.'), 100 * fraction,
      status, FormatDuration(elapsed_seconds), eta);
  out_ << (terminal_ ? "\r" : "") << last_line_ << (terminal_ ? "" : "\n")
       << std::flush;
}

void ProgressBar::Finish() {
  if (terminal_ && !last_line_.empty()) out_ << "\n";
}

}  // namespace amend::trainer
