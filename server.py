"""The dashboard's server: app.py's script served by Streamlit as an ASGI application, with the
sign-in cookie route, the request guards and the start-up warm-up of web/ around it.

Run: `SCORING_DB=data/demo.duckdb streamlit run server.py` (scripts/start.sh does; Streamlit
recognises the `st.App` below and serves it with uvicorn). Behind nginx with several processes:
deploy/serve.sh.
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:  # web/, pages/ and scoring/ come from here, whatever the working directory
    sys.path.insert(0, str(ROOT))

import web.allocators  # noqa: E402,F401 - before duckdb and polars load (see there)
import streamlit as st  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402

from web import guard, signin, uploads, warm  # noqa: E402

app = st.App(ROOT / "app.py", routes=[*signin.ROUTES, *warm.ROUTES],
             middleware=[Middleware(guard.Guard), Middleware(uploads.UploadLimits)],
             lifespan=warm.lifespan)
