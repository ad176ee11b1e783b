"""Errors the services raise. Each carries a readable message (Chinese by default) and,
for bad input, the field it concerns; the admin shows it, the API maps it to a status code."""


class ServiceError(Exception):
    status_code = 400

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class InvalidInput(ServiceError):
    """The request names a value that is not acceptable (400)."""


class TransitionNotAllowed(ServiceError):
    """The object is not in a state that allows this step (400)."""


class ActionForbidden(ServiceError):
    """The actor may see the object but not do this (403)."""

    status_code = 403


class ConcurrentChange(ServiceError):
    """Somebody changed the object while this request was working on it (409)."""

    status_code = 409
