"""A task card (task.json, docs/TASK_FORMAT.md) in Python: encode raw rows
exactly as the zoo and the editors saw them.

A pipeline that trained its model on its own preprocessing still has to feed
Amend's editors, audits and the edited model the inputs the task card defines:
one input per feature column, categories coded by the card's tables, numbers
standardised with the train split's mean and sd, missing numbers at the mean.
This module reads the card and does that, with no dependency beyond the
standard library.

    from amend_client.task_card import TaskCard

    card = TaskCard.load("tasks/credit")
    x = card.encode_row({"age": "41", "job": "admin.", ...})   # list of floats
    rows = card.read_rows()            # the task's data files, as dicts
    test = card.rows_of_split("test")  # the rows of one split, in file order

Values are float32, computed as the C++ loader computes them: in double, then
rounded once to float32.
"""

import csv
import gzip
import io
import json
import math
import os
import struct

FORMAT = "amend-task-card/1"

_SPLIT_CODES = {"train": "0", "validation": "1", "test": "2"}


def _float32(value):
    return struct.unpack("<f", struct.pack("<f", value))[0]


class TaskCardError(ValueError):
    """A row the card cannot encode; the message names the column and value."""


class TaskCard:
    def __init__(self, card, folder=None):
        if card.get("format") != FORMAT:
            raise TaskCardError(
                "task.json: format must be %r, got %r" % (FORMAT, card.get("format")))
        self.card = card
        self.folder = folder
        self.name = card["name"]
        self.features = card["features"]
        self.feature_names = [f["name"] for f in self.features]
        # Each input's attribute (several one-hot inputs may form one; data
        # minimisation keeps or removes an attribute whole).
        self.feature_attributes = [f.get("attribute", f["name"])
                                   for f in self.features]
        self.class_names = card["label"]["classes"]
        self.missing = card["csv"]["missing"]
        delimiter = card["csv"]["delimiter"]
        self.delimiter = "\t" if delimiter == "tab" else delimiter
        self._codes = [
            {value: code for code, value in enumerate(f["categories"])}
            if f["type"] == "categorical" else None
            for f in self.features
        ]

    @classmethod
    def load(cls, folder):
        with open(os.path.join(folder, "task.json"), encoding="utf-8") as f:
            return cls(json.load(f), folder)

    def _cell(self, row, column):
        if column not in row:
            raise TaskCardError("row has no column %r" % column)
        value = row[column]
        value = "" if value is None else str(value).strip()
        return self.missing if value == "" else value

    def encode_row(self, row):
        """The model inputs of one raw row (a dict by column name)."""
        out = []
        for feature, codes in zip(self.features, self._codes):
            value = self._cell(row, feature["name"])
            if codes is not None:
                if value not in codes:
                    raise TaskCardError(
                        "column %s: %r is not one of its %d categories in the "
                        "task card" % (feature["name"], value, len(codes)))
                x = float(codes[value])
            elif value == self.missing:
                out.append(0.0)  # the train mean
                continue
            else:
                try:
                    x = float(value)
                except ValueError:
                    raise TaskCardError("column %s: must be a number, got %r"
                                        % (feature["name"], value)) from None
                if not math.isfinite(x):
                    raise TaskCardError("column %s: must be finite, got %r"
                                        % (feature["name"], value))
            out.append(_float32((x - feature["mean"]) / feature["stddev"]))
        return out

    def encode_rows(self, rows):
        return [self.encode_row(row) for row in rows]

    def label_of(self, row):
        """The class index: its place in the card's classes (a binarized
        label: 1 for the positive value, 0 for any other)."""
        value = self._cell(row, self.card["label"]["column"])
        if self.card["label"]["binarized"]:
            return 1 if value == self.card["label"]["positive"] else 0
        if value in self.class_names:
            return self.class_names.index(value)
        raise TaskCardError("label %r is not one of %s"
                            % (value, ", ".join(self.class_names)))

    def group_of(self, row):
        """1 for the privileged group, 0 otherwise (0 when there is none)."""
        rule = self.card["sensitive"]
        if rule is None:
            return 0
        value = self._cell(row, rule["column"])
        if "range" in rule:
            low, high = rule["range"]
            return 1 if low <= float(value) < high else 0
        return 1 if value in rule["privileged_values"] else 0

    def read_rows(self):
        """Every row of the card's data files, in order, as dicts."""
        rows = []
        for entry in self.card["files"]:
            path = os.path.join(self.folder, entry["path"])
            with open(path, "rb") as f:
                data = f.read()
            if path.endswith(".gz"):
                data = gzip.decompress(data)
            text = data.decode("utf-8-sig")
            reader = csv.DictReader(io.StringIO(text, newline=""),
                                    delimiter=self.delimiter)
            rows.extend(r for r in reader if any(v.strip() for v in r.values()))
        return rows

    def rows_of_split(self, split):
        """The rows of "train", "validation" or "test", in file order."""
        code = _SPLIT_CODES[split]
        assignment = self.card["split"]["assignment"]
        rows = self.read_rows()
        if len(rows) != len(assignment):
            raise TaskCardError("the data files have %d rows, the card's split "
                                "assignment %d" % (len(rows), len(assignment)))
        return [row for row, c in zip(rows, assignment) if c == code]
