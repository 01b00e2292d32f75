"""The admin's look (django-unfold): one UNFOLD dict whose callbacks live in portal.adminsite."""

from django.urls import reverse_lazy

from portal.settings.core import SITE_NAME

UNFOLD = {
    "SITE_TITLE": SITE_NAME,
    "SITE_HEADER": SITE_NAME,
    "SITE_SYMBOL": "task_alt",
    # The site root opens the admin: no "Return to site" / "View site" links back to it.
    "SITE_URL": None,
    "SITE_FAVICONS": [
        {
            "rel": "icon",
            "sizes": "any",
            "type": "image/svg+xml",
            "href": "/static/portal/favicon.svg",
        }
    ],
    "ENVIRONMENT": "portal.adminsite.navigation.environment_callback",
    "DASHBOARD_CALLBACK": "portal.adminsite.dashboard.dashboard_callback",
    "STYLES": ["portal.adminsite.navigation.admin_css"],
    "SCRIPTS": ["portal.adminsite.navigation.admin_js"],
    # The user menu: the account pages (allauth) for email addresses and the password.
    "ACCOUNT": {
        "navigation": [
            {"title": "Email addresses", "link": reverse_lazy("account_email")},
            {"title": "Change password", "link": reverse_lazy("account_change_password")},
        ]
    },
    # The header's site menu: the way back to the team pages and to the API's documentation.
    "SITE_DROPDOWN": [
        {"icon": "view_kanban", "title": "Team pages", "link": reverse_lazy("pages:teams")},
        {"icon": "api", "title": "API documentation", "link": reverse_lazy("api:docs")},
    ],
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": False,
    "SIDEBAR": {
        "show_search": True,
        "show_all_applications": False,
        "navigation": "portal.adminsite.navigation.sidebar_navigation",
    },
    "COLORS": {
        "primary": {
            "50": "oklch(97.5% .02 265)",
            "100": "oklch(94.5% .04 265)",
            "200": "oklch(89% .08 265)",
            "300": "oklch(81% .13 265)",
            "400": "oklch(71% .18 265)",
            "500": "oklch(62% .21 265)",
            "600": "oklch(54% .22 265)",
            "700": "oklch(47% .2 265)",
            "800": "oklch(40% .16 265)",
            "900": "oklch(36% .13 265)",
            "950": "oklch(26% .09 265)",
        },
    },
}
