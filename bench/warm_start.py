"""The first visitor after a restart: `python bench/warm_start.py [--db FILE] [--at-once] [--script app.py]`.

Starts the dashboard (`streamlit run server.py` on a free 127.0.0.1 port), waits until its start-up
warm-up has finished (/_kaoping/ready answers 200; `--at-once`: only until it answers, so the visitor
arrives while it warms), then one websocket session as bench/load.py drives it opens the login
page, signs in (the first page, 总览, comes with it) and switches to 排名. `--script app.py`
serves the bare script without server.py (no warm-up): the dashboard as it started before.

JSON keys: login_page_s, sign_in_s (password check and the first page), first_switch_s (排名),
first_page_s (login page + sign-in: what the target of 2 s is about), each with a `_cpu_s` twin
(the server's CPU seconds for it: steadier than wall time on a shared machine), server_ready_s
(start to answering) and warm_up_s (how long the warm-up took, by its own log line).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH)]

from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

from load import BENCH_PASSWORD, BENCH_USER, ROOT, Session, ensure_account  # noqa: E402
from report import emit  # noqa: E402
from web.deployment import free_port, healthy, proc_cpu_s  # noqa: E402
from web.warm import READY_PATH  # noqa: E402


async def first_visit(url: str, pid: int) -> dict:
    marks = []

    def mark():
        marks.append((time.perf_counter(), proc_cpu_s(pid)))

    s = Session(url)
    async with connect(url, subprotocols=["streamlit"], max_size=None, open_timeout=60, ping_interval=None) as ws:
        s.ws = ws
        mark()
        await s.run_script("")
        mark()
        user, pw, button = s.widget("用户名"), s.widget("密码"), s.widget("登录", "button")
        await s.run_script("", [WidgetState(id=user.id, string_value=BENCH_USER),
                                WidgetState(id=pw.id, string_value=BENCH_PASSWORD),
                                WidgetState(id=button.id, trigger_value=True)])
        mark()
        await s.switch("排名", None)
        mark()
    if s.errors:
        raise SystemExit(f"页面出错：{s.errors}")
    spans = {name: (marks[i + 1][0] - marks[i][0], marks[i + 1][1] - marks[i][1])
             for i, name in enumerate(("login_page", "sign_in", "first_switch"))}
    spans["first_page"] = tuple(a + b for a, b in zip(spans["login_page"], spans["sign_in"]))
    return {k: v for name, (wall, cpu) in spans.items()
            for k, v in ((f"{name}_s", round(wall, 3)), (f"{name}_cpu_s", round(cpu, 3)))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="政务信息考评: the first page after a restart")
    parser.add_argument("--db", type=Path, help="database (default: a fresh demo database)")
    parser.add_argument("--at-once", action="store_true", help="arrive as soon as the server answers")
    parser.add_argument("--script", default="server.py", help="server.py (default) or app.py (no warm-up)")
    parser.add_argument("--json", type=Path, metavar="FILE")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-warm-") as tmp:
        db = args.db
        if db is None:
            from demo.build import build_demo

            db = Path(tmp) / "demo.duckdb"
            build_demo(db)
        ensure_account(db)
        port, log_path = free_port(), Path(tmp) / "server.log"
        started = time.perf_counter()
        with open(log_path, "wb") as log:
            proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / args.script),
                                     "--server.headless", "true", "--server.address", "127.0.0.1",
                                     "--server.port", str(port)],
                                    cwd=ROOT, env={**os.environ, "SCORING_DB": str(db)}, stdout=log,
                                    stderr=subprocess.STDOUT)
        try:
            while not healthy(f"http://127.0.0.1:{port}/_stcore/health"):
                if proc.poll() is not None or time.perf_counter() - started > 120:
                    raise SystemExit(log_path.read_text(errors="replace")[-3000:])
                time.sleep(0.1)
            ready = time.perf_counter() - started
            warm = None
            if args.script == "server.py" and not args.at_once:
                while not healthy(f"http://127.0.0.1:{port}{READY_PATH}"):
                    time.sleep(0.2)
                warm = re.search(r"启动预热完成：\d+ 个页面，([\d.]+) 秒", log_path.read_text(errors="replace"))
            result = {"server_ready_s": round(ready, 2), "warm_up_s": float(warm[1]) if warm else None,
                      **asyncio.run(first_visit(f"ws://127.0.0.1:{port}/_stcore/stream", proc.pid)),
                      "script": args.script, "at_once": args.at_once}
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    emit(result, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
