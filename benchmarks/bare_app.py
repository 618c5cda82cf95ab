"""The baseline: a bare FastAPI + pydantic POST that validates the same body and answers
201, with no database, outbox or logic. Intake's throughput is reported against it."""

from __future__ import annotations

import uuid

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from case_intake.cases.schemas import CaseCreate

app = FastAPI()


@app.post("/v1/cases", status_code=201)
async def create(body: CaseCreate) -> JSONResponse:
    # async, so the baseline pays no threadpool hop: the fastest plain FastAPI POST
    return JSONResponse({"id": str(uuid.uuid4()), "status": "submitted"}, status_code=201)
