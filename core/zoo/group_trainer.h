// File: core/zoo/group_trainer.h
//
// Trains K zoo runs at once as one stacked model, so that each optimiser step
// is one batched matmul per weight matrix for all K runs instead of K rounds of
// tiny kernels.
//
// The runs of a group share their depth and batch size; everything else may
// differ. Each hidden layer is padded to the widest run's width and carries the
// union of the runs' skip matrices. A fixed 0/1 mask marks, per run, the
// entries of the flat parameter buffer that are real; the padded entries start
// at zero and their gradients are masked, so they stay exactly zero and never
// touch a real entry. Matmuls run over the whole group; norm and activation run
// per *segment*, a contiguous range of runs sharing (norm, activation), and the
// segments are concatenated, so no run pays for another run's kind of layer.
// Layernorm statistics are taken over each run's real neurons only. Every run
// has its own dropout stream (seeded from the run), data order, learning rate
// and weight decay (AdamW as torch.optim.AdamW: betas 0.9/0.999, eps 1e-8,
// decoupled decay on every parameter), so a run's training does not depend on
// which runs share its group, up to floating-point summation order.
//
// An epoch is floor(N / batch_size) steps over a fresh permutation of the N
// training rows (the last partial batch is dropped, which also keeps batchnorm
// from ever seeing a batch of one).
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(auto trainer,
//                          GroupTrainer::Create(runs, train_x, train_y));
//   for (int e = 0; e < 60; ++e) AMEND_RETURN_IF_ERROR(trainer->TrainEpoch());
//   AMEND_ASSIGN_OR_RETURN(Mlp model, trainer->ExtractModel(/*index=*/0));
//
// Thread-compatible; LibTorch ops run on the caller's thread with LibTorch's
// intra-op threads.
#ifndef AMEND_CORE_ZOO_GROUP_TRAINER_H_
#define AMEND_CORE_ZOO_GROUP_TRAINER_H_

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "core/mlp/mlp.h"
#include "core/mlp/parameter_layout.h"
#include "core/util/seeded_random.h"
#include "core/zoo/search_space.h"

namespace amend {

class GroupTrainer {
 public:
  // REQUIRES: runs non-empty, all with one depth, batch size, input_dim and
  // num_classes. features: [N, input_dim] float32, labels: [N] int64 class
  // indices; N >= batch size.
  static absl::StatusOr<std::unique_ptr<GroupTrainer>> Create(
      std::vector<RunConfig> runs, at::Tensor features, at::Tensor labels);

  // One epoch for every run of the group.
  absl::Status TrainEpoch();

  int epochs_done() const { return epochs_done_; }
  int64_t size() const { return static_cast<int64_t>(runs_.size()); }
  const RunConfig& run(int64_t index) const {
    return runs_[static_cast<size_t>(index)];
  }
  int64_t steps_per_epoch() const;

  // Run `index`'s current parameters, cut out of the stack to its own
  // architecture.
  absl::StatusOr<Mlp> ExtractModel(int64_t index) const;

 private:
  struct Segment {
    int64_t begin = 0, size = 0;  // runs [begin, begin + size)
    Norm norm = Norm::kNone;
    Activation activation = Activation::kIdentity;
    // Per layer: every run of the segment fills the padded width.
    std::vector<bool> full_width;
  };

  struct Slot {
    TensorSpec spec;  // the padded tensor
    // Per-model offset: the slot occupies [offset * K, (offset + numel) * K).
    int64_t offset;
  };

  GroupTrainer() = default;
  // Initialize() checks the data and calls the Initialize* steps in order.
  absl::Status Initialize();
  absl::Status InitializeParameters();  // slots, flat buffers, running stats
  void InitializeNeuronMasks();
  void InitializeOptimizer();  // per-run dropout, per-entry lr and decay
  void InitializeSegments();
  // [K, padded shape...]
  at::Tensor View(const at::Tensor& flat, const Slot& slot) const;
  at::Tensor ForwardTraining(const TensorMap& parameters,
                             const at::Tensor& inputs,
                             TensorMap& batch_statistics) const;
  // One segment's share of a layer: pre-activations [S, B, W], norm weight and
  // bias [S, W].
  struct SegmentInputs {
    at::Tensor z, gamma, beta;
  };
  at::Tensor NormAndActivate(const Segment& segment, int layer,
                             const SegmentInputs& in,
                             TensorMap& batch_statistics) const;
  void AdamWStep(const at::Tensor& gradient);
  // [K, batch, padded width of `layer`]: 0 or 1 / (1 - dropout), from each
  // run's own stream.
  at::Tensor DropoutMask(int layer, int64_t batch) const;

  // Constant after Create().
  std::vector<RunConfig> runs_;
  Architecture padded_;      // union architecture (widest widths, all skips)
  std::vector<Slot> slots_;  // trainable tensors of padded_, in the flat buffer
  std::vector<TensorSpec> running_;  // batchnorm running statistics of padded_
  int64_t flat_size_ = 0;
  at::Tensor features_;  // [N, input_dim]
  at::Tensor labels_;    // [N]
  // Flat buffers hold the slots one after another, each slot contiguous as
  // [K, padded shape...], so every parameter view (and its gradient) is a
  // dense tensor.
  at::Tensor mask_;  // [K * P] 1 = real entry of its run
  // Per layer: [K, 1, width] 1 = real neuron.
  std::vector<at::Tensor> neuron_mask_;
  std::vector<at::Tensor> neuron_count_;  // per layer: [K, 1, 1] real neurons
  std::vector<Segment> segments_;
  std::vector<int64_t> segment_sizes_;    // segments_[i].size
  std::vector<double> keep_probability_;  // [K] 1 - dropout
  bool any_dropout_ = false;
  mutable std::vector<SeededRandom> dropout_streams_;  // [K], one per run
  at::Tensor learning_rate_;  // [K * P] the entry's run's learning rate
  at::Tensor weight_decay_;   // [K * P] 1 - learning rate x weight decay

  // Training state.
  at::Tensor flat_;               // [K * P] parameters
  at::Tensor first_moment_;       // [K * P]
  at::Tensor second_moment_;      // [K * P]
  TensorMap running_statistics_;  // name -> [K, width]
  int64_t optimizer_steps_ = 0;
  int epochs_done_ = 0;
};

}  // namespace amend

#endif  // AMEND_CORE_ZOO_GROUP_TRAINER_H_
