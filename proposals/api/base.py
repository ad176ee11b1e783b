"""What every ViewSet of the API shares: serializers by action, export, and workflow steps
that call a service with optimistic concurrency (If-Match) and the error mapping of errors.py."""
from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.db import OperationalError, transaction
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from proposals.api.errors import error_responses
from proposals.api.export import ExportMixin
from proposals.api.permissions import ReadOrAuthenticated
from proposals.services.base import lock
from proposals.services.errors import ConcurrentChange, ServiceError, TransitionNotAllowed

FORMAT_PARAMETER = OpenApiParameter(
    "format", OpenApiTypes.STR, OpenApiParameter.QUERY, enum=["json", "csv", "xlsx"],
    description="json(默认)、csv 或 xlsx:csv / xlsx 下载筛选后的全部结果(不分页,中文表头)",
)
IF_MATCH_PARAMETER = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="详情响应中的 ETag;记录此后若已被他人修改,返回 409 而不执行操作",
)
ACTION_ERRORS = error_responses(400, 403, 404, 409)


# PostgreSQL's deadlock_detected and serialization_failure: it aborted this request's transaction
# because another one wrote the same rows at the same moment.
CONCURRENCY_SQLSTATES = {"40P01", "40001"}


def _has_field(obj, name: str) -> bool:
    try:
        obj._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def _belongs_to(obj, name: str) -> bool:
    """Whether ``obj`` has a foreign key ``name`` of its own (not a reverse relation of that name)."""
    try:
        field = obj._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return field.many_to_one and field.concrete


def versioned(obj):
    """The object whose version stands for ``obj``: a workflow object's own (Proposal, Assignment
    and Reply carry ``version``, bumped by every recorded step: proposals.services.base.record_event);
    an extension request is decided on its assignment's. None for what takes no steps."""
    if _has_field(obj, "version"):
        return obj
    if _has_field(obj, "status") and _belongs_to(obj, "assignment"):
        return obj.assignment
    return None


def etag(obj) -> str:
    """The version of a workflow object as a strong entity tag, ``"proposal-12-v7"``: the kind and
    the id keep one object's tag from passing for another's at the same version number."""
    holder = versioned(obj)
    return f'"{holder._meta.model_name}-{holder.pk}-v{holder.version}"'


def if_match(request) -> set[str] | None:
    """The entity tags the If-Match header names; None without one or for "*". A weak tag counts as
    its strong twin: a compressing proxy weakens the ETag it passes on, the version is the same."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def lock_for_step(obj):
    """Lock the rows a step on ``obj`` writes, in the order every service locks them (proposal,
    assignment, then the object itself: proposals.services.extension_requests._locked), so that
    the step's own locks never wait in the opposite order. Returns the locked row that carries
    ``obj``'s version (None if it has none)."""
    chain = [obj]
    for parent in ("assignment", "proposal"):  # a reply's assignment, then that assignment's proposal
        if _belongs_to(chain[0], parent):
            chain.insert(0, getattr(chain[0], parent))
    locked = [lock(type(row), row.pk) for row in chain]
    holders = [row for row in locked if _has_field(row, "version")]
    return holders[-1] if holders else None


def _lost_to_a_concurrent_writer(exc: OperationalError) -> bool:
    cause = exc.__cause__
    return (getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)) in CONCURRENCY_SQLSTATES


class TrackerViewSet(ExportMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List (with export) and detail (with an ETag) of what the user may see;
    ``list_serializer_class`` for lists, ``serializer_class`` for everything else."""

    permission_classes = [ReadOrAuthenticated]
    list_serializer_class = None

    def get_serializer_class(self):
        if self.action == "list" and self.list_serializer_class is not None:
            return self.list_serializer_class
        return super().get_serializer_class()

    def input(self, serializer_class, **kwargs):
        """Validated request data of an action (400 with the fields otherwise)."""
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        response = Response(self.get_serializer(instance).data)
        if versioned(instance) is not None:
            response["ETag"] = etag(instance)
        return response

    def detail_response(self, pk, status_code=status.HTTP_200_OK):
        """The object's new state, read again through the visible queryset with the detail serializer."""
        self.action = "retrieve"
        instance = self.filter_queryset_for_detail().filter(pk=pk).first()
        if instance is None:  # the step took the object out of the user's sight
            return Response({"id": pk}, status=status_code)
        response = Response(self.get_serializer(instance).data, status=status_code)
        if versioned(instance) is not None:
            response["ETag"] = etag(instance)
        return response

    def filter_queryset_for_detail(self):
        return self.get_queryset()

    def step(self, service, target: str, *, instance=None, **kwargs) -> Response:
        """Run one workflow step on the object of the URL (or ``instance``, for a step found another
        way than through the objects the user may see).

        404 if the user may not see it; 409 if the If-Match header names another version than the
        current one, or if the service finds the object in another state than the one this request
        read (somebody else moved it in between); otherwise the service decides (400/403).

        The version is compared on the locked row, in the transaction the service writes in: of
        two requests with the same ETag the second waits for the first, then finds a new version.
        A refusal leaves this transaction normally, so that what the service chose to commit
        before refusing (a late answer's expiry, proposals.services.cosigning) stays, as it does
        when the service is called alone."""
        obj = instance if instance is not None else self.get_object()
        expected = if_match(self.request)
        refusal = None
        try:
            with transaction.atomic():
                current = lock_for_step(obj)
                if current is not None and expected is not None and etag(current) not in expected:
                    raise ConcurrentChange(_("该记录已被他人修改,请刷新后重试"))
                moved_meanwhile = current is not None and current.version != versioned(obj).version
                try:
                    service(actor=self.request.user, **{target: obj}, **kwargs)
                except ServiceError as exc:
                    refusal = exc
        except OperationalError as exc:
            if _lost_to_a_concurrent_writer(exc):
                raise ConcurrentChange(_("该记录已被他人修改,请刷新后重试")) from exc
            raise
        if refusal is not None:
            if isinstance(refusal, TransitionNotAllowed) and moved_meanwhile:
                raise ConcurrentChange(_("该记录已被他人修改,请刷新后重试")) from None
            raise refusal
        return self.detail_response(obj.pk)
