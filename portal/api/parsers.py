"""The API's JSON parser: DRF's, with a limit on nesting."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

from portal.core.validators import JSON_TOO_DEEP, json_too_deep


class JSONParser(parsers.JSONParser):
    """Refuses JSON nested deeper than portal.core.validators.MAX_JSON_DEPTH with a 400.

    No request body needs more than a few levels; thousands of levels (a few kilobytes of
    brackets) exhaust Python's recursion in the decoder or, later, in every encoder.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(JSON_TOO_DEEP) from exc
        if json_too_deep(data):
            raise ParseError(JSON_TOO_DEEP)
        return data
