"""Service errors: one message in Chinese, mapped to an HTTP status by the API and shown by pages."""

from django.http import Http404


class ServiceError(Exception):
    status = 400

    def __init__(self, message: str, *, code: str = "", field: str = ""):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


class Invalid(ServiceError):
    """Bad input: 422."""

    status = 422


class Forbidden(ServiceError):
    """The user may see the object but not do this: 403."""

    status = 403


class Conflict(ServiceError):
    """The object is not in a state that allows this: 409."""

    status = 409


class NotFound(Http404):
    """The object does not exist or the user may not see it: 404, on pages (the 404 page) and in the API
    ({"detail": ...}) alike. Not a ServiceError: a page that shows service errors next to its form must
    not turn "you may not see this" into a message on the page."""

    status = 404

    def __init__(self, message: str = "未找到", *, code: str = "not_found", field: str = ""):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
