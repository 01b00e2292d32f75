"""Which format an API answer is given in: JSON, and the browsable HTML pages only with DEBUG.

DEBUG is read per request (not when the settings load), so the rule holds however the
settings were assembled. Without DEBUG a client asking only for HTML gets 406, as the API
documentation says; a browser's usual `Accept` (HTML, then `*/*`) gets JSON.
"""

from django.conf import settings
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer


class ContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        if not settings.DEBUG:
            renderers = [r for r in renderers if not isinstance(r, BrowsableAPIRenderer)]
        return super().select_renderer(request, renderers, format_suffix)
