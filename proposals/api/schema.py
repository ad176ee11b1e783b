"""The OpenAPI schema tells the truth (issue 9): what drf-spectacular infers, corrected where it
would promise more than the API keeps, and completed with the error answers every operation can give.

- A read-only field keeps the blank and null values its model field allows: DRF drops
  ``allow_blank`` from read-only fields, so ``classification`` was documented as one of A–D while
  an unclassified reply answers ``""``; an e-mail or address left blank was documented with a
  format that ``""`` does not match.
- Every operation documents the errors the API's shared layers give it, whatever the view says:
  401 (a wrong token, or a write without a login), 429 (throttled), 404 for a path with an id or a
  list page past the end, 400 for a list's filters, paging and ``format``, 403 for writes, 503 for
  writes that met a locked SQLite database, and 414 for a request line longer than the HTTP
  server takes (answered by the server in front, not by the API: no body is promised).
"""
from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from proposals.api.errors import BAD_REQUEST_SCHEMA
from proposals.visibility import FIELDS

ERROR_REF = {"$ref": "#/components/schemas/Error"}
JSON = "application/json"
WRITE_METHODS = ("post", "put", "patch", "delete")


def _model_field(field):
    """The model field behind a serializer field of a ModelSerializer, or None."""
    parent = getattr(field, "parent", None)
    model = getattr(getattr(parent, "Meta", None), "model", None)
    source = getattr(field, "source", None)
    if model is None or not source or "." in source or source == "*":
        return None
    try:
        field = model._meta.get_field(source)
    except FieldDoesNotExist:
        return None
    return field if field.concrete else None


def _drop_format(schema) -> None:
    """"" is a valid stored value, and matches no e-mail or URI format."""
    if isinstance(schema, dict) and schema.get("type") == "string":
        schema.pop("format", None)


class TrackerAutoSchema(AutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        model_field = _model_field(field) if field.read_only else None
        if model_field is not None and isinstance(field, serializers.ChoiceField):
            field.allow_blank = field.allow_blank or model_field.blank
            field.allow_null = field.allow_null or model_field.null
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if model_field is not None and model_field.blank:
            _drop_format(schema)
        return schema

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)  # an EmailValidator adds format: email
        if getattr(field, "allow_blank", False):
            _drop_format(schema)

    def _map_basic_serializer(self, serializer, direction):
        """A field the visibility policy may withhold (proposals.visibility.FIELDS) is left out of
        the answers of readers outside its audience: documented, but not required."""
        schema = super()._map_basic_serializer(serializer, direction)
        model = getattr(getattr(serializer, "Meta", None), "model", None)
        restricted = FIELDS.get(model._meta.label_lower, {}) if model is not None else {}
        if direction == "response" and restricted and "required" in schema:
            withheld = {*restricted, *(f"{name}_label" for name in restricted)}  # a label goes with its field
            schema["required"] = [name for name in schema["required"] if name not in withheld]
            if not schema["required"]:
                del schema["required"]
        return schema


def _error(description: str, schema=None) -> dict:
    return {"description": description, "content": {JSON: {"schema": schema or ERROR_REF}}}


COMMON = {
    "401": _error("需要登录:未登录(写操作),或令牌无效、已撤销(WWW-Authenticate: Token)"),
    "429": _error("请求过于频繁,或同一地址错误令牌过多:请等待 Retry-After 秒后重试"),
}
LIST_ERRORS = {
    "400": _error("筛选、分页(page、page_size、cursor)或 format 参数有误:参数名及原因", BAD_REQUEST_SCHEMA),
    "404": _error("页码超出范围"),
    "414": {"description": "请求地址过长(由前端 HTTP 服务器直接返回,无 JSON 正文)"},
}
OBJECT_ERRORS = {"404": _error("不存在或无权查看")}
WRITE_ERRORS = {
    "400": _error("输入有误:字段及原因;或当前状态不允许此操作", BAD_REQUEST_SCHEMA),
    "403": _error("可以查看但无权执行此操作"),
    "503": _error("数据库正忙(其他用户正在保存):未写入任何内容,请于 Retry-After 秒后重发"),
}


def document_common_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook: add the shared error answers to every operation."""
    for path, operations in result.get("paths", {}).items():
        has_id = "{" in path
        for method, operation in operations.items():
            if method not in ("get", *WRITE_METHODS):
                continue
            extra = dict(COMMON)
            if has_id:
                extra.update(OBJECT_ERRORS)
            if method == "get" and not has_id and path.startswith("/api/") and path != "/api/schema/":
                extra.update(LIST_ERRORS)
            if method in WRITE_METHODS:
                extra.update(WRITE_ERRORS)
            responses = operation.setdefault("responses", {})
            for status_code, response in extra.items():
                responses.setdefault(status_code, response)
    return result
