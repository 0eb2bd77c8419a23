#!/bin/bash
# The Python client installed as users install it (run by ctest): the wheel the
# build made goes into a fresh virtual environment (system site packages for
# Debian's python3-grpcio, -protobuf and -torch), and the client is imported
# and tested from there with no PYTHONPATH and away from the source tree.
#
# usage: venv_install_test.sh WHEEL AMEND_TRAINER SOURCE_DIR WORK_DIR
set -euo pipefail
wheel=$1 trainer=$2 source=$3 work=$4
rm -rf "$work"
mkdir -p "$work"
cd "$work"
unset PYTHONPATH
/usr/bin/python3 -m venv --system-site-packages venv
# No --no-deps: pip must find grpcio and protobuf, or refuse.
PIP_DISABLE_PIP_VERSION_CHECK=1 venv/bin/pip install --no-index --quiet "$wheel"
venv/bin/python - <<'PY'
import amend_client, amend.v1.editor_pb2, amend_health.health_pb2
import amend_client.task_card, amend_client.torch_sequential
for module in (amend_client, amend.v1.editor_pb2, amend_health.health_pb2):
    assert "/venv/lib/" in module.__file__, module.__file__
print("installed:", amend_client.__file__)
PY
venv/bin/pip show amend-client | grep -E "^(Name|Version|Requires):"
venv/bin/python "$source/tests/python/torch_sequential_test.py" "$trainer" "$work/torch"
