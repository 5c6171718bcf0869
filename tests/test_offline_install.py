"""Intranet deployment: the wheelhouse path, end to end.

Builds the wheelhouse with deploy/build-wheelhouse.sh (or takes a prebuilt one from
SCORING_WHEELHOUSE), copies the project to a fresh folder as it would be carried to an intranet
machine, installs with deploy/install-offline.sh (`pip --no-index`, no index reachable, no
pip.conf), and runs the smoke checks with that environment: every pinned package imports, the
demo database builds, `rank` prints the ranking, the example register imports, an admin is
created, a backup is taken, and the dashboard answers its health check.

Slow (downloads ~220 MB unless pip's cache has it): runs only with SCORING_OFFLINE_TEST=1.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ["scoring", "demo", "data", "pages", "web", "app.py", "server.py", ".streamlit", "requirements.txt", "deploy"]
MODULES = ["streamlit", "duckdb", "polars", "plotly", "pyarrow", "fastexcel", "xlrd", "openpyxl", "xlsxwriter",
           "docx", "weasyprint", "kaleido", "yaml", "charset_normalizer", "argon2"]

pytestmark = [
    pytest.mark.offline,
    pytest.mark.skipif(os.environ.get("SCORING_OFFLINE_TEST") != "1",
                       reason="离线安装测试较慢：设置 SCORING_OFFLINE_TEST=1 运行"),
]


def offline_env(**extra) -> dict:
    """No package index reachable: pip settings from the environment removed, proxies pointed nowhere."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") and k.lower() not in (
        "http_proxy", "https_proxy", "all_proxy")}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_INDEX_URL="http://127.0.0.1:9/simple",
               http_proxy="http://127.0.0.1:9", https_proxy="http://127.0.0.1:9", PYTHONPATH="")
    env.update(extra)
    return env


def run(args, cwd, env=None, timeout=900) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"{args}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def base_python() -> str:
    """The interpreter behind the project's venv (a venv made from a venv would inherit nothing,
    but keep it plain)."""
    return getattr(sys, "_base_executable", None) or sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_offline_install_and_smoke(tmp_path):
    wheels = os.environ.get("SCORING_WHEELHOUSE")
    if wheels:
        wheels = Path(wheels).resolve()
    else:
        wheels = tmp_path / "wheelhouse"
        run(["bash", ROOT / "deploy" / "build-wheelhouse.sh", wheels], ROOT,
            env=dict(os.environ, PYTHON=sys.executable))
    assert (wheels / "SHA256SUMS").exists() and len(list(wheels.glob("*.whl"))) > 20

    site = tmp_path / "内网机器" / "zhengwu-kaoping"
    site.mkdir(parents=True)
    for name in SHIPPED:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, site / name, ignore=shutil.ignore_patterns("__pycache__", "*.duckdb*"))
        elif src.exists():
            shutil.copy2(src, site / name)
    shutil.copytree(wheels, site / "wheelhouse")

    env = offline_env(PYTHON=base_python())
    run(["bash", "deploy/install-offline.sh", "wheelhouse", ".venv"], site, env=env)
    py = site / ".venv" / "bin" / "python"

    run([py, "-c", "import " + ", ".join(MODULES)], site, env=env)
    run([py, "-m", "scoring", "demo", "--db", "demo.duckdb"], site, env=env)
    ranking = run([py, "-m", "scoring", "rank", "--db", "demo.duckdb", "--year", "2025"], site, env=env).stdout
    lines = ranking.strip().splitlines()
    assert lines[0].startswith("组别,排名,单位,报送数,得分") and len(lines) == 55
    run([py, "-m", "scoring", "init", "--profile", "磴口", "--db", "new.duckdb"], site, env=env)
    run([py, "-m", "scoring", "import", "data/示例.xlsx", "--db", "new.duckdb"], site, env=env)
    run([py, "-m", "scoring", "user", "add", "admin", "--role", "管理", "--db", "new.duckdb"], site,
        env=dict(env, SCORING_PASSWORD="离线安装的管理员密码"))
    run([py, "-m", "scoring", "backup", "--db", "new.duckdb", "--out", "backup/new.duckdb"], site, env=env)

    port = free_port()
    server = subprocess.Popen([site / ".venv" / "bin" / "streamlit", "run", "server.py", "--server.headless", "true",
                               "--server.address", "127.0.0.1", "--server.port", str(port)],
                              cwd=site, env=dict(env, SCORING_DB=str(site / "demo.duckdb"), no_proxy="127.0.0.1"),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        while True:
            try:
                with opener.open(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    assert r.read().strip() == b"ok"
                    break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode(errors="replace")[-3000:]
                assert time.monotonic() < deadline, "the dashboard did not start"
                time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=30)
