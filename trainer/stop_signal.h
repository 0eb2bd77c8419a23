// File: trainer/stop_signal.h
//
// Graceful stop for long jobs: after InstallStopHandler(), the first SIGINT or
// SIGTERM sets a flag that the job polls (it saves its state and exits, so a
// rerun resumes); a second one ends the process at once.
//
// Thread-safe (an atomic flag).
#ifndef AMEND_TRAINER_STOP_SIGNAL_H_
#define AMEND_TRAINER_STOP_SIGNAL_H_

namespace amend::trainer {

void InstallStopHandler();
bool StopRequested();

}  // namespace amend::trainer

#endif  // AMEND_TRAINER_STOP_SIGNAL_H_
