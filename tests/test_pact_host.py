"""The PACT host endpoint end to end: an enterprise member creates a client on the partners page,
and the partner's system (the Flask test client, speaking plain HTTP) obtains a token with client
credentials, lists and fetches the enterprise's shared footprints, sends events, and loses access
when the client is revoked. Only digests are stored."""

import base64
import re
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from openapi_spec_validator import validate
from sqlalchemy import func, select, text, update

from tests.conftest import ADMIN, PASSWORD
from workbench.auth import service
from workbench.auth.models import OrganisationKind
from workbench.auth.permissions import Role
from workbench.db import db, utcnow
from workbench.errors import AccessDenied
from workbench.exchange import oauth
from workbench.exchange.models import (
    FootprintStatus,
    PactClient,
    PactEvent,
    PactEventStatus,
    PactToken,
    SharedFootprint,
)

REQUEST = "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3"
PUBLISHED = "org.wbcsd.pact.ProductFootprint.PublishedEvent.3"


def _document(pf_id: str, *, product: str, company: str, country: str, period_end: str, status="Active") -> dict:
    return {
        "id": pf_id,
        "specVersion": "3.0.0",
        "created": "2025-01-10T00:00:00Z",
        "status": status,
        "companyName": company,
        "companyIds": [f"urn:uscc:{company}"],
        "productDescription": product,
        "productIds": [f"urn:workbench:product:{product}"],
        "productNameCompany": product,
        "productClassifications": ["urn:cpc:3744"],
        "pcf": {
            "declaredUnitOfMeasurement": "kilogram",
            "declaredUnitAmount": "1000",
            "pcfExcludingBiogenicUptake": "812.5",
            "referencePeriodStart": "2024-01-01T00:00:00Z",
            "referencePeriodEnd": period_end,
            "geographyCountry": country,
        },
    }


@pytest.fixture
def world(app):
    """Two enterprises, a member of the first, and shared footprints of both."""
    with app.app_context():
        ours = service.create_organisation(db.session, by=ADMIN, name="演示水泥甲", kind=OrganisationKind.ENTERPRISE)
        theirs = service.create_organisation(db.session, by=ADMIN, name="别家水泥", kind=OrganisationKind.ENTERPRISE)
        member = service.create_user(
            db.session,
            by=ADMIN,
            username="cement",
            display_name="水泥企业",
            password=PASSWORD,
            role=Role.ENTERPRISE,
            organisation=ours,
        )
        now = utcnow()
        shared = []
        for index, (org, product, country, end, status) in enumerate(
            [
                (ours, "clinker", "CN", "2024-12-31T00:00:00Z", FootprintStatus.ACTIVE),
                (ours, "cement", "CN-BJ", "2024-12-31T00:00:00Z", FootprintStatus.ACTIVE),
                (ours, "slag", "DE", "2020-12-31T00:00:00Z", FootprintStatus.DEPRECATED),
                (theirs, "foreign", "CN", "2024-12-31T00:00:00Z", FootprintStatus.ACTIVE),
            ]
        ):
            pf_id = str(uuid.uuid4())
            row = SharedFootprint(
                pf_id=pf_id,
                organisation_id=org.id,
                product_name=product,
                status=status,
                document=_document(
                    pf_id, product=product, company=org.name, country=country, period_end=end, status=status.value
                ),
                created_at=now + timedelta(seconds=index),
                updated_at=now,
            )
            db.session.add(row)
            shared.append(pf_id)
        db.session.commit()
        return {"ours": ours.id, "theirs": theirs.id, "member": member.id, "pf": shared}


@pytest.fixture
def member(app, world):
    client = app.test_client()
    assert client.post_form("/login", {"username": "cement", "password": PASSWORD}).status_code == 302
    return client


def _create_client(member, name="合作方乙") -> tuple[str, str]:
    page = member.post_form("/exchange/partners/clients", {"name": name})
    assert page.status_code == 201, page.text
    assert "只显示这一次" in page.text and page.headers["Cache-Control"] == "no-store"
    client_id = re.search(r'id="new-client-id" value="([^"]+)"', page.text).group(1)
    secret = re.search(r'id="new-client-secret" value="([^"]+)"', page.text).group(1)
    assert secret not in member.get("/exchange/partners/").text  # shown once
    return client_id, secret


def _basic(client_id: str, secret: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def _token(partner, client_id, secret):
    return partner.post(
        "/pact/auth/token", data={"grant_type": "client_credentials"}, headers=_basic(client_id, secret)
    )


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_a_partner_pulls_the_enterprises_footprints_and_loses_access_when_revoked(app, world, member, database):
    client_id, secret = _create_client(member)
    partner = app.test_client()  # the partner's system: no cookies, plain HTTP

    wrong = _token(partner, client_id, secret + "x")
    assert wrong.status_code == 401 and wrong.json["error"] == "invalid_client"

    issued = _token(partner, client_id, secret)
    assert issued.status_code == 200, issued.text
    assert issued.json["token_type"].lower() == "bearer" and issued.json["expires_in"] == 3600
    assert "refresh_token" not in issued.json
    token = issued.json["access_token"]

    listed = partner.get("/pact/3/footprints", headers=_bearer(token))
    assert listed.status_code == 200
    ours = world["pf"][:3]
    assert [item["id"] for item in listed.json["data"]] == ours[::-1]  # newest first  # never another enterprise's
    assert "Link" not in listed.headers

    one = partner.get(f"/pact/3/footprints/{ours[1]}", headers=_bearer(token))
    assert one.status_code == 200 and one.json["data"]["productNameCompany"] == "cement"

    for unknown in (world["pf"][3], str(uuid.uuid4()), "x" * 80):
        refused = partner.get(f"/pact/3/footprints/{unknown}", headers=_bearer(token))
        assert refused.status_code == 404 and refused.json["code"] == "NoSuchFootprint"
    # Another enterprise's footprint and an unknown one look the same.
    assert (
        partner.get(f"/pact/3/footprints/{world['pf'][3]}", headers=_bearer(token)).json
        == partner.get(f"/pact/3/footprints/{uuid.uuid4()}", headers=_bearer(token)).json
    )

    # The form's client_secret_post works too.
    posted = partner.post(
        "/pact/auth/token", data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    )
    assert posted.status_code == 200

    # Revoked on the page, with the confirmation ticked.
    with database() as session:
        record = session.scalar(select(PactClient).where(PactClient.client_id == client_id))
        record_id = record.id
        assert record.last_used_at is not None
    unconfirmed = member.post_form(f"/exchange/partners/clients/{record_id}/revoke")
    assert unconfirmed.status_code == 422
    assert partner.get("/pact/3/footprints", headers=_bearer(token)).status_code == 200
    assert member.post_form(f"/exchange/partners/clients/{record_id}/revoke", {"confirm": "y"}).status_code == 302

    old = partner.get("/pact/3/footprints", headers=_bearer(token))
    assert old.status_code == 401 and old.json["code"] == "AccessDenied"
    assert _token(partner, client_id, secret).status_code == 401
    assert "已撤销" in member.get("/exchange/partners/").text


def test_an_expired_token_is_refused_with_pacts_code(app, world, member, database):
    client_id, secret = _create_client(member)
    partner = app.test_client()
    token = _token(partner, client_id, secret).json["access_token"]
    with database() as session:
        session.execute(update(PactToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        session.commit()
    expired = partner.get("/pact/3/footprints", headers=_bearer(token))
    assert expired.status_code == 401 and expired.json == {"code": "TokenExpired", "message": expired.json["message"]}


def test_requests_without_a_token_are_refused_even_with_a_session_cookie(member, world):
    for response in (
        member.get("/pact/3/footprints"),
        member.get(f"/pact/3/footprints/{world['pf'][0]}"),
        member.post("/pact/3/events", json={"specversion": "1.0"}),
        member.get("/pact/3/footprints", headers=_bearer("not-a-token")),
    ):
        assert response.status_code == 401 and response.json["code"] == "AccessDenied"
        assert set(response.json) == {"code", "message"}


def test_filters_and_paging(app, world, member):
    client_id, secret = _create_client(member)
    partner = app.test_client()
    headers = _bearer(_token(partner, client_id, secret).json["access_token"])
    clinker, cement, slag = world["pf"][:3]

    def ids(query: str) -> list[str]:
        response = partner.get(f"/pact/3/footprints?{query}", headers=headers)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json["data"]]

    assert ids("productId=URN:WORKBENCH:PRODUCT:CEMENT") == [cement]  # without regard to case
    assert ids("productId=urn:workbench:product:cement&productId=urn:workbench:product:slag") == [slag, cement]
    assert ids("geography=CN") == [cement, clinker]  # a subdivision lies in its country
    assert ids("geography=de") == [slag]
    assert ids("status=Deprecated") == [slag]
    assert ids("status=active") == [cement, clinker]
    assert ids("classification=urn:cpc:3744") == [slag, cement, clinker]
    assert ids("companyId=urn:uscc:别家水泥") == []
    assert ids("validOn=2025-06-01T00:00:00Z") == [cement, clinker]  # valid three years after the period
    assert ids("validAfter=2022-01-01T00:00:00Z") == [cement, clinker]
    assert ids("validBefore=2025-01-01T00:00:00Z") == [slag]

    first = partner.get("/pact/3/footprints?limit=2&geography=CN&geography=DE", headers=headers)
    assert [item["id"] for item in first.json["data"]] == [slag, cement]
    link = re.fullmatch(r'<([^>]+)>; rel="next"', first.headers["Link"]).group(1)
    assert urlsplit(link).scheme == "http" and urlsplit(link).netloc == "localhost"  # absolute, on the same host
    following = partner.get(link, headers=headers)
    assert [item["id"] for item in following.json["data"]] == [clinker] and "Link" not in following.headers

    for bad in ("limit=0", "limit=abc", "limit=1000", "status=Gone", "validOn=yesterday", "offset=-1"):
        response = partner.get(f"/pact/3/footprints?{bad}", headers=headers)
        assert response.status_code == 400 and response.json["code"] == "BadRequest", bad


def test_events_are_stored_and_answered_on_the_page(app, world, member, database):
    client_id, secret = _create_client(member)
    partner = app.test_client()
    headers = {
        **_bearer(_token(partner, client_id, secret).json["access_token"]),
        "Content-Type": "application/cloudevents+json",
    }
    request_event = {
        "type": REQUEST,
        "specversion": "1.0",
        "id": "req-1",
        "source": "//partner.example/3/events",
        "time": "2025-03-05T17:31:00Z",
        "data": {"productId": ["urn:workbench:product:cement"], "geography": ["CN"], "comment": "请提供 2024 年数据"},
    }
    import json

    assert partner.post("/pact/3/events", data=json.dumps(request_event), headers=headers).status_code == 200
    assert partner.post("/pact/3/events", data=json.dumps(request_event), headers=headers).status_code == 200  # again
    notice = {
        "type": PUBLISHED,
        "specversion": "1.0",
        "id": "pub-1",
        "source": "//partner.example",
        "data": {"pfIds": [str(uuid.uuid4())]},
    }
    assert partner.post("/pact/3/events", data=json.dumps(notice), headers=headers).status_code == 200

    for bad in (
        {**request_event, "type": "com.example.Other"},
        {**request_event, "specversion": "0.3"},
        {**request_event, "id": ""},
        {**request_event, "data": {"productId": "not-a-list"}},
        {**notice, "data": {"pfIds": []}},
        [1, 2],
    ):
        response = partner.post("/pact/3/events", data=json.dumps(bad), headers=headers)
        assert response.status_code == 400 and response.json["code"] == "BadRequest", bad
    deep = "[" * 200 + "]" * 200
    assert partner.post("/pact/3/events", data=deep, headers=headers).json["code"] == "BadRequest"
    huge = json.dumps({**request_event, "data": {"comment": "x" * 300_000}})
    assert partner.post("/pact/3/events", data=huge, headers=headers).status_code == 413

    with database() as session:
        events = session.scalars(select(PactEvent).order_by(PactEvent.id)).all()
        assert [(event.event_id, event.status) for event in events] == [
            ("req-1", PactEventStatus.RECEIVED),
            ("pub-1", PactEventStatus.FULFILLED),
        ]
        assert events[0].organisation_id == world["ours"] and events[0].data["geography"] == ["CN"]
        request_id = events[0].id
        cement_row = session.scalar(select(SharedFootprint).where(SharedFootprint.pf_id == world["pf"][1])).id
        foreign_row = session.scalar(select(SharedFootprint).where(SharedFootprint.pf_id == world["pf"][3])).id

    page = member.get("/exchange/partners/")
    assert "请提供 2024 年数据" in page.text and "不会向合作方的系统推送" in page.text
    token = member.csrf_token()
    prefix = f"event{request_id}"
    # Another enterprise's footprint is no choice.
    refused = member.post(
        f"/exchange/partners/events/{request_id}/fulfil",
        data={"csrf_token": token, f"{prefix}-csrf_token": token, f"{prefix}-footprints": str(foreign_row)},
    )
    assert refused.status_code == 422
    answered = member.post(
        f"/exchange/partners/events/{request_id}/fulfil",
        data={"csrf_token": token, f"{prefix}-csrf_token": token, f"{prefix}-footprints": str(cement_row)},
    )
    assert answered.status_code == 302
    again = member.post(
        f"/exchange/partners/events/{request_id}/decline",
        data={"csrf_token": token, f"{prefix}-csrf_token": token, f"{prefix}-reason": "没有"},
    )
    assert again.status_code == 422  # answered already
    with database() as session:
        event = session.get(PactEvent, request_id)
        assert event.status == PactEventStatus.FULFILLED and event.answer == {"pfIds": [world["pf"][1]]}


def test_a_request_can_be_declined_with_a_reason(app, world, member, database):
    with database() as session:
        record = session.scalar(select(PactClient))  # none yet
        assert record is None
    client_id, _ = _create_client(member)
    with database() as session:
        client = session.scalar(select(PactClient).where(PactClient.client_id == client_id))
        event = oauth.record_event(
            session, client, {"id": "r", "type": REQUEST, "source": "//p", "data": {}}, request=True
        )
        session.commit()
        event_id = event.id
    token = member.csrf_token()
    prefix = f"event{event_id}"
    empty = member.post(
        f"/exchange/partners/events/{event_id}/decline", data={"csrf_token": token, f"{prefix}-csrf_token": token}
    )
    assert empty.status_code == 422 and "请说明拒绝的理由" in empty.text
    member.post(
        f"/exchange/partners/events/{event_id}/decline",
        data={"csrf_token": token, f"{prefix}-csrf_token": token, f"{prefix}-reason": "该产品尚未核算"},
    )
    with database() as session:
        event = session.get(PactEvent, event_id)
        assert event.status == PactEventStatus.REJECTED and event.answer == {"reason": "该产品尚未核算"}


def test_only_digests_are_stored(app, world, member, database):
    client_id, secret = _create_client(member)
    partner = app.test_client()
    token = _token(partner, client_id, secret).json["access_token"]
    with database() as session:
        rows = [
            str(tuple(row))
            for table in ("pact_clients", "pact_tokens")
            for row in session.execute(text(f"SELECT * FROM {table}"))  # noqa: S608 (fixed names)
        ]
        assert rows and not any(secret in row or token in row for row in rows)
        assert session.scalar(select(PactToken.token_digest)) == oauth.token_digest(token)


def test_only_an_enterprises_members_manage_clients(app, world, login, database):
    assert login(Role.ADMINISTRATOR).get("/exchange/partners/").status_code == 403
    assert login(None).get("/exchange/partners/").status_code == 302  # sign in first
    with database() as session:
        other = service.create_organisation(session, by=ADMIN, name="第三家", kind=OrganisationKind.ENTERPRISE)
        outsider = service.create_user(
            session,
            by=ADMIN,
            username="outsider",
            display_name="外人",
            password=PASSWORD,
            role=Role.ENTERPRISE,
            organisation=other,
        )
        own = session.get(service.Organisation, world["ours"])
        with pytest.raises(AccessDenied):
            oauth.create_client(session, organisation=own, name="x", by=outsider)
        session.rollback()


def test_the_openapi_document_is_valid(client):
    document = client.get("/pact/openapi.json").json
    validate(document)
    assert set(document["paths"]) == {
        "/pact/auth/token",
        "/pact/3/footprints",
        "/pact/3/footprints/{id}",
        "/pact/3/events",
    }
    flow = document["components"]["securitySchemes"]["pactClientCredentials"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"].endswith("/pact/auth/token")


def test_the_token_endpoint_is_rate_limited(app, world, member):
    client_id, secret = _create_client(member)
    partner = app.test_client()
    answers = [_token(partner, client_id, "wrong").status_code for _ in range(21)]
    assert answers[:20] == [401] * 20 and answers[20] == 429
    # Only failures count per client: whoever knows the client id cannot lock the partner out.
    assert _token(partner, client_id, secret).status_code == 200
    assert _token(partner, client_id, "wrong").status_code == 429
    # The address's own limit holds for everything, the right secret too.
    answers = [_token(partner, client_id, secret).status_code for _ in range(60)]
    assert 429 in answers and _token(partner, client_id, secret).status_code == 429


def test_an_unknown_scope_is_refused_and_events_need_their_scope(app, world, member):
    client_id, secret = _create_client(member)
    partner = app.test_client()

    def token(scope: str):
        return partner.post(
            "/pact/auth/token",
            data={"grant_type": "client_credentials", "scope": scope},
            headers=_basic(client_id, secret),
        )

    refused = token("admin")
    assert refused.status_code == 400 and refused.json["error"] == "invalid_scope"
    listing = token("footprint:list").json
    assert listing["scope"] == "footprint:list"
    headers = {**_bearer(listing["access_token"]), "Content-Type": "application/cloudevents+json"}
    event = {"type": PUBLISHED, "specversion": "1.0", "id": "p", "source": "//x", "data": {"pfIds": ["a"]}}
    answer = partner.post("/pact/3/events", json=event, headers=headers)
    assert answer.status_code == 403 and answer.json["code"] == "AccessDenied"
    writing = token("events:write").json["access_token"]
    headers["Authorization"] = f"Bearer {writing}"
    assert partner.post("/pact/3/events", json=event, headers=headers).status_code == 200
    document = partner.get("/pact/openapi.json").json
    assert document["paths"]["/pact/3/events"]["post"]["security"] == [{"pactClientCredentials": ["events:write"]}]


def test_a_new_token_purges_the_clients_expired_ones(app, world, member, database):
    client_id, secret = _create_client(member)
    partner = app.test_client()
    _token(partner, client_id, secret)
    _token(partner, client_id, secret)
    with database() as session:
        session.execute(update(PactToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        session.commit()
    fresh = _token(partner, client_id, secret).json["access_token"]
    with database() as session:
        assert session.scalars(select(PactToken.token_digest)).all() == [oauth.token_digest(fresh)]


def _event_headers(app, member):
    client_id, secret = _create_client(member)
    partner = app.test_client()
    token = _token(partner, client_id, secret).json["access_token"]
    return partner, {**_bearer(token), "Content-Type": "application/cloudevents+json"}


def _request(number: int) -> dict:
    return {"type": REQUEST, "specversion": "1.0", "id": f"r{number}", "source": "//p", "data": {}}


def test_events_are_bounded_per_client(app, world, member, database, monkeypatch):
    from workbench.exchange import pact_api

    partner, headers = _event_headers(app, member)
    many = {"type": PUBLISHED, "specversion": "1.0", "id": "m", "source": "//p", "data": {"pfIds": ["x"] * 101}}
    assert partner.post("/pact/3/events", json=many, headers=headers).json["code"] == "BadRequest"
    monkeypatch.setattr(pact_api, "MAX_OPEN_REQUESTS", 3)
    answers = [partner.post("/pact/3/events", json=_request(n), headers=headers).status_code for n in range(4)]
    assert answers == [200, 200, 200, 429]
    assert partner.post("/pact/3/events", json=_request(0), headers=headers).status_code == 200  # a duplicate
    with database() as session:
        assert session.scalar(select(func.count()).select_from(PactEvent)) == 3
    monkeypatch.setattr(pact_api, "EVENTS_PER_CLIENT", pact_api.throttle.limit("2 per minute"))
    limited = [partner.post("/pact/3/events", json=_request(9), headers=headers) for _ in range(3)]
    assert limited[-1].status_code == 429 and limited[-1].json["code"] == "BadRequest"
    assert "Retry-After" in limited[-1].headers


def test_the_loser_of_a_race_for_the_same_event_is_answered_as_a_duplicate(app, world, member, database, monkeypatch):
    from workbench.exchange import pact_api

    partner, headers = _event_headers(app, member)
    assert partner.post("/pact/3/events", json=_request(1), headers=headers).status_code == 200
    # The second copy's look-up ran before the first copy committed: only the constraint sees it.
    monkeypatch.setattr(pact_api, "_already_stored", lambda client, event: False)
    assert partner.post("/pact/3/events", json=_request(1), headers=headers).status_code == 200
    assert partner.post("/pact/3/events", json=_request(2), headers=headers).status_code == 200
    with database() as session:
        assert session.scalars(select(PactEvent.event_id).order_by(PactEvent.id)).all() == ["r1", "r2"]


def test_the_next_page_link_ignores_the_host_header_and_reserved_names(app, world, member):
    client_id, secret = _create_client(member)
    partner = app.test_client()
    headers = _bearer(_token(partner, client_id, secret).json["access_token"])
    for name in ("_external", "_anchor", "_scheme", "_method"):
        response = partner.get(f"/pact/3/footprints?limit=1&{name}=x", headers=headers)
        assert response.status_code == 200, name
        assert f"{name}=x" in response.headers["Link"]
    app.config["PUBLIC_URL"] = "https://workbench.example"
    try:
        forged = partner.get("/pact/3/footprints?limit=1", headers={**headers, "Host": "evil.example"})
        link = re.fullmatch(r'<([^>]+)>; rel="next"', forged.headers["Link"]).group(1)
        assert link.startswith("https://workbench.example/pact/3/footprints?") and "evil" not in link
    finally:
        app.config["PUBLIC_URL"] = ""


def test_paging_in_sql_and_with_filters_gives_the_same_pages(app, world, member):
    client_id, secret = _create_client(member)
    partner = app.test_client()
    headers = _bearer(_token(partner, client_id, secret).json["access_token"])

    def pages(query: str) -> list[list[str]]:
        found, address = [], f"/pact/3/footprints?limit=1&{query}"
        while address:
            response = partner.get(address, headers=headers)
            found.append([item["id"] for item in response.json["data"]])
            link = response.headers.get("Link")
            address = re.fullmatch(r'<([^>]+)>; rel="next"', link).group(1) if link else None
        return found

    clinker, cement, slag = world["pf"][:3]
    assert pages("") == [[slag], [cement], [clinker]]
    assert pages("status=Active") == [[cement], [clinker]]
    assert pages("geography=CN&status=Active") == [[cement], [clinker]]
    assert pages("geography=CN&geography=DE") == [[slag], [cement], [clinker]]
    assert partner.get("/pact/3/footprints?offset=100001", headers=headers).status_code == 400
