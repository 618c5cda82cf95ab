"""civic.http.problems on a small FastAPI app built here: every error is an RFC 9457
problem document, validation errors name the fields, and a 500 says nothing of what
went wrong inside."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from civic.errors import Conflict, TooMany, Unavailable
from civic.http import problems
from civic.http.problems import PROBLEM_JSON, TYPE_BASE, Problem

SECRET = "postgresql://civic:s3cret-pw@db.internal/cases for Alex Quillfeather"


class Item(BaseModel):
    name: str = Field(min_length=1)
    count: int = Field(ge=1)


def _app() -> FastAPI:
    app = FastAPI()
    problems.install(app)

    @app.post("/items")
    def create(item: Item) -> Item:
        return item

    @app.get("/items/{item_id}")
    def read(item_id: int) -> dict[str, int]:
        raise Problem(404, "Item not found", f"There is no item {item_id}.", slug="no-item")

    @app.get("/claimed")
    def claimed() -> None:
        raise Conflict("Already claimed", "Another partner has claimed this case.",
                       slug="already-claimed")

    @app.get("/busy")
    def busy() -> None:
        raise Unavailable("Try again later", "Scoring is catching up.", slug="busy",
                          retry_after_s=30)

    @app.get("/too-many")
    def too_many() -> None:
        raise TooMany("Claim cap reached", "This partner holds 25 open claims.",
                      slug="claim-cap-reached", retry_after_s=60)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError(f"could not reach {SECRET}")

    return app


@pytest.fixture(scope="module")
def client():
    with TestClient(_app(), raise_server_exceptions=False) as client:
        yield client


def _problem(response, status: int) -> dict:
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert body["status"] == status and body["title"]
    return body


def test_a_validation_error_names_every_offending_field(client):
    body = _problem(client.post("/items", json={"name": "", "count": 0}), 422)
    assert body["type"] == TYPE_BASE + "invalid-request"
    assert body["instance"] == "/items"
    fields = {e["field"]: e["message"] for e in body["errors"]}
    assert set(fields) == {"body.name", "body.count"}
    assert "greater than or equal to 1" in fields["body.count"]
    assert "body.name" in body["detail"] and "body.count" in body["detail"]


def test_a_missing_field_a_bad_path_parameter_and_bad_json_are_named_too(client):
    missing = _problem(client.post("/items", json={"name": "tins"}), 422)
    assert [e["field"] for e in missing["errors"]] == ["body.count"]
    path = _problem(client.get("/items/not-a-number"), 422)
    assert [e["field"] for e in path["errors"]] == ["path.item_id"]
    garbled = _problem(client.post("/items", content=b'{"name": "tins",',
                                   headers={"Content-Type": "application/json"}), 422)
    assert garbled["errors"][0]["message"].startswith("request body is not valid JSON")


def test_a_raised_problem_and_a_domain_refusal_keep_their_slug_and_detail(client):
    body = _problem(client.get("/items/7"), 404)
    assert body == {"type": TYPE_BASE + "no-item", "title": "Item not found", "status": 404,
                    "detail": "There is no item 7.", "instance": "/items/7"}
    conflict = _problem(client.get("/claimed"), 409)
    assert conflict["type"] == TYPE_BASE + "already-claimed"
    busy = client.get("/busy")
    assert _problem(busy, 503)["detail"] == "Scoring is catching up."
    assert busy.headers["retry-after"] == "30"


def test_a_limit_is_a_429_with_retry_after(client):
    """Mutation seen failing: ``TooMany.status`` left at the base class's 400."""
    response = client.get("/too-many")
    body = _problem(response, 429)
    assert body["type"] == TYPE_BASE + "claim-cap-reached"
    assert body["detail"] == "This partner holds 25 open claims."
    assert response.headers["retry-after"] == "60"


def test_framework_errors_are_problems_too(client):
    unknown = _problem(client.get("/nowhere"), 404)
    assert unknown["title"] == "Not Found" and unknown["type"] == "about:blank"
    wrong_method = client.delete("/items")
    assert _problem(wrong_method, 405)["title"] == "Method Not Allowed"
    assert wrong_method.headers["allow"] == "POST"


def test_an_unexpected_error_is_a_500_that_says_nothing_of_internals(client, caplog):
    """Mutation seen failing: the 500 handler putting ``str(exc)`` in ``detail``."""
    response = client.get("/boom")
    body = _problem(response, 500)
    assert body == {"type": "about:blank", "title": "Internal error", "status": 500,
                    "detail": "Something went wrong on our side; it has been logged.",
                    "instance": "/boom"}
    for leak in ("s3cret", "Quillfeather", "db.internal", "RuntimeError", "Traceback"):
        assert leak not in response.text
    assert any(r.levelname == "ERROR" and "/boom" in r.getMessage() for r in caplog.records)
