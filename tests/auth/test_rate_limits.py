"""Per-address limits on sign-in, applying and "find your application", with a page saying when to
try again."""
from __future__ import annotations

from app.config import Defaults, apply_environment
from tests.helpers import answers

OFFICE = {"REMOTE_ADDR": "192.0.2.10"}
ELSEWHERE = {"REMOTE_ADDR": "192.0.2.99"}


def _sign_in(client, address: dict):
    return client.post("/staff/login", data={"email": "a@example.org", "password": "wrong password"},
                       environ_base=address)


def test_sign_in_is_limited_per_address_with_a_friendly_page(make_app):
    client = make_app(RATELIMIT_LOGIN="3/minute;10/hour").test_client()
    assert [_sign_in(client, OFFICE).status_code for _ in range(3)] == [200, 200, 200]
    refused = _sign_in(client, OFFICE)
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "too many requests from your network" in page and "try again in 1 minute" in page
    assert 0 < int(refused.headers["Retry-After"]) <= 61  # the window, rounded up
    # Reading the page is not limited, and another address is not affected.
    assert client.get("/staff/login", environ_base=OFFICE).status_code == 200
    assert _sign_in(client, ELSEWHERE).status_code == 200


def test_one_ipv6_network_counts_as_one_address(make_app):
    client = make_app(RATELIMIT_LOGIN="2/minute").test_client()
    _sign_in(client, {"REMOTE_ADDR": "2001:db8:1:2::1"})
    _sign_in(client, {"REMOTE_ADDR": "2001:db8:1:2::abcd"})
    assert _sign_in(client, {"REMOTE_ADDR": "2001:db8:1:2:ffff::9"}).status_code == 429
    assert _sign_in(client, {"REMOTE_ADDR": "2001:db8:1:3::1"}).status_code == 200


def test_find_your_application_is_limited(make_app):
    client = make_app().test_client()  # the default: 5 a minute
    statuses = [client.post("/application/find", data={"email": f"p{n}@example.org"}, environ_base=OFFICE).status_code
                for n in range(6)]
    assert statuses == [200, 200, 200, 200, 200, 429]


def test_applying_is_limited_but_generously(make_app):
    app = make_app(RATELIMIT_APPLY="2/minute")
    client = app.test_client()
    client.get("/apply", environ_base=OFFICE)
    for _ in range(2):
        response = client.post("/apply", data=answers(app), content_type="multipart/form-data", environ_base=OFFICE)
        assert response.status_code == 302
    response = client.post("/apply", data=answers(app), content_type="multipart/form-data", environ_base=OFFICE)
    assert response.status_code == 429
    # Check your answers has its own allowance, so the applicant can still submit.
    assert client.post("/apply/check", environ_base=OFFICE, follow_redirects=True).status_code == 200
    assert Defaults.RATELIMIT_APPLY == "30/minute" and Defaults.RATELIMIT_LOGIN == "10/minute;50/hour"


def test_limits_and_their_storage_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://cache.internal:6379/0")
    monkeypatch.setenv("RATELIMIT_LOGIN", "20/minute")
    monkeypatch.setenv("RATELIMIT_ENABLED", "false")
    config: dict = {}
    apply_environment(config)
    assert config["RATELIMIT_STORAGE_URI"] == "redis://cache.internal:6379/0"
    assert config["RATELIMIT_LOGIN"] == "20/minute"
    assert config["RATELIMIT_ENABLED"] is False


def test_limits_are_off_when_configured_off(make_app):
    client = make_app(RATELIMIT_ENABLED=False, RATELIMIT_LOGIN="1/minute").test_client()
    assert [_sign_in(client, OFFICE).status_code for _ in range(3)] == [200, 200, 200]
