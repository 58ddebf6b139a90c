"""gauntlet.json: what run_gauntlet writes reads back whole; a bad file names the field."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from personas import GauntletCall
from voice_sim.commands._inputs import expand_inputs
from voice_sim.errors import VoiceSimError
from voice_sim.gauntlet import GauntletEntry, read_gauntlet_file, run_gauntlet
from voice_sim.session import CallResult, CallSpec

PLAN = [GauntletCall("angry-billing", 3), GauntletCall("abusive-caller", 7)]


async def _call(spec: CallSpec, i: int) -> CallResult:
    # no engines: the file's round trip is what is under test
    return CallResult(spec.out_dir, "hangup", 30.0 + i, turns_answered=2, final_intensity=4 + i)


def test_the_file_run_gauntlet_writes_is_read_back_whole(tmp_path: Path) -> None:
    asyncio.run(run_gauntlet(tmp_path, PLAN, CallSpec(out_dir=tmp_path), _call, break_s=0.0))
    doc = read_gauntlet_file(tmp_path)
    assert doc.calls == (
        GauntletEntry("01-angry-billing", "angry-billing", 3, 4, "hangup", 30.0),
        GauntletEntry("02-abusive-caller", "abusive-caller", 7, 5, "hangup", 31.0),
    )
    assert doc.planned == 2 and doc.break_s == 0.0
    assert expand_inputs([tmp_path]) == [
        tmp_path / "01-angry-billing",
        tmp_path / "02-abusive-caller",
    ]


def test_calls_listed_by_name_alone_are_read(tmp_path: Path) -> None:
    (tmp_path / "gauntlet.json").write_text(json.dumps({"calls": ["01-a", {"name": "02-b"}]}))
    assert read_gauntlet_file(tmp_path).folders(tmp_path) == [tmp_path / "01-a", tmp_path / "02-b"]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('{"calls": ["01-a", "../../etc"]}', "calls[1]"),
        ('{"calls": [{"persona": "x"}]}', "calls[0]"),
        ('{"calls": "01-a"}', "calls"),
        ("[1, 2", "unreadable gauntlet file"),
    ],
)
def test_a_bad_file_is_one_error_naming_the_file_and_field(
    tmp_path: Path, text: str, field: str
) -> None:
    (tmp_path / "gauntlet.json").write_text(text)
    with pytest.raises(VoiceSimError) as err:
        read_gauntlet_file(tmp_path)
    assert str(err.value).startswith(f"{tmp_path / 'gauntlet.json'}: {field}")
