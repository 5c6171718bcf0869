"""The dashboard's server around the Streamlit script: what a Streamlit page cannot do itself.

server.py serves app.py as an `st.App` (an ASGI application under uvicorn) with the routes and
middleware of this package: the HttpOnly sign-in cookie (signin), the security headers, the
same-origin check of websockets and the closed metrics path (guard), bounds on uploads before
any byte is read (uploads), the caches warmed at start-up (warm); and, for a shared server,
several such processes behind nginx (nginx writes its configuration, deployment runs it all).
No Streamlit page code here; scoring/ stays free of both.
"""
