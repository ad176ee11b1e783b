"""The API's JSON parser: DRF's, after a check of how deep the document nests.

Python's json module parses recursively: a body of 5,000 nested brackets ends in a RecursionError
(a 500 under DRF's parser), and a few hundred levels that do parse cost every serializer that walks
them. No request of the tracker nests deeper than three levels, so a depth beyond MAX_DEPTH is
refused before parsing: 400 ``{"detail": "...", "code": "too_deep"}``."""
import io
import re

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 64

# A string (skipped whole, so that brackets inside it do not count) or a bracket. A string left
# open runs to the end of the document, and the possessive *+ never backtracks: one pass, however
# the quotes and backslashes of a hostile body are arranged.
_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*+(?:"|\\?\Z)|[\[\]{}]', re.DOTALL)
_OPENING = frozenset(b"[{")


def nesting_depth(document: bytes, limit: int) -> int:
    """How deep ``document`` nests, counted up to ``limit + 1`` (the scan stops there)."""
    depth = deepest = 0
    for match in _TOKEN.finditer(document):
        token = match.group()
        if token[0] in _OPENING:
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        elif token[0] != ord('"'):
            depth -= 1
    return deepest


class TooDeep(ParseError):
    default_code = "too_deep"


class DepthLimitedJSONParser(JSONParser):
    """JSON nested at most MAX_DEPTH levels (objects and arrays)."""

    max_depth = MAX_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        document = stream.read() if stream is not None else b""
        if nesting_depth(document, self.max_depth) > self.max_depth:
            raise TooDeep(_("JSON 嵌套过深:最多 %(limit)s 层") % {"limit": self.max_depth}, code="too_deep")
        return super().parse(io.BytesIO(document), media_type, parser_context)
