"""Paths with doubled slashes route as with single ones, as the links ConnectWise writes need."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.anyio


async def test_a_doubled_slash_routes_like_one(cwmock_client: httpx.AsyncClient) -> None:
    single = await cwmock_client.get("/v4_6_release/apis/3.0/company/companies/132")
    doubled = await cwmock_client.get("/v4_6_release/apis/3.0//company/companies/132")
    tripled = await cwmock_client.get("/v4_6_release///apis/3.0///company/companies/132")
    assert single.status_code == doubled.status_code == tripled.status_code == 200
    assert single.json() == doubled.json() == tripled.json()


async def test_a_trailing_slash_still_counts(cwmock_client: httpx.AsyncClient) -> None:
    assert (await cwmock_client.get("/v4_6_release/apis/3.0//company/contacts/")).status_code == 200


async def test_only_paths_under_the_api_collapse(cwmock_client: httpx.AsyncClient) -> None:
    assert (await cwmock_client.post("//__admin/reset")).status_code == 404, "no way into the admin API"
