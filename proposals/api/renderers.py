"""The API's JSON renderer: DRF's JSONRenderer, encoding with orjson (issue 13).

Encoding a page of proposals with the standard library's json module was a tenth of a list
request's CPU time. orjson writes the same document: compact, UTF-8 unescaped, the same text for
every value DRF's encoder knows (dates and times through that encoder, so that a datetime keeps
DRF's millisecond precision and "Z"; lazy translations, decimals, UUIDs…), U+2028 and U+2029
escaped as DRF escapes them. (Floats in exponent form lose the exponent's leading zero, 1e-7 for
json's 1e-07: the same number; the API's rates are rounded to 4 places.) An indented document (the
browsable API asks for one) is indented by two spaces, the only indent orjson writes.
"""
from __future__ import annotations

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

# Subclasses of str, int, dict and list (a SafeString, a TextChoices value, DRF's ReturnDict) are
# written natively, by their plain value, as json.dumps writes them.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
# DRF's encoder, for every other value (dates and times, lazy translations, decimals, UUIDs, sets…).
_default = JSONEncoder().default


def dumps(data, *, indent: bool = False) -> bytes:
    """``data`` as DRF's JSONRenderer would render it (compact, or indented by two spaces)."""
    content = orjson.dumps(data, default=_default, option=_OPTIONS | (orjson.OPT_INDENT_2 if indent else 0))
    # Valid JSON, but not valid JavaScript in a <script>: DRF escapes them, so does this.
    if b"\xe2\x80\xa8" in content or b"\xe2\x80\xa9" in content:
        content = content.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
    return content


class FastJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        renderer_context = renderer_context or {}
        return dumps(data, indent=bool(self.get_indent(accepted_media_type, renderer_context)))
