"""Large files under the read limits: each costs about a second at most, in time and in
memory that grow with its size alone, or is reported as too large to read.

The inputs here took from tens of seconds to many minutes before; the tests assert what is
found, never how long it takes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mllint_wa.evidence import Evidence
from mllint_wa.evidence import resources as rm
from mllint_wa.evidence.endpoints import variants
from mllint_wa.model import Location

# The resource model ---------------------------------------------------------------------------

STACK = "stacks/serving.json"
ENDPOINTS = 10_000


def many_endpoints(ev: Evidence) -> list[rm.Resource]:
    """An extractor: ENDPOINTS endpoints, each naming its own configuration, all in one file."""
    found = []
    for i in range(ENDPOINTS):
        where = Location(STACK, i + 1, 1)
        variant = {"variant_name": rm.known("AllTraffic", where)}
        found.append(
            rm.Resource(
                rm.ENDPOINT,
                f"Endpoint{i}",
                "test",
                where,
                {"endpoint_config": rm.known(f"Config{i}", where)},
            )
        )
        found.append(
            rm.Resource(
                rm.ENDPOINT_CONFIG,
                f"Config{i}",
                "test",
                where,
                {"variants": rm.known([variant], where)},
            )
        )
    return found


def test_each_of_thousands_of_endpoints_finds_its_configuration_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Resources are found by kind and name through one index, and the file they are
    # written in is searched once, not once for each endpoint.
    stack = tmp_path / STACK
    stack.parent.mkdir()
    stack.write_text(" " * (1024 * 1024) + "{}\n")
    monkeypatch.setattr(rm, "EXTRACTORS", {"test": f"{__name__}:many_endpoints"})
    found = variants(Evidence(tmp_path, (STACK,)))
    assert [(v.endpoint and v.endpoint.name, v.config and v.config.name) for v in found] == [
        (f"Endpoint{i}", f"Config{i}") for i in range(ENDPOINTS)
    ]
