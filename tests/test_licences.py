"""Nothing GPL or non-commercial in the default install (``pip install voice-sim``).

Walks the dependency closure of voice-sim's default requirements (no extras) through the
installed distributions' metadata. LGPL libraries are dynamically linked and allowed; Piper
(GPL-3.0) is only in the opt-in ``piper`` extra.
"""

from __future__ import annotations

import re
from importlib import metadata

from packaging.requirements import Requirement

#: Licence texts that keep a package out of the default install.
FORBIDDEN = re.compile(r"(?<!L)GPL|General Public License|non-?commercial|CC[- ]BY-NC", re.I)
LESSER = re.compile(r"LGPL|Lesser General Public", re.I)


def _licence(dist: metadata.Distribution) -> str:
    meta = dist.metadata
    parts = [meta.get("License-Expression") or "", (meta.get("License") or "")[:300]]
    parts += [c for c in meta.get_all("Classifier") or [] if c.startswith("License")]
    return " | ".join(p for p in parts if p)


def _closure(root: str) -> dict[str, metadata.Distribution]:
    seen: dict[str, metadata.Distribution] = {}
    todo = [Requirement(r) for r in metadata.requires(root) or []]
    todo = [r for r in todo if not r.marker or r.marker.evaluate({"extra": ""})]
    while todo:
        req = todo.pop()
        name = req.name.lower().replace("_", "-")
        if name in seen:
            continue
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            continue  # platform-specific requirement not installed here
        seen[name] = dist
        for r in dist.requires or []:
            rr = Requirement(r)
            if rr.marker is None or rr.marker.evaluate({"extra": ""}):
                todo.append(rr)
    return seen


def test_default_install_has_no_gpl_or_noncommercial_dependency() -> None:
    closure = _closure("voice-sim")
    assert "livekit-agents" in closure and "faster-whisper" in closure
    assert "piper-tts" not in closure, "Piper (GPL-3.0) must stay in the opt-in extra"
    bad = {}
    for name, dist in closure.items():
        text = _licence(dist)
        if FORBIDDEN.search(LESSER.sub("", text)):
            bad[name] = text
    assert not bad, f"GPL or non-commercial licences in the default install: {bad}"
