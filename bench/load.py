"""Many viewers at once: `python bench/load.py --sessions N --json FILE [--db FILE] [--seconds S]`.

Starts the dashboard (`streamlit run server.py`) on 127.0.0.1 with a free port — with
`--processes P`, the shared-server deployment instead: P app processes behind nginx
(web/deployment.py, the same as deploy/serve.sh), measured through the proxy — or attaches to a
running one with `--url` — and opens N real sessions: websockets to `/_stcore/stream` speaking
Streamlit's own protobuf messages, as the browser does. Each session signs in through the login
form with a bench account (created in the database if missing), then goes round
总览 → 排名 (季度) → 排名 (年度) → 单位详情 → 评先评优 `--rounds` times, or until `--seconds` have
passed, pausing `--think` seconds on average after each switch (0: back to back, the worst case). A page switch is a `rerun_script` BackMsg carrying the page's script hash (what the
frontend sends when a menu entry is clicked); the 季度/年度 switch sets the period control's
widget value on the 排名 page. A switch is timed from sending the BackMsg to the ForwardMsg
`script_finished` of that run: the server's whole work for the click, without the browser's
drawing. Sessions start together (a 通报 goes out and everyone opens the dashboard at once).

JSON keys: sessions, p50_s, p95_s, max_s, errors, server_peak_rss_mib, cpu_s, plus switches
(how many were timed), seconds (the run's wall time) and think_s; with --import-file also
imports, import_errors, import_p50_s, import_max_s and imports_per_min (60 / the mean import time). errors counts exception elements,
error alerts, runs that did not finish and lost connections. server_peak_rss_mib is the server
process's peak RSS while the sessions browse (sign_in_peak_rss_mib: its peak up to then, the
sign-ins included); cpu_s its user + system CPU seconds while the sessions browse. With
--processes both are summed over the app processes (nginx not included) and the key processes
says how many. With --url neither is known unless --pid is given.

Without --db a demo database is built in a temporary folder.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402  (installed with streamlit's server)

from report import emit  # noqa: E402
from web.deployment import Deployment, free_port, proc_cpu_s, proc_peak_rss_mib, reset_peak_rss  # noqa: E402

BENCH_USER, BENCH_PASSWORD, BENCH_ROLE = "负载测试", "load-bench-password-1", "查看"
# (page title in the menu, period kind to select there or None)
ROUND = (("总览", None), ("排名", "季度"), ("排名", "年度"), ("单位详情", None), ("评先评优", None))
RUN_TIMEOUT = 120.0
FINISHED = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR)


# --------------------------------------------------------------------------------------------
# One session
# --------------------------------------------------------------------------------------------
@dataclass
class Widget:
    kind: str   # the Element oneof: text_input, button, button_group, selectbox …
    id: str
    label: str


@dataclass
class Session:
    url: str
    times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)   # menu title -> page_script_hash
    widgets: dict[str, Widget] = field(default_factory=dict)
    page_hash: str = ""
    ws: object = None

    async def run_script(self, page_hash: str | None = None, states: list[WidgetState] = ()) -> float:
        """One rerun; seconds until its script_finished. Records problems seen in its messages."""
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = ""
        cs.page_script_hash = self.page_hash if page_hash is None else page_hash
        cs.widget_states.widgets.extend(states)
        cs.context_info.timezone = "Asia/Shanghai"
        cs.context_info.locale = "zh-CN"
        self.widgets = {}
        started = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        deadline = started + RUN_TIMEOUT
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError("页面运行超时")
            fwd = ForwardMsg()
            fwd.ParseFromString(await asyncio.wait_for(self.ws.recv(), left))
            kind = fwd.WhichOneof("type")
            if kind == "delta":
                self._element(fwd.delta)
            elif kind == "navigation":
                self.pages = {p.page_name: p.page_script_hash for p in fwd.navigation.app_pages}
                self.page_hash = fwd.navigation.page_script_hash
            elif kind == "page_info_changed":
                pass
            elif kind == "script_finished":
                if fwd.script_finished in FINISHED:
                    if fwd.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                        self.errors.append("compile error")
                    return time.perf_counter() - started
                # FINISHED_EARLY_FOR_RERUN (st.rerun, e.g. after sign-in): the next run follows

    def _element(self, delta) -> None:
        if delta.WhichOneof("type") != "new_element":
            return
        el = delta.new_element
        kind = el.WhichOneof("type")
        if kind == "exception":
            self.errors.append(f"exception: {el.exception.type}: {el.exception.message[:200]}")
        elif kind == "alert" and el.alert.format == el.alert.ERROR:
            self.errors.append(f"error alert: {el.alert.body[:200]}")
        elif kind:
            sub = getattr(el, kind)
            wid, label = getattr(sub, "id", None), getattr(sub, "label", None)
            if wid and label is not None:
                self.widgets[label] = Widget(kind, wid, label)

    def widget(self, label: str, kind: str | None = None) -> Widget:
        found = self.widgets.get(label)
        if found is None or (kind and found.kind != kind):
            raise LookupError(f"页面上没有“{label}”控件（现有：{'、'.join(self.widgets)}）")
        return found

    async def sign_in(self, name: str, password: str) -> None:
        await self.run_script("")
        user, pw, button = self.widget("用户名"), self.widget("密码"), self.widget("登录", "button")
        states = [WidgetState(id=user.id, string_value=name), WidgetState(id=pw.id, string_value=password),
                  WidgetState(id=button.id, trigger_value=True)]
        await self.run_script("", states)
        if not self.pages or "排名" not in self.pages:
            raise RuntimeError("登录后没有看到导航菜单（账号或密码不对？）")

    async def switch(self, title: str, kind: str | None) -> None:
        self.times.append(await self.run_script(self.pages[title]))
        if self.page_hash != self.pages[title]:
            self.errors.append(f"没有切换到“{title}”")
        if kind is not None:
            control = self.widget("期间")
            states = [WidgetState(id=control.id, string_array_value={"data": [kind]})]
            self.times.append(await self.run_script(None, states))


async def one_session(url: str, rounds: int, think: float, gate: "Gate") -> Session:
    s = Session(url)
    try:
        async with connect(url, subprotocols=["streamlit"], max_size=None, open_timeout=60,
                           ping_interval=None) as ws:
            s.ws = ws
            try:
                async with gate.signing:
                    await s.sign_in(BENCH_USER, BENCH_PASSWORD)
            finally:
                gate.arrived()
            await gate.opened.wait()
            for _ in range(rounds):
                for title, kind in ROUND:
                    if time.monotonic() >= gate.stop_at:
                        return s
                    await s.switch(title, kind)
                    if think:  # a person reads the page before the next click
                        await asyncio.sleep(random.uniform(0.5, 1.5) * think)
    except Exception as e:  # noqa: BLE001 — a failed session is a figure, not a crash
        s.errors.append(f"{type(e).__name__}: {e}")
    return s


class Gate:
    """Sign-ins (argon2: seconds of CPU for fifty at once) are not page switches: every session
    signs in first, then all are released at the same moment. The sign-ins go one after another:
    every bench session comes from 127.0.0.1, and the login throttle counts the attempts under way
    from one address (ten at once from one address read as guessing)."""

    def __init__(self, sessions: int, seconds: float, on_open):
        self.signing = asyncio.Semaphore(1)
        self.waiting, self.seconds, self.on_open = sessions, seconds, on_open
        self.opened = asyncio.Event()
        self.stop_at = float("inf")

    def arrived(self) -> None:
        self.waiting -= 1
        if self.waiting == 0:
            self.on_open()
            self.stop_at = time.monotonic() + self.seconds
            self.opened.set()


async def importer(db: Path, register: Path, every: float, gate: Gate, viewers: list[asyncio.Task]) -> list:
    """`python -m scoring import` of one register every `every` seconds while the viewers browse:
    the command line and the dashboard sharing the file. [(seconds, exit code, last words)]"""
    await gate.opened.wait()
    done = []
    while time.monotonic() < gate.stop_at and not all(t.done() for t in viewers):
        started = time.perf_counter()
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "scoring", "import", "--db", str(db), str(register), cwd=ROOT,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        out, _ = await proc.communicate()
        done.append((time.perf_counter() - started, proc.returncode, out.decode(errors="replace")[-300:]))
        await asyncio.sleep(max(0.0, every - (time.perf_counter() - started)))
    return done


async def drive(url: str, sessions: int, rounds: int, think: float, seconds: float, on_open,
                imports: tuple[Path, Path, float] | None = None) -> tuple[list[Session], list]:
    gate = Gate(sessions, seconds, on_open)
    viewers = [asyncio.create_task(one_session(url, rounds, think, gate)) for _ in range(sessions)]
    loader = asyncio.create_task(importer(*imports, gate, viewers)) if imports else None
    found = list(await asyncio.gather(*viewers))
    return found, (await loader if loader else [])


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------
def start_server(db: Path, port: int, log) -> subprocess.Popen:
    env = {**os.environ, "SCORING_DB": str(db)}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "server.py"),
                             "--server.headless", "true", "--server.address", "127.0.0.1",
                             "--server.port", str(port), "--browser.gatherUsageStats", "false",
                             "--server.fileWatcherType", "none", "--server.runOnSave", "false"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"Streamlit 服务未能启动（退出码 {proc.returncode}）")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("Streamlit 服务 120 秒内未就绪")


def ensure_account(db: Path) -> None:
    from scoring.accounts import auth
    from scoring.store import Store

    store = Store(db)
    names = set(auth.list_users(store)["用户名"].to_list())
    if BENCH_USER in names:
        auth.set_password(store, "基准测试", BENCH_USER, BENCH_PASSWORD)
    else:
        auth.add_user(store, "基准测试", BENCH_USER, BENCH_PASSWORD, BENCH_ROLE)


# --------------------------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="政务信息考评 load benchmark")
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--json", type=Path, metavar="FILE")
    parser.add_argument("--db", type=Path, help="database to serve (default: a fresh demo database)")
    parser.add_argument("--seconds", type=float, default=60.0, help="stop switching after this long (default 60)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the five switches per session (default 3)")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean seconds a viewer reads a page before the next click (default 0: back to back)")
    parser.add_argument("--url", help="attach to a running server (ws://127.0.0.1:PORT/_stcore/stream); "
                                      "its database must hold the bench account")
    parser.add_argument("--pid", type=int, help="with --url: the server's process id, for memory and CPU")
    parser.add_argument("--processes", type=int, metavar="P",
                        help="P app processes behind nginx (the deploy/serve.sh deployment), measured through it")
    parser.add_argument("--import-file", type=Path, metavar="REGISTER",
                        help="meanwhile import this register with the command line, again and again")
    parser.add_argument("--import-every", type=float, default=10.0, metavar="S",
                        help="start an import every S seconds (default 10; the next waits for the last)")
    args = parser.parse_args(argv)
    if args.import_file and args.url and not args.db:
        parser.error("--import-file with --url needs --db (the server's database)")
    if args.processes is not None and (args.url or args.processes < 1):
        parser.error("--processes needs P >= 1 and no --url")

    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        proc, deployment, url, db = None, None, args.url, args.db
        pids = [args.pid] if args.pid else []
        if url is None:
            if db is None:
                from demo.build import build_demo

                db = Path(tmp) / "demo.duckdb"
                build_demo(db)
            ensure_account(db)
            port = free_port()
            if args.processes:
                deployment = Deployment(Path(tmp) / "run", db, port, args.processes, "127.0.0.1")
                deployment.start()
                pids = deployment.app_pids()
            else:
                log = open(Path(tmp) / "server.log", "wb")
                proc = start_server(db, port, log)
                pids = [proc.pid]
            url = f"ws://127.0.0.1:{port}/_stcore/stream"
        ok = False
        try:
            cpu0, sign_in_peak = [None], [None]

            def on_start():
                if pids:
                    cpu0[0] = sum(proc_cpu_s(pid) for pid in pids)
                    sign_in_peak[0] = round(sum(proc_peak_rss_mib(pid) for pid in pids), 1)
                    for pid in pids:
                        reset_peak_rss(pid)

            t0 = time.perf_counter()
            imports = (db, args.import_file, args.import_every) if args.import_file else None
            sessions, imported = asyncio.run(drive(url, args.sessions, args.rounds, args.think, args.seconds,
                                                   on_start, imports))
            wall = time.perf_counter() - t0
            cpu = round(sum(proc_cpu_s(pid) for pid in pids) - cpu0[0], 2) if pids and cpu0[0] is not None else None
            peak = round(sum(proc_peak_rss_mib(pid) for pid in pids), 1) if pids else None
            ok = not any(s.errors for s in sessions) and all(code == 0 for _, code, _ in imported)
        finally:
            if proc is not None:
                proc.terminate()
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                log.close()
            if deployment is not None:
                deployment.stop()
            if not ok:
                for path in sorted(Path(tmp).glob("**/*.log")):
                    sys.stderr.write(f"== {path.name}\n" + path.read_text(errors="replace")[-3000:])
    times = [t for s in sessions for t in s.times]
    errors = [e for s in sessions for e in s.errors]
    result = {"sessions": args.sessions,
              "p50_s": round(statistics.median(times), 4) if times else None,
              "p95_s": round(percentile(times, 0.95), 4) if times else None,
              "max_s": round(max(times), 4) if times else None,
              "errors": len(errors), "server_peak_rss_mib": peak, "cpu_s": cpu,
              "switches": len(times), "seconds": round(wall, 2), "think_s": args.think,
              "sign_in_peak_rss_mib": sign_in_peak[0], "processes": args.processes or 1}
    if args.import_file:
        spans = [t for t, _, _ in imported]
        result |= {"imports": len(imported), "import_errors": sum(1 for _, code, _ in imported if code),
                   "import_p50_s": round(statistics.median(spans), 3) if spans else None,
                   "import_max_s": round(max(spans), 3) if spans else None,
                   # back to back, this many would fit in a minute (each as long as it took under load)
                   "imports_per_min": round(60 * len(spans) / sum(spans), 1) if spans else None}
        for _, code, out in imported:
            if code:
                print(f"import failed ({code}): {out}", file=sys.stderr)
    for e in sorted(set(errors))[:10]:
        print(f"error: {e}", file=sys.stderr)
    emit(result, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
