"""Domain errors: how a service says "no" without knowing about HTTP.

Services and repositories raise these. One mapping, in ``civic.http.problems``, turns
each kind into an RFC 9457 problem with the status below, so the same refusal reads the
same way from every service, and a service can be called from a consumer loop or a CLI
where there is no HTTP at all.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the request. ``title`` and ``slug`` name the kind of
    refusal for people and machines; ``detail`` says what was wrong in this case and
    must never quote a resident's data."""

    status = 400

    def __init__(self, title: str, detail: str, *, slug: str,
                 retry_after_s: int | None = None) -> None:
        super().__init__(detail)
        self.title, self.detail, self.slug = title, detail, slug
        self.retry_after_s = retry_after_s


class InvalidInput(DomainError):
    """The request is well-formed but breaks a rule (422)."""

    status = 422


class NotAllowed(DomainError):
    """This caller may not do this to this thing (403)."""

    status = 403


class NotFound(DomainError):
    """No such thing (404)."""

    status = 404


class Conflict(DomainError):
    """The thing's current state does not allow this (409)."""

    status = 409


class Gone(DomainError):
    """The thing existed and was erased on purpose (410)."""

    status = 410


class Unavailable(DomainError):
    """Could not be done now; the same request may succeed later (503)."""

    status = 503


class TooMany(DomainError):
    """This caller is over a limit; the same request may succeed after ``retry_after_s``
    seconds, or once it has freed some of what it holds (429, with Retry-After)."""

    status = 429

    def __init__(self, title: str, detail: str, *, slug: str, retry_after_s: int) -> None:
        super().__init__(title, detail, slug=slug, retry_after_s=retry_after_s)
