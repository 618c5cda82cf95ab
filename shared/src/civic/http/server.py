"""How every service's `serve` command runs its app."""

from __future__ import annotations

from fastapi import FastAPI

from civic.settings import ServiceSettings


def serve(app: FastAPI, settings: ServiceSettings) -> int:
    import uvicorn

    uvicorn.run(app, host=settings.host, port=settings.port,
                log_level=settings.log_level.lower(), access_log=False)
    return 0
