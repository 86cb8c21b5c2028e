"""The FastAPI application: the service's state, who the caller is, problem details for every refusal, and the docs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..errors import AiassureError, Diagnostic, Location
from .audit import Actor, Event, append_alone
from .identity import Principal, authenticate, public_id_of
from .logs import logger
from .middleware import BodyLimit, RateLimiter, RequestContext, Scope, client_address, problem_body, request_id
from .problems import InvalidRequest, RateLimited, ServiceProblem, Unauthenticated, as_problem
from .settings import Settings

if TYPE_CHECKING:
    from ..registry.store import Registry

STATIC = Path(__file__).parent / "static"
OPENAPI_URL = "/api/openapi.json"
# Refusals that say something about who is knocking: written to the audit trail.
AUDITED_STATUSES = {401, 403, 408, 413, 429}


@dataclass
class Service:
    """What every request of one worker process shares."""

    settings: Settings
    registry: Registry
    limiter: RateLimiter

    def actor(self, scope: Scope, principal: Principal | None = None) -> Actor:
        if principal is None:
            return Actor("anonymous", request_id=request_id(scope) or None, client=client_address(scope))
        return Actor(
            principal.name,
            principal.token_id,
            principal.organisation,
            request_id(scope) or None,
            client_address(scope),
        )


def service_of(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


_bearer = HTTPBearer(auto_error=False, description="An API token: aia_<id>_<secret>")


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def caller(request: Request, credentials: Credentials) -> Principal:
    """The authenticated, rate-limited principal of a request (a dependency of every API route)."""
    service = service_of(request)
    presented = credentials.credentials if credentials is not None else None
    try:
        principal = authenticate(service.registry, presented)
    except Unauthenticated as exc:
        # Unknown callers share their address's budget, so guessing tokens is slow too.
        wait = service.limiter.take(f"client:{client_address(request.scope)}")
        if wait:
            raise RateLimited(
                "too many requests without a valid token from this address",
                headers={"Retry-After": RateLimiter.retry_after(wait)},
            ) from None
        exc.headers = {"WWW-Authenticate": 'Bearer realm="aiassure"'}
        exc.token_id = public_id_of(presented or "")
        raise
    request.scope.setdefault("state", {})["principal"] = principal
    wait = service.limiter.take(f"token:{principal.token_id}")
    if wait:
        raise RateLimited(
            f"token {principal.token_id} is over its limit of {service.settings.rate_per_minute} requests a minute",
            headers={"Retry-After": RateLimiter.retry_after(wait)},
        )
    return principal


def create_app(settings: Settings, registry: Registry | None = None) -> FastAPI:
    """The application over the registry of `settings` (opened and migrated here unless given)."""
    from ..registry.store import open_registry
    from .routes import router

    app = FastAPI(
        title="aiassure submission service",
        version=__version__,
        summary="Vendors and trusts submit assessments; each organisation sees its own; the AI Lab sees all.",
        openapi_url=OPENAPI_URL,
        docs_url=None,
        redoc_url=None,
    )
    opened = registry if registry is not None else open_registry(settings.db)
    service = Service(settings, opened, RateLimiter(settings.rate_per_worker))
    app.state.service = service
    app.include_router(router)
    app.mount("/api/static", StaticFiles(directory=STATIC), name="static")
    _add_docs(app)
    _add_handlers(app)

    async def on_refused(scope: Scope, problem: ServiceProblem) -> None:
        await run_in_threadpool(_audit_refusal, service, scope, problem)

    app.add_middleware(
        BodyLimit, max_bytes=settings.max_bytes, timeout=settings.body_timeout_seconds, on_refused=on_refused
    )
    app.add_middleware(RequestContext)
    if registry is None:
        app.router.add_event_handler("shutdown", opened.close)
    return app


def create_app_from_env() -> FastAPI:
    """The factory uvicorn's worker processes call: settings from AIASSURE_SERVICE_SETTINGS."""
    return create_app(Settings.from_env())


def _audit_refusal(service: Service, scope: Scope, problem: ServiceProblem) -> None:
    principal = scope.get("state", {}).get("principal")
    if principal is None and problem.status != 401:
        principal = _principal_if_any(service, scope)
    actor = service.actor(scope, principal)
    if principal is None and problem.token_id:
        actor = Actor("unverified token", problem.token_id, None, actor.request_id, actor.client)
    reason = f"{problem.status} {problem.slug}: {problem.message}"
    event = Event(f"{scope['method']} {scope['path']}", "refused", None, reason)
    try:
        append_alone(service.registry, actor, event)
    except AiassureError:  # the registry is down: the refusal stands, and is logged
        logger().warning("audit write failed", extra={"request_id": actor.request_id}, exc_info=True)


def _principal_if_any(service: Service, scope: Scope) -> Principal | None:
    """Who sent a request refused before authentication (an oversize body), if its token is valid."""
    from .middleware import _header

    value = _header(scope, "authorization") or ""
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer":
        return None
    try:
        return authenticate(service.registry, token.strip())
    except AiassureError:
        return None


def _add_handlers(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, AiassureError)
        problem = as_problem(exc)
        if problem.status in AUDITED_STATUSES and not problem.audited:
            await run_in_threadpool(_audit_refusal, service_of(request), request.scope, problem)
        return problem_response(request.scope, problem)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        diagnostics = [
            Diagnostic(
                "invalid-parameter",
                str(error.get("msg", "invalid")),
                Location(str(error["loc"][0]) if error.get("loc") else "request"),
                ".".join(str(part) for part in error.get("loc", ())[1:]),
            )
            for error in exc.errors()
        ]
        return problem_response(request.scope, InvalidRequest("the request's parameters are invalid", diagnostics))

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        body = {
            "type": "about:blank",
            "title": _reason(exc.status_code),
            "status": exc.status_code,
            "detail": str(exc.detail),
            "instance": request.url.path,
            "request_id": request_id(request.scope) or None,
            "errors": [],
        }
        return JSONResponse(body, exc.status_code, headers=exc.headers, media_type="application/problem+json")

    async def on_crash(request: Request, exc: Exception) -> JSONResponse:
        rid = request_id(request.scope)
        logger().error("internal error", extra={"request_id": rid}, exc_info=exc)
        body = {
            "type": "about:blank",
            "title": "Internal Server Error",
            "status": 500,
            "detail": f"a bug in aiassure; report it with the request id {rid}",
            "instance": request.url.path,
            "request_id": rid or None,
            "errors": [],
        }
        return JSONResponse(body, 500, media_type="application/problem+json")

    app.add_exception_handler(AiassureError, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_crash)


def problem_response(scope: Scope, problem: ServiceProblem) -> JSONResponse:
    return JSONResponse(
        problem_body(problem, scope), problem.status, headers=problem.headers, media_type="application/problem+json"
    )


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _add_docs(app: FastAPI) -> None:
    @app.get("/api/docs", include_in_schema=False)
    def swagger() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=OPENAPI_URL,
            title="aiassure API",
            swagger_js_url="/api/static/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/api/static/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/api/static/favicon.svg",
        )

    @app.get("/api/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=OPENAPI_URL,
            title="aiassure API",
            redoc_js_url="/api/static/redoc/redoc.standalone.js",
            redoc_favicon_url="/api/static/favicon.svg",
            with_google_fonts=False,
        )
