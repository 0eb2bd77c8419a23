#!/usr/bin/python3
"""scripts/reproduce.sh --quick end to end, then what it must leave behind: every panel's
points.csv, report.json, summary.md and plot.svg (and the labels-changed view), each with the
editors and every baseline family of its requirement, and the index and time tables.

Usage: reproduce_test.py REPO_ROOT BUILD_DIR WORK_DIR
"""
import csv
import json
import os
import shutil
import subprocess
import sys

BASELINES = {
    "data_minimisation": {"fs", "fs_retrain"},
    "fairness": {"threshold_optimizer", "relaxed_threshold_optimizer", "reject_option",
                 "calibrated_eq_odds", "fair_cls"},
    "pruning": {"random", "magnitude", "gradient", "snip", "neuron_magnitude", "lottery_ticket"},
    "pruning-ablation": {"random", "magnitude", "gradient", "snip", "neuron_magnitude",
                         "lottery_ticket"},
    "composition": {"fs+magnitude", "fs+snip"},
    "fairness-epo": set(),
}
EDITORS = {
    "pruning-ablation": {"editor_25pct", "editor_100pct"},
    "fairness-epo": {"editor_linear", "editor_epo"},
}
PANELS = [("adult", p) for p in BASELINES] + [
    ("bank", p) for p in ("data_minimisation", "fairness", "pruning")]


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def main():
    root, build, work = sys.argv[1:4]
    shutil.rmtree(work, ignore_errors=True)
    env = dict(os.environ, AMEND_SKIP_BUILD="1", AMEND_BUILD_DIR=build, AMEND_WORK=work,
               OPENBLAS_NUM_THREADS="1")
    run = subprocess.run([os.path.join(root, "scripts/reproduce.sh"), "--quick"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    print(run.stdout[-4000:])
    if run.returncode != 0:
        fail(f"reproduce.sh --quick exited {run.returncode}")
    reports = os.path.join(work, "reports")
    for task, panel in PANELS:
        folder = os.path.join(reports, task, panel)
        for name in ("points.csv", "report.json", "summary.md", "plot.svg",
                     "labels_changed/report.json", "labels_changed/plot.svg"):
            if not os.path.isfile(os.path.join(folder, name)):
                fail(f"{task}/{panel}: no {name}")
        with open(os.path.join(folder, "report.json")) as f:
            report = json.load(f)
        methods = {f["method"] for f in report["fronts"]}
        expected = BASELINES[panel] | EDITORS.get(panel, {"editor"}) | {"original"}
        if methods != expected:
            fail(f"{task}/{panel}: methods {sorted(methods)}, expected {sorted(expected)}")
        with open(os.path.join(folder, "points.csv")) as f:
            rows = list(csv.DictReader(f))
        if len(rows) != len(report["points"]):
            fail(f"{task}/{panel}: points.csv and report.json disagree")
        for row in rows:
            for field in ("requirement_mean", "jsd_mean", "accuracy_mean",
                          "seconds_per_model_mean"):
                value = float(row[field])
                if not (value == value) or value < 0:
                    fail(f"{task}/{panel}: {row['method']} {row['setting']} {field} = {value}")
            if int(row["models"]) != 6:
                fail(f"{task}/{panel}: {row['method']} ran on {row['models']} models, not 6")
        with open(os.path.join(folder, "plot.svg")) as f:
            svg = f.read()
        if not svg.startswith("<svg") or svg.count("<polyline") != len(methods):
            fail(f"{task}/{panel}: plot.svg lacks a front per method")
    for name in ("index.md", "time.md"):
        if not os.path.isfile(os.path.join(reports, name)):
            fail(f"no reports/{name}")
    # A rerun reuses everything: no zoo, editor or eval is recomputed.
    again = subprocess.run([os.path.join(root, "scripts/reproduce.sh"), "--quick", "pruning"],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if again.returncode != 0 or "reusing" not in again.stdout:
        print(again.stdout[-2000:])
        fail("a rerun did not reuse the finished evaluation")
    print("OK")


if __name__ == "__main__":
    main()
