"""talosgpu benchmarks: one script anyone can run (``python benchmarks/run.py``).

Measures, on this machine:

1. cold start of ``talosgpu --help`` (a fresh process each run);
2. cold start of ``talosgpu render --profile nvidia-cdi`` with an empty render cache (every run
   misses) and with a warm cache (what pre-commit sees on an unchanged repository), and of
   ``talosgpu check`` on one current intent (the pre-commit hook), both ways;
3. rendering a 1,000-node inventory (in-process, after imports);
4. diffing 1,000 live configs the size of Talos's generated worker configs, against the time
   libyaml's C loader (PyYAML ``CSafeLoader``) alone takes to parse the same configs;
5. what users wait for: the pre-commit hook next to yamllint (``precommit``), and a fleet diff
   through a fake talosctl that takes ``--latency`` seconds per node, for 100 and 1,000 nodes
   and ``--jobs`` 1, 8, 32 (``fleet-talosctl``; the overhead is the wall time over what
   waiting on talosctl alone costs);
6. a fleet repository as its user meets it (``fleet-cli``): ``talosgpu render
   INVENTORY --output-dir`` of 10, 100, 1,000 and 5,000 nodes through the CLI with no cache,
   and ``talosgpu check INVENTORY`` after one node's entry is edited (the cache warm, as in a
   repository where the previous commit was checked), plus ``--version`` next to ``--help``.

Targets (2-core machine): cold render <= 150 ms median, 1,000-node render <= 3 s,
1,000-node diff <= 2x the libyaml parse time (the ``ratio``: CPU-time medians of interleaved
rounds; ``wall_ratio`` is the same on wall-clock time). Figures are printed one line per
benchmark and, with ``--json FILE``, written as JSON. Process timings are wall-clock medians;
run on an idle machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing
SHARED = Path(os.environ.get("TALOSGPU_SHARED", ROOT.parent / "shared"))


def _cli() -> list[str]:
    exe = shutil.which("talosgpu")
    return [exe] if exe else [sys.executable, "-m", "talosgpu"]


def _time_process(argv: list[str], *, runs: int, env: dict[str, str]) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
        )
        samples.append(time.perf_counter() - start)
    return samples


def bench_cold_start(runs: int) -> dict[str, Any]:
    # An installed wheel has its bytecode compiled (pip does it at install time). Some
    # environments set PYTHONDONTWRITEBYTECODE, which would make every run recompile talosgpu
    # from source: measure what users see instead, after one warm-up run writes the bytecode.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for argv in ([*_cli(), "--help"], [*_cli(), "render", "--profile", "nvidia-cdi"]):
        subprocess.run(argv, env={**env, "TALOSGPU_NO_CACHE": "1"}, capture_output=True, check=True)
    with tempfile.TemporaryDirectory() as cache:
        env["TALOSGPU_CACHE_DIR"] = cache
        help_s = _time_process([*_cli(), "--help"], runs=runs, env=env)
        miss_env = {**env, "TALOSGPU_NO_CACHE": "1"}
        render = [*_cli(), "render", "--profile", "nvidia-cdi"]
        miss = _time_process(render, runs=runs, env=miss_env)
        subprocess.run(render, env=env, stdout=subprocess.DEVNULL, check=True)  # warm it
        hit = _time_process(render, runs=runs, env=env)
        check_hit, check_miss = _bench_check(runs, env)
    return {
        "help_ms": 1e3 * statistics.median(help_s),
        "render_cold_cache_ms": 1e3 * statistics.median(miss),
        "render_warm_cache_ms": 1e3 * statistics.median(hit),
        "check_warm_cache_ms": 1e3 * statistics.median(check_hit),
        "check_cold_cache_ms": 1e3 * statistics.median(check_miss),
    }


def _bench_check(runs: int, env: dict[str, str]) -> tuple[list[float], list[float]]:
    """``talosgpu check`` as the pre-commit hook runs it: one intent, its rendered folder
    committed and current."""
    with tempfile.TemporaryDirectory() as repo:
        intent = Path(repo) / "talosgpu" / "gpu1.yaml"
        intent.parent.mkdir()
        intent.write_text("apiVersion: talosgpu.dev/v1alpha1\nkind: GPUNode\nprofile: nvidia-cdi\n")
        folder = str(intent.with_suffix(".rendered"))
        subprocess.run(
            [*_cli(), "render", str(intent), "--output-dir", folder], env=env, capture_output=True,
            check=True,
        )  # fmt: skip
        check = [*_cli(), "check", str(intent)]
        subprocess.run(check, env=env, capture_output=True, check=True)  # warm it
        hit = _time_process(check, runs=runs, env=env)
        miss = _time_process(check, runs=runs, env={**env, "TALOSGPU_NO_CACHE": "1"})
    return hit, miss


# A fleet whose cluster objects merge: device-plugin nodes only (beside GPU Operator nodes they
# would need nvidia.com/gpu.deploy.operands=false, and a legacy node's RuntimeClass nvidia
# clashes with a pre-1.15 operator's: k8s/cluster.py refuses such a fleet).
DEVICE_PLUGIN_PROFILES = ("nvidia-cdi", "nvidia-graphics", "nvidia-legacy")


def _inventory(
    nodes: int,
    *,
    diverse: bool = False,
    profiles: tuple[str, ...] = (
        "nvidia-cdi",
        "nvidia-graphics",
        "nvidia-legacy",
        "nvidia-operator",
    ),
) -> str:
    """``nodes`` nodes of one role over ``profiles``; ``diverse``: each node also has its own
    label value and one of eight Talos releases, 1.7-1.14 (a rack label, a fleet mid-upgrade)."""
    lines = [
        "apiVersion: talosgpu.dev/v1alpha1",
        "kind: GPUInventory",
        "defaults:",
        "  labels: {site: bench}",
        "roles:",
        "  gpu: {labels: {role: gpu}}",
        "nodes:",
    ]
    for i in range(nodes):
        lines += [
            f"  - name: node{i:04d}",
            f"    address: 10.0.{i // 250}.{i % 250 + 1}",
            "    role: gpu",
            f"    profile: {profiles[i % len(profiles)]}",
        ]
        if diverse:
            lines += [
                f"    talosVersion: '1.{7 + i % 8}'",
                # a pool per release and profile: the CDI init DaemonSet of one release's
                # pool must not select the nodes of another (k8s/cluster.py)
                f"    overrides: {{labels: {{rack: r{i}, pool: p{i % 8}}}}}",
            ]
    return "\n".join(lines) + "\n"


def bench_fleet_render(nodes: int) -> dict[str, Any]:
    try:
        from talosgpu.fleet import load_inventory, render_fleet
    except ImportError as exc:
        return {"skipped": f"fleet support not available: {exc}"}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "inventory.yaml"
        path.write_text(_inventory(nodes))
        start = time.perf_counter()
        rendered = render_fleet(load_inventory(path))
        for item in rendered.values():
            _ = item.patch_text
        elapsed = time.perf_counter() - start
    return {"nodes": nodes, "seconds": elapsed}


def bench_fleet_cli(
    sizes: tuple[int | str, ...] = (10, 100, 1000, 5000, "1000-diverse"),
) -> dict[str, Any]:
    """Wall time of the CLI processes a fleet user runs (targets for 1,000 nodes:
    render --output-dir <= 3 s, check after a one-node edit <= 2 s)."""
    out: dict[str, Any] = {}
    base_env = {k: v for k, v in os.environ.items() if k != "TALOSGPU_NO_CACHE"}
    for size in sizes:
        nodes, diverse = (int(str(size).split("-")[0]), "-" in str(size))
        with tempfile.TemporaryDirectory() as tmp:
            inventory = Path(tmp) / "fleet.yaml"
            inventory.write_text(
                _inventory(nodes, diverse=diverse, profiles=DEVICE_PLUGIN_PROFILES)
            )
            rendered = Path(tmp) / "fleet.rendered"
            env = {**base_env, "TALOSGPU_CACHE_DIR": str(Path(tmp) / "cache")}
            cold = {**env, "TALOSGPU_NO_CACHE": "1"}
            render = [*_cli(), "render", str(inventory), "--output-dir", str(rendered)]
            (render_s,) = _time_process(render, runs=1, env=cold)  # must succeed
            check = [*_cli(), "check", str(inventory)]
            _time_process_any(check, runs=1, env=env)  # the previous commit: cache filled
            text = inventory.read_text()
            # one node moves to another profile: its folder is stale, every other node current
            inventory.write_text(text.replace("profile: nvidia-cdi", "profile: nvidia-graphics", 1))
            start = time.perf_counter()
            done = subprocess.run(check, env=env, capture_output=True, check=False)
            check_s = time.perf_counter() - start
            if done.returncode != 1:  # 1: that node's folder is stale, the rest current
                raise RuntimeError(
                    f"check after the edit exited {done.returncode}: {done.stderr!r}"
                )
        out[str(size)] = {"render_s": round(render_s, 2), "check_after_edit_s": round(check_s, 2)}
    out["help_ms"] = round(
        1000 * statistics.median(_time_process_any([*_cli(), "--help"], runs=9, env=base_env))
    )
    out["version_ms"] = round(
        1000 * statistics.median(_time_process_any([*_cli(), "--version"], runs=9, env=base_env))
    )
    return out


def _live_configs(count: int) -> list[str]:
    base = (
        SHARED / "conformance" / "talos-machineconfigs" / "stability" / "v1.11" / "base-worker.yaml"
    )
    if not base.exists():
        raise FileNotFoundError(base)
    text = base.read_text()
    # One cluster's workers share the generated config (its tokens and CAs are cluster-wide);
    # what differs per node is set by per-node patches, such as the hostname. Vary that, and a
    # comment, so that no node is a byte-for-byte copy of another.
    assert "    network: {}\n" in text
    return [
        text.replace("type: worker", f"type: worker\n    # node {i}", 1).replace(
            "    network: {}\n", f"    network:\n        hostname: gpu-worker-{i:04d}\n", 1
        )
        for i in range(count)
    ]


def bench_fleet_diff(count: int, rounds: int = 5) -> dict[str, Any]:
    try:
        import yaml  # PyYAML, only for the libyaml baseline
        from yaml import CSafeLoader
    except ImportError:
        return {"skipped": "PyYAML with libyaml is needed for the baseline (pip install pyyaml)"}
    try:
        import talosgpu as api
        from talosgpu.configdiff.propose import propose
        from talosgpu.configdiff.semantic import diff_configs
        from talosgpu.live import load_live_config
    except ImportError as exc:
        return {"skipped": f"diff support not available: {exc}"}
    try:
        texts = _live_configs(count)
    except FileNotFoundError as exc:
        return {"skipped": f"needs ../shared conformance data ({exc})"}
    rendered = api.render(profile="nvidia-cdi")

    def parse_only() -> None:
        for text in texts:
            list(yaml.load_all(text, Loader=CSafeLoader))

    def load_propose_diff() -> None:
        for i, text in enumerate(texts):
            live = load_live_config(f"node{i}.yaml", text=text)
            proposal = propose(live, rendered)
            result = diff_configs(
                proposal.live_documents,
                proposal.proposed_documents,
                talos_version=rendered.plan.version,
            )
            assert result.changes

    # Interleaved rounds, medians: both sides see the same machine state; the first round of
    # each also pays for warming the process (imports, memo tables), as a one-shot run would.
    # The ratio is taken on CPU time (both loops are single-threaded and CPU-bound), which a
    # busy or virtualised machine disturbs far less than wall-clock time; both are reported.
    wall: dict[str, list[float]] = {"base": [], "ours": []}
    cpu: dict[str, list[float]] = {"base": [], "ours": []}
    for _ in range(rounds):
        for side, work in (("base", parse_only), ("ours", load_propose_diff)):
            seconds, cpu_seconds = _seconds(work)
            wall[side].append(seconds)
            cpu[side].append(cpu_seconds)
    med = {f"{kind}_{side}": statistics.median(values[side])
           for kind, values in (("wall", wall), ("cpu", cpu)) for side in ("base", "ours")}  # fmt: skip
    return {
        "configs": count,
        "rounds": rounds,
        "seconds": med["wall_ours"],
        "first_round_seconds": wall["ours"][0],
        "libyaml_parse_seconds": med["wall_base"],
        "wall_ratio": med["wall_ours"] / med["wall_base"],
        "cpu_seconds": med["cpu_ours"],
        "libyaml_parse_cpu_seconds": med["cpu_base"],
        "ratio": med["cpu_ours"] / med["cpu_base"],
        "yaml_composer": yamlfast_composer(),
    }


FAKE_TALOSCTL = ROOT / "tests" / "fixtures" / "fake_talosctl"


def bench_fleet_talosctl(nodes: int, jobs: int, latency: float) -> dict[str, Any]:
    """``talosgpu diff INVENTORY --all --jobs J`` as a user runs it: a process, every live config
    fetched through a (fake) talosctl that takes ``latency`` seconds per node, as a real
    ``talosctl get machineconfig`` over the network does (150-300 ms measured on homelab
    clusters; the fake follows the real argument and output shapes, see its docstring)."""
    try:
        texts = _live_configs(1)
    except FileNotFoundError as exc:
        return {"skipped": f"needs ../shared conformance data ({exc})"}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "live.yaml").write_text(texts[0])
        (root / "talosconfig").write_text("context: bench\ncontexts: {bench: {}}\n")
        inventory = root / "inventory.yaml"
        inventory.write_text(_inventory(nodes))
        env = {
            **os.environ,
            "PATH": f"{FAKE_TALOSCTL}{os.pathsep}{os.environ.get('PATH', '')}",
            "FAKE_TALOSCTL_CONFIG": str(root / "live.yaml"),
            "FAKE_TALOSCTL_SLEEP": str(latency),
            "TALOSCONFIG": str(root / "talosconfig"),
        }
        argv = [*_cli(), "diff", str(inventory), "--all", "--jobs", str(jobs), "--output", "json"]
        start = time.perf_counter()
        done = subprocess.run(argv, env=env, capture_output=True, check=False)
        elapsed = time.perf_counter() - start
    if done.returncode != 1:  # 1: every node would change
        return {"error": done.stderr.decode()[-400:]}
    floor = nodes * latency / jobs  # what waiting on talosctl alone costs
    return {"nodes": nodes, "jobs": jobs, "latency_s": latency, "seconds": elapsed,
            "talosctl_floor_seconds": floor, "overhead": elapsed / floor}  # fmt: skip


def bench_precommit(runs: int) -> dict[str, Any]:
    """What a commit waits for: the talosgpu hook (``check`` on one current intent, warm cache,
    as on an unchanged repository) next to yamllint on the same files, the hook most repositories
    already run."""
    yamllint = shutil.which("yamllint")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as cache:
        env["TALOSGPU_CACHE_DIR"] = cache
        hit, miss = _bench_check(runs, env)
        lint_ms = None
        if yamllint:
            with tempfile.TemporaryDirectory() as repo:
                files = [Path(repo) / "gpu1.yaml", Path(repo) / "patch.yaml"]
                files[0].write_text("---\nprofile: nvidia-cdi\n")
                files[1].write_text(_live_configs(1)[0] if SHARED.exists() else "---\na: 1\n")
                argv = [yamllint, "-d", "relaxed", *map(str, files)]
                subprocess.run(argv, capture_output=True, check=False)
                lint_ms = 1e3 * statistics.median(_time_process_any(argv, runs=runs, env=env))
    return {
        "check_warm_cache_ms": 1e3 * statistics.median(hit),
        "check_cold_cache_ms": 1e3 * statistics.median(miss),
        "yamllint_ms": lint_ms if lint_ms is not None else "yamllint not installed",
    }


def _time_process_any(argv: list[str], *, runs: int, env: dict[str, str]) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, env=env, capture_output=True, check=False)
        samples.append(time.perf_counter() - start)
    return samples


def _seconds(work: Callable[[], None]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one call of ``work``."""
    start, start_cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - start, time.process_time() - start_cpu


def yamlfast_composer() -> str:
    """Which C composer talosgpu's YAML fast path uses here (or why none)."""
    from talosgpu import yamlfast

    names = yamlfast.installed()
    return names[0] if names else "none: pure-Python ruamel.yaml"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=15, help="processes per cold-start figure")
    parser.add_argument("--nodes", type=int, default=1000, help="inventory size")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds of the diff")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument(
        "--latency", type=float, default=0.2, help="seconds the fake talosctl takes per node"
    )
    parser.add_argument(
        "--only",
        choices=["cold", "precommit", "fleet-render", "fleet-diff", "fleet-talosctl", "fleet-cli"],
        action="append",
        help="run only these",
    )
    args = parser.parse_args(argv)
    benches: dict[str, Callable[[], dict[str, Any]]] = {
        "cold": lambda: bench_cold_start(args.runs),
        "fleet-render": lambda: bench_fleet_render(args.nodes),
        "fleet-diff": lambda: bench_fleet_diff(args.nodes, args.rounds),
        "precommit": lambda: bench_precommit(args.runs),
        "fleet-cli": bench_fleet_cli,
        "fleet-talosctl": lambda: {
            f"{n}x{j}": bench_fleet_talosctl(n, j, args.latency)
            for n, j in ((100, 1), (100, 8), (100, 32), (1000, 8), (1000, 32))
        },
    }
    results: dict[str, Any] = {"python": sys.version.split()[0], "cpus": os.cpu_count()}
    for name, bench in benches.items():
        if args.only and name not in args.only:
            continue
        results[name] = bench()
        print(f"{name:>13}: {json.dumps(results[name], sort_keys=True)}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
