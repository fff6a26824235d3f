"""Measures the Spark job (python -m unspun.spark) on a standalone master and two workers on 127.0.0.1: per
step its wall time, and from Spark's status API its tasks' run time and the bytes its shuffles wrote and
read; with the job's own counts (band keys shuffled, bucket joins, candidate pairs verified, the largest
component), and `unspun scan --format jsonl` on the same file: its time, and whether the job's report is
the same, byte for byte. Run by scripts/bench-spark."""

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Dict, List

from pyspark.sql import SparkSession

import unspun.spark
from unspun.spark.cluster import StandaloneCluster

STEPS = ["read", "statistics", "band join", "components", "judge", "write"]


def fetch(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=60) as r:
        return json.load(r)


def stage_metrics(ui: str, app: str) -> Dict[str, Dict[str, float]]:
    """Per job group (the job's steps): shuffle bytes written and read, task run time (s), stages run."""
    group_of: Dict[int, str] = {}
    for job in fetch(f"{ui}/api/v1/applications/{app}/jobs"):
        for stage in job["stageIds"]:
            group_of[stage] = job.get("jobGroup") or "other"
    out: Dict[str, Dict[str, float]] = {}
    for s in fetch(f"{ui}/api/v1/applications/{app}/stages?status=complete"):
        m = out.setdefault(group_of.get(s["stageId"], "other"), {"write": 0, "read": 0, "task_s": 0.0, "stages": 0})
        m["write"] += s.get("shuffleWriteBytes", 0)
        m["read"] += s.get("shuffleReadBytes", 0)
        m["task_s"] += s.get("executorRunTime", 0) / 1000
        m["stages"] += 1
    return out


def cli_report(binary: Path, path: Path, out: Path) -> float:
    """Runs `unspun scan --format jsonl` on `path` into `out`; its wall time."""
    start = time.monotonic()
    subprocess.run([str(binary), "scan", "--quiet", "--format", "jsonl", str(path), "--output", str(out)], check=True)
    return time.monotonic() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpora", nargs="+", type=Path)
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--binary", type=Path, required=True)
    parser.add_argument("--json", type=Path, required=True)
    args = parser.parse_args()
    os.environ["PYSPARK_PYTHON"] = sys.executable
    results: List[Dict[str, Any]] = []
    with StandaloneCluster(workers=2, cores=1, memory="4g") as cluster:
        for path in args.corpora:
            session = (
                SparkSession.builder.master(cluster.master_url)
                .appName(f"unspun-bench-{path.stem}")
                .config("spark.executor.memory", "3g")
                .config("spark.driver.memory", "2g")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.ui.showConsoleProgress", "false")
                .getOrCreate()
            )
            ui = session.sparkContext.uiWebUrl
            app = session.sparkContext.applicationId
            start = time.monotonic()
            out = Path(f"/tmp/unspun-bench-spark-{path.stem}")
            result = unspun.spark.scan(
                session, [str(path)], str(out), partitions=args.partitions, parquet=False, overwrite=True
            )
            wall = time.monotonic() - start
            metrics = stage_metrics(ui, app)
            session.stop()
            cli = cli_report(args.binary, path, out / "cli.jsonl")
            # The same report, byte for byte, as the scan's.
            same = (out / "cli.jsonl").read_bytes() == (out / "report.jsonl").read_bytes()
            row = {"corpus": path.name, "wall_s": round(wall, 1), "cli_s": round(cli, 1), "same": same, "metrics": metrics}
            row.update(result.__dict__)
            results.append(row)
            print(json.dumps(row), flush=True)
    args.json.write_text(json.dumps(results, indent=1) + "\n")
    if not all(r["same"] for r in results):
        print("the Spark job's report differs from unspun scan's on: " + ", ".join(r["corpus"] for r in results if not r["same"]))
    print()
    print("| corpus | docs | same report | Spark s | scan s | " + " | ".join(STEPS) + " | shuffle written | keys/doc | edges | pairs verified | largest component |")
    print("|---|---:|---|---:|---:|" + "---:|" * len(STEPS) + "---:|---:|---:|---:|---:|")
    for r in results:
        steps = " | ".join(
            f"{r['steps'].get(s, 0):.0f} s, {r['metrics'].get(s, {}).get('write', 0) / 1e6:.0f} MB" for s in STEPS
        )
        written = sum(m["write"] for m in r["metrics"].values()) / 1e6
        print(
            f"| {r['corpus']} | {r['documents']:,} | {'yes' if r['same'] else 'NO'} | {r['wall_s']:.0f} | {r['cli_s']:.0f} | {steps} | {written:,.0f} MB | "
            f"{r['keys'] / max(r['documents'], 1):.1f} | {r['edges']:,} | {r['candidate_pairs']:,} | "
            f"{r['largest_component']:,} |"
        )
    return 0 if all(r["same"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
