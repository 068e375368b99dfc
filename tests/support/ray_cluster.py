"""A real two-node Ray cluster on 127.0.0.1 for the batch tests, started with ``ray start``.

Ray 2.60 on Linux rewrites ``--node-ip-address 127.0.0.1`` to the machine's address and then
listens on every interface. The head is therefore started as a one-machine cluster
(``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0``: it binds 127.0.0.1), and the second node through Ray's
own CLI with that rewrite switched off, so it joins on 127.0.0.1 too. Both use a one-off token.
"""
from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Set

_JOIN = """
import sys
from ray._private import services
from ray.scripts.scripts import main
services.resolve_ip_for_localhost = lambda host: host  # keep 127.0.0.1
sys.argv = ["ray"] + sys.argv[1:]
main()
"""


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cmdlines() -> Dict[int, str]:
    out = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                raw = (entry / "cmdline").read_bytes()
                out[int(entry.name)] = raw.replace(b"\0", b" ").decode()
            except OSError:
                pass
    return out


class LoopbackCluster:
    """``start_head()``, ``add_node()`` (returns its raylet pid), ``kill(pid)``, ``stop()``."""

    def __init__(self, pythonpath: str) -> None:
        # Short on purpose: Ray's socket paths under the temp dir must stay below 108 bytes.
        self.temp_dir = tempfile.mkdtemp(prefix="tsr", dir="/tmp")
        self.port = free_port()
        self.env = {**os.environ, "PYTHONPATH": pythonpath, "RAY_USAGE_STATS_ENABLED": "0",
                    "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32),
                    "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
                    # Notice a dead node in seconds, not the default half a minute.
                    "RAY_health_check_period_ms": "1000",
                    "RAY_health_check_failure_threshold": "3"}
        self.env.pop("RAY_ADDRESS", None)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _node_args(self) -> List[str]:
        return ["--node-ip-address", "127.0.0.1", "--num-cpus", "1", "--num-gpus", "0",
                "--object-store-memory", str(80 * 1024 * 1024), "--disable-usage-stats"]

    def start_head(self) -> None:
        """``ray start --head`` on 127.0.0.1 with one CPU, no dashboard."""
        subprocess.run(["ray", "start", "--head", "--port", str(self.port), "--temp-dir",
                        self.temp_dir, "--include-dashboard", "false", *self._node_args()],
                       env=self.env, check=True, capture_output=True, timeout=120)

    def raylets(self) -> Set[int]:
        """Pids of this cluster's raylets."""
        return {pid for pid, cmd in _cmdlines().items()
                if "raylet/raylet" in cmd and self.temp_dir in cmd}

    def add_node(self) -> int:
        """A second node joined with ``ray start --address`` on 127.0.0.1; its raylet's pid."""
        before = self.raylets()
        env = {**self.env, "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "1"}  # multi-node allowed
        subprocess.run([sys.executable, "-c", _JOIN, "start", "--address", self.address,
                        *self._node_args()], env=env, check=True, capture_output=True,
                       timeout=120)
        new = self.raylets() - before
        assert len(new) == 1, f"expected one new raylet, found {new}"
        return new.pop()

    def listening(self) -> List[str]:
        """``address:port`` of every TCP socket this cluster's processes listen on."""
        pids = set(self.pids())
        out = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True).stdout
        found = []
        for line in out.splitlines():
            if any(f"pid={p}," in line for p in pids):
                found.append(line.split()[3])
        return found

    def pids(self) -> List[int]:
        """Every process whose command line names this cluster's temp dir."""
        return [pid for pid, cmd in _cmdlines().items()
                if self.temp_dir in cmd and pid != os.getpid()]

    @staticmethod
    def kill(pid: int) -> None:
        """SIGKILL one process (a node dies with its raylet)."""
        os.kill(pid, signal.SIGKILL)

    def stop(self) -> None:
        """Kill this cluster's processes, then ``ray stop --force`` for any straggler."""
        for pid in self.pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        subprocess.run(["ray", "stop", "--force"], env=self.env, capture_output=True,
                       timeout=120)
