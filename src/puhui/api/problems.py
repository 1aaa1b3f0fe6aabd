"""RFC 9457 problem+json: the one place errors become HTTP responses."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from puhui.kernel.errors import PuhuiError
from puhui.kernel.store.failures import as_store_error

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("puhui.api")


def problem(
    status: int, title: str, detail: str, code: str, instance: str, **extra: object
) -> JSONResponse:
    body = {
        "type": f"https://puhui.dev/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def invalid_request(instance: str, errors: list[dict[str, Any]]) -> JSONResponse:
    """422 for a request FastAPI's validation or ``request_guard`` refused; ``errors`` carry
    each problem's ``loc`` (a list of names) and ``msg``."""
    detail = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors[:5])
    return problem(
        422, "The request is not valid", detail, "invalid-request", instance, errors=errors
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(PuhuiError)
    async def _domain(request: Request, exc: PuhuiError) -> JSONResponse:
        body = exc.to_problem() | {"instance": request.url.path}
        return JSONResponse(body, status_code=exc.status, media_type=PROBLEM_JSON)

    @app.exception_handler(DBAPIError)
    async def _store(request: Request, exc: DBAPIError) -> JSONResponse:
        error = as_store_error(exc)
        return await (_unexpected(request, exc) if error is None else _domain(request, error))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": [str(p) for p in e["loc"]], "msg": e["msg"]} for e in exc.errors()[:20]]
        return invalid_request(request.url.path, errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(
            exc.status_code,
            "HTTP error",
            str(exc.detail),
            f"http-{exc.status_code}",
            request.url.path,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url.path)
        return problem(
            500,
            "Internal error",
            "the request failed; nothing was changed",
            "internal-error",
            request.url.path,
        )
