#include "core/gmn/metanetwork_kernels.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

#include "core/kernels/blas.h"
#include "core/kernels/hot_loops.h"

namespace amend::kernels {
namespace {

// Edges per block: the block's activations (3d floats per edge, twice) stay
// in the L2 cache, and a d x d product over a block (256 x 32 x 32
// multiply-adds) stays at OpenBLAS's single-thread threshold.
constexpr int64_t kEdgeBlock = 256;

// Row helpers are inlined into the AMEND_HOT functions that call them, so
// they are compiled for each of those functions' targets.
#define AMEND_INLINE [[gnu::always_inline]] inline

// e^x for x in [-80, 80] as code the compiler vectorises inline (no call per
// 8 lanes into libmvec, which spills every vector register): Cephes' expf,
// 2^n e^r with |r| <= ln2 / 2 and a degree-6 polynomial, relative error below
// 2e-7 (metanetwork_inference_test compares with LibTorch's exp).
AMEND_INLINE float Exp(float x) {
  x = x < -80.0f ? -80.0f : (x > 80.0f ? 80.0f : x);
  const float n = std::floor(x * 1.44269504088896341f + 0.5f);
  const float r = (x - n * 0.693359375f) + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const int32_t exponent = (static_cast<int32_t>(n) + 127) << 23;
  return p * std::bit_cast<float>(exponent);
}

// Row widths are template arguments for the default d = 32 (kRuntimeWidth:
// read the `n` argument), so the compiler turns each row into whole vectors
// with no remainder loops: an edit runs these three times per edge and layer.
constexpr int64_t kRuntimeWidth = 0;

template <int64_t kWidth>
AMEND_INLINE int64_t Width(int64_t n) {
  return kWidth == kRuntimeWidth ? n : kWidth;
}

// Rows [rows, n] of stride ld = silu(layer_norm(rows)) in place (biased
// variance, as torch), one pass at a time (means, then scales, then the
// outputs): each pass's rows are independent, so the core overlaps them,
// where one row at a time waits on its reductions.
// `statistics` holds 2 * rows floats.
template <int64_t kWidth>
AMEND_INLINE void NormSiluRows(float* x, int64_t rows, int64_t ld, int64_t n,
                               const MlpBlockWeights& block,
                               float* statistics) {
  n = Width<kWidth>(n);
  float* means = statistics;
  float* scales = statistics + rows;
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = x + r * ld;
    float sum = 0.0f;
    for (int64_t i = 0; i < n; ++i) sum += row[i];
    means[r] = sum / static_cast<float>(n);
  }
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = x + r * ld;
    const float mean = means[r];
    float variance = 0.0f;
    for (int64_t i = 0; i < n; ++i) {
      const float centred = row[i] - mean;
      variance += centred * centred;
    }
    scales[r] =
        1.0f / std::sqrt(variance / static_cast<float>(n) + block.norm_epsilon);
  }
  const float* gamma = block.norm_weight;
  const float* beta = block.norm_bias;
  for (int64_t r = 0; r < rows; ++r) {
    float* row = x + r * ld;
    const float mean = means[r];
    const float scale = scales[r];
    for (int64_t i = 0; i < n; ++i) {
      const float y = (row[i] - mean) * scale * gamma[i] + beta[i];
      row[i] = y / (1.0f + Exp(-y));
    }
  }
}

// y[0, n) += a[0, n) + b[0, n)
template <int64_t kWidth>
AMEND_INLINE void AddTwo(float* y, const float* a, const float* b, int64_t n) {
  n = Width<kWidth>(n);
  for (int64_t i = 0; i < n; ++i) y[i] += a[i] + b[i];
}

// y[0, n) += a[0, n) + b[0, n) + c[0, n)
template <int64_t kWidth>
AMEND_INLINE void AddThree(float* y, const float* a, const float* b,
                           const float* c, int64_t n) {
  n = Width<kWidth>(n);
  for (int64_t i = 0; i < n; ++i) y[i] += a[i] + (b[i] + c[i]);
}

// Calls body.template operator()<kWidth>() with kWidth = 32 when d is 32.
template <typename Body>
AMEND_INLINE void ForWidth(int64_t d, const Body& body) {
  if (d == 32) {
    body.template operator()<32>();
  } else {
    body.template operator()<kRuntimeWidth>();
  }
}

// Rows [rows, block.hidden] (stride ld) = first Linear's output so far: add
// the bias, then LayerNorm and SiLU each row. `statistics`: 2 * rows floats.
AMEND_HOT void BiasNormSiluRows(float* x, int64_t rows, int64_t ld,
                                const MlpBlockWeights& block,
                                float* statistics) {
  ForWidth(
      block.hidden, [&]<int64_t kWidth>() __attribute__((always_inline)) {
        const int64_t n = Width<kWidth>(block.hidden);
        for (int64_t r = 0; r < rows; ++r) {
          for (int64_t i = 0; i < n; ++i) x[r * ld + i] += block.first_bias[i];
        }
        NormSiluRows<kWidth>(x, rows, ld, n, block, statistics);
      });
}

// out[rows, block.out] (stride ld_out) = second Linear of the activations
// [rows, block.hidden] (stride ld_in), bias included.
void SecondLinear(const float* activations, int64_t rows, int64_t ld_in,
                  const MlpBlockWeights& block, float* out, int64_t ld_out) {
  for (int64_t r = 0; r < rows; ++r) {
    std::copy_n(block.second_bias, block.out, out + r * ld_out);
  }
  GemmTransposedB(rows, block.out, block.hidden, activations, ld_in,
                  block.second_weight, block.hidden, 1.0f, out, ld_out);
}

// γ group of a node: hidden layer k -> k, inputs and outputs -> 0
// (MetanetworkImpl::NodeLayerGroup).
inline int64_t NodeGroup(const MetanetworkWeights& weights, int64_t type) {
  return std::max<int64_t>(type - (weights.first_hidden_type - 1), 0);
}

// Initial node states [nodes, d] and edge states [edges, d].
void Encode(const MetanetworkWeights& weights, const GraphArrays& graph,
            float* nodes, float* edges) {
  const int64_t d = weights.hidden;
  GemmTransposedB(graph.nodes, d, weights.node_feature_count,
                  graph.node_features, weights.node_feature_count,
                  weights.node_features_encoder, weights.node_feature_count,
                  0.0f, nodes, d);
  for (int64_t v = 0; v < graph.nodes; ++v) {
    AddTwo<kRuntimeWidth>(
        nodes + v * d, weights.node_type_embedding + graph.node_type[v] * d,
        weights.node_function_embedding + graph.node_function[v] * d, d);
  }
  for (int64_t k = 0; k < graph.edges; ++k) {
    const float* kind = weights.edge_kind_embedding + graph.edge_kind[k] * d;
    float* edge = edges + k * d;
    const float w = graph.edge_weight[k];
    for (int64_t i = 0; i < d; ++i) {
      edge[i] = w * weights.edge_weight_encoder[i] + kind[i];
    }
  }
}

// Scratch reused by every layer of one forward pass.
struct Workspace {
  explicit Workspace(int64_t nodes, int64_t d)
      : node_parts(nodes * 4 * d),
        node_input(nodes * 3 * d),
        node_hidden(nodes * d),
        first(kEdgeBlock * 3 * d),
        second(kEdgeBlock * d),
        edge_weight(2 * d * d),
        backward_per_weight(d),
        backward_per_kind(0),
        in_degree(nodes),
        out_degree(nodes),
        statistics(2 * std::max(kEdgeBlock, nodes)) {}
  std::vector<float> node_parts;   // [nodes, 4d]
  std::vector<float> node_input;   // [nodes, 3d]: node | fw msg | bw msg
  std::vector<float> node_hidden;  // [nodes, d]
  std::vector<float> first;        // [block, 3d]: fw | update | bw
  std::vector<float> second;       // [block, d]: edge update output
  std::vector<float> edge_weight;  // [2d, d]: fw and update edge parts
  std::vector<float> backward_per_weight;  // u [d]
  std::vector<float> backward_per_kind;    // v [kinds, d]
  std::vector<float> in_degree;            // [nodes]: edges into each node
  std::vector<float> out_degree;           // [nodes]: edges out of each node
  std::vector<float> statistics;  // NormSiluRows' [2 * max(block, nodes)]
};

// Counts edges between two calls of `stop`.
class StopCheck {
 public:
  StopCheck(int64_t edges_per_check, const std::function<bool()>& stop)
      : edges_per_check_(edges_per_check), stop_(stop) {}
  bool AfterEdges(int64_t edges) {
    since_check_ += edges;
    if (since_check_ < edges_per_check_) return false;
    since_check_ = 0;
    return Now();
  }
  bool Now() const { return stop_ && stop_(); }

 private:
  const int64_t edges_per_check_;
  const std::function<bool()>& stop_;
  int64_t since_check_ = 0;
};

// Inputs of the three edge blocks' activations for edges [begin, begin +
// rows): `first` [rows, 3d] holds the edge parts of the forward message and
// the edge update (fw | update) from the product; this adds the node parts
// and biases, writes the backward message's input (| bw), then LayerNorm and
// SiLU each.
AMEND_HOT void MessageInputRows(const BidirectionalLayerWeights& layer,
                                const GraphArrays& graph, int64_t begin,
                                int64_t rows, int64_t d, const float* parts,
                                Workspace& work, float* first) {
  float* statistics = work.statistics.data();
  const MlpBlockWeights& fw = layer.forward_message;
  const MlpBlockWeights& bw = layer.backward_message;
  const MlpBlockWeights& up = layer.edge_update;
  const float* per_weight = work.backward_per_weight.data();
  ForWidth(
      d, [&]<int64_t kWidth>() __attribute__((always_inline)) {
        const int64_t n = Width<kWidth>(d);
        for (int64_t r = 0; r < rows; ++r) {
          const int64_t k = begin + r;
          const float* source = parts + graph.edge_source[k] * 4 * n;
          const float* destination = parts + graph.edge_destination[k] * 4 * n;
          const float* per_kind =
              work.backward_per_kind.data() + graph.edge_kind[k] * n;
          const float w = graph.edge_weight[k];
          float* row = first + r * 3 * n;
          AddTwo<kWidth>(row, fw.first_bias, source, n);
          AddThree<kWidth>(row + n, up.first_bias, source + 2 * n,
                           destination + 3 * n, n);
          float* backward = row + 2 * n;
          for (int64_t i = 0; i < n; ++i) {
            backward[i] = w * per_weight[i] + per_kind[i] + destination[n + i];
          }
        }
        NormSiluRows<kWidth>(first, rows, 3 * n, n, fw, statistics);
        NormSiluRows<kWidth>(first + n, rows, 3 * n, n, up, statistics);
        NormSiluRows<kWidth>(first + 2 * n, rows, 3 * n, n, bw, statistics);
      });
}

// For edges [begin, begin + rows): adds the forward and backward message
// blocks' activations (`first` [rows, 3d]: fw | update | bw) to the sums at
// their destinations and sources in `input` [N, 3d] (node | fw | bw), and the
// edge update's output `update` [rows, d] (bias included) to the edges' own
// states. The message blocks' second Linear is applied to the sums per node
// afterwards (Messages).
AMEND_HOT void ScatterRows(const GraphArrays& graph, int64_t begin,
                           int64_t rows, int64_t d, const float* first,
                           const float* update, float* input, float* edges) {
  ForWidth(
      d, [&]<int64_t kWidth>() __attribute__((always_inline)) {
        const int64_t n = Width<kWidth>(d);
        for (int64_t r = 0; r < rows; ++r) {
          const int64_t k = begin + r;
          const float* row = first + r * 3 * n;
          const float* change = update + r * n;
          float* forward_sum = input + graph.edge_destination[k] * 3 * n + n;
          float* edge = edges + k * n;
          float* backward_sum = input + graph.edge_source[k] * 3 * n + 2 * n;
          for (int64_t i = 0; i < n; ++i) forward_sum[i] += row[i];
          for (int64_t i = 0; i < n; ++i) edge[i] += change[i];
          for (int64_t i = 0; i < n; ++i) backward_sum[i] += row[2 * n + i];
        }
      });
}

// A message block's second Linear applied to the per-node sums of its
// activations, in place: the sum over a node's edges of W h_k + b is
// W (sum of h_k) + degree b, so the product runs once per node instead of once
// per edge. `sums` [N, d] has row stride ld; `scratch` holds N * d floats.
void Messages(const MlpBlockWeights& block, const std::vector<float>& degree,
              float* sums, int64_t ld, float* scratch) {
  const int64_t n = static_cast<int64_t>(degree.size());
  const int64_t d = block.out;
  GemmTransposedB(n, d, block.hidden, sums, ld, block.second_weight,
                  block.hidden, 0.0f, scratch, d);
  for (int64_t v = 0; v < n; ++v) {
    for (int64_t i = 0; i < d; ++i) {
      sums[v * ld + i] = scratch[v * d + i] + degree[v] * block.second_bias[i];
    }
  }
}

// The edge head after its first Linear's edge part (`first` [rows, d]): node
// parts `parts` [N, 2d] (source | destination), bias, LayerNorm, SiLU, the
// two outputs and their γ.
AMEND_HOT void EdgeHeadRows(const MetanetworkWeights& weights,
                            const GraphArrays& graph, int64_t begin,
                            int64_t rows, const float* parts, float* first,
                            float* statistics,
                            const MetanetworkOutputArrays& output) {
  const MlpBlockWeights& head = weights.edge_head;
  ForWidth(
      weights.hidden, [&]<int64_t kWidth>() __attribute__((always_inline)) {
        const int64_t n = Width<kWidth>(weights.hidden);
        for (int64_t r = 0; r < rows; ++r) {
          const int64_t k = begin + r;
          float* row = first + r * n;
          AddThree<kWidth>(row, head.first_bias,
                           parts + graph.edge_source[k] * 2 * n,
                           parts + graph.edge_destination[k] * 2 * n + n, n);
        }
        NormSiluRows<kWidth>(first, rows, n, n, head, statistics);
        for (int64_t r = 0; r < rows; ++r) {
          const int64_t k = begin + r;
          const float* row = first + r * n;
          float delta = head.second_bias[0];
          float mask = head.second_bias[1];
          for (int64_t i = 0; i < n; ++i) {
            delta += row[i] * head.second_weight[i];
            mask += row[i] * head.second_weight[n + i];
          }
          const int64_t group =
              NodeGroup(weights, graph.node_type[graph.edge_destination[k]]);
          output.edge_delta[k] =
              weights.edge_scale[group * weights.edge_kind_count +
                                 graph.edge_kind[k]] *
              delta;
          output.edge_mask_logit[k] = mask;
        }
      });
}

// One bidirectional layer (bidirectional_layer.h): nodes [N, d] and edges
// [E, d] are updated in place. False when stopped.
bool Layer(const MetanetworkWeights& weights,
           const BidirectionalLayerWeights& layer, const GraphArrays& graph,
           float* nodes, float* edges, Workspace& work, StopCheck& stop) {
  const int64_t d = weights.hidden;
  const int64_t n = graph.nodes;
  const MlpBlockWeights& fw = layer.forward_message;
  const MlpBlockWeights& bw = layer.backward_message;
  const MlpBlockWeights& up = layer.edge_update;
  // Node parts of the three edge blocks' first Linear: [fw src | bw dst |
  // update src | update dst].
  float* parts = work.node_parts.data();
  GemmTransposedB(n, d, d, nodes, d, fw.first_weight + d, 2 * d, 0.0f, parts,
                  4 * d);
  GemmTransposedB(n, d, d, nodes, d, bw.first_weight + d, 2 * d, 0.0f,
                  parts + d, 4 * d);
  GemmTransposedB(n, d, d, nodes, d, up.first_weight + d, 3 * d, 0.0f,
                  parts + 2 * d, 4 * d);
  GemmTransposedB(n, d, d, nodes, d, up.first_weight + 2 * d, 3 * d, 0.0f,
                  parts + 3 * d, 4 * d);
  // Edge parts that read the current edge state, as one [2d, d] weight.
  for (int64_t o = 0; o < d; ++o) {
    std::copy_n(fw.first_weight + o * 2 * d, d,
                work.edge_weight.data() + o * d);
    std::copy_n(up.first_weight + o * 3 * d, d,
                work.edge_weight.data() + (d + o) * d);
  }
  // The backward message reads the initial edge state z0 = w e + k[kind]:
  // W z0 + b = w (W e) + (W k[kind] + b).
  const int64_t kinds = weights.edge_kind_count;
  work.backward_per_kind.assign(kinds * d, 0.0f);
  for (int64_t o = 0; o < d; ++o) {
    const float* row = bw.first_weight + o * 2 * d;
    float per_weight = 0.0f;
    for (int64_t i = 0; i < d; ++i) {
      per_weight += row[i] * weights.edge_weight_encoder[i];
    }
    work.backward_per_weight[o] = per_weight;
    for (int64_t c = 0; c < kinds; ++c) {
      float sum = bw.first_bias[o];
      const float* kind = weights.edge_kind_embedding + c * d;
      for (int64_t i = 0; i < d; ++i) sum += row[i] * kind[i];
      work.backward_per_kind[c * d + o] = sum;
    }
  }
  // Messages accumulate into the node update's input [node | fw | bw].
  float* input = work.node_input.data();
  for (int64_t v = 0; v < n; ++v) {
    std::copy_n(nodes + v * d, d, input + v * 3 * d);
    std::fill_n(input + v * 3 * d + d, 2 * d, 0.0f);
  }
  float* first = work.first.data();
  float* second = work.second.data();
  for (int64_t begin = 0; begin < graph.edges; begin += kEdgeBlock) {
    const int64_t rows = std::min(kEdgeBlock, graph.edges - begin);
    GemmTransposedB(rows, 2 * d, d, edges + begin * d, d,
                    work.edge_weight.data(), d, 0.0f, first, 3 * d);
    MessageInputRows(layer, graph, begin, rows, d, parts, work, first);
    SecondLinear(first + d, rows, 3 * d, up, second, d);
    ScatterRows(graph, begin, rows, d, first, second, input, edges);
    if (stop.AfterEdges(rows)) return false;
  }
  float* hidden = work.node_hidden.data();
  Messages(fw, work.in_degree, input + d, 3 * d, hidden);
  Messages(bw, work.out_degree, input + 2 * d, 3 * d, hidden);
  // nodes' = S nodes + node_update([nodes | fw | bw])
  const MlpBlockWeights& update = layer.node_update;
  GemmTransposedB(n, d, 3 * d, input, 3 * d, update.first_weight, 3 * d, 0.0f,
                  hidden, d);
  BiasNormSiluRows(hidden, n, d, update, work.statistics.data());
  SecondLinear(hidden, n, d, update, nodes, d);
  GemmTransposedB(n, d, d, input, 3 * d, layer.node_skip, d, 1.0f, nodes, d);
  return !stop.Now();
}

// The edge head over [edge | source | destination] and the γ-scaled outputs.
bool EdgeHead(const MetanetworkWeights& weights, const GraphArrays& graph,
              const float* nodes, const float* edges, Workspace& work,
              StopCheck& stop, const MetanetworkOutputArrays& output) {
  const int64_t d = weights.hidden;
  const MlpBlockWeights& head = weights.edge_head;
  float* parts = work.node_parts.data();  // [N, 2d]: source | destination
  GemmTransposedB(graph.nodes, d, d, nodes, d, head.first_weight + d, 3 * d,
                  0.0f, parts, 2 * d);
  GemmTransposedB(graph.nodes, d, d, nodes, d, head.first_weight + 2 * d, 3 * d,
                  0.0f, parts + d, 2 * d);
  float* first = work.first.data();
  for (int64_t begin = 0; begin < graph.edges; begin += kEdgeBlock) {
    const int64_t rows = std::min(kEdgeBlock, graph.edges - begin);
    GemmTransposedB(rows, d, d, edges + begin * d, d, head.first_weight, 3 * d,
                    0.0f, first, d);
    EdgeHeadRows(weights, graph, begin, rows, parts, first,
                 work.statistics.data(), output);
    if (stop.AfterEdges(rows)) return false;
  }
  return true;
}

void NodeHead(const MetanetworkWeights& weights, const GraphArrays& graph,
              const float* nodes, Workspace& work,
              const MetanetworkOutputArrays& output) {
  const int64_t d = weights.hidden;
  const int64_t deltas = weights.node_delta_count;
  const MlpBlockWeights& head = weights.node_head;
  float* hidden = work.node_hidden.data();
  GemmTransposedB(graph.nodes, d, d, nodes, d, head.first_weight, d, 0.0f,
                  hidden, d);
  BiasNormSiluRows(hidden, graph.nodes, d, head, work.statistics.data());
  float* out = work.node_parts.data();  // [N, deltas + 1]
  SecondLinear(hidden, graph.nodes, d, head, out, deltas + 1);
  for (int64_t v = 0; v < graph.nodes; ++v) {
    const float* row = out + v * (deltas + 1);
    const float* gamma =
        weights.node_scale + NodeGroup(weights, graph.node_type[v]) * deltas;
    for (int64_t c = 0; c < deltas; ++c) {
      output.node_delta[v * deltas + c] = gamma[c] * row[c];
    }
    output.node_mask_logit[v] = row[deltas];
  }
}

}  // namespace

bool MetanetworkForward(const MetanetworkWeights& weights,
                        const GraphArrays& graph,
                        const MetanetworkOutputArrays& output,
                        int64_t edges_per_check,
                        const std::function<bool()>& stop) {
  const int64_t d = weights.hidden;
  std::vector<float> nodes(graph.nodes * d);
  std::vector<float> edges(graph.edges * d);
  Workspace work(graph.nodes, d);
  StopCheck check(edges_per_check, stop);
  for (int64_t k = 0; k < graph.edges; ++k) {
    work.in_degree[graph.edge_destination[k]] += 1.0f;
    work.out_degree[graph.edge_source[k]] += 1.0f;
  }
  Encode(weights, graph, nodes.data(), edges.data());
  for (const BidirectionalLayerWeights& layer : weights.layers) {
    if (!Layer(weights, layer, graph, nodes.data(), edges.data(), work, check))
      return false;
  }
  if (!EdgeHead(weights, graph, nodes.data(), edges.data(), work, check,
                output)) {
    return false;
  }
  NodeHead(weights, graph, nodes.data(), work, output);
  return true;
}

}  // namespace amend::kernels
