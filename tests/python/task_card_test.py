"""amend_client.task_card against the C++ loader (run by ctest).

usage: task_card_test.py AMEND_TRAINER WORK_DIR

Makes a task from a CSV with missing numbers, missing categories, quoted
fields and stray spaces (amend-trainer task create), has amend-trainer write
the model inputs of its splits (data --features_out), and checks that the
Python card encodes the raw rows of each split to the same float32 values, with
the same labels and groups.
"""

import csv
import os
import shutil
import struct
import subprocess
import sys
import unittest

from amend_client.task_card import TaskCard, TaskCardError

TRAINER, WORK = sys.argv[1:3]
del sys.argv[1:3]

RAW = """id,age,job,balance,"city, country",label
1,20,admin,1.5,"Paris, FR",yes
2, 30 ,tech,?,Rome,no
3,40,?,2.5,Lyon,yes
4,50,admin,0.5,"Paris, FR",no
5,60,tech,3.5,Rome,yes
6,25,,1.0,Lyon,no
7,35,admin,2.0,"Paris, FR",yes
8,45,tech,,Rome,no
9,55,admin,4.0,Lyon,yes
10,65,tech,0.0,"Paris, FR",no
11,33,admin,2.2,Rome,yes
12,44,tech,1.1,Lyon,no
13,29,admin,0.7,Rome,yes
14,61,tech,3.3,"Paris, FR",no
15,38,admin,1.9,Lyon,yes
16,52,tech,2.8,Rome,no
"""


def f32(x):
    return struct.unpack("<f", struct.pack("<f", float(x)))[0]


class TaskCardTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        shutil.rmtree(WORK, ignore_errors=True)
        os.makedirs(WORK)
        data = os.path.join(WORK, "raw.csv")
        with open(data, "w") as f:
            f.write(RAW)
        cls.folder = os.path.join(WORK, "tasks", "small")
        subprocess.run([TRAINER, "task", "create", "--data", data, "--label",
                        "label", "--positive", "yes", "--ignore", "id",
                        "--sensitive", "age", "--privileged", "30..60",
                        "--split", "50/25/25", "--out", cls.folder],
                       check=True, capture_output=True)
        cls.card = TaskCard.load(cls.folder)

    def cpp_split(self, split):
        out = os.path.join(WORK, split + ".csv")
        subprocess.run([TRAINER, "data", "--task", self.folder,
                        "--features_split", split, "--features_out", out],
                       check=True, capture_output=True)
        with open(out) as f:
            return list(csv.DictReader(f))

    def test_every_split_encodes_as_the_cpp_loader_does(self):
        for split in ("train", "validation", "test"):
            expected = self.cpp_split(split)
            rows = self.card.rows_of_split(split)
            self.assertEqual(len(rows), len(expected), split)
            for row, want in zip(rows, expected):
                got = self.card.encode_row(row)
                self.assertEqual(
                    got, [f32(want[n]) for n in self.card.feature_names],
                    "%s row %s" % (split, want["amend:source_row"]))
                self.assertEqual(self.card.label_of(row),
                                 int(want["amend:label"]))
                self.assertEqual(self.card.group_of(row),
                                 int(want["amend:group"]))

    def test_a_multi_class_label_encodes_as_the_cpp_loader_does(self):
        folder = os.path.join(WORK, "tasks", "cities")
        subprocess.run([TRAINER, "task", "create", "--data",
                        os.path.join(WORK, "raw.csv"), "--label",
                        "city, country", "--ignore", "id,label", "--split",
                        "50/25/25", "--out", folder],
                       check=True, capture_output=True)
        card = TaskCard.load(folder)
        self.assertEqual(card.class_names, ["Lyon", "Paris, FR", "Rome"])
        out = os.path.join(WORK, "cities.csv")
        subprocess.run([TRAINER, "data", "--task", folder, "--features_split",
                        "train", "--features_out", out],
                       check=True, capture_output=True)
        with open(out) as f:
            expected = list(csv.DictReader(f))
        rows = card.rows_of_split("train")
        self.assertEqual(len(rows), len(expected))
        for row, want in zip(rows, expected):
            self.assertEqual(card.label_of(row), int(want["amend:label"]))
            self.assertEqual(
                card.label_of(row),
                ["Lyon", "Paris, FR", "Rome"].index(row["city, country"]))
        with self.assertRaisesRegex(TaskCardError, "not one of Lyon"):
            card.label_of({"city, country": "Oslo"})

    def test_inputs_as_is_encode_to_themselves_with_attributes(self):
        files = {}
        for split, rows in (("train", range(0, 12)), ("validation", range(12, 18)),
                            ("test", range(18, 24))):
            path = os.path.join(WORK, "oh-%s.csv" % split)
            with open(path, "w") as f:
                f.write("x,c=a,c=b,y\n")
                for r in rows:
                    f.write("%g,%d,%d,%s\n" % (r * 0.25 - 2, r % 2, 1 - r % 2,
                                               "yes" if r % 3 else "no"))
            files[split] = path
        folder = os.path.join(WORK, "tasks", "onehot")
        subprocess.run([TRAINER, "task", "create", "--inputs_as_is", "--data",
                        files["train"], "--validation", files["validation"],
                        "--test", files["test"], "--label", "y", "--positive",
                        "yes", "--out", folder],
                       check=True, capture_output=True)
        card = TaskCard.load(folder)
        self.assertEqual(card.feature_attributes, ["x", "c", "c"])
        rows = card.rows_of_split("validation")
        self.assertEqual(len(rows), 6)
        for row in rows:
            self.assertEqual(card.encode_row(row),
                             [f32(row["x"]), f32(row["c=a"]), f32(row["c=b"])])

    def test_missing_values_and_unknown_categories(self):
        row = {"age": "", "job": "", "balance": "?", "city, country": "Rome"}
        x = self.card.encode_row(row)
        names = self.card.feature_names
        self.assertEqual(x[names.index("balance")], 0.0)  # the train mean
        job = self.card.features[names.index("job")]
        self.assertEqual(job["categories"][0], "?")  # missing is a category
        with self.assertRaisesRegex(TaskCardError,
                                    "column city, country: 'Oslo'"):
            self.card.encode_row({"age": "1", "job": "tech", "balance": "1",
                                  "city, country": "Oslo"})
        with self.assertRaisesRegex(TaskCardError, "column age: must be a number"):
            self.card.encode_row({"age": "old", "job": "tech", "balance": "1",
                                  "city, country": "Rome"})


if __name__ == "__main__":
    unittest.main()
