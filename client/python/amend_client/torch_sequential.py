"""PyTorch nn.Sequential <-> the Amend MLP contract (docs/MODEL_FORMAT.md).

A model that is an nn.Sequential of Linear, BatchNorm1d / LayerNorm,
activations and Dropout becomes a contract model without writing the
architecture by hand, and an edited model comes back as an nn.Sequential:

    from amend_client import Client
    from amend_client.torch_sequential import (sequential_to_model,
                                               model_to_sequential)

    reply = Client().edit(task="credit", requirement="pruning",
                          model=sequential_to_model(net),
                          max_weight_fraction=0.3)
    edited_net = model_to_sequential(reply.edited_model)
    masks = edited_masks(reply)  # {"mask.layers.1.weight": tensor, ...}

Each hidden layer is `Linear`, then at most one norm, at most one activation
and at most one Dropout, in that order (the contract computes
dropout(act(norm(W h + b)))); the last Linear is the head. Anything else is
refused with a SequentialError naming the module's index and what the contract
allows, rather than converted into a model that computes something else.
Masks are already applied to an edited model's weights, so the nn.Sequential
needs none; `edited_masks(reply)` returns them for inspection.

Needs torch (Debian: python3-torch); the rest of amend_client does not.
"""

import math

import torch
from torch import nn

from amend_client import (model_to_state_dict, state_dict_to_model,
                          state_dict_to_safetensors, tensors_to_dict)

_NORM_EPS = 1e-5  # the contract's (PyTorch's default)
_LEAKY_SLOPE = 0.01

_ACTIVATIONS = {nn.Identity: "identity", nn.ReLU: "relu",
                nn.LeakyReLU: "leaky_relu", nn.GELU: "gelu", nn.Tanh: "tanh",
                nn.Sigmoid: "sigmoid", nn.SiLU: "silu"}
_MODULES = {name: kind for kind, name in _ACTIVATIONS.items()}


class SequentialError(ValueError):
    """The module cannot be expressed in (or built from) the contract."""


def _activation_name(index, module):
    name = _ACTIVATIONS[type(module)]
    if name == "leaky_relu" and not math.isclose(
            module.negative_slope, _LEAKY_SLOPE, rel_tol=0, abs_tol=1e-12):
        raise SequentialError(
            "module %d (LeakyReLU): negative_slope must be 0.01 (the "
            "contract's), got %g" % (index, module.negative_slope))
    if name == "gelu" and getattr(module, "approximate", "none") != "none":
        raise SequentialError(
            "module %d (GELU): approximate must be 'none' (exact erf GELU), "
            "got %r" % (index, module.approximate))
    return name


def _norm_parameters(index, module, width):
    """(kind, {suffix: tensor}) of a BatchNorm1d or LayerNorm of `width`."""
    kind = "batchnorm" if isinstance(module, nn.BatchNorm1d) else "layernorm"
    label = type(module).__name__
    if not math.isclose(module.eps, _NORM_EPS, rel_tol=1e-6):
        raise SequentialError("module %d (%s): eps must be 1e-05, got %g"
                              % (index, label, module.eps))
    if kind == "batchnorm":
        if module.num_features != width:
            raise SequentialError(
                "module %d (BatchNorm1d): num_features must be %d (the "
                "Linear's out_features), got %d"
                % (index, width, module.num_features))
        if module.running_mean is None:
            raise SequentialError(
                "module %d (BatchNorm1d): needs running statistics "
                "(track_running_stats=True)" % index)
        affine = module.affine
    else:
        if tuple(module.normalized_shape) != (width,):
            raise SequentialError(
                "module %d (LayerNorm): normalized_shape must be (%d,), got "
                "%s" % (index, width, tuple(module.normalized_shape)))
        affine = module.elementwise_affine
    weight = module.weight if affine else torch.ones(width)
    bias = module.bias if affine else torch.zeros(width)
    tensors = {"weight": weight, "bias": bias}
    if kind == "batchnorm":
        tensors["running_mean"] = module.running_mean
        tensors["running_var"] = module.running_var
    return kind, tensors


def sequential_to_contract(module):
    """(architecture dict, {contract name: float32 tensor}) of `module`.

    Raises SequentialError naming the first module the contract cannot
    express."""
    if not isinstance(module, nn.Sequential):
        raise SequentialError("expected an nn.Sequential, got %s"
                              % type(module).__name__)
    children = list(module)
    linears = [i for i, m in enumerate(children) if isinstance(m, nn.Linear)]
    if len(linears) < 1:
        raise SequentialError("the nn.Sequential has no nn.Linear")
    if linears[0] != 0:
        raise SequentialError(
            "module 0 (%s): the first module must be an nn.Linear"
            % type(children[0]).__name__)
    if linears[-1] != len(children) - 1:
        raise SequentialError(
            "module %d (%s): the last module must be the head nn.Linear "
            "(logits; softmax is applied by the caller)"
            % (len(children) - 1, type(children[-1]).__name__))
    state, layers = {}, []
    width = children[0].in_features
    input_dim = width

    def linear(index, m, prefix):
        if m.in_features != width:
            raise SequentialError(
                "module %d (Linear): in_features must be %d, got %d"
                % (index, width, m.in_features))
        state[prefix + ".weight"] = m.weight
        state[prefix + ".bias"] = (m.bias if m.bias is not None
                                   else torch.zeros(m.out_features))

    for k, begin in enumerate(linears[:-1], start=1):
        lin = children[begin]
        linear(begin, lin, "layers.%d" % k)
        width = lin.out_features
        layer = {"width": width, "activation": "identity", "norm": "none",
                 "dropout": 0.0, "skip_from": []}
        stage = 0  # 1 after a norm, 2 after an activation, 3 after Dropout
        for index in range(begin + 1, linears[k]):
            m = children[index]
            if isinstance(m, (nn.BatchNorm1d, nn.LayerNorm)) and stage < 1:
                layer["norm"], tensors = _norm_parameters(index, m, width)
                for suffix, value in tensors.items():
                    state["layers.%d.norm.%s" % (k, suffix)] = value
                stage = 1
            elif type(m) in _ACTIVATIONS and stage < 2:
                layer["activation"] = _activation_name(index, m)
                stage = 2
            elif isinstance(m, nn.Dropout) and stage < 3:
                layer["dropout"] = float(m.p)
                stage = 3
            else:
                raise SequentialError(
                    "module %d (%s): a hidden layer is Linear, then at most "
                    "one BatchNorm1d/LayerNorm, one activation (%s) and one "
                    "Dropout, in that order"
                    % (index, type(m).__name__,
                       ", ".join(sorted(kind.__name__
                                        for kind in _ACTIVATIONS))))
        layers.append(layer)
    head = children[-1]
    linear(len(children) - 1, head, "head")
    architecture = {"input_dim": input_dim, "num_classes": head.out_features,
                    "layers": layers}
    return architecture, {name: value.detach().to(torch.float32).cpu()
                          for name, value in state.items()}


def sequential_to_model(module):
    """An editor_pb2.Model (tensors form) of `module`, for Client.edit."""
    architecture, state = sequential_to_contract(module)
    return state_dict_to_model(state, architecture)


def sequential_to_safetensors(module):
    """Amend model-file bytes of `module` (for `amend edit`, `amend inspect`
    and amend-trainer)."""
    architecture, state = sequential_to_contract(module)
    return state_dict_to_safetensors(state, architecture)


def _as_tensor(value):
    if isinstance(value, torch.Tensor):
        return value.detach().to(torch.float32)
    shape, flat = value
    return torch.tensor(flat, dtype=torch.float32).reshape(shape)


def contract_to_sequential(architecture, state_dict):
    """An nn.Sequential (eval mode) computing the contract model.

    state_dict values: tensors or (shape, flat list) pairs, as
    model_to_state_dict returns them; mask.* entries are ignored (they are
    already applied to the weights). Raises SequentialError for skip
    connections, which an nn.Sequential cannot express."""
    tensors = {name: _as_tensor(value) for name, value in state_dict.items()
               if not name.startswith("mask.")}
    modules = []
    width = architecture["input_dim"]

    def linear(prefix, out_features):
        m = nn.Linear(width, out_features)
        for suffix in ("weight", "bias"):
            name = "%s.%s" % (prefix, suffix)
            if name not in tensors:
                raise SequentialError("missing tensor %r" % name)
            getattr(m, suffix).data.copy_(tensors[name])
        return m

    for k, layer in enumerate(architecture["layers"]):
        if layer.get("skip_from"):
            raise SequentialError(
                "layers[%d].skip_from: an nn.Sequential cannot express skip "
                "connections; use model_to_state_dict" % k)
    for k, layer in enumerate(architecture["layers"], start=1):
        modules.append(linear("layers.%d" % k, layer["width"]))
        width = layer["width"]
        norm = layer.get("norm", "none")
        if norm != "none":
            m = (nn.BatchNorm1d(width, eps=_NORM_EPS) if norm == "batchnorm"
                 else nn.LayerNorm(width, eps=_NORM_EPS))
            m.weight.data.copy_(tensors["layers.%d.norm.weight" % k])
            m.bias.data.copy_(tensors["layers.%d.norm.bias" % k])
            if norm == "batchnorm":
                m.running_mean.copy_(tensors["layers.%d.norm.running_mean" % k])
                m.running_var.copy_(tensors["layers.%d.norm.running_var" % k])
            modules.append(m)
        activation = layer.get("activation", "identity")
        if activation != "identity":
            kind = _MODULES[activation]
            modules.append(kind(negative_slope=_LEAKY_SLOPE)
                           if activation == "leaky_relu" else kind())
        if layer.get("dropout", 0.0) > 0:
            modules.append(nn.Dropout(layer["dropout"]))
    modules.append(linear("head", architecture["num_classes"]))
    return nn.Sequential(*modules).eval()


def model_to_sequential(model):
    """An nn.Sequential (eval mode) from an editor_pb2.Model, e.g. the
    edited_model of an EditModel reply."""
    architecture, state = model_to_state_dict(model)
    return contract_to_sequential(architecture, state)


def edited_masks(reply):
    """{mask name: tensor} of an EditModel reply (1 = kept, 0 = removed),
    e.g. "mask.input" or "mask.layers.1.weight"."""
    return {name: _as_tensor(value)
            for name, value in tensors_to_dict(reply.masks).items()}
