"""OAuth password grant and the bearer check, including expiry on the sandbox clock."""

from __future__ import annotations

from tests.sandbox.fluent.conftest import CREDENTIALS, Fluent

QUERY = "{ orders(first: 1) { edges { node { id } } } }"


async def test_a_form_body_grant_answers_fluents_token_response(fluent: Fluent):
    response = await fluent.http.post("/oauth/token", data=CREDENTIALS)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 86_400
    assert body["scope"] == "api"
    assert body["Retailer_id"] == "1"
    assert body["access_token"]


async def test_older_integrations_may_send_the_grant_as_query_parameters(fluent: Fluent):
    response = await fluent.http.post("/oauth/token", params=CREDENTIALS)
    assert response.status_code == 200
    token = response.json()["access_token"]
    graphql = await fluent.http.post(
        "/graphql", json={"query": QUERY}, headers={"authorization": f"Bearer {token}"}
    )
    assert graphql.status_code == 200


async def test_wrong_credentials_are_refused_with_401(fluent: Fluent):
    for field, wrong in [("password", "nope"), ("username", "eve"), ("client_secret", "x")]:
        response = await fluent.http.post("/oauth/token", data={**CREDENTIALS, field: wrong})
        assert response.status_code == 401, field
        assert response.json()["error"] in ("invalid_grant", "invalid_client")
        assert response.json()["error_description"]


async def test_an_unsupported_grant_type_is_a_bad_request(fluent: Fluent):
    response = await fluent.http.post(
        "/oauth/token", data={**CREDENTIALS, "grant_type": "client_credentials"}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


async def test_the_api_needs_a_known_bearer_token(fluent: Fluent):
    missing = await fluent.http.post("/graphql", json={"query": QUERY})
    assert missing.status_code == 401
    unknown = await fluent.http.post(
        "/graphql", json={"query": QUERY}, headers={"authorization": "Bearer forged"}
    )
    assert unknown.status_code == 401
    assert unknown.json()["error"] == "invalid_token"
    events = await fluent.http.post("/api/v4.1/event/sync", json={})
    assert events.status_code == 401


async def test_a_token_is_refused_once_it_expired(fluent_factory):
    async with fluent_factory(token_ttl_seconds=60) as fluent:
        assert (await fluent.post_graphql(QUERY)).status_code == 200
        await fluent.admin("POST", "/clock/advance", {"seconds": 59})
        assert (await fluent.post_graphql(QUERY)).status_code == 200
        await fluent.admin("POST", "/clock/advance", {"seconds": 1})
        expired = await fluent.post_graphql(QUERY)
        assert expired.status_code == 401
        assert "expired" in expired.json()["error_description"]
        fresh = await fluent.http.post("/oauth/token", data=CREDENTIALS)
        headers = {"authorization": f"Bearer {fresh.json()['access_token']}"}
        again = await fluent.http.post("/graphql", json={"query": QUERY}, headers=headers)
        assert again.status_code == 200
