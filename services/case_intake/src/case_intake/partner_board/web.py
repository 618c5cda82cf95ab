"""The HTTP side of partner sessions that differs from staff's: where a partner without
a session goes, and what its sign-in page says. Cookies, their flags and the CSRF
refusal page are staff's, in ``case_intake.form.staff_web``."""

from __future__ import annotations

from fastapi.responses import RedirectResponse

from case_intake.form.staff_web import PARTNER_COOKIE_PATH, PARTNER_SESSION_COOKIE, clear_cookie
from case_intake.settings import Settings

SIGN_IN = "/partner/sign-in"


def to_sign_in(settings: Settings, ended: str | None) -> RedirectResponse:
    """Back to sign-in, saying why when a session ended; the dead cookie goes."""
    response = RedirectResponse(f"{SIGN_IN}?ended={ended}" if ended else SIGN_IN,
                                status_code=303)
    if ended:
        clear_cookie(response, settings, PARTNER_SESSION_COOKIE, path=PARTNER_COOKIE_PATH)
    return response


def sign_in_notice(settings: Settings, ended: str | None) -> str | None:
    notices = {
        "signed-out": "You have signed out.",
        "idle": f"You were signed out because the partner pages were not used for "
                f"{settings.session_idle_minutes:g} minutes. Sign in again to carry on.",
        "absolute": f"You were signed out because you signed in more than "
                    f"{settings.session_absolute_hours:g} hours ago. Sign in again to "
                    "carry on.",
        "key-revoked": "You were signed out because your partner API key has been revoked "
                       "or changed. Sign in with a key that is still valid.",
        "ended": "Your session has ended. Sign in again to carry on.",
    }
    return notices.get(ended or "")
