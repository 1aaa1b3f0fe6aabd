"""The application factory: API under /api/v1 and the console at /."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from puhui.api import (
    accounts_routes,
    agri,
    credit,
    documents,
    lending,
    orders_routes,
    problems,
    receivables_routes,
    signin,
)
from puhui.api.request_guard import RequestGuard
from puhui.api.routes import router
from puhui.bootstrap import Platform
from puhui.kernel.writer import GroupCommitter


def create_app(platform: Platform | None = None) -> FastAPI:
    platform = platform or Platform.from_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.writer = GroupCommitter(platform.kernel)
        try:
            yield
        finally:
            app.state.writer.close()

    app = FastAPI(
        lifespan=lifespan,
        title="puhui",
        version="0.1.0",
        description="普惠 — a verifiable record and credit platform for inclusive finance",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
    )
    app.state.platform = platform
    problems.install(app)
    app.add_middleware(RequestGuard)
    app.include_router(router)
    app.include_router(documents.router)
    app.include_router(accounts_routes.router)
    app.include_router(lending.router)
    app.include_router(credit.router)
    app.include_router(receivables_routes.router)
    app.include_router(agri.router)
    app.include_router(signin.router)
    app.include_router(orders_routes.router)

    web = files("puhui") / "web"
    app.mount("/static", StaticFiles(directory=str(web / "static")), name="static")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def console() -> str:
        return (web / "index.html").read_text(encoding="utf-8")

    return app
