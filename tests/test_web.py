"""The server's pieces without a server: the sign-in cookie's name per instance, the one-time codes
that carry a sign-in to the cookie route, the upload ledger's bounds, the nginx configuration.
(The running server: test_server_guards.py; behind nginx: test_browser_deploy.py.)"""
from __future__ import annotations

import pytest

from web import nginx, signin, uploads
from web.headers import HEADERS
from web.uploads import BYTES_PER_ADDRESS, BYTES_SERVER, FILES_PER_SESSION, IN_FLIGHT_PER_ADDRESS, Ledger

MB = 1 << 20


def test_two_dashboards_on_one_host_have_two_cookies():
    assert signin.cookie_name("10.0.0.5:8501") != signin.cookie_name("10.0.0.5:8600")
    assert signin.cookie_name("10.0.0.5:8501") == signin.cookie_name("server.local:8501") == "kaoping_8501"
    assert signin.cookie_name("[::1]:8600") == "kaoping_8600"
    assert signin.cookie_name("server.local") == signin.cookie_name(None) == "kaoping"


def test_a_code_is_good_once_and_only_for_a_minute(monkeypatch):
    code = signin.offer("the-token")
    assert code != "the-token" and "the-token" not in code
    assert signin.redeem(code) == "the-token"
    assert signin.redeem(code) is None
    late = signin.offer("other-token")
    clock = signin.time.monotonic() + signin.CODE_SECONDS + 1
    monkeypatch.setattr(signin.time, "monotonic", lambda: clock)
    assert signin.redeem(late) is None


def test_waiting_codes_are_bounded(monkeypatch):
    monkeypatch.setattr(signin, "MAX_CODES", 3)
    monkeypatch.setattr(signin, "_codes", {})
    codes = [signin.offer(f"token-{n}") for n in range(5)]
    assert len(signin._codes) == 3
    assert signin.redeem(codes[0]) is None and signin.redeem(codes[4]) == "token-4"


def test_the_page_script_carries_only_a_code():
    assert signin.script("POST", "abc_DEF-1") == (
        "<script>fetch('/_kaoping/session', {method: 'POST', credentials: 'same-origin', cache: 'no-store', "
        "body: 'abc_DEF-1'});</script>")
    for method, code in (("GET", "abc"), ("POST", "a'b"), ("DELETE", "a</script>")):
        with pytest.raises(ValueError):
            signin.script(method, code)


def held_everything(session, file_id):
    return True


def test_the_ledger_bounds_files_per_session_uploads_at_once_and_bytes():
    ledger = Ledger(held_everything)
    for n in range(FILES_PER_SESSION):
        ledger.finish(ledger.admit("s1", f"f{n}", "10.0.0.1", MB), stored=True)
    assert ledger.admit("s1", "more", "10.0.0.1", MB) == "本会话已有上传的文件，请先移除再上传"
    assert not isinstance(ledger.admit("s1", "f0", "10.0.0.1", MB), str)     # the same id replaces its file
    assert not isinstance(ledger.admit("s2", "f0", "10.0.0.1", MB), str)     # another session may

    ledger = Ledger(held_everything)
    running = [ledger.admit(f"s{n}", "f", "10.0.0.2", MB) for n in range(IN_FLIGHT_PER_ADDRESS)]
    assert isinstance(ledger.admit("s9", "f", "10.0.0.2", MB), str)           # uploads at once per address
    assert not isinstance(ledger.admit("s9", "f", "10.0.0.3", MB), str)       # another address may
    ledger.finish(running[0], stored=False)                                   # a refused body counts no more
    assert not isinstance(ledger.admit("s9", "f", "10.0.0.2", MB), str)

    ledger = Ledger(held_everything)
    big = uploads.MAX_REQUEST
    for n in range(BYTES_PER_ADDRESS // big):
        ledger.finish(ledger.admit(f"s{n}", "f", "10.0.0.4", big), stored=True)
    assert isinstance(ledger.admit("s-next", "f", "10.0.0.4", big), str)      # bytes held per address
    for n in range((BYTES_SERVER - BYTES_PER_ADDRESS) // big):
        ledger.finish(ledger.admit(f"t{n}", "f", f"10.0.1.{n}", big), stored=True)
    assert isinstance(ledger.admit("u", "f", "10.0.2.1", big), str)           # bytes held by the server


def test_a_released_file_no_longer_counts():
    held = {("s1", "f1"), ("s1", "f2")}
    ledger = Ledger(lambda session, file_id: (session, file_id) in held)
    for file_id in ("f1", "f2"):
        ledger.finish(ledger.admit("s1", file_id, "10.0.0.1", MB), stored=True)
    assert isinstance(ledger.admit("s1", "f3", "10.0.0.1", MB), str)
    held.discard(("s1", "f1"))   # the widget let go of it (or the session ended)
    assert not isinstance(ledger.admit("s1", "f3", "10.0.0.1", MB), str)


def test_the_proxy_configuration(tmp_path):
    text = nginx.render(tmp_path, "0.0.0.0", 80, [40001, 40002, 40003])
    assert text.count("server 127.0.0.1:") == 3 and "listen 0.0.0.0:80;" in text
    assert "hash $kp_route consistent;" in text and 'location = /_stcore/metrics { default_type "text/plain; charset=utf-8"; return 404' in text
    assert f"client_max_body_size {uploads.MAX_REQUEST};" in text
    for name, value in HEADERS:
        assert text.count(f'add_header {name} "{value}" always;') == text.count("proxy_pass") + 1
    # the access log names no cookie, no query string and no upload's session or file id
    log_format = text[text.index("log_format"):text.index("access_log")]
    assert "$request " not in log_format and "$args" not in log_format and "cookie" not in log_format
    assert "$kp_logged_uri" in log_format and str(tmp_path) in text
