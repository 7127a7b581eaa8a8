"""An ATS API key: from its environment variable, or from a file that only its owner can read.

WHICHROLE_GREENHOUSE_KEY=... (or WHICHROLE_GREENHOUSE_KEY_FILE=/path) for Greenhouse's Harvest
API, WHICHROLE_LEVER_KEY / WHICHROLE_LEVER_KEY_FILE for Lever's v1 API. A key file that its
group or others may read is refused rather than used: a key left readable is a key to rotate.
"""
from __future__ import annotations

import stat
from pathlib import Path
from typing import Mapping, Optional


def api_key(variable: str, env: Mapping[str, str]) -> Optional[str]:
    """The key named by ``variable``, or None when neither it nor ``variable``_FILE is set."""
    key = env.get(variable, "").strip()
    if key:
        return key
    file_name = env.get(variable + "_FILE", "").strip()
    if not file_name:
        return None
    path = Path(file_name).expanduser()
    try:
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ValueError(f"{variable}_FILE {path}: others may read it (mode {stat.filemode(mode)}); "
                             f"make it yours alone: chmod 600 {path}")
        key = path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ValueError(f"{variable}_FILE {path}: cannot read ({error.strerror or error})") from None
    except UnicodeDecodeError:
        raise ValueError(f"{variable}_FILE {path}: not a text file") from None
    if not key:
        raise ValueError(f"{variable}_FILE {path}: empty")
    return key
