"""amend_client.torch_sequential against PyTorch and Amend's own forward pass.

usage: torch_sequential_test.py AMEND_TRAINER WORK_DIR

PyTorch modules are converted to the contract, written as model files, and
run by `amend-trainer forward` (C++); its class probabilities must equal the
module's softmax. The way back (contract -> nn.Sequential) must reproduce the
module's outputs, and what the contract cannot express is refused by module
index. Needs Debian's python3-torch (scripts/packages.sh installs it).
"""

import os
import shutil
import subprocess
import sys
import unittest

import torch
from torch import nn

from amend_client import safetensors_to_state_dict
from amend_client.torch_sequential import (
    SequentialError, contract_to_sequential, edited_masks,
    sequential_to_contract, sequential_to_safetensors)

TRAINER, WORK = sys.argv[1:3]
del sys.argv[1:3]


def trained_batchnorm_net():
    torch.manual_seed(7)
    net = nn.Sequential(
        nn.Linear(6, 12), nn.BatchNorm1d(12), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(12, 9), nn.LayerNorm(9), nn.GELU(),
        nn.Linear(9, 7, bias=False), nn.LeakyReLU(0.01),
        nn.Linear(7, 8), nn.SiLU(),
        nn.Linear(8, 5), nn.Tanh(),
        nn.Linear(5, 3))
    net.train()
    with torch.no_grad():  # non-trivial running statistics
        for _ in range(5):
            net(torch.randn(32, 6) * 3 + 1)
    return net.eval()


class TorchSequentialTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        shutil.rmtree(WORK, ignore_errors=True)
        os.makedirs(WORK)

    def amend_probabilities(self, module, inputs, name):
        model = os.path.join(WORK, name + ".safetensors")
        with open(model, "wb") as f:
            f.write(sequential_to_safetensors(module))
        rows = os.path.join(WORK, name + ".csv")
        with open(rows, "w") as f:
            for row in inputs.tolist():
                f.write(",".join(repr(v) for v in row) + "\n")
        out = os.path.join(WORK, name + "-p.csv")
        subprocess.run([TRAINER, "forward", "--model", model, "--input", rows,
                        "--out", out], check=True, capture_output=True)
        with open(out) as f:
            lines = f.read().split("\n")[1:]
        return torch.tensor([[float(v) for v in line.split(",")]
                             for line in lines if line])

    def test_amend_computes_what_the_module_computes(self):
        net = trained_batchnorm_net()
        inputs = torch.randn(40, 6) * 2
        with torch.no_grad():
            want = torch.softmax(net(inputs), dim=-1)
        got = self.amend_probabilities(net, inputs, "mixed")
        self.assertEqual(got.shape, want.shape)
        self.assertLess((got - want).abs().max().item(), 1e-5)

    def test_the_architecture_is_read_off_the_modules(self):
        architecture, state = sequential_to_contract(trained_batchnorm_net())
        self.assertEqual(architecture["input_dim"], 6)
        self.assertEqual(architecture["num_classes"], 3)
        self.assertEqual(
            [(l["width"], l["norm"], l["activation"], l["dropout"])
             for l in architecture["layers"]],
            [(12, "batchnorm", "relu", 0.2), (9, "layernorm", "gelu", 0.0),
             (7, "none", "leaky_relu", 0.0), (8, "none", "silu", 0.0),
             (5, "none", "tanh", 0.0)])
        self.assertTrue(torch.equal(state["layers.3.bias"], torch.zeros(7)))
        self.assertIn("layers.1.norm.running_var", state)

    def test_the_way_back_reproduces_the_module(self):
        net = trained_batchnorm_net()
        architecture, state = sequential_to_contract(net)
        rebuilt = contract_to_sequential(architecture, state)
        inputs = torch.randn(25, 6)
        with torch.no_grad():
            self.assertTrue(torch.allclose(rebuilt(inputs), net(inputs),
                                           atol=1e-6, rtol=0))
        # Through model-file bytes, as a reply or `amend edit` gives them.
        data = sequential_to_safetensors(net)
        architecture2, state2 = safetensors_to_state_dict(data)
        self.assertEqual(architecture2, architecture)
        with torch.no_grad():
            self.assertTrue(torch.equal(
                contract_to_sequential(architecture2, state2)(inputs),
                rebuilt(inputs)))

    def test_masked_weights_come_back_as_zeros(self):
        net = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2)).eval()
        architecture, state = sequential_to_contract(net)
        mask = torch.tensor([[1, 0, 1, 1], [0, 0, 1, 1], [1, 1, 1, 0]],
                            dtype=torch.float32)
        state["layers.1.weight"] = state["layers.1.weight"] * mask
        state["mask.layers.1.weight"] = mask
        rebuilt = contract_to_sequential(architecture, state)
        self.assertTrue(torch.equal(rebuilt[0].weight == 0, mask == 0))

    def test_what_the_contract_cannot_express_is_refused_by_index(self):
        cases = [
            (nn.Sequential(nn.Linear(4, 3), nn.LeakyReLU(0.2), nn.Linear(3, 2)),
             "module 1 (LeakyReLU): negative_slope must be 0.01"),
            (nn.Sequential(nn.Linear(4, 3), nn.GELU(approximate="tanh"),
                           nn.Linear(3, 2)),
             "module 1 (GELU): approximate must be 'none'"),
            (nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3, eps=1e-3),
                           nn.Linear(3, 2)),
             "module 1 (BatchNorm1d): eps must be 1e-05"),
            (nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.BatchNorm1d(3),
                           nn.Linear(3, 2)),
             "module 2 (BatchNorm1d): a hidden layer is Linear, then"),
            (nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.ReLU(),
                           nn.Linear(3, 2)),
             "module 2 (ReLU)"),
            (nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2),
                           nn.Softmax(dim=-1)),
             "module 3 (Softmax): the last module must be the head"),
            (nn.Sequential(nn.Linear(4, 3), nn.Linear(4, 2)),
             "module 1 (Linear): in_features must be 3, got 4"),
            (nn.Sequential(nn.ReLU(), nn.Linear(4, 2)),
             "module 0 (ReLU): the first module must be an nn.Linear"),
        ]
        for module, message in cases:
            with self.assertRaisesRegex(SequentialError, message.replace(
                    "(", r"\(").replace(")", r"\)")):
                sequential_to_contract(module)
        with self.assertRaisesRegex(SequentialError, "skip connections"):
            contract_to_sequential(
                {"input_dim": 2, "num_classes": 2, "layers": [
                    {"width": 2, "skip_from": []},
                    {"width": 2, "skip_from": [0]}]}, {})

    def test_edited_masks_are_read_from_the_reply(self):
        from amend_client import editor_pb2, tensor
        reply = editor_pb2.EditModelResponse(
            masks=[tensor("mask.input", [1.0, 0.0, 1.0])])
        masks = edited_masks(reply)
        self.assertEqual(list(masks), ["mask.input"])
        self.assertTrue(torch.equal(masks["mask.input"],
                                    torch.tensor([1.0, 0.0, 1.0])))

if __name__ == "__main__":
    unittest.main()
