"""Brakes on password guessing that live in the server process (scoring/accounts/auth.py uses them).

The per-account lock-out is kept in the database (store.login_begin/login_end). Here, in memory:
- a per-client throttle: each address has a few free failures, then must wait 2, 4, 8 … seconds
  (at most a minute) between attempts, so one address cannot spray a password over every account;
- a global throttle that only slows: above a rate of failures for the whole server each attempt
  waits a moment first — it never refuses, so the administrator can still get in during a flood;
- a bound on the argon2 checks running at once (each takes ~64 MiB), so a flood queues instead of
  eating the memory;
- the lock-out rule mirrored for names that have no account, so that "locked" cannot tell an
  attacker which names exist.
Attempts under way count as failures until they are settled: parallel attempts get no more than
sequential ones.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime


class Busy(RuntimeError):
    """No argon2 slot came free in time (a flood of logins)."""


@dataclass
class _Client:
    failures: int = 0      # failed attempts, and attempts under way, since the client was last forgotten
    next_ok: float = 0.0   # monotonic time before which the client must wait
    last: float = 0.0


class ClientThrottle:
    """`free` failed attempts per client, then one attempt per back-off (doubling up to
    `max_wait` seconds); a client without attempts for `forget` seconds starts afresh."""

    def __init__(self, free: int = 10, max_wait: float = 60.0, forget: float = 900.0,
                 max_clients: int = 10_000, clock=time.monotonic):
        self.free, self.max_wait, self.forget, self.max_clients = free, max_wait, forget, max_clients
        self.clock = clock
        self._clients: OrderedDict[str, _Client] = OrderedDict()
        self._lock = threading.Lock()

    def begin(self, client: str) -> float:
        """0 when the attempt may go ahead (it is counted as a failure until end()); otherwise the
        seconds the client has to wait."""
        with self._lock:
            now = self.clock()
            state = self._clients.get(client)
            if state is None or now - state.last > self.forget:
                state = _Client()
            self._clients[client] = state
            self._clients.move_to_end(client)
            while len(self._clients) > self.max_clients:
                self._clients.popitem(last=False)
            if now < state.next_ok:
                return state.next_ok - now
            state.failures += 1
            state.last = now
            if state.failures >= self.free:
                state.next_ok = now + min(2.0 ** (state.failures - self.free + 1), self.max_wait)
            return 0.0

    def end(self, client: str, failed: bool) -> None:
        """Settle an attempt begin() let through; a success gives its count back (it does not
        wipe the client's earlier failures: a known account must not launder guesses)."""
        if failed:
            return
        with self._lock:
            state = self._clients.get(client)
            if state is not None and state.failures > 0:
                state.failures -= 1
                if state.failures < self.free:  # the back-off its own reservation started
                    state.next_ok = 0.0


class GlobalThrottle:
    """Above `limit` failures in the last `window` seconds, every attempt first waits `delay`."""

    def __init__(self, limit: int = 60, window: float = 60.0, delay: float = 1.0, clock=time.monotonic):
        self.limit, self.window, self.delay, self.clock = limit, window, delay, clock
        self._failures: deque[float] = deque()
        self._lock = threading.Lock()

    def failed(self) -> None:
        with self._lock:
            self._failures.append(self.clock())
            self._trim()

    def pause(self) -> float:
        """The seconds an attempt should wait now (0 unless the server is under a flood)."""
        with self._lock:
            self._trim()
            return self.delay if len(self._failures) > self.limit else 0.0

    def _trim(self) -> None:
        horizon = self.clock() - self.window
        while self._failures and self._failures[0] < horizon:
            self._failures.popleft()


class HashSlots:
    """At most `slots` password checks at once; a check that waits longer than `timeout` is Busy."""

    def __init__(self, slots: int = 2, timeout: float = 30.0):
        self._sem = threading.BoundedSemaphore(slots)
        self.timeout = timeout

    @contextmanager
    def slot(self):
        if not self._sem.acquire(timeout=self.timeout):
            raise Busy("too many password checks at once")
        try:
            yield
        finally:
            self._sem.release()


@dataclass
class _Phantom:
    failed: int = 0
    guessing: int = 0
    locked_until: datetime | None = None


class PhantomLocks:
    """The account lock-out rule applied to names without an account (in memory, bounded)."""

    def __init__(self, max_names: int = 10_000):
        self.max_names = max_names
        self._names: OrderedDict[str, _Phantom] = OrderedDict()
        self._lock = threading.Lock()

    def begin(self, name: str, now: datetime, max_failures: int) -> tuple[str, datetime | None]:
        """("locked", until), ("busy", None) or ("ok", None) with the check reserved."""
        with self._lock:
            state = self._names.get(name) or _Phantom()
            self._names[name] = state
            self._names.move_to_end(name)
            while len(self._names) > self.max_names:
                self._names.popitem(last=False)
            if state.locked_until is not None and state.locked_until <= now:
                state.failed, state.locked_until = 0, None
            if state.locked_until is not None:
                return "locked", state.locked_until
            if state.failed + state.guessing >= max_failures:
                return "busy", None
            state.guessing += 1
            return "ok", None

    def end(self, name: str, max_failures: int, lock_until: datetime, counted: bool = True) -> datetime | None:
        """Settle a reserved check: count it as a failure (unless it never ran); the lock-out's
        end when there is one."""
        with self._lock:
            state = self._names.setdefault(name, _Phantom())
            state.guessing = max(state.guessing - 1, 0)
            state.failed += 1 if counted else 0
            if state.failed >= max_failures and state.locked_until is None:
                state.locked_until = lock_until
            return state.locked_until
