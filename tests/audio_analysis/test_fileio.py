"""Atomic writes: a unique temp name per write, nothing half-written, nothing left behind."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from audio_analysis.fileio import write_json_atomic, write_text_atomic


def test_writes_json_and_creates_the_folder(tmp_path: Path) -> None:
    path = write_json_atomic(tmp_path / "a" / "b.json", {"x": 1, "name": "Zoë"})
    assert json.loads(path.read_text(encoding="utf-8")) == {"x": 1, "name": "Zoë"}
    assert path.read_text(encoding="utf-8").endswith("\n")
    assert [p.name for p in path.parent.iterdir()] == ["b.json"]


def test_the_temp_name_is_not_fixed(tmp_path: Path) -> None:
    # a fixed temp name (".meta.json.tmp") would collide with this leftover and fail
    (tmp_path / ".meta.json.tmp").mkdir()
    write_json_atomic(tmp_path / "meta.json", {"ok": True})
    assert json.loads((tmp_path / "meta.json").read_text(encoding="utf-8")) == {"ok": True}


def test_concurrent_writers_never_leave_half_a_file(tmp_path: Path) -> None:
    path = tmp_path / "meta.json"
    docs = [{"writer": i, "pad": "x" * 20_000} for i in range(8)]
    errors: list[BaseException] = []

    def write(doc: dict[str, object]) -> None:
        try:
            for _ in range(20):
                write_json_atomic(path, doc)
        except BaseException as exc:  # pragma: no cover - the failure being tested for
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(d,)) for d in docs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert json.loads(path.read_text(encoding="utf-8")) in docs
    assert [p.name for p in tmp_path.iterdir()] == ["meta.json"]


def test_a_failed_write_keeps_the_old_file_and_no_temp(tmp_path: Path) -> None:
    path = write_json_atomic(tmp_path / "analysis.json", {"v": 1})
    with pytest.raises(ValueError):
        write_json_atomic(path, {"v": float("nan")})  # NaN is not JSON
    with pytest.raises(TypeError):
        write_json_atomic(path, {"v": object()})
    assert json.loads(path.read_text(encoding="utf-8")) == {"v": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["analysis.json"]


def test_text(tmp_path: Path) -> None:
    path = write_text_atomic(tmp_path / "report.html", "<p>hi</p>")
    assert path.read_text(encoding="utf-8") == "<p>hi</p>\n"
