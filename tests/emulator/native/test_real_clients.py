"""Three real ConnectWise client libraries from PyPI, unchanged, against the served emulator (docs/tls.md#real-clients).

pyconnectwise 0.6.1.2 (over HTTPS: it hard-codes `https://`), connectpyse 0.8.1 and connectwisemanageapi 0.3.9.
Each test asserts on the data the client hands back, and on what it sent as the emulator journalled it.
"""

from __future__ import annotations

import importlib
import os
import sys
import warnings
from datetime import datetime, timedelta, timezone
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs

import pytest

from cwmock.emulator.journal.ring import JournalEntry
from cwmock.emulator.model.errors import NotFound
from cwmock.emulator.model.tenants import DEFAULT_TENANTS
from cwmock.emulator.native.auth import basic_authorization
from cwmock.testing.plugin import CLIENT_ID, LiveEmulator, TlsLiveEmulator

TENANT = DEFAULT_TENANTS[0]
SINCE = datetime(2025, 1, 1, tzinfo=timezone.utc)
COMPANIES = {2: "cwmock Test Double Co.", 132: "Earth-Trisolaris Organization", 250: "Acme Corporation",
             310: "Globex Corporation", 420: "Initech"}  # fmt: skip


def import_client(module: str, distribution: str, *eager: str) -> Any:
    """Import a client library (and its `eager` submodules), or skip with the reason.

    Under tox a missing client is a failure, not a skip. pyconnectwise's pydantic models emit deprecation warnings
    when their module is imported; those are the library's business, so they are silenced for the import only.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            imported: ModuleType = importlib.import_module(module)
            for submodule in eager:
                importlib.import_module(submodule)
    except ImportError as exc:
        known_gap = distribution == "pyconnectwise" and sys.version_info < (3, 11)
        if os.environ.get("TOX_ENV_NAME") and not known_gap:
            raise AssertionError(f"{distribution} must be installed for tox runs (the `test` extra): {exc}") from exc
        hint = " (it imports datetime.UTC, new in Python 3.11)" if known_gap else "; install cwmock[test]"
        pytest.skip(f"{distribution} cannot be imported{hint}: {exc}")
    return imported


def query_of(entry: JournalEntry) -> dict[str, list[str]]:
    """The journalled request's query parameters."""
    return parse_qs(entry.query)


def api_entries(live: LiveEmulator, suffix: str) -> list[JournalEntry]:
    """Journalled requests to the native API whose path ends with `suffix`."""
    return [e for e in live.emulator.journal.entries() if e.path.endswith(suffix)]


# -- pyconnectwise 0.6.1.2, over TLS -----------------------------------------------------------------

# Modules pyconnectwise imports on first use of `client.company`; imported up front so their warnings are contained.
PYCONNECTWISE_LAZY_MODULES = ("pyconnectwise.models.manage", "pyconnectwise.endpoints.manage.CompanyEndpoint")


def seed_for_pyconnectwise(live: LiveEmulator) -> list[dict[str, Any]]:
    """8 contacts updated before SINCE, 1 exactly at SINCE (which `>` excludes), then the 25 returned, after it."""
    store = live.emulator.store
    for n in range(8):
        store.create_contact(TENANT.company, {"firstName": f"Old{n}", "company": {"id": 250}},
                             stamp=SINCE - timedelta(days=1, minutes=n))  # fmt: skip
    store.create_contact(TENANT.company, {"firstName": "AtTheBound", "company": {"id": 2}}, stamp=SINCE)
    fresh = []
    for n in range(25):
        company = sorted(COMPANIES)[n % len(COMPANIES)]
        body = {
            "firstName": f"Fresh{n:02d}",
            "lastName": "Client",
            "company": {"id": company},
            "communicationItems": [{"type": {"id": 1}, "value": f"fresh{n}@example.com", "defaultFlag": True}],
        }
        fresh.append(store.create_contact(TENANT.company, body, stamp=SINCE + timedelta(minutes=n + 1)))
    return fresh


@pytest.fixture
def pyconnectwise_client(cwmock_tls_live: TlsLiveEmulator, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A `ConnectWiseManageAPIClient` on the HTTPS emulator, trusting its CA through `REQUESTS_CA_BUNDLE`."""
    pyconnectwise = import_client("pyconnectwise", "pyconnectwise", *PYCONNECTWISE_LAZY_MODULES)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cwmock_tls_live.ca_file))
    cwmock_tls_live.emulator.journal.clear()
    manage_url = f"127.0.0.1:{cwmock_tls_live.server.port}"
    return pyconnectwise.ConnectWiseManageAPIClient(
        TENANT.company, manage_url, CLIENT_ID, TENANT.public_key, TENANT.private_key
    )


def test_pyconnectwise_reads_the_codebase_from_companyinfo_first(
    pyconnectwise_client: Any, cwmock_tls_live: TlsLiveEmulator
) -> None:
    assert pyconnectwise_client.codebase == "v4_6_release/"
    first = cwmock_tls_live.emulator.journal.entries()[0]
    assert (first.method, first.path, first.status) == ("GET", "/login/companyinfo/cwmock", 200)
    assert pyconnectwise_client._get_url() == f"{cwmock_tls_live.url}/v4_6_release/apis/3.0"


def test_pyconnectwise_pages_through_a_lastupdated_condition_and_counts_and_gets(
    pyconnectwise_client: Any, cwmock_tls_live: TlsLiveEmulator
) -> None:
    fresh = seed_for_pyconnectwise(cwmock_tls_live)
    condition = "lastUpdated > [2025-01-01T00:00:00Z]"
    contacts = pyconnectwise_client.company.contacts
    pulled = list(contacts.paginated(1, 10, {"conditions": condition}).all())

    assert [c.id for c in pulled] == [r["id"] for r in fresh]
    assert [c.first_name for c in pulled] == [f"Fresh{n:02d}" for n in range(25)]
    assert [c.company.name for c in pulled] == [COMPANIES[r["company"]["id"]] for r in fresh]
    assert pulled[0].info["lastUpdated"] == "2025-01-01T00:01:00Z"
    assert pulled[-1].communication_items[0].value == "fresh24@example.com"
    pages = api_entries(cwmock_tls_live, "/company/contacts")
    assert [query_of(e)["page"] for e in pages] == [["1"], ["2"], ["3"]], "it must follow the Link header to page 3"
    assert [e.returned for e in pages] == [10, 10, 5]
    assert all(query_of(e)["conditions"] == [condition] for e in pages)

    assert contacts.count.get(params={"conditions": condition}).count == 25
    assert contacts.count.get().count == 34

    one = contacts.id(fresh[7]["id"]).get()
    assert (one.id, one.first_name, one.last_name) == (fresh[7]["id"], "Fresh07", "Client")
    assert one.company.id == fresh[7]["company"]["id"]
    assert one.communication_items[0].type.name == "Email"
    assert one.info["communications_href"].startswith("https://127.0.0.1:")


def test_pyconnectwise_refuses_the_emulator_without_its_ca(
    cwmock_tls_live: TlsLiveEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    pyconnectwise = import_client("pyconnectwise", "pyconnectwise", *PYCONNECTWISE_LAZY_MODULES)
    requests = import_client("requests", "requests")
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    with pytest.raises(requests.exceptions.SSLError):
        pyconnectwise.ConnectWiseManageAPIClient(
            TENANT.company, f"127.0.0.1:{cwmock_tls_live.server.port}", CLIENT_ID, TENANT.public_key, TENANT.private_key
        )


# -- connectpyse 0.8.1 -------------------------------------------------------------------------------


@pytest.fixture
def contacts_api(cwmock_live: LiveEmulator) -> Any:
    """connectpyse's `ContactsAPI` on the emulator, authenticated as tenant `cwmock`."""
    contacts_module = import_client("connectpyse.company.contacts_api", "connectpyse")
    cwmock_live.emulator.journal.clear()
    auth = {
        "Authorization": basic_authorization(TENANT.company, TENANT.public_key, TENANT.private_key),
        "clientId": CLIENT_ID,
    }
    return contacts_module.ContactsAPI(url=cwmock_live.api_url, auth=auth)


def test_connectpyse_lists_with_the_trailing_slash_counts_and_gets(
    contacts_api: Any, cwmock_live: LiveEmulator
) -> None:
    store = cwmock_live.emulator.store
    store.create_contact(TENANT.company, {"firstName": "Other", "lastName": "Person", "company": {"id": 2}})
    seeded = [
        store.create_contact(TENANT.company, {"firstName": f"Py{n}", "lastName": "Pyse", "company": {"id": 310}})
        for n in range(6)
    ]
    contacts_api.conditions = 'lastName = "Pyse" and company/id = 310'
    contacts_api.pageSize = 4

    listed = list(contacts_api.get_contacts())
    assert [c.id for c in listed] == [r["id"] for r in seeded[:4]]
    assert [c.firstName for c in listed] == ["Py0", "Py1", "Py2", "Py3"]
    assert listed[0].company["name"] == "Globex Corporation"
    assert contacts_api.get_contacts_count() == 6
    fetched = contacts_api.get_contact_by_id(seeded[5]["id"])
    assert (fetched.firstName, fetched.lastName) == ("Py5", "Pyse")
    assert fetched._info["lastUpdated"] == "2026-01-01T00:00:00Z"

    listing = api_entries(cwmock_live, "/company/contacts/")
    assert len(listing) == 1, "connectpyse lists at company/contacts/ with the trailing slash"
    assert "recordId" in query_of(listing[0]), "its junk parameters are sent, and ignored"
    assert [e.status for e in cwmock_live.emulator.journal.entries()] == [200, 200, 200]


def test_connectpyse_creates_patches_and_deletes(contacts_api: Any, cwmock_live: LiveEmulator) -> None:
    contact_module = import_client("connectpyse.company.contact", "connectpyse")
    restapi = import_client("connectpyse.restapi", "connectpyse")
    store = cwmock_live.emulator.store
    new = contact_module.Contact(
        {"firstName": "Created", "lastName": "ByPyse", "company": {"id": 132}, "site": {"id": 137}}
    )

    created = contacts_api.create_contact(new)
    assert created.firstName == "Created"
    assert created.site == {"id": 137, "name": "Trisolaris", "_info": created.site["_info"]}
    assert store.get_contact(TENANT.company, created.id)["company"]["name"] == "Earth-Trisolaris Organization"

    patched = contacts_api.update_contact(created.id, "title", "CTO")
    assert (patched.id, patched.title, patched.firstName) == (created.id, "CTO", "Created")
    patched = contacts_api.update_contact_multiple_keys(created.id, {"firstName": "Renamed", "city": "Oslo"})
    assert (patched.firstName, patched.city, patched.title) == ("Renamed", "Oslo", "CTO")
    stored = store.get_contact(TENANT.company, created.id)
    assert (stored["firstName"], stored["city"], stored["title"]) == ("Renamed", "Oslo", "CTO")

    assert contacts_api.delete_contact_by_id(created.id) is None
    with pytest.raises(NotFound):
        store.get_contact(TENANT.company, created.id)
    with pytest.raises(restapi.ApiError, match="404"):
        contacts_api.get_contact_by_id(created.id)
    statuses = [(e.method, e.status) for e in cwmock_live.emulator.journal.entries()]
    assert statuses == [("POST", 201), ("PATCH", 200), ("PATCH", 200), ("DELETE", 204), ("GET", 404)]


# -- connectwisemanageapi 0.3.9 ----------------------------------------------------------------------

PULLED = 1501  # more than one page of 1000: the client must ask for page 2 and stop at the short page


def seed_for_connectwisemanageapi(live: LiveEmulator) -> list[dict[str, Any]]:
    """PULLED contacts across every company (most with a phone item before an email item), then 7 to exclude."""
    store = live.emulator.store
    companies = sorted(COMPANIES)
    seeded = []
    for n in range(PULLED):
        body: dict[str, Any] = {"firstName": f"Bulk{n}", "lastName": "Member", "company": {"id": companies[n % 5]}}
        if n % 10:
            # The phone comes first: the client reads its `type.name` before it reaches the email.
            body["communicationItems"] = [
                {"type": {"id": 2}, "value": f"+1 555 01{n:04d}"},
                {"type": {"id": 1}, "value": f"bulk{n}@example.com", "defaultFlag": True},
            ]
        seeded.append(store.create_contact(TENANT.company, body))
    for n in range(7):
        store.create_contact(TENANT.company, {"firstName": f"Skip{n}", "lastName": "Excluded", "company": {"id": 2}})
    return seeded


def test_connectwisemanageapi_pulls_more_than_a_thousand_contacts(cwmock_live: LiveEmulator) -> None:
    cw = import_client("ConnectWiseManageAPI", "connectwisemanageapi")
    seeded = seed_for_connectwisemanageapi(cwmock_live)
    cwmock_live.emulator.journal.clear()
    header = cw.connectCWManage(TENANT.company, TENANT.public_key, TENANT.private_key, CLIENT_ID)
    assert "ClientID" in header
    parameters = {"pageSize": 1000, "page": 1, "conditions": "lastName != 'Excluded' and inactiveFlag = false"}

    pulled = cw.pullCWContacts(header, cwmock_live.api_url + "/", parameters)

    assert len(pulled) == PULLED
    assert [c["ID"] for c in pulled] == [r["id"] for r in seeded]
    assert [(c["ClientID"], c["Client"]) for c in pulled] == [
        (r["company"]["id"], COMPANIES[r["company"]["id"]]) for r in seeded
    ]
    assert pulled[1]["Email"] == "bulk1@example.com"
    assert all(c["Email"] == f"bulk{n}@example.com" for n, c in enumerate(pulled) if n % 10)
    assert all(c["Email"] == "" for n, c in enumerate(pulled) if n % 10 == 0), "no communicationItems at all"
    assert {c["Status"] for c in pulled} == {False}
    assert {c["FirstName"] for c in pulled[:3]} == {"Bulk0", "Bulk1", "Bulk2"}
    pages = api_entries(cwmock_live, "/company/contacts")
    assert [(query_of(e)["page"], query_of(e)["pageSize"], e.returned) for e in pages] == [
        (["1"], ["1000"], 1000),
        (["2"], ["1000"], 501),
    ]


def test_connectwisemanageapi_patches_custom_fields(cwmock_live: LiveEmulator) -> None:
    cw = import_client("ConnectWiseManageAPI", "connectwisemanageapi")
    contact = cwmock_live.emulator.store.create_contact(TENANT.company, {"firstName": "Custom", "company": {"id": 420}})
    header = cw.connectCWManage(TENANT.company, TENANT.public_key, TENANT.private_key, CLIENT_ID)

    updated = cw.updateCWContact(header, cwmock_live.api_url + "/", contact["id"], True)

    assert updated["id"] == contact["id"]
    assert [(f["id"], f["caption"], f["value"]) for f in updated["customFields"]] == [(50, "Brukersupport", True)]
    stored = cwmock_live.emulator.store.get_contact(TENANT.company, contact["id"])
    assert stored["customFields"][0]["value"] is True
