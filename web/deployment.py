"""Several dashboard processes behind nginx on one machine: `deploy/serve.sh start|stop|status|run`.

`start` launches P app processes (`streamlit run server.py`, default: one per core) listening on
127.0.0.1 only, on free ports, waits until each has warmed its caches, writes web/nginx.py's configuration into
the run folder and starts nginx on it (the only listener on the network), then returns; what it
started is recorded in the run folder for `stop` and `status`. `run` does the same in the
foreground for systemd and stops everything when it is stopped or when any process ends (the unit
then restarts the whole). Logs go to <run folder>/logs. Tests and bench/load.py use Deployment
directly, in a temporary folder on free ports.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from web import nginx, warm

ROOT = Path(__file__).resolve().parent.parent
STATE = "state.json"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def proc_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak_rss(pid: int) -> None:
    """Start VmHWM again from the current RSS (Linux: clear_refs 5), so a later peak is a later
    phase's own; where that is not allowed the peak simply includes what came before."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        pass


def _alive(pid: int, marker: str) -> bool:
    """Is pid still the process we started (not a stranger that reused the number)?"""
    try:
        return marker.encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def healthy(url: str) -> bool:
    try:
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url, timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def nginx_binary() -> str:
    found = shutil.which("nginx", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"]))
    if not found:
        raise SystemExit("没有找到 nginx：请先安装（Debian: apt-get install nginx，或 bash scripts/install.sh dev）")
    return found


@dataclass
class Deployment:
    run_dir: Path
    db: Path
    port: int = 8080
    processes: int = field(default_factory=lambda: os.cpu_count() or 1)
    listen: str = "0.0.0.0"

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.listen in ("0.0.0.0", "") else self.listen
        return f"http://{host}:{self.port}"

    def _state(self) -> dict | None:
        try:
            return json.loads((self.run_dir / STATE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def app_pids(self) -> list[int]:
        return [pid for pid, _ in (self._state() or {}).get("apps", [])]

    def app_ports(self) -> list[int]:
        return [port for _, port in (self._state() or {}).get("apps", [])]

    def start(self, timeout: float = 180) -> None:
        if self._state() and self.status_ok():
            raise SystemExit(f"已在运行：{self.url}（先 stop）")
        for sub in ("logs", "tmp"):
            (self.run_dir / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(self.run_dir, 0o700)  # logs and request bodies are nobody else's business
        env = {**os.environ, "SCORING_DB": str(Path(self.db).resolve()), "PYTHONUNBUFFERED": "1"}
        apps = []
        try:
            for _ in range(self.processes):
                port = free_port()
                log = open(self.run_dir / "logs" / f"app-{port}.log", "ab")
                proc = subprocess.Popen(
                    [sys.executable, "-m", "streamlit", "run", str(ROOT / "server.py"), "--server.headless", "true",
                     "--server.address", "127.0.0.1", "--server.port", str(port),
                     "--browser.gatherUsageStats", "false"],
                    cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
                log.close()
                apps.append((proc.pid, port))
                self._record(apps, None)
            deadline = time.monotonic() + timeout
            for pid, port in apps:  # answering and warmed up (web/warm.py): nobody meets a cold process
                while not healthy(f"http://127.0.0.1:{port}{warm.READY_PATH}"):
                    if not _alive(pid, "server.py") or time.monotonic() > deadline:
                        raise SystemExit(f"仪表盘进程（端口 {port}）未能启动，见 {self.run_dir}/logs/app-{port}.log")
                    time.sleep(0.3)
            conf = self.run_dir / "nginx.conf"
            conf.write_text(nginx.render(self.run_dir, self.listen, self.port, [p for _, p in apps]), encoding="utf-8")
            proxy = subprocess.Popen([nginx_binary(), "-p", str(self.run_dir), "-c", str(conf),
                                      "-e", str(self.run_dir / "logs" / "error.log"), "-g", "daemon off;"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
            self._record(apps, proxy.pid)
            while not healthy(f"{self.url}/_stcore/health"):
                if proxy.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"nginx 未能启动，见 {self.run_dir}/logs/error.log")
                time.sleep(0.2)
        except BaseException:
            self.stop()
            raise

    def _record(self, apps: list[tuple[int, int]], proxy: int | None) -> None:
        state = {"url": self.url, "db": str(self.db), "apps": apps, "nginx": proxy}
        (self.run_dir / STATE).write_text(json.dumps(state), encoding="utf-8")

    def _members(self) -> list[tuple[int, str]]:
        state = self._state() or {}
        found = [(pid, "server.py") for pid, _ in state.get("apps", [])]
        return found + ([(state["nginx"], "nginx")] if state.get("nginx") else [])

    def stop(self, timeout: float = 20) -> None:
        """End every process `start` recorded (nginx first, so nobody is routed to a stopping app)."""
        members = list(reversed(self._members()))
        for pid, marker in members:
            _signal(pid, marker, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for pid, marker in members:
            while _alive(pid, marker) and time.monotonic() < deadline:
                _reap(pid)
                time.sleep(0.1)
            _signal(pid, marker, signal.SIGKILL)
            _reap(pid)
        (self.run_dir / STATE).unlink(missing_ok=True)

    def status_ok(self) -> bool:
        members = self._members()
        return bool(members) and all(_alive(pid, marker) for pid, marker in members)

    def status(self) -> list[str]:
        state = self._state()
        if not state:
            return ["未运行"]
        lines = [f"地址 {state['url']}  数据库 {state['db']}"]
        for pid, port in state["apps"]:
            alive = _alive(pid, "server.py")
            detail = f"内存峰值 {proc_peak_rss_mib(pid):.0f} MiB，CPU {proc_cpu_s(pid):.0f} 秒" if alive else "已停止"
            lines.append(f"仪表盘进程 {pid}（127.0.0.1:{port}）：{detail}")
        if state.get("nginx"):
            lines.append(f"nginx {state['nginx']}：{'运行中' if _alive(state['nginx'], 'nginx') else '已停止'}")
        return lines

    def run(self) -> int:
        """Start, then wait until stopped (SIGTERM/SIGINT) or until a process ends; stop all."""
        stopping = []
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stopping.append(True))
        self.start()
        try:
            while not stopping and self.status_ok():
                time.sleep(1)
                for pid, _ in self._members():
                    _reap(pid)
        finally:
            self.stop()
        return 0 if stopping else 1


def _signal(pid: int, marker: str, sig: int) -> None:
    if _alive(pid, marker):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def _reap(pid: int) -> None:
    """Collect a child that ended (start and run are its parent), so it does not linger as a zombie."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="deploy/serve.sh", description="多进程仪表盘（nginx 反向代理）")
    parser.add_argument("command", choices=("start", "stop", "status", "run"))
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="仪表盘进程数（默认：CPU 核数）")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")), help="对外端口（默认 8080）")
    parser.add_argument("--listen", default="0.0.0.0", help="对外监听的地址（默认所有地址）")
    parser.add_argument("--run-dir", type=Path, default=Path(os.environ.get("SCORING_RUN", ROOT / "run")),
                        help="运行目录：nginx 配置、日志、进程号（默认 run/）")
    parser.add_argument("--db", type=Path, default=os.environ.get("SCORING_DB"), help="数据库（默认 SCORING_DB）")
    args = parser.parse_args(argv)
    if args.command in ("start", "run") and not args.db:
        parser.error("请用 --db 或环境变量 SCORING_DB 指定数据库")
    deployment = Deployment(args.run_dir.resolve(), Path(args.db or ""), args.port, max(1, args.processes), args.listen)
    if args.command == "start":
        deployment.start()
        print(f"已启动 {deployment.processes} 个仪表盘进程，经 nginx 访问：{deployment.url}")
    elif args.command == "stop":
        deployment.stop()
        print("已停止")
    elif args.command == "status":
        print("\n".join(deployment.status()))
        return 0 if deployment.status_ok() else 3
    else:
        return deployment.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
