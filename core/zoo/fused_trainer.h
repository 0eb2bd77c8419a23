// File: core/zoo/fused_trainer.h
//
// Trains one zoo run with a hand-written forward and backward pass over plain
// float arrays: no autograd graph, no dispatcher, no allocation per step. For
// the zoo's MLPs (at most 4 layers of 64) a LibTorch step is dominated by
// per-operator overhead (about 120 operators of a few microseconds each,
// measured in docs/BENCHMARKS.md); this trainer does the same arithmetic in a
// handful of loops.
//
// It computes exactly what GroupTrainer (the LibTorch reference) computes for a
// run: the same initialisation, data order (run_streams.h), dropout masks,
// batchnorm/layernorm conventions (eps 1e-5, biased batch variance, unbiased
// running variance, momentum 0.1), mean cross-entropy, and AdamW as
// torch.optim.AdamW. Tests check the two agree after training.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(auto trainer,
//                          FusedRunTrainer::Create(config, train));
//   for (int e = 0; e < 60; ++e) AMEND_RETURN_IF_ERROR(trainer->TrainEpoch());
//   AMEND_ASSIGN_OR_RETURN(Mlp model, trainer->ExtractModel());
//
// Thread-compatible; one trainer per thread.
#ifndef AMEND_CORE_ZOO_FUSED_TRAINER_H_
#define AMEND_CORE_ZOO_FUSED_TRAINER_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "core/data_tensors/split_tensors.h"
#include "core/mlp/mlp.h"
#include "core/util/seeded_random.h"
#include "core/zoo/search_space.h"

namespace amend {

class FusedRunTrainer {
 public:
  // `train` must outlive the trainer. REQUIRES: rows >= batch size.
  static absl::StatusOr<std::unique_ptr<FusedRunTrainer>> Create(
      const RunConfig& run, const SplitTensors& train);

  absl::Status TrainEpoch();
  absl::StatusOr<Mlp> ExtractModel() const;

  const RunConfig& run() const { return run_; }
  int epochs_done() const { return epochs_done_; }
  int64_t steps_per_epoch() const { return rows_ / run_.batch_size; }

 private:
  // One hidden layer's parameters (offsets into params_) and activations for
  // a batch.
  struct Layer {
    int64_t width = 0, in = 0;
    Activation activation = Activation::kRelu;
    Norm norm = Norm::kNone;
    double keep = 1.0;
    int64_t weight = -1, bias = -1, gamma = -1, beta = -1;  // into params_
    std::vector<std::pair<int, int64_t>> skips;  // (source, weight offset)
    std::vector<float> z, xhat, n, h, mask;      // [B, width]
    std::vector<float> rstd;  // [B] layernorm or [width] batchnorm
    std::vector<float> running_mean, running_var;  // [width] batchnorm
    std::vector<float> dh, dn, dz;                 // [B, width]
  };

  FusedRunTrainer() = default;
  void LoadParameters(const Mlp& initial);
  void AllocateBuffers();
  // Source h_s of the current batch: the input for s = 0, else layer s's h.
  const float* Source(int s) const;
  void Step(const int64_t* rows);
  void Forward(const int64_t* rows);
  void LossGradient(const int64_t* rows);  // into dlogits_
  void Backward();                         // into grads_
  void NormForward(Layer& layer);
  void NormBackward(Layer& layer);
  void AdamW();

  RunConfig run_;
  const float* features_ = nullptr;  // [rows, input_dim]
  const int64_t* labels_ = nullptr;  // [rows]
  int64_t rows_ = 0;
  int64_t batch_ = 0;
  std::vector<Layer> layers_;
  int64_t head_weight_ = -1, head_bias_ = -1;
  // Tensor name -> offset, trainable only.
  std::vector<std::pair<std::string, int64_t>> offsets_;
  std::vector<float> params_, grads_, first_moment_, second_moment_;
  std::vector<float> input_, logits_, dlogits_;
  SeededRandom dropout_stream_{0};
  int64_t steps_ = 0;
  int epochs_done_ = 0;
};

}  // namespace amend

#endif  // AMEND_CORE_ZOO_FUSED_TRAINER_H_
