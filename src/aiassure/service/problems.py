"""What the service refuses and why: errors that carry an HTTP status and become RFC 9457 problem details."""

from __future__ import annotations

from ..errors import AiassureError, Diagnostic, ExitCode, NotFoundError, RegistryError, UsageError

# Problem types are relative URIs (RFC 9457 3.1.1) under the service's own address, each
# described in docs/service.md; `about:blank` is a plain HTTP status with nothing more to say.
PROBLEM_BASE = "/api/problems/"


class ServiceProblem(AiassureError):
    """A refusal with an HTTP status; on the command line it is an error like any other (exit 1)."""

    status = 400
    slug = "bad-request"
    title = "Bad request"

    def __init__(
        self, message: str, diagnostics: list[Diagnostic] | None = None, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message, diagnostics)
        self.headers = headers or {}
        self.audited = False  # set once the refusal is in the audit trail
        self.token_id: str | None = None  # the public id of a token refused, for the audit trail

    @property
    def type_uri(self) -> str:
        return PROBLEM_BASE + self.slug


class Unauthenticated(ServiceProblem):
    status, slug, title = 401, "unauthenticated", "No valid API token"


class Forbidden(ServiceProblem):
    status, slug, title = 403, "forbidden", "The token's role does not allow this"


class IdentityMismatch(ServiceProblem):
    status, slug, title = 403, "identity-mismatch", "The file is not the token's organisation's to submit"


class SelfApproval(ServiceProblem):
    status, slug, title = 403, "self-approval", "A requester may not decide their own waiver"


class NotFound(ServiceProblem):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(ServiceProblem):
    status, slug, title = 409, "conflict", "Conflicts with what is stored"


class TooLarge(ServiceProblem):
    status, slug, title = 413, "too-large", "The request body is over the limit"


class UnsupportedMediaType(ServiceProblem):
    status, slug, title = 415, "unsupported-media-type", "Not a kind of file the service takes"


class InvalidSubmission(ServiceProblem):
    status, slug, title = 422, "invalid-submission", "The submission is invalid"


class InvalidRequest(ServiceProblem):
    status, slug, title = 422, "invalid-request", "The request's parameters are invalid"


class InvalidWaiver(ServiceProblem):
    status, slug, title = 422, "invalid-waiver", "The waiver breaks a rule of waivers"


class RateLimited(ServiceProblem):
    status, slug, title = 429, "rate-limited", "Too many requests"


class Unavailable(ServiceProblem):
    status, slug, title = 503, "unavailable", "The registry is unavailable"


def as_problem(exc: AiassureError) -> ServiceProblem:
    """Any of aiassure's errors as the refusal the service answers with."""
    if isinstance(exc, ServiceProblem):
        return exc
    if isinstance(exc, NotFoundError):
        return NotFound(exc.message, exc.diagnostics)
    if isinstance(exc, RegistryError):
        return Unavailable(exc.message, exc.diagnostics)
    if isinstance(exc, UsageError) or exc.exit_code == ExitCode.USAGE:
        return InvalidRequest(exc.message, exc.diagnostics)
    return InvalidSubmission(exc.message, exc.diagnostics)


PROBLEM_TYPES: dict[str, type[ServiceProblem]] = {
    kind.slug: kind
    for kind in (
        ServiceProblem,
        Unauthenticated,
        Forbidden,
        IdentityMismatch,
        SelfApproval,
        NotFound,
        Conflict,
        TooLarge,
        UnsupportedMediaType,
        InvalidSubmission,
        InvalidRequest,
        InvalidWaiver,
        RateLimited,
        Unavailable,
    )
}
