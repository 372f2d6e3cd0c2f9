"""The web chat as a third channel: who may ask, as whom, how often; on SQLite and PostgreSQL.

The whole application (keyword NLU, echo renderer, demo data) answers through httpx's ASGI transport,
with the client address each test names, so "remote" and "local" are what the server sees.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from bot.errors import ConfigError
from dialogue.actions.registry import default_actions
from tests.conftest import MakeRuntime, make_config

SECRET = "test-secret-" + "x" * 32
REMOTE = {"web": {"allow_remote": True, "trust_supplier_id": True}}
OUTSIDER = ("203.0.113.9", 40000)
NEIGHBOUR = ("198.51.100.7", 40000)
ASK = "where is PO-1001?"


async def remote_runtime(make_runtime: MakeRuntime, **web: Any) -> Any:
    overrides = {"web": {**REMOTE["web"], **web}, "pipeline": {"poll_interval_seconds": 0.05}}
    return await make_runtime(
        overrides=overrides, env={"WEB_SESSION_SECRET": SECRET}, actions=default_actions(embedder=None)
    )


def client(
    runtime: Any, address: tuple[str, int], base_url: str = "http://chat.example.com"
) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=runtime.asgi, client=address)
    return httpx.AsyncClient(transport=transport, base_url=base_url)


async def say(http: httpx.AsyncClient, text: str, **body: Any) -> httpx.Response:
    return await http.post("/web/messages", json={"sender": "bob", "text": text, **body})


def outcomes(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [r["metadata"]["outcome"] for r in response.json()["replies"]]


async def test_a_remote_clients_supplier_id_is_ignored(make_runtime: MakeRuntime) -> None:
    runtime = await remote_runtime(make_runtime)
    async with client(runtime, OUTSIDER) as outsider:
        answer = await say(outsider, ASK, supplier_id="SUP-001")
        assert outcomes(answer) == ["link_required"]
        assert "PO-1001" not in answer.text or "shipped" not in answer.text
        picker = (await outsider.get("/web/suppliers")).json()
        assert picker == {"trusted": False, "suppliers": []}
        sales = await say(outsider, "sales last week")  # a remote visitor is a supplier, not a sales rep
        assert outcomes(sales) == ["sales_only"]
        ranked = await say(outsider, "who are our top 5 customers by revenue this quarter?")
        assert not any(o.startswith(("sales_query", "quiet_customers")) for o in outcomes(ranked))
        assert "ACME" not in ranked.text  # the sales layer is a rep's, never a visitor's
    async with client(runtime, ("127.0.0.1", 5000), "http://localhost:8080") as local:
        assert "order" in outcomes(await say(local, ASK, supplier_id="SUP-001"))[0]  # the local demo


async def test_a_rebinding_host_is_refused_and_never_trusted(make_runtime: MakeRuntime) -> None:
    local_only = await make_runtime(actions=default_actions(embedder=None))
    async with client(local_only, ("127.0.0.1", 5000), "http://ops.example.com") as rebound:
        assert (await rebound.get("/")).status_code == 403
        assert (await say(rebound, ASK, supplier_id="SUP-001")).status_code == 403
        assert (await rebound.get("/web/updates?sender=bob")).status_code == 403
        assert (await rebound.get("/web/files/anything")).status_code == 403
    opened = await remote_runtime(make_runtime)
    async with client(opened, ("127.0.0.1", 5000), "http://ops.example.com") as rebound:
        assert outcomes(await say(rebound, ASK, supplier_id="SUP-001")) == ["link_required"]
    forwarded = {"X-Forwarded-For": "203.0.113.9"}  # a proxy on this machine: not this machine's user
    async with client(opened, ("127.0.0.1", 5000), "http://localhost") as proxied:
        proxied.headers.update(forwarded)
        assert outcomes(await say(proxied, ASK, supplier_id="SUP-001")) == ["link_required"]


async def test_a_cross_site_post_is_refused(make_runtime: MakeRuntime) -> None:
    runtime = await make_runtime(actions=default_actions(embedder=None))
    async with client(runtime, ("127.0.0.1", 5000), "http://127.0.0.1:8080") as local:
        form = await local.post(
            "/web/messages",
            content=b'{"sender": "bob", "text": "set AB-1020 to 1 units"}',
            headers={"Content-Type": "text/plain"},  # what an HTML form on another site can send
        )
        assert form.status_code == 415
        other_site = {"Origin": "https://evil.example"}
        assert (
            await local.post("/web/messages", json={"sender": "b", "text": "hi"}, headers=other_site)
        ).status_code == 403
        fetched = {"Sec-Fetch-Site": "cross-site"}
        assert (
            await local.post("/web/messages", json={"sender": "b", "text": "hi"}, headers=fetched)
        ).status_code == 403
        own = {"Origin": "http://127.0.0.1:8080", "Sec-Fetch-Site": "same-origin"}
        assert (
            await local.post("/web/messages", json={"sender": "b", "text": "hi"}, headers=own)
        ).status_code == 200


async def test_another_client_reusing_a_sender_sees_nothing_of_the_first(make_runtime: MakeRuntime) -> None:
    runtime = await remote_runtime(make_runtime)
    async with client(runtime, OUTSIDER) as alice, client(runtime, NEIGHBOUR) as mallory:
        await alice.get("/")
        code, _ = await runtime.accounts.invite("SUP-001", timedelta(hours=1))
        assert outcomes(await say(alice, code)) == ["link_success"]
        assert outcomes(await say(alice, "I need to update PO-1001")) != []
        theirs = await mallory.get("/web/updates", params={"sender": "bob", "after": 0})
        assert theirs.status_code == 200 and theirs.json()["messages"] == []
        assert outcomes(await say(mallory, ASK)) == ["link_required"]  # same `sender`, another conversation
        mine = (await alice.get("/web/updates", params={"sender": "whatever", "after": 0})).json()
        assert mine["messages"][0]["metadata"]["outcome"] == "link_success"


async def test_a_linked_session_gets_its_suppliers_data_until_it_logs_out(make_runtime: MakeRuntime) -> None:
    runtime = await remote_runtime(make_runtime)
    async with client(runtime, OUTSIDER) as supplier:
        assert outcomes(await say(supplier, ASK)) == ["link_required"]
        code, _ = await runtime.accounts.invite("SUP-001", timedelta(hours=1))
        assert outcomes(await say(supplier, f"/start {code}")) == ["link_success"]
        linked = outcomes(await say(supplier, ASK))
        assert linked[0].startswith("order_") and linked != ["order_not_found"]
        assert outcomes(await say(supplier, "where is PO-2001?")) == ["order_not_found"]  # SUP-002's
        bye = await say(supplier, "/logout")
        assert outcomes(bye) == ["logged_out"] and "signed out" in bye.json()["replies"][0]["text"]
        assert outcomes(await say(supplier, ASK)) == ["link_required"]
        assert outcomes(await say(supplier, code)) == ["link_invalid_code"]  # the code was used once


async def test_messages_and_code_attempts_are_rate_limited(make_runtime: MakeRuntime) -> None:
    runtime = await remote_runtime(
        make_runtime, messages_per_minute=3, link_failures_before_lock=2, link_attempts_per_hour=5
    )
    failures = runtime.metrics.link_failures.labels("web")
    async with client(runtime, OUTSIDER) as guesser:
        for guess in ("AAAAAAAAAAAAAAA1", "AAAAAAAAAAAAAAA2"):
            assert outcomes(await say(guesser, guess)) == ["link_invalid_code"]
        assert failures._value.get() == 2
        locked = await say(guesser, "AAAAAAAAAAAAAAA3")
        assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
        assert "wrong codes" in locked.json()["error"]
        assert (await say(guesser, "hello")).status_code == 429  # the 4th message this minute
    async with client(runtime, OUTSIDER) as same_address_new_session:
        locked = await say(same_address_new_session, "AAAAAAAAAAAAAAA4")
        assert locked.status_code == 429  # a fresh cookie does not unlock the address
    async with client(runtime, ("127.0.0.1", 5000), "http://localhost") as local:
        for _ in range(5):  # this machine's user (and the load bench) is not limited
            assert (await say(local, "hello")).status_code == 200


async def test_a_tampered_or_foreign_cookie_is_refused(make_runtime: MakeRuntime) -> None:
    runtime = await remote_runtime(make_runtime)
    async with client(runtime, OUTSIDER) as visitor:
        page = await visitor.get("/")
        cookie = page.cookies["opsbot_session"]
        assert outcomes(await say(visitor, "hi"))
        tampered = cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB")
        visitor.cookies.clear()
        visitor.cookies.set("opsbot_session", tampered, domain="chat.example.com", path="/")
        refused = await say(visitor, "hi")
        assert refused.status_code == 403 and "not valid" in refused.json()["error"]
        assert "opsbot_session" not in visitor.cookies  # the refusal deletes the broken cookie
        visitor.cookies.set("opsbot_session", tampered, domain="chat.example.com", path="/")
        assert (await visitor.get("/web/updates?after=0")).status_code == 403
        visitor.cookies.set("opsbot_session", tampered, domain="chat.example.com", path="/")
        assert (await visitor.get("/")).status_code == 200  # the page starts a new session instead
        assert outcomes(await say(visitor, "hi"))


async def test_the_session_cookie_is_httponly_lax_and_secure_behind_https(make_runtime: MakeRuntime) -> None:
    runtime = await remote_runtime(make_runtime)
    async with client(runtime, OUTSIDER, "https://chat.example.com") as visitor:
        cookie = (await visitor.get("/")).headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie
    async with client(runtime, OUTSIDER) as plain:
        assert "secure" not in (await plain.get("/")).headers["set-cookie"].lower()


async def test_a_session_expires_after_its_idle_time(make_runtime: MakeRuntime, clock: Any) -> None:
    overrides = {"web": {**REMOTE["web"], "session_ttl_minutes": 30}}
    runtime = await make_runtime(
        overrides=overrides, env={"WEB_SESSION_SECRET": SECRET}, actions=default_actions(embedder=None),
        use_clock=True,
    )  # fmt: skip
    async with client(runtime, OUTSIDER) as supplier:
        code, _ = await runtime.accounts.invite("SUP-001", timedelta(hours=1))
        assert outcomes(await say(supplier, code)) == ["link_success"]
        clock.advance(minutes=20)
        assert outcomes(await say(supplier, ASK))[0].startswith("order_")  # renewed by each message
        clock.advance(minutes=31)
        assert outcomes(await say(supplier, ASK)) == ["link_required"]  # a new, unlinked session


async def test_responses_carry_csp_and_framing_rules(make_runtime: MakeRuntime) -> None:
    runtime = await remote_runtime(make_runtime)
    async with client(runtime, OUTSIDER) as visitor:
        for response in (await visitor.get("/"), await say(visitor, "hi"), await visitor.get("/agent")):
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
            assert response.headers["x-frame-options"] == "DENY"
    portal = await remote_runtime(make_runtime, embed_origins=["https://portal.example.com"])
    async with client(portal, OUTSIDER) as visitor:
        page = await visitor.get("/")
        assert "frame-ancestors https://portal.example.com;" in page.headers["content-security-policy"]
        assert "x-frame-options" not in page.headers
        assert (await visitor.get("/agent")).headers["x-frame-options"] == "DENY"  # the console never


def test_remote_use_needs_a_session_secret(tmp_path: Any, caplog: pytest.LogCaptureFixture) -> None:
    from bot.web_console import check_web_access

    with pytest.raises(ConfigError, match="WEB_SESSION_SECRET is not set"):
        check_web_access(make_config(tmp_path, REMOTE))
    with pytest.raises(ConfigError, match="shorter than 32"):
        check_web_access(make_config(tmp_path, REMOTE, {"WEB_SESSION_SECRET": "short"}))
    check_web_access(make_config(tmp_path, REMOTE, {"WEB_SESSION_SECRET": SECRET}))
    assert "trust_supplier_id are both on" in caplog.text
    caplog.clear()
    untrusting = {"web": {"allow_remote": True, "trust_supplier_id": False}}
    check_web_access(make_config(tmp_path, untrusting, {"WEB_SESSION_SECRET": SECRET}))
    assert "both on" not in caplog.text
    check_web_access(make_config(tmp_path))  # local mode needs nothing
