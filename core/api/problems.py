"""Errors as RFC 9457 problem details (``application/problem+json``).

Every error the API answers — bad input, missing or refused authentication, records
outside the caller's access, stale versions, throttling — has the same shape::

    {"type": "about:blank", "title": "Unprocessable Content", "status": 422,
     "detail": "…", "errors": [{"field": "last_name", "message": "This field cannot be blank."}]}

``errors`` names the field (a dotted path for nested input; ``""`` when the error is not
about one field). A Django ``ValidationError`` from a service keeps its per-field
messages; pydantic's request validation errors are mapped to the same shape."""

from __future__ import annotations

from http import HTTPStatus

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from ..services.errors import ConflictError, NotAllowed

PROBLEM_CONTENT_TYPE = "application/problem+json"


class FieldError(Schema):
    field: str
    message: str


class Problem(Schema):
    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    errors: list[FieldError] = []


#: The problems any operation may answer, for its ``response=`` declaration.
ERRORS = {code: Problem for code in (400, 401, 403, 404, 422, 429)}
#: ...and an update or action on a versioned record (If-Match: 409, 412, 428).
WRITE_ERRORS = ERRORS | {409: Problem, 412: Problem, 428: Problem}
#: ...and a write with no version to match (a new chronology entry, an alert action).
UNVERSIONED_WRITE_ERRORS = ERRORS | {409: Problem}


class PreconditionFailed(Exception):
    """The ``If-Match`` version is not the stored one (412) or is missing (428)."""

    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


class IdempotencyConflict(Exception):
    """An ``Idempotency-Key`` reused with a different request (422)."""


def problem_response(api, request: HttpRequest, status: int, detail: str = "", errors=()) -> HttpResponse:
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "errors": [{"field": f, "message": m} for f, m in errors],
    }
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM_CONTENT_TYPE
    return response


def _django_errors(exc: ValidationError) -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [
            ("" if field == "__all__" else field, message)
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [("", message) for message in exc.messages]


def _pydantic_errors(exc: NinjaValidationError) -> list[tuple[str, str]]:
    out = []
    for error in exc.errors:
        # loc is ("body", "payload", "last_name") or ("query", "page"): drop the source
        # and ninja's parameter name so the field reads as the client sent it.
        loc = [str(x) for x in error.get("loc", ())]
        if loc and loc[0] in ("body", "query", "path", "header", "cookie", "form"):
            loc = loc[1:]
        if loc and loc[0] in ("payload", "filters", "ninja_pagination"):
            loc = loc[1:]
        out.append((".".join(loc), error.get("msg", "Invalid value.")))
    return out


def install(api) -> None:
    """Register the problem-details handlers on a ``NinjaAPI``."""

    def handler(exc_class, status_for, detail_for=lambda e: str(e), errors_for=lambda e: ()):
        api.add_exception_handler(
            exc_class,
            lambda request, exc: problem_response(api, request, status_for(exc), detail_for(exc), errors_for(exc)),
        )

    handler(Http404, lambda e: 404, lambda e: "No such record, or you do not have access to it.")
    handler(NinjaValidationError, lambda e: 422, lambda e: "The request is not valid.", _pydantic_errors)
    # ConflictError and NotAllowed are ValidationErrors: the most specific class wins.
    handler(ConflictError, lambda e: 412, lambda e: " ".join(e.messages))
    handler(NotAllowed, lambda e: 403, lambda e: " ".join(e.messages))
    handler(ValidationError, lambda e: 422, lambda e: "The request is not valid.", _django_errors)
    handler(PermissionDenied, lambda e: 403, lambda e: str(e) or "You do not have the access this needs.")
    handler(AuthenticationError, lambda e: 401,
            lambda e: "Send a valid API token (Authorization: Bearer …) or a session cookie.")
    handler(Throttled, lambda e: 429, lambda e: "Too many requests for this token; slow down.")
    handler(HttpError, lambda e: e.status_code, str)
    handler(PreconditionFailed, lambda e: e.status, lambda e: e.detail)
    handler(IdempotencyConflict, lambda e: 422, str)


#: Error responses documented on every operation (with ``application/problem+json``).
ERROR_STATUSES = (400, 401, 403, 404, 412, 422, 428, 429)
