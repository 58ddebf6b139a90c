"""The package's public names load on first use, and the library alone loads no director."""

from __future__ import annotations

import json
import subprocess
import sys

import personas


def test_every_public_name_resolves_to_its_home_module() -> None:
    from personas import director, library, runtime

    assert set(personas.__all__) == set(personas._HOMES)
    for name in personas.__all__:
        assert getattr(personas, name) is not None
    assert personas.Director is director.Director
    assert personas.get_persona is library.get_persona
    assert personas.make_customer is runtime.make_customer


def test_listing_the_library_loads_neither_director_nor_llm_client() -> None:
    code = (
        "import json, sys, personas\n"
        "ids = [p.id for p in personas.list_personas()]\n"
        "print(json.dumps({'ids': ids, 'modules': sorted(sys.modules)}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    got = json.loads(out.stdout)
    assert "angry-billing" in got["ids"]
    assert not {"personas.director", "personas.phrases", "personas.llm"} & set(got["modules"])
