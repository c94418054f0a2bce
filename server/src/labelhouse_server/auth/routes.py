"""Sign-in for the web app: ``POST /auth/login``, ``GET /auth/session``, ``POST /auth/logout``."""

from __future__ import annotations

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ..contract import responses
from ..db.transaction import write_transaction
from ..deps import DB, authenticate
from ..errors import CsrfFailed, Invalid, LabelhouseError, NotAuthenticated
from ..http import json_response
from ..routing import Routes
from . import login_limit
from .keys import account_for_key
from .passwords import check_password, store_rehash
from .schemas import LoginRequest, SessionPublic
from .sessions import (
    COOKIE_NAME,
    CSRF_HEADER,
    IDLE_DAYS,
    api_key_id_for,
    close_session,
    find_session,
    open_session,
    touch_session,
)

router = Routes(prefix="/auth", tags=["auth"])

BAD_CREDENTIALS = "Wrong username, password or API key."


class BadCredentials(LabelhouseError):
    status_code = 401
    code = "bad_credentials"
    default_detail = BAD_CREDENTIALS


def _set_cookie(response: Response, request: Request, token: str) -> None:
    secure = request.app.state.settings.public_url.lower().startswith("https://")
    response.set_cookie(COOKIE_NAME, token, max_age=IDLE_DAYS * 86400, path="/", httponly=True, samesite="lax",
                        secure=secure)


@router.post("/login", response_model=SessionPublic, summary="Sign in with a password or an API key; sets the "
             "session cookie",
             responses=responses(200, SessionPublic, (400, 401, 429)))
def login(body: LoginRequest, request: Request, session: DB) -> Response:
    by_key = body.api_key is not None
    if not by_key and (body.username is None or body.password is None):
        raise Invalid("Send 'username' and 'password', or 'api_key'.", field="body")
    login_limit.check_login_allowed(request, body.username)
    new_hash: str | None = None
    if by_key:
        account = account_for_key(session, body.api_key or "")
        key_id = api_key_id_for(session, body.api_key or "") if account is not None else None
        if account is not None and account.is_organization:
            account = None
    else:
        account, new_hash = check_password(session, body.username or "", body.password or "")
        key_id = None
    if account is None:
        login_limit.record_login_failure(request, body.username)
        raise BadCredentials()
    with write_transaction(session):
        if new_hash is not None:
            store_rehash(session, account.id, new_hash)
        token, csrf = open_session(session, account, key_id)
    response = json_response({"username": account.username, "csrf_token": csrf})
    _set_cookie(response, request, token)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/session", response_model=SessionPublic, summary="Who is signed in (401 when nobody)",
            responses=responses(200, SessionPublic, (401,)))
async def get_session(request: Request, session: DB) -> Response:
    if COOKIE_NAME not in request.cookies:
        raise NotAuthenticated()
    account = authenticate(request, session)
    browser = getattr(request.state, "browser_session", None)
    if browser is None:
        raise NotAuthenticated()
    await run_in_threadpool(_touch, request, browser.id)
    response = json_response({"username": account.username, "csrf_token": browser.csrf_token})
    response.headers["Cache-Control"] = "no-store"
    return response


def _touch(request: Request, session_id: int) -> None:
    with request.app.state.sessionmaker() as write:
        touch_session(write, session_id)
        write.commit()


@router.post("/logout", status_code=204, summary="Sign out: ends the session on the server, clears the cookie",
             responses=responses(204, None, (403,)))
def logout(request: Request, session: DB) -> Response:
    token = request.cookies.get(COOKIE_NAME)
    browser = find_session(session, token) if token else None
    if browser is not None:
        if not browser.csrf_ok(request.headers.get(CSRF_HEADER)):
            raise CsrfFailed()
        with write_transaction(session):
            close_session(session, token or "")
    response = Response(status_code=204)
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="lax")
    return response
