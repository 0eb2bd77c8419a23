"""The deployment files agree with each other and with the binaries (run by ctest).

usage: manifests_test.py SOURCE_DIR AMEND_SERVER AMEND_TRAINER DATA_DIR WORK_DIR

- every Kubernetes manifest parses; kustomizations list files that exist;
- ports, probes, selectors, labels and grace periods agree across Deployment, Services, HPA,
  PDB, ServiceMonitor and the server's flags; every flag in the ConfigMap and the Jobs is a flag
  the binaries accept;
- the PrometheusRule holds exactly the rules of deploy/prometheus/alerts.yml;
- every metric named in the alerts and the Grafana dashboard exists in a live amend-server's
  /metrics;
- with Debian's prometheus package: promtool accepts the config and the rules, and a Prometheus
  started with the shipped scrape config reads the request counter of a live server back.
"""

import glob
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import unittest
import urllib.parse
import urllib.request

import yaml

SOURCE, SERVER, TRAINER, DATA, WORK = sys.argv[1:6]
del sys.argv[1:6]
DEPLOY = os.path.join(SOURCE, "deploy")


def load(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def manifests():
    docs = {}
    for path in glob.glob(os.path.join(DEPLOY, "k8s", "**", "*.yaml"),
                          recursive=True):
        for doc in load(path):
            docs.setdefault(doc["kind"], []).append(doc)
    return docs


def one(docs, kind, name):
    matches = [d for d in docs[kind] if d["metadata"]["name"] == name]
    assert len(matches) == 1, (kind, name)
    return matches[0]


def flags_of(binary):
    out = subprocess.run([binary, "--helpfull"], capture_output=True,
                         text=True).stdout
    return set(re.findall(r"^\s+--([a-z_0-9]+) ", out, re.M))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url):
    with urllib.request.urlopen(url, timeout=5) as reply:
        return reply.read().decode()


def metric_names(expression):
    names = set(re.findall(r"\bamend_[a-z_]+", expression))
    return {re.sub(r"_(bucket|sum|count)$", "", n) for n in names}


class LiveServer:
    """amend-server on a tiny editor, with one edit sent so every family has series."""

    def __init__(self):
        shutil.rmtree(WORK, ignore_errors=True)
        os.makedirs(WORK)
        zoo = os.path.join(WORK, "zoo")
        run = lambda *a: subprocess.run(a, check=True, capture_output=True)
        run(TRAINER, "zoo", "--task", "adult", "--runs", "10", "--epochs", "4",
            "--max_rows", "512", "--seed", "4", "--data_dir", DATA, "--out", zoo)
        run(TRAINER, "train", "--task", "adult", "--requirement", "pruning",
            "--lambda", "0.05", "--steps", "2", "--hidden", "8", "--layers", "1",
            "--eval_every", "2", "--max_test_rows", "200", "--data_dir", DATA,
            "--zoo", zoo, "--out", os.path.join(WORK, "editors", "p"))
        self.model = os.path.join(zoo, "models", "r000001-e004.safetensors")
        self.port, self.metrics_port = free_port(), free_port()
        self.process = subprocess.Popen(
            [SERVER, "--editors", os.path.join(WORK, "editors"), "--host",
             "127.0.0.1", "--port", str(self.port), "--metrics_port",
             str(self.metrics_port), "--drain_seconds", "0"],
            stderr=subprocess.DEVNULL)
        self.amend = os.path.join(os.path.dirname(SERVER), "..", "client",
                                  "amend")
        for _ in range(300):
            if self.cli("health").returncode == 0:
                break
            time.sleep(0.1)
        self.edits = 0

    def cli(self, *args):
        return subprocess.run([self.amend, "--server",
                               "127.0.0.1:%d" % self.port, *args],
                              capture_output=True, text=True)

    def edit(self):
        result = self.cli("edit", "--task", "adult", "--requirement",
                          "pruning", "--lambda", "0.05", self.model, "-o",
                          os.path.join(WORK, "edited.safetensors"))
        assert result.returncode == 0, result.stderr
        self.edits += 1

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


class ManifestTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.docs = manifests()
        cls.deployment = one(cls.docs, "Deployment", "amend-server")
        cls.pod = cls.deployment["spec"]["template"]
        cls.container = cls.pod["spec"]["containers"][0]
        cls.config = one(cls.docs, "ConfigMap", "amend-server-flags")
        cls.flags = dict(
            line[2:].split("=", 1)
            for line in cls.config["data"]["flags"].split())
        cls.server = LiveServer()
        cls.server.edit()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_kustomizations_list_files_that_exist(self):
        for path in glob.glob(os.path.join(DEPLOY, "k8s", "**",
                                           "kustomization.yaml"),
                              recursive=True):
            for resource in load(path)[0].get("resources", []):
                self.assertTrue(os.path.exists(os.path.join(
                    os.path.dirname(path), resource)), (path, resource))

    def test_ports_and_probes_match_the_server_flags(self):
        ports = {p["name"]: p["containerPort"]
                 for p in self.container["ports"]}
        self.assertEqual(ports["grpc"], int(self.flags["port"]))
        self.assertEqual(ports["metrics"], int(self.flags["metrics_port"]))
        self.assertEqual(self.container["args"],
                         ["--flagfile=/etc/amend/flags"])
        self.assertEqual(self.container["readinessProbe"]["grpc"],
                         {"port": ports["grpc"],
                          "service": "amend.v1.ModelEditor"})
        self.assertEqual(self.container["livenessProbe"]["grpc"],
                         {"port": ports["grpc"], "service": ""})
        # The drain and the grace for in-flight calls fit in the pod's grace.
        pre_stop = int(self.container["lifecycle"]["preStop"]["exec"]
                       ["command"][-1])
        self.assertGreater(
            self.pod["spec"]["terminationGracePeriodSeconds"],
            pre_stop + int(self.flags["drain_seconds"]) +
            int(self.flags["grace_seconds"]))

    def test_every_configured_flag_exists(self):
        server_flags = flags_of(SERVER)
        for flag in self.flags:
            self.assertIn(flag, server_flags)
        trainer_flags = flags_of(TRAINER)
        for job in self.docs["Job"]:
            container = job["spec"]["template"]["spec"]["containers"][0]
            words = " ".join(container.get("command", []) +
                             container.get("args", []))
            for flag in re.findall(r"--([a-z_]+)", words):
                self.assertIn(flag, trainer_flags, job["metadata"]["name"])

    def test_selectors_match_labels(self):
        labels = self.pod["metadata"]["labels"]
        self.assertEqual(
            self.deployment["spec"]["selector"]["matchLabels"], labels)
        container_ports = {p["name"] for p in self.container["ports"]}
        for service in self.docs["Service"]:
            self.assertEqual(service["spec"]["selector"], labels)
            for port in service["spec"]["ports"]:
                self.assertIn(port["targetPort"], container_ports)
        pdb = one(self.docs, "PodDisruptionBudget", "amend-server")
        self.assertEqual(pdb["spec"]["selector"]["matchLabels"], labels)
        hpa = one(self.docs, "HorizontalPodAutoscaler", "amend-server")
        self.assertEqual(hpa["spec"]["scaleTargetRef"]["name"],
                         self.deployment["metadata"]["name"])
        monitor = one(self.docs, "ServiceMonitor", "amend-server")
        service = one(self.docs, "Service", "amend-server")
        for key, value in monitor["spec"]["selector"]["matchLabels"].items():
            self.assertEqual(service["metadata"]["labels"][key], value)
        self.assertIn(monitor["spec"]["endpoints"][0]["port"],
                      {p["name"] for p in service["spec"]["ports"]})

    def test_prometheus_rule_equals_the_alerts_file(self):
        rule = one(self.docs, "PrometheusRule", "amend-server")
        alerts = load(os.path.join(DEPLOY, "prometheus", "alerts.yml"))[0]
        self.assertEqual(rule["spec"], alerts)

    def test_every_metric_in_alerts_and_dashboard_is_exported(self):
        scrape = http_get("http://127.0.0.1:%d/metrics" %
                          self.server.metrics_port)
        exported = set(re.findall(r"^# TYPE (amend_[a-z_]+) ", scrape, re.M))
        alerts = load(os.path.join(DEPLOY, "prometheus", "alerts.yml"))[0]
        used = set()
        for group in alerts["groups"]:
            for rule in group["rules"]:
                used |= metric_names(rule["expr"])
        with open(os.path.join(DEPLOY, "grafana", "amend-dashboard.json")) as f:
            dashboard = json.load(f)
        for panel in dashboard["panels"]:
            for target in panel["targets"]:
                used |= metric_names(target["expr"])
        self.assertTrue(used)
        self.assertEqual(used - exported, set())

    @unittest.skipIf(shutil.which("promtool") is None,
                     "Debian's prometheus package is not installed")
    def test_promtool_accepts_the_config_and_the_rules(self):
        for command in (["check", "config"], ["check", "rules"]):
            target = ("prometheus.yml" if command[1] == "config"
                      else "alerts.yml")
            result = subprocess.run(
                ["promtool", *command,
                 os.path.join(DEPLOY, "prometheus", target)],
                capture_output=True, text=True)
            self.assertEqual(result.returncode, 0,
                             result.stdout + result.stderr)

    @unittest.skipIf(shutil.which("prometheus") is None,
                     "Debian's prometheus package is not installed")
    def test_prometheus_scrapes_a_live_server(self):
        # The shipped config, with its static target pointed at the live server
        # and a short interval.
        config = load(os.path.join(DEPLOY, "prometheus", "prometheus.yml"))[0]
        config["global"]["scrape_interval"] = "1s"
        config["scrape_configs"][0]["static_configs"][0]["targets"] = [
            "127.0.0.1:%d" % self.server.metrics_port]
        directory = os.path.join(WORK, "prometheus")
        os.makedirs(directory, exist_ok=True)
        shutil.copy(os.path.join(DEPLOY, "prometheus", "alerts.yml"), directory)
        with open(os.path.join(directory, "prometheus.yml"), "w") as f:
            yaml.safe_dump(config, f)
        port = free_port()
        prometheus = subprocess.Popen(
            ["prometheus", "--config.file=" +
             os.path.join(directory, "prometheus.yml"),
             "--storage.tsdb.path=" + os.path.join(directory, "data"),
             "--web.listen-address=127.0.0.1:%d" % port],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(3):
                self.server.edit()
            query = urllib.parse.quote(
                'sum(amend_edit_requests_total{code="OK"})')
            value = None
            for _ in range(120):
                try:
                    reply = json.loads(http_get(
                        "http://127.0.0.1:%d/api/v1/query?query=%s" %
                        (port, query)))
                    result = reply["data"]["result"]
                    if result:
                        value = float(result[0]["value"][1])
                        if value == self.server.edits:
                            break
                except OSError:
                    pass
                time.sleep(0.5)
            self.assertEqual(value, self.server.edits)
        finally:
            prometheus.terminate()
            prometheus.wait(timeout=30)


if __name__ == "__main__":
    unittest.main()
