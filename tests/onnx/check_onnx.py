"""Checks ONNX models with the ONNX checker of Debian's python3-onnx, shape
inference included: check_onnx.py MODEL.onnx... Exits 1 naming the first model
the checker refuses."""
import sys

import onnx
import onnx.checker

for path in sys.argv[1:]:
    try:
        onnx.checker.check_model(onnx.load(path), full_check=True)
    except Exception as error:  # the checker's own errors, or a parse failure
        sys.exit(f"{path}: {error}")
print(f"onnx {onnx.__version__}: {len(sys.argv) - 1} models pass the checker")
