"""Frames for the dashboard pages: pure functions over an Engine / Store, no streamlit.

One module per page (common holds what several share). Each function takes the engine (or the
store) first and returns Polars frames (or dicts of them) with Chinese column names, ready to be
drawn; pages call them through `_data.view(fn, ...)`, which caches by the store's data version,
so everything returned must be picklable. Scoring stays in engine.py, SQL in store/.
"""
