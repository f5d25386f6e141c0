"""The native ConnectWise API in-process: CRUD, shapes, paging, auth, time on the wire, bad input."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from cwmock.core.clock import ManualClock
from cwmock.emulator.app import Emulator
from cwmock.testing.plugin import native_headers

pytestmark = pytest.mark.anyio

API = "/v4_6_release/apis/3.0"
CONTACTS = f"{API}/company/contacts"
MIKE = {
    "firstName": "Mike",
    "lastName": "Evans",
    "company": {"id": 132},
    "site": {"id": 136},
    "types": [{"id": 11}],
}


async def create(client: httpx.AsyncClient, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = await client.post(CONTACTS, json=body or MIKE)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_post_returns_201_with_the_reference_wire_shape(cwmock_client: httpx.AsyncClient) -> None:
    contact = await create(cwmock_client)
    assert contact["id"] == 1
    assert contact["company"] == {
        "id": 132,
        "identifier": "EarthTrisolarisOrganization",
        "name": "Earth-Trisolaris Organization",
        "_info": {
            "company_href": "http://cwmock.test/v4_6_release/apis/3.0//company/companies/132",
            "mobileGuid": "00000000-0000-4000-8000-000000000132",
        },
    }
    assert contact["site"]["id"] == 136
    assert contact["site"]["name"] == "Earth"
    assert contact["types"] == [
        {
            "id": 11,
            "name": "No Longer Employed",
            "_info": {"type_href": "http://cwmock.test/v4_6_release/apis/3.0//company/contacts/types/11"},
        }
    ]
    assert contact["inactiveFlag"] is False
    info = contact["_info"]
    assert info["lastUpdated"] == "2026-01-01T00:00:00Z"
    assert all(isinstance(v, str) for v in info.values()), "_info must be a map of strings only"
    assert info["communications_href"] == "http://cwmock.test/v4_6_release/apis/3.0//company/contacts/1/communications"
    assert "dateEntered" not in info, "contacts' _info carries no dateEntered"
    assert next(iter(contact)) == "id"
    assert list(contact)[-1] == "_info"


async def test_null_and_empty_fields_are_omitted(cwmock_client: httpx.AsyncClient) -> None:
    body: dict[str, Any] = {"firstName": "Ann", "lastName": None, "title": "", "integratorTags": [], "city": "Oslo"}
    contact = await create(cwmock_client, body)
    assert "lastName" not in contact
    assert "title" not in contact
    assert "integratorTags" not in contact
    assert contact["city"] == "Oslo"
    assert None not in contact.values()


async def test_get_put_patch_delete_round_trip(cwmock_client: httpx.AsyncClient, cwmock_clock: ManualClock) -> None:
    contact = await create(cwmock_client)
    url = f"{CONTACTS}/{contact['id']}"
    assert (await cwmock_client.get(url)).json() == contact

    await cwmock_clock.advance(5)
    replaced = await cwmock_client.put(url, json={"firstName": "Michael"})
    assert replaced.status_code == 200
    assert "lastName" not in replaced.json(), "PUT is a full replace: omitted fields reset"
    assert "company" not in replaced.json()
    assert replaced.json()["_info"]["lastUpdated"] == "2026-01-01T00:00:05Z"

    patched = await cwmock_client.patch(url, json=[{"op": "replace", "path": "/lastName", "value": "E"}])
    assert patched.status_code == 200
    assert (patched.json()["firstName"], patched.json()["lastName"]) == ("Michael", "E")

    deleted = await cwmock_client.delete(url)
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert (await cwmock_client.get(url)).status_code == 404


async def test_collection_with_and_without_trailing_slash_answers_directly(
    cwmock_client: httpx.AsyncClient,
) -> None:
    created = await cwmock_client.post(f"{CONTACTS}/", json={"firstName": "Slash"})
    assert created.status_code == 201
    for path in (CONTACTS, f"{CONTACTS}/"):
        listed = await cwmock_client.get(path)
        assert listed.status_code == 200, "no redirect"
        assert [c["firstName"] for c in listed.json()] == ["Slash"]


async def test_count(cwmock_client: httpx.AsyncClient) -> None:
    for _ in range(3):
        await create(cwmock_client)
    response = await cwmock_client.get(f"{CONTACTS}/count")
    assert response.json() == {"count": 3}


async def test_companies_are_discoverable(cwmock_client: httpx.AsyncClient) -> None:
    companies = (await cwmock_client.get(f"{API}/company/companies", params={"pageSize": 100})).json()
    assert {c["id"] for c in companies} >= {2, 132, 250}
    one = await cwmock_client.get(f"{API}/company/companies/132")
    assert one.json()["identifier"] == "EarthTrisolarisOrganization"
    assert (await cwmock_client.get(f"{API}/company/companies/9999")).status_code == 404


async def test_company_info_at_the_host_root_and_system_info(cwmock_client: httpx.AsyncClient) -> None:
    info = (await cwmock_client.get("/login/companyinfo/CwMock")).json()
    assert info["Codebase"] == "v4_6_release/"
    assert info["CompanyID"] == "cwmock"
    unknown = await cwmock_client.get("/login/companyinfo/nobody")
    assert (unknown.status_code, unknown.text) == (200, "null")
    system = (await cwmock_client.get(f"{API}/system/info")).json()
    assert set(system) >= {"version", "isCloud", "serverTimeZone"}


LINK = re.compile(r"<([^>]*)>; rel=\"(\w+)\"")


def links(response: httpx.Response) -> dict[str, str]:
    return {rel: url for url, rel in LINK.findall(response.headers["link"])}


async def test_paging_link_header_repeats_the_query_and_ends_in_page(
    cwmock_client: httpx.AsyncClient,
) -> None:
    for _ in range(7):
        await create(cwmock_client, {"firstName": "p"})
    response = await cwmock_client.get(CONTACTS, params={"pageSize": 3, "page": 2, "junk": "x"})
    assert [c["id"] for c in response.json()] == [4, 5, 6]
    found = links(response)
    base = "http://cwmock.test/v4_6_release/apis/3.0/company/contacts"
    assert found == {
        "first": f"{base}?pageSize=3&junk=x&page=1",
        "prev": f"{base}?pageSize=3&junk=x&page=1",
        "next": f"{base}?pageSize=3&junk=x&page=3",
        "last": f"{base}?pageSize=3&junk=x&page=3",
    }
    pyconnectwise = re.findall(r"page=(\d+)>; rel=\"(.*?)\"", response.headers["link"])
    assert dict((rel, int(n)) for n, rel in pyconnectwise) == {"first": 1, "prev": 1, "next": 3, "last": 3}


async def test_first_and_last_pages_link_as_the_developer_guide_shows(cwmock_client: httpx.AsyncClient) -> None:
    for _ in range(4):
        await create(cwmock_client, {"firstName": "p"})
    first = await cwmock_client.get(CONTACTS, params={"pageSize": 2})
    assert [rel for _, rel in LINK.findall(first.headers["link"])] == ["next", "last"], "the guide's page-1 example"
    last = await cwmock_client.get(CONTACTS, params={"pageSize": 2, "page": 2})
    assert [rel for _, rel in LINK.findall(last.headers["link"])] == ["first", "prev", "last"], "no next at the end"
    only = await cwmock_client.get(CONTACTS, params={"pageSize": 10})
    assert [rel for _, rel in LINK.findall(only.headers["link"])] == ["last"], "one page: no next, no prev"


async def test_pages_past_the_end_are_empty_and_default_size_is_25(cwmock_client: httpx.AsyncClient) -> None:
    for _ in range(30):
        await create(cwmock_client, {"firstName": "p"})
    assert len((await cwmock_client.get(CONTACTS)).json()) == 25
    beyond = await cwmock_client.get(CONTACTS, params={"page": 9})
    assert (beyond.status_code, beyond.json()) == (200, [])


async def test_page_size_over_1000_is_capped(cwmock_client: httpx.AsyncClient, cwmock_emulator: Emulator) -> None:
    for _ in range(1005):
        cwmock_emulator.store.create_contact("cwmock", {"firstName": "bulk"})
    response = await cwmock_client.get(CONTACTS, params={"pageSize": 5000})
    assert len(response.json()) == 1000
    assert links(response)["next"].endswith("page=2")


@pytest.mark.parametrize(("params", "field"), [({"page": "0"}, "page"), ({"pageSize": "ten"}, "pageSize")])
async def test_bad_paging_parameters_are_400_naming_them(
    cwmock_client: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    response = await cwmock_client.get(CONTACTS, params=params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


async def test_parameter_names_are_case_insensitive(cwmock_client: httpx.AsyncClient) -> None:
    for _ in range(3):
        await create(cwmock_client, {"firstName": "p"})
    assert len((await cwmock_client.get(CONTACTS, params={"PAGESIZE": 2})).json()) == 2


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"clientId": "x"},
        {"clientId": "x", "Authorization": "Bearer abc"},
        {"clientId": "x", "Authorization": "Basic !!!"},
        {"clientId": "x", "Authorization": "Basic Y3dtb2NrOm5vcGx1cw=="},
        native_headers("cwmock", "cwmock-public", "wrong"),
        native_headers("cwmock", "cwmock-public", "cwmock-private", client_id=""),
    ],
)
async def test_bad_credentials_get_a_connectwise_401(cwmock_emulator: Emulator, headers: dict[str, str]) -> None:
    transport = httpx.ASGITransport(app=cwmock_emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://cwmock.test") as client:
        response = await client.get(CONTACTS, headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "Unauthorized"
    assert response.json()["message"]


async def test_client_id_header_name_is_case_insensitive(cwmock_emulator: Emulator) -> None:
    headers = native_headers("cwmock", "cwmock-public", "cwmock-private")
    headers["ClientID"] = headers.pop("clientId")
    transport = httpx.ASGITransport(app=cwmock_emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://cwmock.test") as client:
        assert (await client.get(CONTACTS, headers=headers)).status_code == 200


async def test_a_tenant_never_sees_another_tenants_data(cwmock_client: httpx.AsyncClient) -> None:
    mine = await create(cwmock_client)
    other = native_headers("cloudelements", "xxxxxxxx", "xxxxxxxxxxxxxxxxxx")
    assert (await cwmock_client.get(CONTACTS, headers=other)).json() == []
    assert (await cwmock_client.get(f"{CONTACTS}/{mine['id']}", headers=other)).status_code == 404
    assert (await cwmock_client.delete(f"{CONTACTS}/{mine['id']}", headers=other)).status_code == 404
    assert (await cwmock_client.get(f"{CONTACTS}/{mine['id']}")).status_code == 200


async def test_exactly_one_date_header_from_the_emulator_clock(
    cwmock_client: httpx.AsyncClient, cwmock_clock: ManualClock
) -> None:
    await cwmock_clock.advance(3600 * 24 * 40 + 7)
    for response in (await cwmock_client.get(CONTACTS), await cwmock_client.get("/nowhere")):
        assert response.headers.get_list("date") == ["Tue, 10 Feb 2026 00:00:07 GMT"]


BAD_BODIES: list[tuple[Any, str | None]] = [
    ({"lastName": "x"}, "firstName"),
    ({"firstName": 5}, "firstName"),
    ({"firstName": "x" * 31}, "firstName"),
    ({"firstName": "a", "zip": "1" * 13}, "zip"),
    ({"firstName": "a", "inactiveFlag": "yes"}, "inactiveFlag"),
    ({"firstName": "a", "company": {"id": 9999}}, "company"),
    ({"firstName": "a", "company": {"id": "2"}}, "company"),
    ({"firstName": "a", "company": {"id": 2}, "site": {"id": 136}}, "site"),
    ({"firstName": "a", "site": {"id": 1}}, "site"),
    ({"firstName": "a", "types": [{"id": 404}]}, "types"),
    ({"firstName": "a", "gender": "Other"}, "gender"),
    ({"firstName": "a", "managerContact": {"id": 777}}, "managerContact"),
    ({"firstName": "a", "communicationItems": [{"type": {"id": 1}}]}, "communicationItems/value"),
    ([{"firstName": "list, not object"}], None),
]


@pytest.mark.parametrize(("body", "field"), BAD_BODIES)
async def test_invalid_bodies_are_400_naming_the_field_and_change_nothing(
    cwmock_client: httpx.AsyncClient, body: Any, field: str | None
) -> None:
    existing = await create(cwmock_client)
    before = (await cwmock_client.get(CONTACTS)).json()
    for response in (
        await cwmock_client.post(CONTACTS, json=body),
        await cwmock_client.put(f"{CONTACTS}/{existing['id']}", json=body),
    ):
        assert response.status_code == 400, response.text
        if field is not None:
            assert response.json()["errors"][0]["field"] == field
    assert (await cwmock_client.get(CONTACTS)).json() == before


@pytest.mark.parametrize(
    ("operations", "field"),
    [
        ([{"op": "replace", "path": "communicationItems/0/value", "value": "x"}], "communicationItems/0/value"),
        ([{"op": "replace", "path": "lastName/first", "value": "x"}], "lastName/first"),
        ([{"op": "replace", "path": "FirstName", "value": "x"}], "FirstName"),
        ([{"op": "replace", "path": "id", "value": 3}], "id"),
        ([{"op": "move", "path": "firstName", "value": "x"}], "op"),
        ([{"op": "remove", "path": "firstName"}], "firstName"),
        ([{"op": "replace", "path": "firstName"}], "firstName"),
    ],
)
async def test_bad_patches_are_400_naming_the_field(
    cwmock_client: httpx.AsyncClient, operations: list[dict[str, Any]], field: str
) -> None:
    existing = await create(cwmock_client)
    response = await cwmock_client.patch(f"{CONTACTS}/{existing['id']}", json=operations)
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["field"] == field
    assert (await cwmock_client.get(f"{CONTACTS}/{existing['id']}")).json() == existing


@pytest.mark.parametrize("content", [b"{not json", b"", b"\xff\xfe", b'{"firstName": "a",}'])
async def test_malformed_json_is_400(cwmock_client: httpx.AsyncClient, content: bytes) -> None:
    response = await cwmock_client.post(CONTACTS, content=content, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["code"] == "InvalidObject"
    assert (await cwmock_client.get(CONTACTS)).json() == []


async def test_bodies_over_the_limit_are_413(cwmock_client: httpx.AsyncClient) -> None:
    huge = b'{"firstName": "a", "title": "' + b"x" * 2_000_000 + b'"}'
    response = await cwmock_client.post(CONTACTS, content=huge)
    assert response.status_code == 413
    assert response.json()["code"] == "RequestTooLarge"

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(2000):
            yield b"x" * 1024

    streamed = await cwmock_client.post(CONTACTS, content=chunks())
    assert streamed.status_code == 413
    assert (await cwmock_client.get(CONTACTS)).json() == []


async def test_unknown_ids_and_routes_are_connectwise_404s(cwmock_client: httpx.AsyncClient) -> None:
    for response in (
        await cwmock_client.get(f"{CONTACTS}/12345"),
        await cwmock_client.put(f"{CONTACTS}/12345", json={"firstName": "a"}),
        await cwmock_client.patch(f"{CONTACTS}/12345", json=[{"op": "replace", "path": "title", "value": "x"}]),
        await cwmock_client.get(f"{API}/no/such/thing"),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "NotFound"
    wrong_method = await cwmock_client.post(f"{CONTACTS}/count", json={})
    assert wrong_method.status_code == 405


async def test_error_bodies_carry_the_real_codes_and_errors_null(cwmock_client: httpx.AsyncClient) -> None:
    """ConnectWiseManageAPI issues #30 and #53: `MissingRequiredField`; the Developer Guide: `"errors": null`."""
    missing = await cwmock_client.post(CONTACTS, json={"lastName": "NoFirst"})
    assert missing.status_code == 400
    assert missing.json() == {
        "code": "InvalidObject",
        "message": "contact object is invalid",
        "errors": [
            {
                "code": "MissingRequiredField",
                "message": "firstName is required",
                "resource": "contact",
                "field": "firstName",
            }
        ],
    }
    not_found = await cwmock_client.get(f"{CONTACTS}/999")
    assert not_found.json() == {"code": "NotFound", "message": "contact 999 not found", "errors": None}
    unauthorized = await cwmock_client.get(CONTACTS, headers={"Authorization": "Basic eA=="})
    assert (unauthorized.status_code, unauthorized.json()["errors"]) == (401, None)


async def test_the_guides_patch_example_names_the_company_by_identifier(cwmock_client: httpx.AsyncClient) -> None:
    """PSA Developer Guide, "Patch": `{"op": "replace", "path": "company", "value": {"identifier": ...}}`."""
    contact = await create(cwmock_client)
    url = f"{CONTACTS}/{contact['id']}"
    whole = [
        {"op": "replace", "path": "company", "value": {"identifier": "Globex"}},
        {"op": "remove", "path": "site"},
    ]
    patched = await cwmock_client.patch(url, json=whole)
    assert (patched.status_code, patched.json()["company"]["name"]) == (200, "Globex Corporation")
    inside = [{"op": "replace", "path": "company/identifier", "value": "AcmeCorp"}]
    false_200 = await cwmock_client.patch(url, json=inside)
    assert false_200.status_code == 200, "the guide: you may receive a false 200"
    assert false_200.json() == patched.json(), "answered, not applied"


async def test_type_ids_assign_types_on_creation_only(cwmock_client: httpx.AsyncClient) -> None:
    """The OpenAPI Contact: typeIds "can be passed in only during new contact creation (post)"."""
    created = await cwmock_client.post(CONTACTS, json={"firstName": "T", "types": [{"id": 1}], "typeIds": [11, 1]})
    assert created.status_code == 201, created.text
    assert [t["id"] for t in created.json()["types"]] == [1, 11]
    assert "typeIds" not in created.json()
    url = f"{CONTACTS}/{created.json()['id']}"
    replaced = await cwmock_client.put(url, json={"firstName": "T", "typeIds": [2]})
    assert "types" not in replaced.json(), "a PUT does not read typeIds"
    bad = await cwmock_client.post(CONTACTS, json={"firstName": "T", "typeIds": ["eleven"]})
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (400, "typeIds")
    unknown = await cwmock_client.post(CONTACTS, json={"firstName": "T", "typeIds": [99]})
    assert (unknown.status_code, unknown.json()["errors"][0]["field"]) == (400, "types")


LIMITED: dict[str, Callable[[int], dict[str, Any]]] = {
    "userDefinedField3": lambda n: {"userDefinedField3": "u" * n},
    "communicationItems/value": lambda n: {"communicationItems": [{"type": {"id": 1}, "value": "v" * n}]},
    "communicationItems/extension": lambda n: {
        "communicationItems": [{"type": {"id": 2}, "value": "555", "extension": "1" * n}]
    },
}


@pytest.mark.parametrize(
    ("field", "limit"),
    [("userDefinedField3", 50), ("communicationItems/value", 250), ("communicationItems/extension", 15)],
)
async def test_the_openapi_field_limits_hold(cwmock_client: httpx.AsyncClient, field: str, limit: int) -> None:
    """Max lengths of ConnectWise Manage's OpenAPI document (Contact, ContactCommunication)."""
    refused = await cwmock_client.post(CONTACTS, json={"firstName": "L", **LIMITED[field](limit + 1)})
    assert refused.status_code == 400
    error = refused.json()["errors"][0]
    assert (error["field"], error["code"]) == (field, "MaxLength")
    assert f"the maximum is {limit}" in error["message"]
    fits = await cwmock_client.post(CONTACTS, json={"firstName": "L", **LIMITED[field](limit)})
    assert fits.status_code == 201, fits.text
