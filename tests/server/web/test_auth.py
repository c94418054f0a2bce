"""Web sign-in: passwords set by the CLI, the session cookie on every API route (fast lane included), CSRF on
writes, and the ways a session ends. Real server processes, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest
from support import LiveServer, unique

PASSWORD = "correct horse battery"


def set_password(server: LiveServer, username: str, password: str = PASSWORD) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "labelhouse_server.cli", "user", "set-password", username, "--password-stdin",
         "--database-url", server.database_url, "--data-dir", str(server.data_dir)],
        input=password + "\n", capture_output=True, text=True, timeout=120, check=False)


def browser(server: LiveServer) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=60)


def sign_in(server: LiveServer, username: str, password: str = PASSWORD) -> tuple[httpx.Client, str]:
    client = browser(server)
    r = client.post("/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return client, r.json()["csrf_token"]


@pytest.fixture
def labeler(server: LiveServer) -> tuple[str, str]:
    name, key = server.create_user()
    out = set_password(server, name)
    assert out.returncode == 0, out.stderr
    return name, key


def test_password_sign_in_sets_a_locked_down_cookie_and_the_session_answers(server, labeler):
    client = browser(server)
    r = client.post("/auth/login", json={"username": labeler[0], "password": PASSWORD})
    assert r.status_code == 200
    body = r.json()
    assert body["username"] == labeler[0] and len(body["csrf_token"]) >= 32
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("lh_session=")
    lowered = cookie.lower()
    assert "httponly" in lowered and "samesite=lax" in lowered and "path=/" in lowered
    assert "secure" not in lowered  # the public URL is plain http here
    s = client.get("/auth/session")
    assert s.status_code == 200 and s.json() == body
    assert client.get("/user").json()["username"] == labeler[0]


def test_cli_refuses_short_passwords_and_unknown_users(server):
    name, _ = server.create_user()
    short = set_password(server, name, "short")
    assert short.returncode == 1 and "at least 8" in short.stderr
    missing = set_password(server, unique("nobody"))
    assert missing.returncode == 1 and "not found" in missing.stderr


def test_bad_credentials_get_one_answer_whatever_was_wrong(server, labeler):
    client = browser(server)
    answers = [
        client.post("/auth/login", json={"username": labeler[0], "password": "wrong password"}),
        client.post("/auth/login", json={"username": unique("nobody"), "password": PASSWORD}),
        client.post("/auth/login", json={"api_key": "lh_not-a-key"}),
    ]
    assert {r.status_code for r in answers} == {401}
    assert len({r.json()["detail"] for r in answers}) == 1
    assert all("set-cookie" not in r.headers for r in answers)
    assert client.get("/auth/session").status_code == 401
    bad = client.post("/auth/login", json={"username": labeler[0]})
    assert bad.status_code == 400 and "password" in bad.json()["detail"]


def test_cookie_writes_need_the_csrf_token_and_nothing_changes_without_it(server, labeler):
    client, csrf = sign_in(server, labeler[0])
    ds = unique("ds")
    refused = client.post("/user/datasets/", json={"name": ds, "task_type": "bboxes"})
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    wrong = client.post("/user/datasets/", json={"name": ds, "task_type": "bboxes"},
                        headers={"X-CSRF-Token": csrf[:-2] + "xx"})
    assert wrong.status_code == 403
    assert client.get(f"/datasets/{labeler[0]}/{ds}/").status_code == 404
    made = client.post("/user/datasets/", json={"name": ds, "task_type": "bboxes"}, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201, made.text

    sample = client.post(f"/datasets/{labeler[0]}/{ds}/samples/", headers={"X-CSRF-Token": csrf},
                         json={"name": "a.jpg", "attributes": {"image": {"url": "https://example.com/a.jpg"}}})
    assert sample.status_code == 201, sample.text
    uuid = sample.json()["uuid"]
    label = {"label_status": "LABELED", "attributes": {"format_version": "0.1", "annotations": []}}
    # the label PUT is served by the fast lane: it takes the cookie and checks CSRF the same way
    assert client.put(f"/labels/{uuid}/ground-truth/", json=label).status_code == 403
    assert client.get(f"/labels/{uuid}/ground-truth/").status_code == 404
    put = client.put(f"/labels/{uuid}/ground-truth/", json=label, headers={"X-CSRF-Token": csrf})
    assert put.status_code == 201, put.text
    got = client.get(f"/labels/{uuid}/ground-truth/")
    assert got.status_code == 200 and got.json()["label_status"] == "LABELED"
    assert client.get(f"/samples/{uuid}/").json()["name"] == "a.jpg"  # fast-lane read with the cookie


def test_sign_out_deletes_the_session_on_the_server(server, labeler):
    client, csrf = sign_in(server, labeler[0])
    token = client.cookies["lh_session"]
    assert client.post("/auth/logout").status_code == 403  # a write without CSRF
    assert client.post("/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    # the old cookie, replayed, no longer works
    replay = httpx.Client(base_url=server.url, cookies={"lh_session": token})
    assert replay.get("/user").status_code == 401
    assert replay.get("/auth/session").status_code == 401


def test_password_change_ends_sessions(server, labeler):
    client, _ = sign_in(server, labeler[0])
    assert client.get("/user").status_code == 200
    assert set_password(server, labeler[0], "another long password").returncode == 0
    assert client.get("/user").status_code == 401
    sign_in(server, labeler[0], "another long password")
    assert browser(server).post("/auth/login", json={"username": labeler[0], "password": PASSWORD}).status_code == 401


def test_api_key_sign_in_ends_when_the_key_is_revoked(server, labeler):
    client = browser(server)
    r = client.post("/auth/login", json={"api_key": labeler[1]})
    assert r.status_code == 200 and r.json()["username"] == labeler[0]
    assert client.get("/user").status_code == 200
    out = subprocess.run(
        [sys.executable, "-m", "labelhouse_server.cli", "apikey", "revoke", labeler[0], "default",
         "--database-url", server.database_url, "--data-dir", str(server.data_dir)],
        capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    assert client.get("/user").status_code == 401
    assert client.get("/auth/session").status_code == 401


def test_expired_sessions_are_refused(server, labeler):
    from sqlalchemy import create_engine, text

    client, _ = sign_in(server, labeler[0])
    engine = create_engine(server.database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE web_sessions SET expires_at = '2000-01-01T00:00:00.000000Z' "
                          "WHERE account_id = (SELECT id FROM accounts WHERE username = :u)"), {"u": labeler[0]})
    engine.dispose()
    assert client.get("/user").status_code == 401


def test_the_app_is_served_with_deep_links_and_cache_rules(server):
    root = httpx.get(server.url + "/", follow_redirects=False)
    assert root.status_code in (302, 307) and root.headers["location"] == "/app/"
    page = httpx.get(server.url + "/app/datasets/someone/something?page=2")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-cache"
    assert '<div id="root">' in page.text
    assets = [part.split('"')[0] for part in page.text.split('src="/app/')[1:]]
    assert assets, "index.html loads its script from /app/"
    asset = httpx.get(server.url + "/app/" + assets[0])
    assert asset.status_code == 200 and "immutable" in asset.headers["cache-control"]
    assert httpx.get(server.url + "/app/assets/nope.js").status_code == 404
    # nothing is loaded from another origin
    assert "http://" not in page.text and "https://" not in page.text
