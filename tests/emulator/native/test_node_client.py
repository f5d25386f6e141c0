"""A real ConnectWise client from the npm registry, unchanged, under node, against the emulator over HTTPS.

connectwise-rest 1.3.0 (pinned in tests/clients/node/package-lock.json, installed there by `npm ci`, which the tests
run once when it is missing) hard-codes `https://{companyUrl}/v4_6_release/apis/3.0` and trusts the emulator's CA
through node's own `NODE_EXTRA_CA_CERTS`. `tests/clients/node/drive.js` calls its methods in the order a test gives
and prints what each returned (docs/tls.md#real-clients). Without node the tests are skipped, saying so; with
`CWMOCK_NODE_CLIENT=required` (CI sets it) a missing node fails them instead.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from cwmock.emulator.journal.ring import JournalEntry
from cwmock.emulator.model.tenants import DEFAULT_TENANTS
from cwmock.testing.plugin import CLIENT_ID, TlsLiveEmulator

TENANT = DEFAULT_TENANTS[0]
CLIENT_DIR = Path(__file__).resolve().parents[2] / "clients" / "node"
DRIVER = CLIENT_DIR / "drive.js"
INSTALL = f"npm ci --prefix {CLIENT_DIR}"
# A node run takes well under a second; the bound only keeps a hung client from hanging the suite.
NODE_TIMEOUT_SECONDS = 120


@pytest.fixture(scope="module")
def node() -> str:
    """The node executable with connectwise-rest installed beside the driver; a skip (or, when required, a failure)."""
    found = shutil.which("node")
    if found is None:
        reason = "node is not on PATH: the connectwise-rest tests need node >= 18 (and `" + INSTALL + "`)"
        if os.environ.get("CWMOCK_NODE_CLIENT") == "required":
            pytest.fail(reason + "; CWMOCK_NODE_CLIENT=required turns this skip into a failure")
        pytest.skip(reason)
    install_client()
    return found


def install_client() -> None:
    """Run `npm ci` beside the driver once (the pinned lock file; npm's registry only), so plain `tox` needs no step."""
    marker = CLIENT_DIR / "node_modules" / "connectwise-rest" / "package.json"
    npm = shutil.which("npm")
    if npm is None and not marker.is_file():
        pytest.fail(f"node is on PATH but npm is not: install npm, or run `{INSTALL}` with one")
    # xdist workers share the folder: one installs while the others wait on the lock.
    with (CLIENT_DIR / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.is_file():
            return
        assert npm is not None
        ran = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--prefix", str(CLIENT_DIR)],
            capture_output=True,
            text=True,
            timeout=NODE_TIMEOUT_SECONDS * 5,
            check=False,
        )
    assert ran.returncode == 0, f"`{INSTALL}` failed:\n{ran.stdout}\n{ran.stderr}"
    assert marker.is_file(), f"`{INSTALL}` did not install connectwise-rest:\n{ran.stdout}"


def drive(node: str, live: TlsLiveEmulator, steps: list[dict[str, Any]], *, trust: bool = True) -> list[Any]:
    """Run the client through `steps`; each outcome is `{"result": ...}` or `{"error": {status, data, message}}`."""
    env = {key: value for key, value in os.environ.items() if key != "NODE_EXTRA_CA_CERTS"}
    if trust:
        env["NODE_EXTRA_CA_CERTS"] = str(live.ca_file)
    document = {
        "site": f"127.0.0.1:{live.server.port}",
        "company": TENANT.company,
        "publicKey": TENANT.public_key,
        "privateKey": TENANT.private_key,
        "clientId": CLIENT_ID,
        "steps": steps,
    }
    ran = subprocess.run(
        [node, str(DRIVER)],
        input=json.dumps(document),
        capture_output=True,
        text=True,
        env=env,
        timeout=NODE_TIMEOUT_SECONDS,
        check=False,
    )
    assert ran.returncode == 0, f"the node client failed:\n{ran.stderr}"
    outcomes: list[Any] = json.loads(ran.stdout)
    assert len(outcomes) == len(steps)
    return outcomes


def result(outcome: dict[str, Any]) -> Any:
    """What a step returned; a failed step fails the test with the server's answer."""
    assert "result" in outcome, f"the client got an error: {outcome.get('error')}"
    return outcome["result"]


def native_entries(live: TlsLiveEmulator) -> list[JournalEntry]:
    """The journalled requests to the native API."""
    return [e for e in live.emulator.journal.entries() if "/apis/3.0/" in e.path]


def seed(live: TlsLiveEmulator) -> list[dict[str, Any]]:
    """20 contacts named Node (two pages of 10 exactly), at Earth-Trisolaris' site Earth, and 5 others."""
    store = live.emulator.store
    for n in range(5):
        store.create_contact(TENANT.company, {"firstName": f"Other{n}", "lastName": "Python", "company": {"id": 2}})
    return [
        store.create_contact(
            TENANT.company,
            {
                "firstName": f"N{n:02d}",
                "lastName": "Node",
                "company": {"id": 132},
                "site": {"id": 136},
                "types": [{"id": 11}],
                "communicationItems": [{"type": {"id": 1}, "value": f"n{n}@example.com", "defaultFlag": True}],
            },
        )
        for n in range(20)
    ]


def test_connectwise_rest_pages_a_condition_until_an_empty_page(node: str, cwmock_tls_live: TlsLiveEmulator) -> None:
    seeded = seed(cwmock_tls_live)
    condition = 'lastName = "Node" and company/id = 132'
    listing = {"paginate": "getCompanyContacts", "options": {"pageSize": 10}}
    outcomes = drive(
        node,
        cwmock_tls_live,
        [
            {**listing, "args": [{"conditions": condition, "orderBy": "firstName desc"}]},
            {"call": "getCompanyContactsCount", "args": [{"conditions": condition}]},
        ],
    )

    pulled = result(outcomes[0])
    assert [c["firstName"] for c in pulled] == [f"N{n:02d}" for n in reversed(range(20))]
    assert [c["id"] for c in pulled] == [r["id"] for r in reversed(seeded)]
    assert pulled[0]["company"]["name"] == "Earth-Trisolaris Organization"
    assert result(outcomes[1]) == {"count": 20}
    pages = [e for e in native_entries(cwmock_tls_live) if e.path.endswith("/company/contacts")]
    queries = [parse_qs(e.query) for e in pages]
    # It pages by `page` until a page is short: 20 records fill two pages, so it reads an empty third.
    assert [(q["page"], q["pageSize"], e.returned, e.status) for q, e in zip(queries, pages, strict=True)] == [
        (["1"], ["10"], 10, 200),
        (["2"], ["10"], 10, 200),
        (["3"], ["10"], 0, 200),
    ]
    assert all(q["conditions"] == [condition] and q["orderBy"] == ["firstName desc"] for q in queries)


def test_connectwise_rest_gets_creates_and_patches(node: str, cwmock_tls_live: TlsLiveEmulator) -> None:
    seeded = seed(cwmock_tls_live)
    new = {
        "firstName": "Created",
        "lastName": "ByNode",
        "company": {"id": 310},
        "communicationItems": [{"type": {"id": 2}, "value": "+1 555 0199", "extension": "12"}],
    }
    store = cwmock_tls_live.emulator.store
    next_id = max(r["id"] for r in seeded) + 1
    patch = [
        {"op": "replace", "path": "title", "value": "CTO"},
        {"op": "replace", "path": "company", "value": {"identifier": "Initech"}},
    ]
    outcomes = drive(
        node,
        cwmock_tls_live,
        [
            {"call": "getCompanyContactsById", "args": [seeded[7]["id"]]},
            {"call": "postCompanyContacts", "args": [new]},
            {"call": "patchCompanyContactsById", "args": [next_id, patch]},
            {"call": "getCompanyContactsById", "args": [next_id + 1]},
            {"call": "patchCompanyContactsById", "args": [next_id, [{"op": "replace", "path": "firstName"}]]},
        ],
    )

    one = result(outcomes[0])
    assert (one["id"], one["firstName"], one["site"]["name"]) == (seeded[7]["id"], "N07", "Earth")
    assert one["communicationItems"][0]["value"] == "n7@example.com"
    assert one["_info"]["lastUpdated"] == "2026-01-01T00:00:00Z"
    created = result(outcomes[1])
    assert (created["id"], created["company"]["name"]) == (next_id, "Globex Corporation")
    assert created["communicationItems"][0]["type"]["name"] == "Direct"
    patched = result(outcomes[2])
    assert (patched["title"], patched["company"]["name"], patched["firstName"]) == ("CTO", "Initech", "Created")
    stored = store.get_contact(TENANT.company, next_id)
    assert (stored["title"], stored["company"]["id"]) == ("CTO", 420)
    missing = outcomes[3]["error"]
    assert (missing["status"], missing["data"]["code"], missing["data"]["errors"]) == (404, "NotFound", None)
    refused = outcomes[4]["error"]
    assert (refused["status"], refused["data"]["code"]) == (400, "InvalidObject")
    statuses = [(e.method, e.status) for e in native_entries(cwmock_tls_live)]
    assert statuses == [("GET", 200), ("POST", 201), ("PATCH", 200), ("GET", 404), ("PATCH", 400)]
    sent = cwmock_tls_live.emulator.journal.entries()[0]
    assert sent.path == f"/v4_6_release/apis/3.0/company/contacts/{seeded[7]['id']}"


def test_connectwise_rest_reads_what_the_contact_links_to(node: str, cwmock_tls_live: TlsLiveEmulator) -> None:
    contact = seed(cwmock_tls_live)[3]
    outcomes = drive(node, cwmock_tls_live, [{"call": "getCompanyContactsById", "args": [contact["id"]]}])
    wire = result(outcomes[0])
    company_id, site_id, type_id = wire["company"]["id"], wire["site"]["id"], wire["types"][0]["id"]
    assert wire["_info"]["communications_href"].endswith(f"apis/3.0//company/contacts/{contact['id']}/communications")
    assert wire["company"]["_info"]["company_href"].endswith(f"apis/3.0//company/companies/{company_id}")
    assert wire["site"]["_info"]["site_href"].endswith(f"/company/companies/{company_id}/sites/{site_id}")
    assert wire["types"][0]["_info"]["type_href"].endswith(f"/company/contacts/types/{type_id}")

    outcomes = drive(
        node,
        cwmock_tls_live,
        [
            {"call": "getCompanyContactsByParentIdCommunications", "args": [contact["id"]]},
            {"call": "getCompanyCompaniesById", "args": [company_id]},
            {"call": "getCompanyCompaniesByParentIdSitesById", "args": [site_id, company_id]},
            {"call": "getCompanyContactsTypesById", "args": [type_id]},
        ],
    )

    communications, company, site, contact_type = (result(o) for o in outcomes)
    assert [(c["contactId"], c["value"], c["type"]["name"]) for c in communications] == [
        (contact["id"], "n3@example.com", "Email")
    ]
    assert (company["identifier"], company["name"]) == ("EarthTrisolarisOrganization", "Earth-Trisolaris Organization")
    assert (site["id"], site["name"], site["company"]["id"]) == (136, "Earth", 132)
    assert (wire["company"]["_info"]["mobileGuid"], wire["site"]["_info"]["mobileGuid"]) == (
        company["mobileGuid"],
        site["mobileGuid"],
    ), "a reference's _info carries the referenced record's mobileGuid, as the captured contact's do"
    assert contact_type["description"] == "No Longer Employed"
    assert all(e.status == 200 for e in native_entries(cwmock_tls_live))


def test_connectwise_rest_refuses_the_emulator_without_its_ca(node: str, cwmock_tls_live: TlsLiveEmulator) -> None:
    outcomes = drive(node, cwmock_tls_live, [{"call": "getCompanyContacts", "args": [{}]}], trust=False)

    refused = outcomes[0]["error"]
    assert "status" not in refused, "no HTTP answer: the client refused the handshake"
    assert "certificate" in refused["message"], refused
    assert native_entries(cwmock_tls_live) == [], "no request got through the TLS handshake"
