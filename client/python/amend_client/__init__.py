"""Python client of amend-server.

Most pipelines are Python; this module turns a PyTorch-style state_dict of an
MLP into the Amend contract (docs/MODEL_FORMAT.md) and back, and calls the
amend.v1.ModelEditor service.

    from amend_client import Client, state_dict_to_model, model_to_state_dict

    client = Client("localhost:8001", token="...")
    reply = client.edit(task="adult", requirement="pruning",
                        model=state_dict_to_model(state_dict, architecture),
                        max_weight_fraction=0.3)
    architecture, edited = model_to_state_dict(reply.edited_model)
    masks = tensors_to_dict(reply.masks)

Tensors may be anything with .detach().cpu().numpy() (PyTorch), .tolist()
(NumPy) or nested lists; they come back as (shape, flat list of floats) pairs,
or as NumPy arrays / PyTorch tensors when `as_type` is given.

The stubs (amend/v1/editor_pb2*.py) are generated at build time with Debian's
protoc and grpc_python_plugin into <build>/python; put that folder and this
one on PYTHONPATH.
"""

import array
import json
import struct
import sys

import grpc

from amend.v1 import editor_pb2, editor_pb2_grpc
from amend_health import health_pb2, health_pb2_grpc

SERVICE_NAME = "amend.v1.ModelEditor"


def _flatten(values):
    if hasattr(values, "detach"):  # a PyTorch tensor
        values = values.detach().cpu().numpy()
    if hasattr(values, "tolist"):
        values = values.tolist()
    shape = []
    probe = values
    while isinstance(probe, (list, tuple)):
        shape.append(len(probe))
        probe = probe[0] if probe else None
    flat = []

    def walk(v):
        if isinstance(v, (list, tuple)):
            for item in v:
                walk(item)
        else:
            flat.append(float(v))

    walk(values)
    return shape, flat


def _little_endian_floats(flat):
    data = array.array("f", flat)
    if sys.byteorder != "little":
        data.byteswap()
    return data.tobytes()


def _floats_from_raw(raw, datatype):
    code = {"FP32": "f", "FP64": "d"}[datatype]
    data = array.array(code)
    data.frombytes(raw)
    if sys.byteorder != "little":
        data.byteswap()
    return list(data)


def tensor(name, values):
    """A wire Tensor (FP32) from a tensor-like value."""
    shape, flat = _flatten(values)
    return editor_pb2.Tensor(name=name, datatype="FP32", shape=shape,
                             raw=_little_endian_floats(flat))


def state_dict_to_model(state_dict, architecture, name_map=None):
    """An editor_pb2.Model (tensors form) from a state_dict.

    architecture: the architecture dict or JSON string (docs/MODEL_FORMAT.md).
    name_map: optional {state_dict key: contract name}, for modules whose
    parameter names differ from layers.{k}.weight, head.weight, ...
    """
    if not isinstance(architecture, str):
        architecture = json.dumps(architecture)
    name_map = name_map or {}
    tensors = [tensor(name_map.get(key, key), value)
               for key, value in state_dict.items()
               if not key.endswith("num_batches_tracked")]
    return editor_pb2.Model(tensors=editor_pb2.TensorModel(
        architecture_json=architecture, tensors=tensors))


def tensors_to_dict(tensors, as_type=None):
    """{name: value} from wire Tensors; value is (shape, flat floats), or
    as_type(shape, flat) when given (e.g. lambda s, f:
    torch.tensor(f).reshape(s))."""
    result = {}
    for t in tensors:
        shape, flat = list(t.shape), _floats_from_raw(t.raw, t.datatype)
        result[t.name] = as_type(shape, flat) if as_type else (shape, flat)
    return result


def model_to_state_dict(model, as_type=None):
    """(architecture dict, {name: value}) from an editor_pb2.Model."""
    if model.WhichOneof("format") == "safetensors":
        return safetensors_to_state_dict(model.safetensors, as_type)
    return (json.loads(model.tensors.architecture_json),
            tensors_to_dict(model.tensors.tensors, as_type))


def safetensors_to_state_dict(data, as_type=None):
    """(architecture dict, {name: value}) from Amend model-file bytes."""
    (header_size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_size])
    metadata = header.pop("__metadata__", {})
    body = data[8 + header_size:]
    result = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        datatype = {"F32": "FP32", "F64": "FP64"}[entry["dtype"]]
        flat = _floats_from_raw(body[begin:end], datatype)
        shape = entry["shape"]
        result[name] = as_type(shape, flat) if as_type else (shape, flat)
    return json.loads(metadata["amend.architecture"]), result


class Client:
    """A channel to amend-server with its token, limits and deadline."""

    def __init__(self, address="localhost:8001", token=None,
                 credentials=None, timeout=30.0,
                 max_message_bytes=256 << 20):
        options = [("grpc.max_receive_message_length", max_message_bytes),
                   ("grpc.max_send_message_length", max_message_bytes)]
        if credentials is None:
            self._channel = grpc.insecure_channel(address, options=options)
        else:
            self._channel = grpc.secure_channel(address, credentials,
                                                options=options)
        self._editor = editor_pb2_grpc.ModelEditorStub(self._channel)
        self._health = health_pb2_grpc.HealthStub(self._channel)
        self._metadata = ([("authorization", "Bearer " + token)]
                          if token else [])
        self._timeout = timeout

    def edit(self, task, requirement, model, variant="", strict=False,
             **tradeoff):
        """EditModel. tradeoff: exactly one of lambda_, max_weight_fraction,
        max_features, max_eod. strict: refuse (FAILED_PRECONDITION) a model
        outside the architectures the editor was trained on instead of
        editing it and listing why in the reply's `extrapolation`. Raises
        grpc.RpcError with the server's code."""
        if "lambda_" in tradeoff:
            tradeoff["lambda"] = tradeoff.pop("lambda_")
        request = editor_pb2.EditModelRequest(
            task=task, requirement=requirement, variant=variant, model=model,
            strict=strict, **tradeoff)
        return self._editor.EditModel(request, timeout=self._timeout,
                                      metadata=self._metadata)

    def list_editors(self, task="", requirement=""):
        return self._editor.ListEditors(
            editor_pb2.ListEditorsRequest(task=task, requirement=requirement),
            timeout=self._timeout, metadata=self._metadata).editors

    def reload_editors(self):
        return self._editor.ReloadEditors(editor_pb2.ReloadEditorsRequest(),
                                          timeout=self._timeout,
                                          metadata=self._metadata)

    def ready(self):
        """True when the server can edit (at least one editor loaded)."""
        reply = self._health.Check(
            health_pb2.HealthCheckRequest(service=SERVICE_NAME),
            timeout=self._timeout)
        return reply.status == health_pb2.HealthCheckResponse.SERVING

    def close(self):
        self._channel.close()
