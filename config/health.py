"""GET /health/: whether this app server can serve, for a load balancer or a monitor.

200 {"status": "ok", "database": "ok"} when the database answers a trivial query, else 503
{"status": "unavailable", "database": "error"}: a proxy takes the server out of rotation instead
of sending it requests that would fail. The reason goes to the log, never into the answer (the
endpoint is public). No session, no authentication, no throttle: one query, nothing cached.
"""
import logging

from django.db import DatabaseError, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def health(request):
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database does not answer")
        return JsonResponse({"status": "unavailable", "database": "error"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
