"""Finding and loading a profile folder: the default one, one named under data/profiles/, or a
path; loaded profiles are cached until one of their files changes."""
from __future__ import annotations

import functools
from pathlib import Path

from scoring.profile.model import DEFAULT_FILE, PROFILES_DIR, Profile, ProfileError
from scoring.profile.read import read as read_profile
from scoring.profile.read_units import read_units_file


def default_dir() -> Path:
    return PROFILES_DIR / DEFAULT_FILE.read_text(encoding="utf-8").strip()


def resolve(ref: str | Path | None) -> Path:
    """A profile folder from a reference: None (the default), a name under data/profiles, or a path."""
    if ref is None or str(ref) == "":
        return default_dir()
    path = Path(ref)
    if not path.is_absolute() and (PROFILES_DIR / path).is_dir() and len(path.parts) == 1:
        return PROFILES_DIR / path
    return path.resolve()


def reference(root: Path) -> str:
    """How a database records its profile: the folder name when shipped, else the full path."""
    root = root.resolve()
    return root.name if root.parent == PROFILES_DIR.resolve() else str(root)


def load_profile(ref: str | Path | None = None) -> Profile:
    root = resolve(ref)
    return _load_cached(str(root), _stamp(root))


def default_profile() -> Profile:
    return load_profile(None)


def _stamp(root: Path) -> tuple:
    """Changes whenever a file of the profile does, so an edited profile is read again."""
    try:
        return tuple((str(p), p.stat().st_mtime_ns) for p in sorted(root.rglob("*.yaml")))
    except OSError:
        return ()


@functools.lru_cache(maxsize=16)
def _load_cached(root: str, _stamp: tuple) -> Profile:
    profile, problems = read_profile(Path(root))
    if problems:
        raise ProfileError(problems)
    return profile


def check_profile(ref: str | Path) -> list[str]:
    """Every problem of a profile folder (empty when it can be used); never raises."""
    root = resolve(ref)
    try:
        return read_profile(root)[1]
    except Exception as e:  # a shape no reader foresaw: still a message, not a traceback
        return [f"文件 {root.name} 键 （未知）: 无法读取（{type(e).__name__}: {e}）"]


def load_units_file(path: Path, groups: tuple[str, ...]) -> dict:
    """A units.yaml as a plain dict for the store to seed a database; ValueError names the problem."""
    data, problems = read_units_file(path, groups)
    if problems:
        raise ValueError("；".join(problems))
    return data
