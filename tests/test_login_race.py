"""Password guessing under pressure: parallel attempts (threads of one server, and separate
processes on one database file) get no more checks than the 5-try lock-out allows, a success
never lifts a lock-out in force, one address cannot spray a password over every account, a flood
only slows the server, and argon2 checks run a bounded number at a time."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from scoring.accounts import auth, throttle
from scoring.accounts.auth import AuthError
from scoring.store import Store

from auth_fixtures import cheap_hashes, freeze  # noqa: F401

CLI = "命令行:测试"
ROOT = Path(__file__).resolve().parent.parent
RIGHT = "管理员的密码123"


@pytest.fixture
def file_store(tmp_path) -> Store:
    """A database file, opened per operation as the dashboard does."""
    s = Store(tmp_path / "race.duckdb")
    auth.add_user(s, CLI, "管理员", RIGHT, "管理")
    return s


class Checks:
    """Counts the password checks made against stored hashes (the dummy hash excluded); each takes
    a while, as a real argon2 check does, so parallel attempts overlap."""

    def __init__(self, monkeypatch, pause: float = 0.05):
        self.real, self.pause = auth._verify, pause
        self.passwords: list[str] = []
        self.dummy: list[str] = []
        self.running = self.most = 0
        self.lock = threading.Lock()
        monkeypatch.setattr(auth, "_verify", self)

    def __call__(self, password_hash: str, password: str) -> bool:
        with self.lock:
            (self.dummy if password_hash == auth._dummy_hash else self.passwords).append(password)
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(self.pause)
        try:
            return self.real(password_hash, password)
        finally:
            with self.lock:
                self.running -= 1


def in_parallel(attempts: list[tuple[str, str, str | None]], store) -> list[str]:
    """(name, password, client) attempts started together; "ok" or the refusal for each."""
    barrier = threading.Barrier(len(attempts))
    results: list[str] = [""] * len(attempts)

    def attempt(i: int, name: str, password: str, client: str | None) -> None:
        barrier.wait()
        try:
            auth.login(store, name, password, client=client)
            results[i] = "ok"
        except AuthError as e:
            results[i] = str(e)

    threads = [threading.Thread(target=attempt, args=(i, *a)) for i, a in enumerate(attempts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


# -- the per-account lock-out under parallel attempts -------------------------------------------
@pytest.mark.parametrize("kind", ["file", "memory"])
def test_parallel_wrong_guesses_get_five_checks_and_a_lock(monkeypatch, tmp_path, kind):
    store = Store(tmp_path / "r.duckdb" if kind == "file" else ":memory:")
    auth.add_user(store, CLI, "管理员", RIGHT, "管理")
    checks = Checks(monkeypatch)
    results = in_parallel([("管理员", f"wrong-{i:02d}-xx", f"10.0.0.{i}") for i in range(24)], store)
    assert len(checks.passwords) == auth.MAX_FAILURES
    assert all(r != "ok" for r in results)
    assert store.user_record("管理员")["locked_until"] is not None
    with pytest.raises(AuthError, match="已锁定"):
        auth.login(store, "管理员", RIGHT, client="10.1.1.1")


def test_the_right_password_sent_last_does_not_get_past_the_lock(monkeypatch, file_store):
    """The reported attack: wrong passwords at once and the right one last, while they are being
    checked. Before the fix all 20 were checked and the success cleared the lock-out."""
    checks = Checks(monkeypatch, pause=0.2)
    five_checking = threading.Event()
    counted = checks.__call__

    def watch(password_hash, password):
        if len(checks.passwords) + 1 >= auth.MAX_FAILURES:
            five_checking.set()
        return counted(password_hash, password)

    monkeypatch.setattr(auth, "_verify", watch)
    attempts = [("管理员", f"wrong-{i:02d}-xx", f"10.0.0.{i}") for i in range(19)]
    wrong = threading.Thread(target=in_parallel, args=(attempts, file_store))
    wrong.start()
    assert five_checking.wait(30)
    with pytest.raises(AuthError) as refused:
        auth.login(file_store, "管理员", RIGHT, client="10.0.0.99")
    wrong.join()
    assert len(checks.passwords) == auth.MAX_FAILURES and RIGHT not in checks.passwords
    assert "过于频繁" in str(refused.value) or "已锁定" in str(refused.value)
    assert file_store.user_record("管理员")["locked_until"] is not None


def test_parallel_guesses_with_the_right_one_among_them(monkeypatch, file_store):
    """All at once in any order: a success resets the count as it would one after another, so at
    most four wrong guesses are checked before it and five after it; without it, five in all."""
    checks = Checks(monkeypatch)
    attempts = [("管理员", f"wrong-{i:02d}-xx", f"10.0.0.{i}") for i in range(19)] + [("管理员", RIGHT, "10.0.0.99")]
    results = in_parallel(attempts, file_store)
    if results[-1] == "ok":
        at = checks.passwords.index(RIGHT)
        assert at <= auth.MAX_FAILURES - 1 and len(checks.passwords) - at - 1 <= auth.MAX_FAILURES
    else:
        assert RIGHT not in checks.passwords and len(checks.passwords) == auth.MAX_FAILURES
        assert file_store.user_record("管理员")["locked_until"] is not None


def test_a_success_settled_after_a_lock_out_does_not_lift_it(store):
    """The store's half of the rule: a check that turns out right while the account is locked."""
    auth.add_user(store, CLI, "管理员", RIGHT, "管理")
    now = datetime(2025, 3, 1, 9, 0)
    lock = now + timedelta(minutes=15)
    held = store.login_begin("管理员", now, 5, now - timedelta(minutes=2))
    assert held["status"] == "ok"
    for _ in range(4):
        assert store.login_begin("管理员", now, 5, now - timedelta(minutes=2))["status"] == "ok"
        store.login_end("管理员", "wrong", "", now, 5, lock)
    # four failures and one check under way: the limit is reached, a sixth is not checked
    assert store.login_begin("管理员", now, 5, now - timedelta(minutes=2))["status"] == "busy"
    store.login_end("管理员", "wrong", "", now, 4, lock)  # say the limit were 4: this one locks
    settled = store.login_end("管理员", "ok", "", now, 5, lock)
    assert settled == {"ok": False, "failed": 5, "locked_until": lock}
    assert store.user_record("管理员")["locked_until"] == lock


CHILD = textwrap.dedent("""
    import sys, threading, time
    sys.path.insert(0, sys.argv[1])
    from argon2 import PasswordHasher
    from scoring.accounts import auth
    from scoring.store import Store
    auth._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    store = Store(sys.argv[2])
    start, tag = float(sys.argv[3]), sys.argv[4]
    real, checked = auth._verify, []
    def counting(h, p):
        if h != auth._dummy_hash:
            checked.append(p)
        time.sleep(0.05)
        return real(h, p)
    auth._verify = counting
    def attempt(i):
        time.sleep(max(start - time.time(), 0))
        try:
            auth.login(store, "管理员", f"wrong-{tag}-{i}-xx", client=f"10.{tag}.0.{i}")
        except auth.AuthError:
            pass
    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(6)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    print(len(checked))
""")


@pytest.mark.subprocess
def test_parallel_guesses_from_separate_processes_on_one_file(tmp_path):
    db = tmp_path / "race.duckdb"
    auth.add_user(Store(db), CLI, "管理员", RIGHT, "管理")
    start = time.time() + 4  # every process has imported and opened the store by then
    procs = [subprocess.Popen([sys.executable, "-c", CHILD, str(ROOT), str(db), str(start), str(p)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for p in range(4)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outs]
    assert sum(int(out.split()[-1]) for out, _ in outs) == auth.MAX_FAILURES  # of 24 attempts
    assert Store(db).user_record("管理员")["locked_until"] is not None


# -- unknown names look like accounts -----------------------------------------------------------
def test_locked_message_is_the_same_for_names_without_an_account(monkeypatch, store):
    auth.add_user(store, CLI, "管理员", RIGHT, "管理")
    freeze(monkeypatch, auth, datetime(2025, 3, 1, 9, 0, 0))
    checks = Checks(monkeypatch, pause=0)
    said = {}
    for name in ("管理员", "不存在的人"):
        said[name] = []
        for i in range(7):
            with pytest.raises(AuthError) as e:
                auth.login(store, name, f"wrong-{i}-xxxx")
            said[name].append(str(e.value))
    assert said["管理员"] == said["不存在的人"]
    assert "已锁定" in said["管理员"][-1]
    # the same work too: five argon2 checks each (the unknown name's against the dummy hash)
    assert len(checks.passwords) == len(checks.dummy) == auth.MAX_FAILURES


# -- per client, global, memory -----------------------------------------------------------------
class FakeClock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_one_address_cannot_spray_a_password_over_every_account(monkeypatch, store):
    auth.add_user(store, CLI, "管理员", RIGHT, "管理")
    clock = FakeClock()
    monkeypatch.setattr(auth, "CLIENTS", throttle.ClientThrottle(free=10, clock=clock))
    checks = Checks(monkeypatch)
    names = [f"用户{i}" for i in range(30)]
    results = in_parallel([(n, "Password1!", "192.168.1.66") for n in names], store)
    assert len(checks.dummy) + len(checks.passwords) == 10  # the free failures of one address
    assert sum("秒后再试" in r for r in results) == 20
    # the admin at another address is not held up
    assert auth.login(store, "管理员", RIGHT, client="192.168.1.2").role == "管理"
    # the sprayer waits 2 s, then 4 s … for each further try
    with pytest.raises(AuthError, match="2 秒后再试"):
        auth.login(store, "用户99", "Password1!", client="192.168.1.66")
    clock.t += 2
    with pytest.raises(AuthError, match="用户名或密码错误"):
        auth.login(store, "用户99", "Password1!", client="192.168.1.66")
    with pytest.raises(AuthError, match="4 秒后再试"):
        auth.login(store, "用户98", "Password1!", client="192.168.1.66")
    clock.t += 900 + 4  # forgotten after a quiet quarter of an hour
    with pytest.raises(AuthError, match="用户名或密码错误"):
        auth.login(store, "用户97", "Password1!", client="192.168.1.66")


def test_a_success_does_not_launder_an_address(monkeypatch, store):
    auth.add_user(store, CLI, "我的账号", "my-own-password", "查看")
    clock = FakeClock()
    monkeypatch.setattr(auth, "CLIENTS", throttle.ClientThrottle(free=3, clock=clock))
    for i in range(2):
        with pytest.raises(AuthError, match="用户名或密码错误"):
            auth.login(store, f"别人{i}", "guess-guess", client="10.9.9.9")
    auth.login(store, "我的账号", "my-own-password", client="10.9.9.9")
    with pytest.raises(AuthError, match="用户名或密码错误"):
        auth.login(store, "别人2", "guess-guess", client="10.9.9.9")
    with pytest.raises(AuthError, match="秒后再试"):
        auth.login(store, "别人3", "guess-guess", client="10.9.9.9")


def test_a_flood_only_slows_and_the_admin_still_gets_in(monkeypatch, store):
    auth.add_user(store, CLI, "管理员", RIGHT, "管理")
    clock = FakeClock()
    monkeypatch.setattr(auth, "FLOOD", throttle.GlobalThrottle(limit=20, window=60, delay=1.0, clock=clock))
    slept: list[float] = []
    monkeypatch.setattr(auth.time, "sleep", slept.append)
    for i in range(25):  # many addresses, many names: no per-address or per-account brake applies
        with pytest.raises(AuthError, match="用户名或密码错误"):
            auth.login(store, f"某人{i}", "Password1!", client=f"172.16.0.{i}")
    assert slept == [1.0] * 4  # attempts 22-25 came after more than 20 failures this minute
    assert auth.login(store, "管理员", RIGHT, client="172.16.9.9").role == "管理"
    assert slept[-1] == 1.0  # slowed, not refused
    clock.t += 61
    slept.clear()
    auth.login(store, "管理员", RIGHT, client="172.16.9.9")
    assert slept == []


def test_argon2_checks_run_a_bounded_number_at_a_time(monkeypatch, store):
    auth.add_user(store, CLI, "管理员", RIGHT, "管理")
    monkeypatch.setattr(auth, "HASH_SLOTS", throttle.HashSlots(slots=2, timeout=60))
    checks = Checks(monkeypatch, pause=0.05)
    in_parallel([(f"某人{i}", "Password1!", f"172.16.0.{i}") for i in range(20)], store)
    assert len(checks.dummy) == 20 and checks.most == 2


def test_a_check_that_finds_no_slot_is_refused_and_releases_its_reservation(monkeypatch, store):
    auth.add_user(store, CLI, "管理员", RIGHT, "管理")
    slots = throttle.HashSlots(slots=1, timeout=0.01)
    monkeypatch.setattr(auth, "HASH_SLOTS", slots)
    with slots.slot():  # every slot taken
        with pytest.raises(AuthError, match="过于频繁"):
            auth.login(store, "管理员", RIGHT)
        for _ in range(auth.MAX_FAILURES):  # a name without an account: not counted either
            with pytest.raises(AuthError, match="过于频繁"):
                auth.login(store, "没有这个人", "guess-guess")
    with pytest.raises(AuthError, match="用户名或密码错误"):
        auth.login(store, "没有这个人", "guess-guess")
    record = store.user_record("管理员")
    assert record["failed"] == 0 and store.rows("SELECT guessing FROM users")[0][0] == 0
    assert auth.login(store, "管理员", RIGHT).name == "管理员"
