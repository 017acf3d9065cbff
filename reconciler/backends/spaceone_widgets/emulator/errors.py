"""python-core's errors as its REST gateway answers them: a gRPC code's HTTP status and `{"detail": …}`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

# python-core 1.12's `fastapi/api.py` _STATUS_CODE_MAP: the HTTP status its REST layer answers for each
# gRPC status an error class carries (`error.py`); a status it does not name is a 500.
HTTP_STATUS: Final[Mapping[str, int]] = {
    "OK": 200,
    "CANCELLED": 499,
    "UNKNOWN": 500,
    "INVALID_ARGUMENT": 400,
    "DEADLINE_EXCEEDED": 504,
    "NOT_FOUND": 404,
    "ALREADY_EXISTS": 409,
    "PERMISSION_DENIED": 403,
    "UNAUTHENTICATED": 401,
    "FAILED_PRECONDITION": 400,
    "ABORTED": 409,
    "OUT_OF_RANGE": 400,
    "UNIMPLEMENTED": 501,
    "INTERNAL": 500,
    "UNAVAILABLE": 503,
    "DATA_LOSS": 500,
}


class ServiceError(Exception):
    """An error the service raises: its code (`ERROR_…`), gRPC status and message."""

    def __init__(self, code: str, status: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.message = message

    @property
    def http_status(self) -> int:
        return HTTP_STATUS.get(self.status, 500)

    def body(self) -> dict[str, Any]:
        return {"detail": {"code": self.code, "message": self.message}}


def required(key: str) -> ServiceError:
    return ServiceError("ERROR_REQUIRED_PARAMETER", "INVALID_ARGUMENT", f"Required parameter. (key = {key})")


def wrong_type(key: str, type_name: str) -> ServiceError:
    return ServiceError(
        "ERROR_INVALID_PARAMETER_TYPE",
        "INVALID_ARGUMENT",
        f"Parameter type is invalid. (key = {key}, type = {type_name})",
    )


def invalid(key: str, reason: str) -> ServiceError:
    return ServiceError(
        "ERROR_INVALID_PARAMETER", "INVALID_ARGUMENT", f"Parameter is invalid. (key = {key}, reason = {reason})"
    )


def not_found(custom_widget_id: str, domain_id: str) -> ServiceError:
    # MongoModel.get with two conditions names both, as tuples. Since python-core 1.12 the class carries
    # NOT_FOUND (a 404); until 1.11 it kept its parent's INVALID_ARGUMENT (a 400).
    return ServiceError(
        "ERROR_NOT_FOUND",
        "NOT_FOUND",
        f"Value not found. (('custom_widget_id', 'domain_id') = ({custom_widget_id!r}, {domain_id!r}))",
    )


def query_failed(reason: str) -> ServiceError:
    return ServiceError("ERROR_DB_QUERY", "INTERNAL", f"Database query failed. (reason = {reason})")


def operator_value(code: str, operator: str, condition: Any) -> ServiceError:
    messages = {
        "ERROR_OPERATOR_VALUE_TYPE": f"The value of '{operator} operator' does not support list type. ({condition})",
        "ERROR_OPERATOR_LIST_VALUE_TYPE": f"The value of '{operator} operator' must be a list type. ({condition})",
        "ERROR_OPERATOR_BOOLEAN_TYPE": f"The value of '{operator} operator' must be a boolean type. ({condition})",
        "ERROR_OPERATOR_DICT_VALUE_TYPE": (
            f"The value of '{operator} operator' must be a dictionary type. ({condition})"
        ),
    }
    return ServiceError(code, "INVALID_ARGUMENT", messages[code])


def unauthenticated(reason: str) -> ServiceError:
    return ServiceError("ERROR_AUTHENTICATE_FAILURE", "UNAUTHENTICATED", f"Authenticate failure. (message = {reason})")


def permission_denied() -> ServiceError:
    return ServiceError("ERROR_PERMISSION_DENIED", "PERMISSION_DENIED", "Permission denied.")


def unknown(message: str) -> ServiceError:
    """What the service's transaction makes of any exception that is not one of its own errors."""
    return ServiceError("ERROR_UNKNOWN", "INTERNAL", message)


def not_json() -> ServiceError:
    return ServiceError("ERROR_UNKNOWN", "INTERNAL", "JSON Parsing Error: Request body requires JSON format.")
