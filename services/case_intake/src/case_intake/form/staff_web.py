"""The HTTP side of staff sessions: cookies, the sign-in page's notices, and the page a
refused CSRF check gets. The rules themselves are in ``case_intake.staff_sessions``."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from case_intake.form.pages import render
from case_intake.settings import Settings

SESSION_COOKIE = "civic_staff_session"  # the signed session token
SIGN_IN_COOKIE = "civic_staff_sign_in"  # the sign-in form's CSRF nonce, before a session
LEGACY_COOKIE = "civic_staff_key"  # held the raw API key before sessions: cleared on sight
COOKIE_PATH = "/staff"  # the resident's pages never receive staff cookies
# sent by form/static/live.js when the queue or the board refreshes itself
REFRESH_HEADER = "Civic-Refresh"
# Partners sign in the same way, with cookies of their own under /partner: neither
# role's pages ever receive the other's cookies.
PARTNER_SESSION_COOKIE = "civic_partner_session"
PARTNER_SIGN_IN_COOKIE = "civic_partner_sign_in"
PARTNER_COOKIE_PATH = "/partner"


def set_cookie(response: Response, settings: Settings, name: str, value: str,
               max_age: int | None = None, path: str = COOKIE_PATH) -> None:
    """HttpOnly (no script reads it), SameSite=Strict (no other site's request carries
    it) and Secure outside dev (``Settings.secure_cookies``)."""
    response.set_cookie(name, value, max_age=max_age, path=path, httponly=True,
                        samesite="strict", secure=settings.secure_cookies)


def clear_cookie(response: Response, settings: Settings, name: str,
                 path: str = COOKIE_PATH) -> None:
    response.delete_cookie(name, path=path, httponly=True, samesite="strict",
                           secure=settings.secure_cookies)


def to_sign_in(settings: Settings, ended: str | None) -> RedirectResponse:
    """Back to sign-in, saying why when a session ended; the dead cookie goes."""
    target = f"/staff/sign-in?ended={ended}" if ended else "/staff/sign-in"
    response = RedirectResponse(target, status_code=303)
    if ended:
        clear_cookie(response, settings, SESSION_COOKIE)
    clear_legacy_cookie(response)
    return response


def clear_legacy_cookie(response: Response) -> None:
    response.delete_cookie(LEGACY_COOKIE, path="/")  # set on / before sessions


def sign_in_notice(settings: Settings, ended: str | None) -> str | None:
    notices = {
        "signed-out": "You have signed out.",
        "idle": f"You were signed out because phone mode was not used for "
                f"{settings.session_idle_minutes:g} minutes. Sign in again to carry on.",
        "absolute": f"You were signed out because you signed in more than "
                    f"{settings.session_absolute_hours:g} hours ago. Sign in again to "
                    "carry on.",
        "key-revoked": "You were signed out because your staff API key has been revoked "
                       "or changed. Sign in with a key that is still valid.",
        "ended": "Your session has ended. Sign in again to carry on.",
    }
    return notices.get(ended or "")


REFUSALS = {
    "sign-in": ("The sign-in form was sent without its security code, or with one that "
                "does not match this browser.", "/staff/sign-in", "Go to the sign-in page"),
    "sign-out": ("The sign-out form was sent without its security code, or with one "
                 "that does not match your session. You are still signed in.",
                 "/staff/request-help", "Go back to phone mode"),
    "staff-form": ("The request was sent without its security code, or with one that "
                   "does not match your session. Nothing was saved.",
                   "/staff/request-help", "Go back to phone mode"),
    "case-action": ("The change was sent without its security code, or with one that "
                    "does not match your session. Nothing was changed.", "/staff/queue",
                    "Go back to the queue"),
    "partner-sign-in": ("The sign-in form was sent without its security code, or with one "
                        "that does not match this browser.", "/partner/sign-in",
                        "Go to the sign-in page"),
    "partner-sign-out": ("The sign-out form was sent without its security code, or with one "
                         "that does not match your session. You are still signed in.",
                         "/partner/board", "Go back to the cases to claim"),
    "partner-form": ("The request was sent without its security code, or with one that "
                     "does not match your session. Nothing was changed.", "/partner/board",
                     "Go back to the cases to claim"),
}


def csrf_refused(request: Request, settings: Settings, form: str) -> HTMLResponse:
    """403: a staff form posted without a valid CSRF token, said plainly."""
    reason, retry, retry_text = REFUSALS[form]
    return render(request, settings, "csrf_refused.html", 403, reason=reason, retry=retry,
                  retry_text=retry_text,
                  who="Partner" if form.startswith("partner") else "Staff")
