"""Page numbers with a count by default; ``?pagination=cursor`` walks a large result set
by opaque cursors (ordered by id, no count, every page as fast as the first).

The count is exact up to settings.API_EXACT_COUNT_LIMIT rows. Past it, on PostgreSQL, counting
every row would cost more than the page itself (a million proposals: tens of milliseconds per
list), so the count is the planner's estimate (never below the limit) and the answer says so with
``"count_estimated": true`` — as large Django sites do for their admin lists. SQLite counts exactly."""
import json

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination

from proposals.filtersets import LARGEST_ID

CURSOR_MODE = "cursor"
INVALID_CURSOR = _("游标无效:请使用列表响应中 next / previous 链接给出的游标")


class TrackerCursorPagination(CursorPagination):
    ordering = "id"
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 1000

    # Never take the ordering from the request: a cursor needs one fixed, unique order.
    def get_ordering(self, request, queryset, view):
        return (self.ordering,)

    def decode_cursor(self, request):
        """A cursor the client made up is a 400 naming ``cursor`` (DRF answers 404, or a 500 when the
        position is not an id: the cursor's position goes into ``id > position`` as it stands)."""
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            cursor = None
        else:
            if cursor is None or cursor.position is None or _is_id(cursor.position):
                return cursor
        raise ValidationError({self.cursor_query_param: [str(INVALID_CURSOR)]})


def _is_id(position: str) -> bool:
    return position.isascii() and position.isdigit() and int(position) <= LARGEST_ID


def planner_estimate(queryset: QuerySet) -> int:
    """The number of rows PostgreSQL's planner expects ``queryset`` to have (EXPLAIN, not run)."""
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = plan if isinstance(plan, list) else json.loads(plan)  # psycopg parses json; a str otherwise
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatingPaginator(Paginator):
    """Django's paginator, counting at most API_EXACT_COUNT_LIMIT + 1 rows on PostgreSQL."""

    estimated = False

    @cached_property
    def count(self):
        queryset = self.object_list
        limit = getattr(settings, "API_EXACT_COUNT_LIMIT", 0)
        if not limit or not isinstance(queryset, QuerySet) or connections[queryset.db].vendor != "postgresql":
            return super().count
        counted = queryset.order_by()[:limit + 1].count()  # SELECT COUNT(*) FROM (… LIMIT n + 1)
        if counted <= limit:
            return counted
        self.estimated = True
        return max(limit + 1, planner_estimate(queryset))


class TrackerPagination(PageNumberPagination):
    django_paginator_class = EstimatingPaginator
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 1000
    mode_query_param = "pagination"

    def _cursor(self, request):
        wants = request.query_params.get(self.mode_query_param) == CURSOR_MODE or "cursor" in request.query_params
        if not wants:
            return None
        if not hasattr(self, "_cursor_paginator"):
            self._cursor_paginator = TrackerCursorPagination()
        return self._cursor_paginator

    def paginate_queryset(self, queryset, request, view=None):
        self._active = self._cursor(request)
        if self._active is not None:
            return self._active.paginate_queryset(queryset, request, view)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        if getattr(self, "_active", None) is not None:
            return self._active.get_paginated_response(data)
        response = super().get_paginated_response(data)
        if self.page.paginator.estimated:
            response.data["count_estimated"] = True
        return response

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        described["required"] = ["results"]
        described["properties"]["count"]["description"] = str(_("结果总数(游标分页时不返回)"))
        described["properties"]["count_estimated"] = {
            "type": "boolean", "description": str(_("结果过多时为 true:count 为数据库的估计值,而非逐条计数")),
        }
        return described

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        parameters += [
            {
                "name": self.mode_query_param, "required": False, "in": "query",
                "description": str(_("分页方式:page(默认,带总数)或 cursor(游标,按 id 顺序遍历大量结果)")),
                "schema": {"type": "string", "enum": ["page", CURSOR_MODE]},
            },
            {
                "name": "cursor", "required": False, "in": "query",
                "description": str(_("游标分页时由 next / previous 链接给出的游标")),
                "schema": {"type": "string"},
            },
        ]
        return parameters
