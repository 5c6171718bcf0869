"""The security headers of every response, sent by the app itself (guard.Guard) and by the proxy
in front of it (nginx.render writes the same list into its configuration): one list, two senders.
"""
from __future__ import annotations

# Streamlit's frontend needs inline styles and scripts and eval (the chart library), so
# script-src and style-src keep 'unsafe-inline' and script-src 'unsafe-eval'; components and
# downloads use blob:/data:. Everything else comes from this origin only: an image or a script
# named in a file name (![x](http://…)) is never fetched. frame-ancestors 'none' is
# X-Frame-Options for current browsers (no other site may frame the dashboard: clickjacking).
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "media-src 'self' data: blob:",
    "worker-src 'self' blob:",
    "frame-src 'self' blob: data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

HEADERS: tuple[tuple[str, str], ...] = (
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),          # a downloaded CSV is never run as a page
    ("Referrer-Policy", "no-referrer"),             # a link to elsewhere carries no address or query
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"),
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
)
