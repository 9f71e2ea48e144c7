"""Real server processes: `python -m server serve` started from the repository's root, and the demo seeded."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.services import free_port

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class ServerProcess:
    base_url: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def listens(pid: int, port: int) -> bool:
    """Whether process `pid` holds the socket listening on `port` (Linux's /proc): a free port picked by one test
    may be taken by another test's server before ours binds it, and that server's /healthz is not ours."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                    inodes.add(f"socket:[{fields[9]}]")
    with contextlib.suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                if os.readlink(fd) in inodes:
                    return True
    return False


def start_server(env: dict[str, str], *, log_dir: Path, workers: int = 1, log_level: str = "warning",
                 access_log: bool = False, attempts: int = 3) -> ServerProcess:
    """A server on a free port, healthy; started again on another port when another process took the port first."""
    for _ in range(attempts - 1):
        try:
            return _start_server(env, log_dir=log_dir, workers=workers, log_level=log_level, access_log=access_log)
        except PortTaken:
            continue
    return _start_server(env, log_dir=log_dir, workers=workers, log_level=log_level, access_log=access_log)


class PortTaken(RuntimeError):
    pass


def _start_server(env: dict[str, str], *, log_dir: Path, workers: int, log_level: str,
                  access_log: bool) -> ServerProcess:
    port = free_port()
    log = log_dir / f"server-{port}.log"
    full_env = {**os.environ, "VITRINE_ENV": "development", "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
                "ALLOWED_ORIGINS": f"http://127.0.0.1:{port}", "TICK_MS": "50", **env}
    full_env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    command = [sys.executable, "-m", "server", "serve", "--port", str(port), "--workers", str(workers),
               "--log-level", log_level, *(["--access-log"] if access_log else [])]
    proc = subprocess.Popen(command, cwd=ROOT, env=full_env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    server = ServerProcess(base_url=f"http://127.0.0.1:{port}", port=port, proc=proc, log=log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            said = log.read_text()
            if "address already in use" in said.lower():
                raise PortTaken(f"port {port} was taken by another process")
            raise RuntimeError(f"server exited: {said[-2000:]}")
        try:
            if httpx.get(f"{server.base_url}/healthz", timeout=1).status_code == 200:
                if listens(proc.pid, port):
                    return server
                server.stop()  # another test's server answered on the port ours could not take
                raise PortTaken(f"port {port} was taken by another process")
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"server did not become healthy: {log.read_text()[-2000:]}")


def seed_demo(env: dict[str, str]) -> dict[str, str]:
    """Runs `python -m server demo` and reads the show id, the store id and the logins from what it prints."""
    out = subprocess.run([sys.executable, "-m", "server", "demo"], cwd=ROOT, env={**os.environ, **env},
                         capture_output=True, text=True, check=True).stdout
    lines = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    show_id = lines["Viewer page"].strip().rsplit("/", 1)[1]
    store_id = lines["Store screen"].strip().rsplit("/", 2)[1]
    host_email, password = (p.strip() for p in lines["Host login"].split("/"))
    seller_email = lines["Seller login"].split("/")[0].strip()
    admin_email = lines["Admin login"].split("/")[0].strip()
    studio_path = "/" + lines["Studio"].split()[0].split("/", 3)[3]  # the printed address, from its path on
    return {"show_id": show_id, "store_id": store_id, "host_email": host_email, "seller_email": seller_email,
            "admin_email": admin_email, "password": password, "studio_path": studio_path}
