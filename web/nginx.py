"""The nginx configuration in front of several dashboard processes (deploy/serve.sh writes it into
its run folder and starts nginx on it; nothing under /etc is needed or touched).

- Sticky routing: a Streamlit session lives in one process, so a browser's websocket, its
  reconnects and its uploads must reach the process that holds it. Open-source nginx has no
  `sticky cookie`; instead the first response sets a random `kp_route` cookie (the request id)
  and every request is routed by `hash <that value> consistent` — the first request, which has no
  cookie yet, by the same request id, so it lands where the cookie will send the rest. If that
  process is gone, the hash moves only its browsers elsewhere; they stay signed in (sessions are
  in the database).
- The security headers of web/headers.py on every response, the app's own copies hidden so
  that each is sent once; `/_stcore/metrics` answered with 404 here already.
- Limits per client address: websocket connections and how fast they are opened; uploads at
  once, how many a minute and how large (the app's 50 MB per file plus the form's framing);
  every other request body tiny. The app bounds uploads again itself (web/uploads.py).
- Access log without tokens: no cookies, no query strings, upload addresses without their
  session and file ids.
"""
from __future__ import annotations

import getpass
import os
from pathlib import Path

from web.guard import CLOSED_PATHS
from web.headers import HEADERS
from web.uploads import MAX_FILE_BYTES, MAX_REQUEST, PREFIX as UPLOAD_PREFIX

ROUTE_COOKIE = "kp_route"
# Per client address. An office behind one NAT address is one address: raise these there.
WS_PER_ADDRESS = 100         # open dashboard tabs (each a session in an app process)
WS_PER_MINUTE = 120          # new websocket connections a minute (reloads, reconnects) …
WS_BURST = 100               # … of which this many at once (a 通报 goes out, everyone opens it)
UPLOADS_AT_ONCE = 2          # the app allows as many in flight per address
UPLOADS_PER_MINUTE = 20
OTHER_BODY = "64k"           # sign-in code requests and the like


PROXY = ("proxy_pass http://kaoping;",
         "proxy_http_version 1.1;",
         "proxy_set_header Host $http_host;",                # with its port: the cookie's name and the
         "proxy_set_header X-Forwarded-For $remote_addr;",   # websocket check use it; the address the
         "proxy_set_header X-Forwarded-Proto $scheme;",      # login throttle counts is nginx's peer,
         "proxy_set_header Upgrade $http_upgrade;",          # not what a browser claims
         "proxy_set_header Connection $kp_connection;")


# What nginx itself answers with (a person may see these in the browser): Chinese, not its English pages.
ERRORS = {
    413: f"请求过大：单个文件不超过 {MAX_FILE_BYTES >> 20} MB。",
    429: "访问过于频繁，请稍后再试。",
    502: "系统正在启动或维护，请稍后刷新页面。",
}


def _errors(indent: str) -> str:
    lines = []
    for status, words in ERRORS.items():
        codes = "502 503 504" if status == 502 else str(status)
        lines += [f"error_page {codes} = @kp_{status};",
                  f'location @kp_{status} {{ default_type "text/plain; charset=utf-8"; return {status} "{words}"; }}']
    return "\n".join(indent + line for line in lines)


def _security(indent: str) -> str:
    return "\n".join(f'{indent}add_header {name} "{value}" always;' for name, value in HEADERS)


def _proxied(indent: str) -> str:
    """Passing a request on: the proxy settings and the headers, nginx's replacing the app's (a
    location with an add_header of its own inherits none from the server block)."""
    lines = [*PROXY, *(f"proxy_hide_header {name};" for name, _ in HEADERS),
             "add_header Set-Cookie $kp_route_cookie always;"]
    return "\n".join(indent + line for line in lines) + "\n" + _security(indent)


def render(run_dir: Path, listen: str, port: int, app_ports: list[int]) -> str:
    """The whole nginx.conf for `nginx -p run_dir -c nginx.conf`: proxy on listen:port to the app
    processes on 127.0.0.1:app_ports."""
    run = Path(run_dir).resolve()
    # Started as root (a test machine, a container), nginx would run its workers as nobody, who
    # cannot use the private run folder; the service itself runs as its own account instead.
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in app_ports)
    closed = "\n".join(f'        location {match} {{ default_type "text/plain; charset=utf-8"; return 404 "未找到"; }}'
                       for path in sorted(CLOSED_PATHS) for match in (f"= {path}", f"^~ {path}/"))
    return f"""# Written by web/nginx.py for deploy/serve.sh; rewritten at every start.
{user}worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/logs/error.log warn;
events {{ worker_connections 1024; }}  # a tab holds two (browser, app): ~500 tabs

http {{
    server_tokens off;
    client_body_temp_path {run}/tmp/body;
    proxy_temp_path {run}/tmp/proxy;
    fastcgi_temp_path {run}/tmp/fastcgi;
    uwsgi_temp_path {run}/tmp/uwsgi;
    scgi_temp_path {run}/tmp/scgi;

    map $uri $kp_logged_uri {{
        ~^{UPLOAD_PREFIX} {UPLOAD_PREFIX}*;
        default $uri;
    }}
    log_format kaoping '$remote_addr [$time_local] "$request_method $kp_logged_uri" $status '
                       '$body_bytes_sent $request_time $upstream_addr "$http_user_agent"';
    access_log {run}/logs/access.log kaoping;

    map $http_upgrade $kp_connection {{
        default upgrade;
        ''      close;
    }}
    map $cookie_{ROUTE_COOKIE} $kp_route {{
        ''      $request_id;
        default $cookie_{ROUTE_COOKIE};
    }}
    map $cookie_{ROUTE_COOKIE} $kp_route_cookie {{
        ''      "{ROUTE_COOKIE}=$request_id; Path=/; HttpOnly; SameSite=Strict";
        default '';
    }}

    limit_conn_zone $binary_remote_addr zone=kp_ws:1m;
    limit_req_zone $binary_remote_addr zone=kp_ws_rate:1m rate={WS_PER_MINUTE}r/m;
    limit_conn_zone $binary_remote_addr zone=kp_upload:1m;
    limit_req_zone $binary_remote_addr zone=kp_upload_rate:1m rate={UPLOADS_PER_MINUTE}r/m;
    limit_conn_status 429;
    limit_req_status 429;

    upstream kaoping {{
        hash $kp_route consistent;
{servers}
    }}

    server {{
        listen {listen}:{port};
        client_max_body_size {OTHER_BODY};
{_security("        ")}
{_errors("        ")}

{closed}

        location = /_stcore/stream {{
            limit_conn kp_ws {WS_PER_ADDRESS};
            limit_req zone=kp_ws_rate burst={WS_BURST} nodelay;
            proxy_read_timeout 1h;
            proxy_send_timeout 1h;
{_proxied("            ")}
        }}

        location ^~ {UPLOAD_PREFIX} {{
            client_max_body_size {MAX_REQUEST};
            limit_conn kp_upload {UPLOADS_AT_ONCE};
            limit_req zone=kp_upload_rate burst={UPLOADS_PER_MINUTE // 2} nodelay;
            proxy_read_timeout 5m;
{_proxied("            ")}
        }}

        location / {{
{_proxied("            ")}
        }}
    }}
}}
"""
