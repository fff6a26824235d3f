"""A standalone Spark cluster on this machine: one master and its workers on 127.0.0.1, started from the
pyspark package's own launcher (``bin/spark-class``) and stopped on exit. For the tests and the scaling
script, and for trying the job on a real (if small) cluster without setting one up."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Dict, List, Optional, Type


def spark_home() -> Path:
    """The folder of the installed pyspark package, which holds Spark's jars and launchers."""
    import pyspark

    return Path(pyspark.__file__).resolve().parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class StandaloneCluster:
    """A master and ``workers`` workers of ``cores`` cores and ``memory`` each, on 127.0.0.1.

    Use as a context manager; ``master_url`` is what a SparkSession's master is set to. Each daemon's log
    is in ``log_dir`` (a temporary folder unless given), and a daemon that does not come up raises
    ``RuntimeError`` with its log's end."""

    def __init__(self, workers: int = 2, cores: int = 1, memory: str = "1g", log_dir: Optional[Path] = None) -> None:
        self.workers = workers
        self.cores = cores
        self.memory = memory
        self._own_logs = log_dir is None
        self.log_dir = Path(log_dir) if log_dir is not None else Path(tempfile.mkdtemp(prefix="unspun-spark-"))
        self.port = _free_port()
        self.ui_port = _free_port()
        self.master_url = f"spark://127.0.0.1:{self.port}"
        self._daemons: List[subprocess.Popen[bytes]] = []

    def _env(self) -> Dict[str, str]:
        env = dict(os.environ)
        env.update(
            SPARK_HOME=str(spark_home()),
            SPARK_LOCAL_IP="127.0.0.1",
            SPARK_LOCAL_DIRS=str(self.log_dir / "local"),
            SPARK_WORKER_DIR=str(self.log_dir / "work"),
        )
        return env

    def _start(self, name: str, args: List[str]) -> None:
        log = open(self.log_dir / f"{name}.log", "wb")
        launcher = spark_home() / "bin" / "spark-class"
        daemon = subprocess.Popen([str(launcher), *args], stdout=log, stderr=subprocess.STDOUT, env=self._env())
        log.close()
        self._daemons.append(daemon)

    def _wait_for_workers(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.ui_port}/json/"
        while time.monotonic() < deadline:
            for daemon in self._daemons:
                if daemon.poll() is not None:
                    raise RuntimeError(f"a Spark daemon exited ({daemon.args!r}): {self._log_tail()}")
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    import json

                    alive = [w for w in json.load(r).get("workers", []) if w.get("state") == "ALIVE"]
                    if len(alive) >= self.workers:
                        return
            except OSError:
                pass
            time.sleep(1)
        raise RuntimeError(f"the Spark workers did not register within {timeout:.0f} s: {self._log_tail()}")

    def _log_tail(self) -> str:
        tails = []
        for log in sorted(self.log_dir.glob("*.log")):
            tails.append(f"{log}:\n" + "\n".join(log.read_text(errors="replace").splitlines()[-15:]))
        return "\n".join(tails)

    def __enter__(self) -> "StandaloneCluster":
        master = "org.apache.spark.deploy.master.Master"
        self._start("master", [master, "--host", "127.0.0.1", "--port", str(self.port), "--webui-port", str(self.ui_port)])
        worker = "org.apache.spark.deploy.worker.Worker"
        for k in range(self.workers):
            args = [worker, "--host", "127.0.0.1", "--cores", str(self.cores), "--memory", self.memory]
            self._start(f"worker-{k + 1}", [*args, "--webui-port", str(_free_port()), self.master_url])
        try:
            self._wait_for_workers()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stops the daemons this cluster started (workers first), and removes its temporary folder."""
        for daemon in reversed(self._daemons):
            daemon.terminate()
        for daemon in reversed(self._daemons):
            try:
                daemon.wait(timeout=30)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait()
        self._daemons = []
        if self._own_logs:
            shutil.rmtree(self.log_dir, ignore_errors=True)

    def __exit__(
        self,
        kind: Optional[Type[BaseException]],
        value: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self.stop()
