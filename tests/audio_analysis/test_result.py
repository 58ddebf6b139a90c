"""``analysis.json``: real outputs validate against the shipped JSON Schema, every written field is
in the schema, ``from_dict`` reads back exactly what ``to_dict`` wrote, and documents the schema
refuses are refused by ``from_dict`` too, naming the field."""

# ruff: noqa: E501  (the table of broken documents reads better one per line)

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pytest

from audio_analysis import (
    AnalysisError,
    AnalysisSettings,
    CallAnalysis,
    analysis_schema,
    analyze,
    read_analysis,
    write_analysis,
)

from .conftest import SmallCall

SCHEMA = analysis_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


@pytest.fixture(scope="module")
def real_docs(small_call_analysis: CallAnalysis, small_call: SmallCall) -> list[dict[str, Any]]:
    """analysis.json of real audio: the stereo call, the same call as one channel, no STT."""
    mono = small_call.y[0] + small_call.y[1]
    no_stt = AnalysisSettings(transcribe=False)
    return [
        small_call_analysis.to_dict(),
        analyze(np.stack([mono, mono]), 16000, settings=no_stt).to_dict(),
        analyze(small_call.y[0], 16000, settings=no_stt).to_dict(),
    ]


def test_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_real_outputs_validate(real_docs: list[dict[str, Any]], tmp_path: Path) -> None:
    a = CallAnalysis.from_dict(real_docs[0])
    written = json.loads(write_analysis(a, tmp_path).read_text(encoding="utf-8"))
    for doc in [*real_docs, written]:  # ... and as written to disk
        assert [e.message for e in VALIDATOR.iter_errors(doc)] == []


def _paths(doc: Any, schema: dict[str, Any], at: str) -> Iterator[str]:
    """Paths of the keys in ``doc`` that ``schema`` does not name (``$ref`` and oneOf followed)."""
    if "$ref" in schema:
        schema = SCHEMA["$defs"][schema["$ref"].rsplit("/", 1)[1]]
    if "oneOf" in schema:
        schema = next(s for s in schema["oneOf"] if s.get("type") != "null")
    if isinstance(doc, dict) and "properties" in schema:
        for k, v in doc.items():
            if k not in schema["properties"]:
                yield f"{at}.{k}"
            else:
                yield from _paths(v, schema["properties"][k], f"{at}.{k}")
    elif isinstance(doc, list) and isinstance(schema.get("items"), dict):
        for v in doc[:3]:
            yield from _paths(v, schema["items"], f"{at}[]")


def test_every_written_field_is_in_the_schema(real_docs: list[dict[str, Any]]) -> None:
    for doc in real_docs:
        assert list(_paths(doc, SCHEMA, "analysis")) == []


def test_from_dict_reads_back_what_to_dict_wrote(real_docs: list[dict[str, Any]]) -> None:
    for doc in real_docs:
        assert CallAnalysis.from_dict(copy.deepcopy(doc)).to_dict() == doc


def test_read_analysis_from_file_and_folder(
    small_call_analysis: CallAnalysis, tmp_path: Path
) -> None:
    write_analysis(small_call_analysis, tmp_path)
    a = read_analysis(tmp_path)
    assert a.to_dict() == small_call_analysis.to_dict()
    assert read_analysis(tmp_path / "analysis.json").turns == a.turns


def test_minimal_document_is_read_with_empty_defaults() -> None:
    doc = {
        "schema_version": 1,
        "duration_s": 5.0,
        "turns": [{"speaker": "trainee", "start_s": 0.5, "end_s": 2.0, "text": "Hello there"}],
    }
    VALIDATOR.validate(doc)
    a = CallAnalysis.from_dict(doc)
    assert a.turns[0].words == 2 and a.turns[0].word_times == ()
    assert a.interruptions == () and a.series == {} and a.speakers["customer"] is None
    assert a.channels == {"trainee": 0, "customer": 1}


def test_a_document_from_before_silences_gets_them_from_its_speech(
    real_docs: list[dict[str, Any]],
) -> None:
    """Older writers listed any silence of both speakers as dead air and no ``silences``: the
    reader derives both with today's rule, from the speech segments or, without them, the turns."""
    new = real_docs[0]
    old = copy.deepcopy(new)
    del old["silences"]
    old["dead_air"] = [
        {"start_s": s["start_s"], "duration_s": s["duration_s"]} for s in new["silences"]
    ]
    assert len(old["dead_air"]) == 2  # the customer's silence to break, and the trainee's
    a = CallAnalysis.from_dict(old)
    assert a.to_dict()["silences"] == new["silences"]
    assert a.to_dict()["dead_air"] == new["dead_air"] and len(a.dead_air) == 1
    del old["speech"]
    b = CallAnalysis.from_dict(old)
    # turns (backchannels aside) have the same edges as the speech around a long silence
    assert [(s.from_speaker, s.to_speaker) for s in b.silences] == [
        (s["from"], s["to"]) for s in new["silences"]
    ]
    assert len(b.dead_air) == 1


def _broken() -> list[tuple[str, Any, str]]:
    """(what is wrong, how to break a valid document, the error from_dict must give)."""

    def set_(path: list[Any], value: Any) -> Any:
        def apply(d: dict[str, Any]) -> None:
            target = d
            for k in path[:-1]:
                target = target[k]
            if value is KeyError:
                del target[path[-1]]
            else:
                target[path[-1]] = value

        return apply

    return [
        ("no turns", set_(["turns"], KeyError), r"document: missing field 'turns'"),
        ("turn without end", set_(["turns", 1, "end_s"], KeyError), r"turns\[1\]: missing field 'end_s'"),
        ("unknown speaker", set_(["turns", 0, "speaker"], "agent"), r"turns\[0\]\.speaker: expected 'trainee' or 'customer', got 'agent'"),
        ("time as text", set_(["duration_s"], "12"), r"duration_s: expected a number, got '12'"),
        ("negative time", set_(["gaps", 0, "duration_s"], -0.5), r"gaps\[0\]\.duration_s: must be at least 0, got -0.5"),
        ("newer schema", set_(["schema_version"], 2), r"schema_version: 2 is newer than this version"),
        ("word times not a list", set_(["turns", 0, "word_times"], {}), r"turns\[0\]\.word_times: expected a list, got an object"),
        ("hop of zero", set_(["series", "trainee", "hop_s"], 0), r"series\.trainee\.hop_s: must be above 0"),
        ("words not a count", set_(["speakers", "trainee", "words"], 1.5), r"speakers\.trainee\.words: expected a whole number"),
        ("segment of three", set_(["speech", "trainee", 0], [1.0, 2.0, 3.0]), r"speech\.trainee\[0\]: expected \[start_s, end_s\]"),
        ("silence of nobody", set_(["silences", 0, "to"], "agent"), r"silences\[0\]\.to: expected 'trainee' or 'customer', got 'agent'"),
    ]  # fmt: skip


@pytest.mark.parametrize(("why", "breaks", "error"), _broken(), ids=[b[0] for b in _broken()])
def test_broken_documents_are_refused_by_schema_and_reader(
    real_docs: list[dict[str, Any]], why: str, breaks: Any, error: str
) -> None:
    doc = copy.deepcopy(real_docs[0])
    breaks(doc)
    assert not VALIDATOR.is_valid(doc), why
    with pytest.raises(AnalysisError, match=rf"^x/analysis\.json: {error}"):
        CallAnalysis.from_dict(doc, source="x/analysis.json")


def test_turn_ending_before_it_starts_is_refused(real_docs: list[dict[str, Any]]) -> None:
    # (order between fields is beyond JSON Schema: the reader alone checks it)
    doc = copy.deepcopy(real_docs[0])
    doc["turns"][2]["end_s"] = doc["turns"][2]["start_s"] - 1.0
    with pytest.raises(AnalysisError, match=r"turns\[2\]\.end_s: .* is before start_s"):
        CallAnalysis.from_dict(doc)


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (None, "file not found"),
        ("{", "invalid JSON at line 1"),
        ("[1]", "document: expected an object"),
    ],
)
def test_read_analysis_errors_name_the_file(
    tmp_path: Path, content: str | None, error: str
) -> None:
    path = tmp_path / "analysis.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(AnalysisError, match=rf"^{path}: {error}"):
        read_analysis(path)
