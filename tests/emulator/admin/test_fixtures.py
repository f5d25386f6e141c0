"""Issue 19, breakage 11: `POST /__admin/tenants/T/seed {"fixture": "/any/path.json"}` read any JSON file on the
host, and its errors told whether a file existed. Fixtures now come from the package's tree, or from the one
directory the user named when starting the emulator (`--fixtures-dir`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cwmock.emulator.config import EmulatorConfig
from cwmock.emulator.model.contact_sets import load_contact_bodies

from support.in_process import client_of, whole_emulator

pytestmark = pytest.mark.anyio
CONTACTS = json.dumps({"contacts": [{"firstName": "Host"}]})


async def seed(fixture: str, config: EmulatorConfig | None = None) -> tuple[int, str]:
    async with client_of(whole_emulator(config)) as client:
        response = await client.post("/__admin/tenants/cwmock/seed", json={"fixture": fixture})
        return response.status_code, response.text


async def test_a_file_elsewhere_on_the_host_is_never_read_and_its_existence_never_told(tmp_path: Path) -> None:
    real = tmp_path / "contacts.json"
    real.write_text(CONTACTS)
    answers = {}
    for name in (str(real), str(tmp_path / "missing.json"), f"../../../../../../..{real}", "/etc/hostname"):
        status, text = await seed(name)
        assert status == 400, text
        answers[name] = text.replace(json.dumps(name)[1:-1], "NAME")
    assert len(set(answers.values())) == 1, f"the answers differ, so they tell which files exist: {answers}"


@pytest.mark.parametrize(
    "name", ["contacts/../reference_data.json", "./contacts/sample.json", "contacts\\sample.json", "", "contacts/"]
)
async def test_names_that_leave_or_bend_the_tree_are_refused(name: str) -> None:
    assert (await seed(name))[0] == 400


async def test_the_packaged_sample_still_seeds() -> None:
    status, text = await seed("contacts/sample.json")
    assert status == 201, text
    assert len(json.loads(text)["ids"]) == 12


async def test_a_directory_named_on_the_command_line_is_read(tmp_path: Path) -> None:
    (tmp_path / "team").mkdir()
    (tmp_path / "team" / "mine.json").write_text(CONTACTS)
    outside = tmp_path.parent / f"{tmp_path.name}-outside.json"
    outside.write_text(CONTACTS)
    (tmp_path / "link.json").symlink_to(outside)
    config = EmulatorConfig(fixtures_dir=tmp_path)
    assert (await seed("team/mine.json", config))[0] == 201
    assert (await seed("contacts/sample.json", config))[0] == 201, "the package's fixtures stay available"
    assert (await seed("link.json", config))[0] == 400, "a link out of the directory is not followed"
    assert (await seed(f"../{outside.name}", config))[0] == 400


def test_a_fixture_too_deep_to_read_is_refused(tmp_path: Path) -> None:
    (tmp_path / "deep.json").write_text('{"contacts": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(ValueError, match="nested"):
        load_contact_bodies("deep.json", tmp_path)


def test_the_emulator_command_takes_the_directory(tmp_path: Path) -> None:
    from cwmock.cli.commands import build_parser

    for command in ("emulator", "up"):
        assert build_parser().parse_args([command, "--fixtures-dir", str(tmp_path)]).fixtures_dir == tmp_path
