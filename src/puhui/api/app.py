"""The application factory: API under /api/v1 and the console at /."""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from puhui.api import problems
from puhui.api.routes import router
from puhui.bootstrap import Platform


def create_app(platform: Platform | None = None) -> FastAPI:
    app = FastAPI(
        title="puhui",
        version="0.1.0",
        description="普惠 — a verifiable record and credit platform for inclusive finance",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
    )
    app.state.platform = platform or Platform.from_settings()
    problems.install(app)
    app.include_router(router)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def console() -> str:
        return (files("puhui") / "web" / "index.html").read_text(encoding="utf-8")

    return app
