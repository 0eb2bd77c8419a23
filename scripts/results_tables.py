#!/usr/bin/python3
"""Tables across the reports of scripts/reproduce.sh: reports/index.md (per panel: the editors'
hypervolume against the best baseline's, and dominance) and reports/time.md (the paper's table 1:
seconds per model of every method, and how many times the editor's).

Usage: scripts/results_tables.py REPORTS_DIR
"""
import json
import os
import sys


def panels(root):
    for task in sorted(os.listdir(root)):
        task_dir = os.path.join(root, task)
        if not os.path.isdir(task_dir):
            continue
        for panel in sorted(os.listdir(task_dir)):
            path = os.path.join(task_dir, panel, "report.json")
            if os.path.isfile(path):
                with open(path) as f:
                    yield task, panel, json.load(f)


def is_editor(method):
    return method.startswith("editor")


def write_atomically(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    index = ["# Panels", "",
             "| task | panel | editor | editor HV | best baseline | baseline HV | HV ratio | "
             "baseline front points the editor dominates (within its range) |",
             "|---|---|---|---|---|---|---|---|"]
    time = ["# Time per edit (seconds per model; fits included)", "",
            "| task | panel | method | seconds per model | x the editor's |",
            "|---|---|---|---|---|"]
    for task, panel, report in panels(root):
        fronts = {f["method"]: f["hypervolume"] for f in report["fronts"]}
        baselines = {m: hv for m, hv in fronts.items()
                     if not is_editor(m) and m != "original"}
        best = max(baselines.items(), key=lambda kv: kv[1]) if baselines else ("-", 0.0)
        for editor, hv in fronts.items():
            if not is_editor(editor):
                continue
            dominated = sum(d["comparable_dominated"] for d in report["dominance"]
                            if d["editor"] == editor)
            comparable = sum(d["comparable"] for d in report["dominance"]
                             if d["editor"] == editor)
            ratio = f"{hv / best[1]:.2f}" if best[1] > 0 else "-"
            index.append(f"| {task} | {panel} | {editor} | {hv:.4g} | {best[0]} | "
                         f"{best[1]:.4g} | {ratio} | {dominated} / {comparable} |")
        seconds = {}
        for point in report["points"]:
            if point["method"] == "original":
                continue
            seconds.setdefault(point["method"], []).append(point["seconds_per_model"]["mean"])
        editor_seconds = [s for m, v in seconds.items() if is_editor(m) for s in v]
        reference = sum(editor_seconds) / len(editor_seconds) if editor_seconds else 0.0
        for method, values in seconds.items():
            mean = sum(values) / len(values)
            times = f"{mean / reference:.1f}" if reference > 0 else "-"
            time.append(f"| {task} | {panel} | {method} | {mean:.4g} | {times} |")
    write_atomically(os.path.join(root, "index.md"), "\n".join(index) + "\n")
    write_atomically(os.path.join(root, "time.md"), "\n".join(time) + "\n")
    print("\n".join(index))
    print()
    print("\n".join(time))


if __name__ == "__main__":
    main()
