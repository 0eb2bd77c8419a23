#!/usr/bin/env python3
"""The hostile mix against a live amend-server, for a given time (scripts/soak.sh sets it up).

Client threads send, at random and with a seed: valid edits of every size class up to the
per-request budget, one edit over the budget, bad requests (each with the codes it may get),
mutated model files, bytes that are no request at all, and edits whose client gives up after
0.2 s. A control thread reloads the editors by RPC (every fourth time with a corrupt editor file
in the folder, which must be refused while the old editors keep serving) and by SIGHUP, and
samples the server's RSS. At the end the server gets SIGTERM under load and must exit 0 within
its drain and grace time.

Fails (exit 1) on: a lost request (no reply, or a code its kind never gets, such as INTERNAL or
UNAVAILABLE before the SIGTERM), a server that dies, a refused reload that drops the old editors,
or RSS growth over --max_rss_growth after warm-up. Growth is judged on quiet RSS: every
--quiet_every seconds the clients pause, the requests in flight finish, and the server's RSS is
read while it is idle; growth is that of the least-squares line through the quiet readings
after warm-up, from the first reading's time to the last's. Under
load the RSS says how many large edits are in flight at the sample, not what the server keeps
(a one-hour run's floor of the running samples moved +28.6% while the machine was also building,
with no quiet reading to tell). The floor and median of the running samples are reported too.
Writes the report as JSON to --report and prints it as text.
"""

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time

import grpc

from amend.v1 import editor_pb2, editor_pb2_grpc

CLIENT_ERRORS = {"INVALID_ARGUMENT", "NOT_FOUND", "FAILED_PRECONDITION",
                 "RESOURCE_EXHAUSTED", "OUT_OF_RANGE", "UNAUTHENTICATED",
                 "PERMISSION_DENIED"}
# After SIGTERM a request may also be refused or cut short: that is not a loss.
SHUTDOWN_CODES = {"UNAVAILABLE", "CANCELLED"}


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def memory_breakdown(pid):
    """Where an idle server's resident memory is, from /proc/PID/smaps (MiB): file-backed
    (code, libraries), the main heap, thread stacks (8 MiB anonymous read-write mappings, the
    glibc default), malloc arenas and large allocations (other anonymous mappings), and the
    thread count. Tells a leak (one class growing reading after reading) from churn."""
    classes = {"file_mib": 0, "heap_mib": 0, "stacks_mib": 0, "anon_mib": 0}
    name, size_kib = "", 0
    try:
        with open(f"/proc/{pid}/smaps") as smaps:
            for line in smaps:
                fields = line.split()
                if not fields:
                    continue
                if "-" in fields[0] and len(fields) >= 5:  # a mapping's header
                    low, high = (int(x, 16) for x in fields[0].split("-"))
                    size_kib = (high - low) // 1024
                    name = fields[5] if len(fields) > 5 else ""
                elif fields[0] == "Rss:":
                    kib = int(fields[1])
                    if name.startswith("/"):
                        classes["file_mib"] += kib
                    elif name == "[heap]":
                        classes["heap_mib"] += kib
                    elif name == "" and size_kib == 8192:
                        classes["stacks_mib"] += kib
                    else:
                        classes["anon_mib"] += kib
        with open(f"/proc/{pid}/status") as status:
            threads = next(int(l.split()[1]) for l in status if l.startswith("Threads:"))
    except (OSError, StopIteration, ValueError):
        return {}
    breakdown = {k: round(v / 1024, 1) for k, v in classes.items()}
    breakdown["threads"] = threads
    return breakdown


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.codes = {}       # (kind, code) -> count
        self.latency = {}     # kind -> [seconds] of answered requests
        self.lost = []        # descriptions of requests answered with a code their kind never gets

    def add(self, kind, code, seconds, allowed, shutting_down):
        with self.lock:
            self.codes[(kind, code)] = self.codes.get((kind, code), 0) + 1
            self.latency.setdefault(kind, []).append(seconds)
            if code not in allowed and not (shutting_down and code in SHUTDOWN_CODES):
                if len(self.lost) < 50:
                    self.lost.append(f"{kind}: {code}")
                else:
                    self.lost.append("...")


def fitted_growth(readings):
    """Growth over the readings' span of the least-squares line through (t, bytes), relative to
    the readings' mean: a leak raises every reading after the first, while one reading that
    happens to be high (a few MiB of fragmentation) moves the line less than it moves a
    first-to-last pair (unless it is the first or the last)."""
    n = len(readings)
    mean_t = sum(t for t, _ in readings) / n
    mean_b = sum(b for _, b in readings) / n
    spread = sum((t - mean_t) ** 2 for t, _ in readings)
    if spread == 0:
        return readings[-1][1] / readings[0][1] - 1
    slope = sum((t - mean_t) * (b - mean_b) for t, b in readings) / spread
    return slope * (readings[-1][0] - readings[0][0]) / mean_b


def percentile(values, q):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bad_requests(small_model_bytes, models):
    """(kind, request or raw bytes, allowed codes): what a hostile client sends."""
    def edit(task="adult", requirement="pruning", safetensors=None, **tradeoff):
        request = editor_pb2.EditModelRequest(task=task, requirement=requirement, **tradeoff)
        request.model.safetensors = small_model_bytes if safetensors is None else safetensors
        return request

    bad = {"INVALID_ARGUMENT"}
    cases = [
        ("bad:unknown-task", edit(task="no-such-task", **{"lambda": 0.02}), {"NOT_FOUND"}),
        ("bad:long-task-name", edit(task="x" * 9000, **{"lambda": 0.02}), {"NOT_FOUND"}),
        ("bad:unknown-requirement", edit(requirement="privacy", **{"lambda": 0.02}), bad),
        ("bad:negative-lambda", edit(**{"lambda": -1.0}), bad),
        ("bad:max-features-0", edit(requirement="data_minimisation", max_features=0), bad),
        ("bad:max-features-huge", edit(requirement="data_minimisation",
                                       max_features=2**31 - 1), bad),
        ("bad:no-tradeoff", edit(), bad),
        ("bad:garbage-model", edit(safetensors=b"\x00" * 64, **{"lambda": 0.02}), bad),
        ("bad:truncated-model", edit(safetensors=small_model_bytes[:len(small_model_bytes) // 2],
                                     **{"lambda": 0.02}), bad),
        ("bad:wrong-input-width", edit(safetensors=models["wrong_width"], **{"lambda": 0.02}),
         bad),
        ("bad:unknown-lambda", edit(**{"lambda": 0.5}), {"NOT_FOUND"}),
        ("bad:huge-weights", edit(safetensors=models["huge_weights"], **{"lambda": 0.02}), bad),
        ("bad:nan-weights", edit(safetensors=models["nan_weights"], **{"lambda": 0.02}), bad),
        ("bad:over-budget", edit(safetensors=models["over_budget"], **{"lambda": 0.02}),
         {"RESOURCE_EXHAUSTED"}),
    ]
    raw = [
        ("raw:truncated-field", b"\x0a\x64abc", bad),
        ("raw:bad-varint", b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", bad),
        ("raw:empty", b"", {"INVALID_ARGUMENT", "NOT_FOUND"}),  # an empty request
    ]
    return cases, raw


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--address", required=True)
    parser.add_argument("--editors", required=True, help="the server's editor folder")
    parser.add_argument("--models", required=True,
                        help="folder of size classes: <class>.safetensors and the bad models")
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--exit_seconds", type=float, default=40,
                        help="most seconds from SIGTERM to the server's exit")
    parser.add_argument("--max_rss_growth", type=float, default=0.05)
    parser.add_argument("--quiet_every", type=float, default=300,
                        help="seconds between quiet RSS readings (clients paused)")
    parser.add_argument("--report", required=True)
    parser.add_argument("--server_log", required=True)
    parser.add_argument("server", nargs=argparse.REMAINDER,
                        help="-- then the amend-server command line, serving --address")
    args = parser.parse_args()
    command = args.server[1:] if args.server[:1] == ["--"] else args.server
    if not command:
        parser.error("give the server's command line after --")

    def read(name):
        with open(os.path.join(args.models, name + ".safetensors"), "rb") as f:
            return f.read()

    size_classes = json.load(open(os.path.join(args.models, "classes.json")))
    sizes = {c["name"]: read(c["name"]) for c in size_classes}
    weights = [c["share"] for c in size_classes]
    models = {name: read(name) for name in
              ("wrong_width", "huge_weights", "nan_weights", "over_budget")}
    small = sizes[size_classes[0]["name"]]
    cases, raw_cases = bad_requests(small, models)

    options = [("grpc.max_receive_message_length", 256 << 20),
               ("grpc.max_send_message_length", 256 << 20)]
    server_log = open(args.server_log, "w")
    server = subprocess.Popen(command, stdout=server_log, stderr=server_log)
    args.server_pid = server.pid
    channel = grpc.insecure_channel(args.address, options=options)
    stub = editor_pb2_grpc.ModelEditorStub(channel)
    for _ in range(300):
        try:
            if stub.ListEditors(editor_pb2.ListEditorsRequest(), timeout=1).editors:
                break
        except grpc.RpcError:
            pass
        if server.poll() is not None:
            print(f"the server exited with {server.returncode} before serving", file=sys.stderr)
            return 1
        time.sleep(0.2)
    else:
        print("the server did not serve any editor within 60 s", file=sys.stderr)
        server.kill()
        return 1
    raw_edit = channel.unary_unary("/amend.v1.ModelEditor/EditModel")
    tally = Tally()
    stop = threading.Event()
    shutting_down = threading.Event()
    # Quiet readings: clients wait while `paused` is set; `in_flight` counts their requests.
    paused = threading.Event()
    in_flight = [0]
    in_flight_lock = threading.Lock()
    problems = []

    def call(kind, allowed, send):
        while paused.is_set() and not stop.is_set() and not shutting_down.is_set():
            time.sleep(0.05)
        with in_flight_lock:
            in_flight[0] += 1
        try:
            call_now(kind, allowed, send)
        finally:
            with in_flight_lock:
                in_flight[0] -= 1

    def call_now(kind, allowed, send):
        start = time.monotonic()
        try:
            send()
            code = "OK"
        except grpc.RpcError as error:
            code = error.code().name
            if code in CLIENT_ERRORS and not error.details():
                code += "(empty message)"
        tally.add(kind, code, time.monotonic() - start, allowed, shutting_down.is_set())

    def client(index):
        rng = random.Random(args.seed * 1000 + index)
        requirements = [("pruning", {"lambda": 0.02}), ("pruning", {"max_weight_fraction": 1.0}),
                        ("data_minimisation", {"lambda": 0.02}), ("fairness", {"lambda": 0.1})]
        # After the SIGTERM a client finishes the request it has in flight and stops.
        while not stop.is_set() and not shutting_down.is_set():
            roll = rng.random()
            if roll < 0.55:
                name = rng.choices(list(sizes), weights)[0]
                requirement, tradeoff = rng.choice(requirements)
                request = editor_pb2.EditModelRequest(task="adult", requirement=requirement,
                                                      **tradeoff)
                request.model.safetensors = sizes[name]
                call(f"edit:{name}", {"OK"},
                     lambda: stub.EditModel(request, timeout=120))
            elif roll < 0.75:
                kind, request, allowed = rng.choice(cases)
                call(kind, allowed, lambda: stub.EditModel(request, timeout=60))
            elif roll < 0.85:
                mutated = bytearray(small)
                for _ in range(rng.randint(1, 8)):
                    mutated[rng.randrange(len(mutated))] = rng.randrange(256)
                request = editor_pb2.EditModelRequest(task="adult", requirement="pruning")
                request.model.safetensors = bytes(mutated)
                setattr(request, "lambda", 0.02)
                # A mutation may leave a valid model (a changed weight): then it is edited.
                call("mutated-model", CLIENT_ERRORS | {"OK"},
                     lambda: stub.EditModel(request, timeout=60))
            elif roll < 0.95:
                kind, payload, allowed = rng.choice(raw_cases)
                call(kind, allowed, lambda: raw_edit(payload, timeout=60))
            else:
                # A client that gives up: the server must stop the edit and free the worker.
                big = sizes[size_classes[-1]["name"]]
                request = editor_pb2.EditModelRequest(task="adult", requirement="pruning")
                request.model.safetensors = big
                setattr(request, "lambda", 0.02)
                call("gives-up-after-0.2s", {"DEADLINE_EXCEEDED", "OK"},
                     lambda: stub.EditModel(request, timeout=0.2))

    rss = []  # (seconds since start, bytes)
    quiet_rss = []  # (seconds since start, bytes): the server idle
    quiet_breakdown = []  # memory_breakdown() at each quiet reading
    reloads = {"rpc": 0, "rpc_refused": 0, "sighup": 0}
    start = time.monotonic()

    def quiet_reading():
        # Pauses the clients, waits for their requests and for the server's work after the
        # replies, and reads the RSS of the idle server. The 3 s cover the batcher's return of
        # free memory, 2 s after its queue empties (BatcherOptions::idle_trim_after).
        paused.set()
        try:
            quiet = False
            deadline = time.monotonic() + 150
            while time.monotonic() < deadline and not shutting_down.is_set():
                with in_flight_lock:
                    quiet = in_flight[0] == 0
                if quiet:
                    break
                time.sleep(0.1)
            if not quiet:
                print("[soak] no quiet reading: requests still in flight after 150 s", flush=True)
                return
            time.sleep(3)
            if shutting_down.is_set():
                return
            readings = []
            for _ in range(3):
                readings.append(rss_bytes(args.server_pid))
                time.sleep(0.5)
            if min(readings) > 0:
                quiet_rss.append((time.monotonic() - start, min(readings)))
                quiet_breakdown.append({"seconds": round(quiet_rss[-1][0], 1),
                                        **memory_breakdown(args.server_pid)})
        finally:
            paused.clear()

    def control():
        rng = random.Random(args.seed)
        next_reload = 15.0
        next_quiet = args.quiet_every
        while not stop.is_set():
            now = time.monotonic() - start
            if now >= next_quiet and not shutting_down.is_set():
                next_quiet = now + args.quiet_every
                quiet_reading()
                now = time.monotonic() - start
            if server.poll() is not None:
                problems.append(f"the server died at {now:.0f} s (exit {server.returncode})")
                stop.set()
                return
            resident = rss_bytes(args.server_pid)
            if resident > 0:  # 0: exited, not yet reaped
                rss.append((now, resident))
            if now >= next_reload and not shutting_down.is_set():
                next_reload = now + rng.uniform(10, 30)
                if rng.random() < 0.3:
                    os.kill(args.server_pid, signal.SIGHUP)
                    reloads["sighup"] += 1
                else:
                    corrupt = reloads["rpc"] % 4 == 3
                    path = os.path.join(args.editors, "adult", "zz-corrupt", "editor.json")
                    if corrupt:
                        os.makedirs(os.path.dirname(path), exist_ok=True)
                        with open(path, "w") as f:
                            f.write("{not json")
                    try:
                        reply = stub.ReloadEditors(editor_pb2.ReloadEditorsRequest(), timeout=60)
                        reloads["rpc"] += 1
                        if corrupt:
                            reloads["rpc_refused"] += 1 if reply.errors else 0
                            if not reply.errors:
                                problems.append("a reload with a corrupt editor was not refused")
                        if reply.editors_loaded == 0:
                            problems.append("a reload left no editors")
                    except grpc.RpcError as error:
                        if not (shutting_down.is_set() and error.code().name in SHUTDOWN_CODES):
                            problems.append(
                                f"ReloadEditors: {error.code().name} {error.details()}")
                    finally:
                        if corrupt:
                            os.remove(path)
                            os.rmdir(os.path.dirname(path))
            time.sleep(2)

    threads = [threading.Thread(target=client, args=(i,), daemon=True)
               for i in range(args.clients)]
    controller = threading.Thread(target=control, daemon=True)
    for thread in threads + [controller]:
        thread.start()
    last_print = 0
    while time.monotonic() - start < args.seconds and not stop.is_set():
        time.sleep(1)
        elapsed = time.monotonic() - start
        if elapsed - last_print >= 60:
            last_print = elapsed
            done = sum(tally.codes.values())
            print(f"[soak] {elapsed:.0f}/{args.seconds:.0f} s, {done} requests, "
                  f"RSS {rss[-1][1] / 2**20:.0f} MiB" if rss else "", flush=True)

    # SIGTERM under load: the server drains and exits on its own.
    shutting_down.set()
    term_at = time.monotonic()
    sigterm_at = term_at - start
    os.kill(args.server_pid, signal.SIGTERM)
    try:
        exit_code = server.wait(timeout=args.exit_seconds)
    except subprocess.TimeoutExpired:
        exit_code = None
    exit_seconds = time.monotonic() - term_at
    stop.set()
    for thread in threads:
        thread.join(timeout=130)
        if thread.is_alive():
            problems.append("a client thread still waits for a reply after the server exited")
    if exit_code is None:
        problems.append(f"the server had not exited {args.exit_seconds:.0f} s after SIGTERM")
        server.kill()
    elif exit_code != 0:
        problems.append(f"the server exited with {exit_code} after SIGTERM")

    # Leak or not is read from the quiet readings: the edits in flight at a running sample (a
    # 1.6M-weight edit holds ~0.8 GB for seconds) move its floor, median and peaks with the load.
    warm_up = max(60.0, 0.1 * args.seconds)
    # Samples from the SIGTERM on show a draining server, not a running one.
    after = [b for t, b in rss if warm_up <= t < sigterm_at]
    quiet_after = [(t, b) for t, b in quiet_rss if warm_up <= t < sigterm_at]
    growth = pair_growth = floor_growth = median_growth = None
    if len(after) >= 20:
        tenth = max(1, len(after) // 10)
        first, last = after[:tenth], after[-tenth:]
        floor_growth = min(last) / min(first) - 1
        median_growth = statistics.median(last) / statistics.median(first) - 1
    if len(quiet_after) >= 2:
        growth = fitted_growth(quiet_after)
        pair_growth = quiet_after[-1][1] / quiet_after[0][1] - 1
        if growth > args.max_rss_growth:
            problems.append(f"the quiet RSS grew {100 * growth:.1f}% after warm-up (fitted over "
                            f"{len(quiet_after)} readings, {quiet_after[0][1] / 2**20:.0f} -> "
                            f"{quiet_after[-1][1] / 2**20:.0f} MiB)")
    else:
        problems.append("fewer than two quiet RSS readings after warm-up to judge growth "
                        f"({len(quiet_after)}; run longer than {warm_up + 2 * args.quiet_every:.0f} s"
                        " or lower --quiet_every)")
    if tally.lost:
        problems.append(f"{len(tally.lost)} requests lost or answered with a wrong code: "
                        + ", ".join(tally.lost[:10]))

    by_kind = {}
    for (kind, code), count in sorted(tally.codes.items()):
        by_kind.setdefault(kind, {})[code] = count
    latency = {kind: {"p50_ms": round(1000 * percentile(v, 0.5), 2),
                      "p99_ms": round(1000 * percentile(v, 0.99), 2), "n": len(v)}
               for kind, v in sorted(tally.latency.items())}
    minute_rss, minute_min = {}, {}
    for t, b in rss:
        minute_rss[int(t // 60)] = max(minute_rss.get(int(t // 60), 0), b)
        minute_min[int(t // 60)] = min(minute_min.get(int(t // 60), b), b)
    report = {
        "seconds": args.seconds, "clients": args.clients, "seed": args.seed,
        "requests": sum(tally.codes.values()), "codes_by_kind": by_kind, "latency": latency,
        "reloads": reloads, "rss_mib_max_per_minute": {m: round(b / 2**20, 1)
                                                       for m, b in sorted(minute_rss.items())},
        "rss_quiet_growth_after_warm_up": growth,
        "rss_quiet_first_to_last_growth": pair_growth,
        "rss_quiet_mib": [[round(t, 1), round(b / 2**20, 1)] for t, b in quiet_rss],
        "rss_quiet_breakdown": quiet_breakdown,
        "rss_floor_growth_after_warm_up": floor_growth,
        "rss_median_growth_after_warm_up": median_growth,
        "rss_samples_mib": [[round(t, 1), round(b / 2**20, 1)] for t, b in rss],
        "sigterm_exit_seconds": round(exit_seconds, 2),
        "sigterm_exit_code": exit_code, "problems": problems,
    }
    tmp = args.report + ".tmp"
    with open(tmp, "w") as f:
        json.dump(report, f, indent=1)
    os.replace(tmp, args.report)

    print(f"requests: {report['requests']} in {args.seconds:.0f} s with {args.clients} clients")
    for kind, codes in by_kind.items():
        lat = latency[kind]
        print(f"  {kind:28s} {json.dumps(codes):60s} p50 {lat['p50_ms']} ms  "
              f"p99 {lat['p99_ms']} ms")
    print(f"reloads: {reloads}")
    print("RSS (MiB, min-max per minute): " +
          " ".join(f"{minute_min[m] / 2**20:.0f}-{v:.0f}"
                   for m, v in report["rss_mib_max_per_minute"].items()))
    def percent(value):
        return "n/a" if value is None else f"{100 * value:.1f}%"
    print("RSS quiet (MiB at s): " + " ".join(f"{b / 2**20:.0f}@{t:.0f}" for t, b in quiet_rss))
    for parts in quiet_breakdown:
        print(f"  quiet at {parts['seconds']:.0f} s: " +
              ", ".join(f"{k} {v}" for k, v in parts.items() if k != "seconds"))
    print(f"RSS growth after warm-up, quiet (judged, fitted): {percent(growth)}, quiet first to "
          f"last: {percent(pair_growth)}, running floor: "
          f"{percent(floor_growth)}, running median: {percent(median_growth)}")
    print(f"SIGTERM: exit {exit_code} after {exit_seconds:.1f} s")
    if problems:
        print("FAILED:\n  " + "\n  ".join(problems))
        return 1
    print("soak passed: no lost request, no crash, RSS within bounds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
