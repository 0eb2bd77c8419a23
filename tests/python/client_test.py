"""The Python client against a live amend-server (run by ctest).

usage: client_test.py AMEND_SERVER AMEND_TRAINER DATA_DIR WORK_DIR

Builds a tiny zoo and a tiny pruning editor with amend-trainer, starts
amend-server on a free port, edits a zoo model sent as a state_dict, and checks
the reply against `amend-trainer edit` on the same model (the same code path,
so the edited weights must be equal).
"""

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import unittest

import grpc

import amend_client

SERVER, TRAINER, DATA, WORK = sys.argv[1:5]
del sys.argv[1:5]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        shutil.rmtree(WORK, ignore_errors=True)
        os.makedirs(WORK)
        zoo = os.path.join(WORK, "zoo")
        run = lambda *args: subprocess.run(args, check=True,
                                           capture_output=True)
        run(TRAINER, "zoo", "--task", "adult", "--runs", "10", "--epochs",
            "4", "--max_rows", "512", "--seed", "2", "--data_dir", DATA,
            "--out", zoo)
        cls.editor = os.path.join(WORK, "editors", "pruning", "0.05")
        run(TRAINER, "train", "--task", "adult", "--requirement", "pruning",
            "--lambda", "0.05", "--steps", "4", "--hidden", "8", "--layers",
            "1", "--eval_every", "4", "--max_test_rows", "300", "--data_dir",
            DATA, "--zoo", zoo, "--out", cls.editor)
        cls.model = os.path.join(zoo, "models", "r000001-e004.safetensors")
        cls.expected = os.path.join(WORK, "expected.safetensors")
        run(TRAINER, "edit", "--editor", cls.editor, "--model", cls.model,
            "-o", cls.expected)
        port = free_port()
        cls.server = subprocess.Popen(
            [SERVER, "--editors", os.path.join(WORK, "editors"), "--port",
             str(port), "--metrics_port", "-1", "--host", "127.0.0.1",
             "--drain_seconds", "0"],
            stderr=subprocess.DEVNULL)
        cls.client = amend_client.Client("127.0.0.1:%d" % port, timeout=10)
        deadline = time.time() + 30
        while True:
            try:
                if cls.client.ready():
                    break
            except grpc.RpcError:
                pass
            if time.time() > deadline:
                raise RuntimeError("amend-server did not become ready")
            time.sleep(0.1)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.server.terminate()
        cls.server.wait(timeout=30)

    def test_state_dict_round_trip_matches_the_offline_edit(self):
        with open(self.model, "rb") as f:
            architecture, weights = amend_client.safetensors_to_state_dict(
                f.read())
        # A state_dict as PyTorch gives it: name -> nested lists.
        state_dict = {}
        for name, (shape, flat) in weights.items():
            if len(shape) == 2:
                rows = [flat[r * shape[1]:(r + 1) * shape[1]]
                        for r in range(shape[0])]
                state_dict[name] = rows
            else:
                state_dict[name] = flat
        reply = self.client.edit(
            "adult", "pruning",
            amend_client.state_dict_to_model(state_dict, architecture),
            lambda_=0.05)
        got_architecture, edited = amend_client.model_to_state_dict(
            reply.edited_model)
        self.assertEqual(got_architecture, architecture)
        with open(self.expected, "rb") as f:
            _, expected = amend_client.safetensors_to_state_dict(f.read())
        for name, (shape, flat) in edited.items():
            self.assertEqual(shape, expected[name][0], name)
            self.assertEqual(flat, expected[name][1], name)
        masks = amend_client.tensors_to_dict(reply.masks)
        self.assertIn("mask.head.weight", masks)
        for name, (shape, flat) in masks.items():
            self.assertEqual(masks[name][1], expected[name][1], name)
            self.assertTrue(set(flat) <= {0.0, 1.0}, name)
        kept = sum(sum(flat) for _, flat in masks.values())
        self.assertEqual(kept, reply.statistics.weights_kept)
        self.assertEqual(len(reply.receipt.output_sha256), 64)

    def test_an_nn_sequential_is_edited_and_comes_back(self):
        try:
            import torch
            from torch import nn
        except ImportError:
            self.fail("needs Debian's python3-torch (scripts/packages.sh)")
        from amend_client.torch_sequential import (
            edited_masks, model_to_sequential, sequential_to_model)
        torch.manual_seed(3)
        net = nn.Sequential(nn.Linear(14, 16), nn.ReLU(), nn.Linear(16, 8),
                            nn.ReLU(), nn.Linear(8, 2)).eval()
        reply = self.client.edit("adult", "pruning", sequential_to_model(net),
                                 lambda_=0.05)
        edited = model_to_sequential(reply.edited_model)
        masks = edited_masks(reply)
        linears = [m for m in edited if isinstance(m, nn.Linear)]
        names = ["layers.1.weight", "layers.2.weight", "head.weight"]
        removed = 0
        for linear, name in zip(linears, names):
            mask = masks["mask." + name]
            self.assertEqual(tuple(mask.shape), tuple(linear.weight.shape))
            # Removed weights are zeros in the module: no mask to apply.
            self.assertTrue(torch.all(linear.weight[mask == 0] == 0), name)
            removed += int((mask == 0).sum())
        self.assertEqual(
            sum(int(m.numel()) for m in masks.values()) - removed,
            reply.statistics.weights_kept)
        # The module computes what Amend computes for the edited model.
        path = os.path.join(WORK, "edited-sequential.safetensors")
        with open(path, "wb") as f:
            f.write(amend_client.state_dict_to_safetensors(
                *reversed(amend_client.model_to_state_dict(
                    reply.edited_model))))
        inputs = torch.randn(20, 14)
        rows = os.path.join(WORK, "rows.csv")
        with open(rows, "w") as f:
            f.writelines(",".join(repr(v) for v in row) + "\n"
                         for row in inputs.tolist())
        out = os.path.join(WORK, "p.csv")
        subprocess.run([TRAINER, "forward", "--model", path, "--input", rows,
                        "--out", out], check=True, capture_output=True)
        with open(out) as f:
            amend = torch.tensor([[float(v) for v in line.split(",")]
                                  for line in f.read().split("\n")[1:]
                                  if line])
        with torch.no_grad():
            mine = torch.softmax(edited(inputs), dim=-1)
        self.assertLess((amend - mine).abs().max().item(), 1e-5)

    def test_errors_carry_the_status_code_and_field(self):
        with self.assertRaises(grpc.RpcError) as caught:
            self.client.edit("bank", "pruning", amend_client.editor_pb2.Model(),
                             lambda_=0.05)
        self.assertEqual(caught.exception.code(), grpc.StatusCode.NOT_FOUND)
        self.assertIn("task", caught.exception.details())

    def test_receipts_are_signed_by_a_published_key(self):
        with open(self.model, "rb") as f:
            model = amend_client.editor_pb2.Model(safetensors=f.read())
        reply = self.client.edit("adult", "pruning", model, lambda_=0.05)
        keys = self.client.receipt_keys()
        self.assertEqual([k.key_id for k in keys if k.signing],
                         [reply.receipt.key_id])
        self.assertTrue(keys[0].public_key_pem.startswith(
            "-----BEGIN PUBLIC KEY-----"))
        self.assertEqual(reply.receipt.algorithm, "ed25519")
        self.assertEqual(len(reply.receipt.signature), 64)
        payload = json.loads(reply.receipt.payload)
        self.assertEqual(payload["format"], "amend.receipt.v1")
        self.assertEqual(
            payload["output_sha256"],
            hashlib.sha256(reply.edited_model.safetensors).hexdigest())
        self.assertEqual(payload["input_sha256"],
                         hashlib.sha256(model.safetensors).hexdigest())
        self.assertEqual(payload["steps"][0]["requirement"], "pruning")

    def test_composed_steps_equal_the_edits_one_by_one(self):
        with open(self.model, "rb") as f:
            model = amend_client.editor_pb2.Model(safetensors=f.read())
        both = self.client.edit_steps(
            "adult", model, [{"requirement": "pruning", "lambda_": 0.05},
                             {"requirement": "pruning", "lambda": 0.05}])
        first = self.client.edit("adult", "pruning", model, lambda_=0.05)
        second = self.client.edit("adult", "pruning", first.edited_model,
                                  lambda_=0.05)
        self.assertEqual(len(both.steps), 2)
        self.assertEqual(both.edited_model.safetensors,
                         second.edited_model.safetensors)
        self.assertEqual(len(json.loads(both.receipt.payload)["steps"]), 2)

    def test_list_editors(self):
        editors = self.client.list_editors(task="adult")
        self.assertEqual(len(editors), 1)
        self.assertEqual(editors[0].requirement, "pruning")
        # "lambda" is a Python keyword: the field is read with getattr.
        self.assertAlmostEqual(getattr(editors[0], "lambda"), 0.05)


if __name__ == "__main__":
    unittest.main()
