"""The portal's admin site: unfold's site, opened to every team member.

Django's admin normally admits staff only. Here anyone active who belongs to a team (or is
staff/superuser) may sign in; what each person sees is decided by the role rules, which every
ModelAdmin reads through portal.teams.permissions and the selectors.
"""

from functools import update_wrapper

from allauth.account.adapter import get_adapter
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.forms import AuthenticationForm
from django.core.paginator import EmptyPage
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from unfold.sites import UnfoldAdminSite

from portal.teams.permissions import can_use_portal

NO_TEAM_TITLE = "You are not in any team yet"
SEARCH_PAGE_MISSING = "There is no such page of search results."


def may_use_admin(user) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_staff or can_use_portal(user)


class PortalLoginForm(AuthenticationForm):
    """Username or email; any active person may sign in (not only staff).

    Django's form, not the admin's: the admin's insists on is_staff (the portal admits team
    members too and explains on a page of its own when someone has no team yet), and its
    fields read like the sign-in page under /accounts/ so the two pages look the same.
    """

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username, password = self.fields["username"], self.fields["password"]
        username.label = "Login"
        username.widget.attrs.update({"placeholder": "Username or email", "autofocus": True})
        password.widget.attrs["placeholder"] = "Password"


class PortalAdminSite(UnfoldAdminSite):
    login_form = PortalLoginForm
    site_title = "Team Task Portal"
    site_header = "Team Task Portal"
    index_title = "Dashboard"

    def has_permission(self, request) -> bool:
        return may_use_admin(request.user)

    def look_context(self, request) -> dict:
        """The admin's look for pages outside the admin that use unfold's skeleton layout
        (the team pages): its title, symbol, favicons, colours, theme, styles and scripts, as
        `each_context` gives them, without the app list, sidebar, tabs and menus that
        `each_context` builds for the admin's own pages (the person's permissions read in two
        queries, about 20 ms a request). tests/adminsite/test_look.py keeps every key equal to
        `each_context`'s and a team page the same as with all of it."""
        return {
            "site_title": self._get_config("SITE_TITLE", request),
            "site_symbol": self._get_config("SITE_SYMBOL", request),
            "site_favicons": self._get_favicons("SITE_FAVICONS", request),
            "theme": self._get_config("THEME", request),
            "border_radius": self._get_config("BORDER_RADIUS", request),
            "colors": self._get_colors("COLORS", request),
            "environment_title_prefix": self._get_config("ENVIRONMENT_TITLE_PREFIX", request),
            "styles": self._get_list("STYLES", request),
            "scripts": self._get_list("SCRIPTS", request),
            "command_show_history": self._get_config("COMMAND", request).get("show_history"),
            "is_popup": False,
        }

    def may_use_apps(self, request) -> bool:
        """Who may open the apps' pages (tasks, tags, teams): team members and superusers."""
        return can_use_portal(request.user)

    def register(self, model_or_iterable, admin_class=None, **options):
        # An app's admin says which spreadsheet views it offers; the door adds them.
        from portal.adminsite.spreadsheets import with_spreadsheets

        if admin_class is not None:
            admin_class = with_spreadsheets(admin_class)
        return super().register(model_or_iterable, admin_class, **options)

    def admin_view(self, view, cacheable=False):
        wrapped = super().admin_view(view, cacheable)

        def inner(request, *args, **kwargs):
            # A signed-in person outside every team gets an explanation, not a login loop.
            user = request.user
            if user.is_authenticated and user.is_active and not self.has_permission(request):
                return self.no_team(request)
            return wrapped(request, *args, **kwargs)

        return update_wrapper(inner, view)

    def search(self, request, extra_context=None):
        """unfold's search; a page that is not a number opens the first, one past the end is 404.

        The results page asks for the next page only while there is one, so a page number
        past the end comes from a stale or edited address.
        """
        page = request.GET.get("page")
        if page is not None:
            number = page.isascii() and page.isdigit()
            if number and len(page.lstrip("0")) > 9:  # far past any end, and cheap to refuse
                raise Http404(SEARCH_PAGE_MISSING)
            if not number or int(page) < 1:
                request.GET = request.GET.copy()
                request.GET["page"] = "1"
        try:
            return super().search(request, extra_context)
        except EmptyPage:
            raise Http404(SEARCH_PAGE_MISSING) from None

    def login(self, request, extra_context=None):
        """Not a dead end: password reset and (while sign-up is open) sign-up are linked.

        Signing in on the admin's own page opens the admin unless `next` says otherwise; the
        site-wide default after sign-in (LOGIN_REDIRECT_URL) is the team pages.
        """
        links = {"password_reset_url": reverse("account_reset_password")}
        if get_adapter(request).is_open_for_signup(request):
            links["signup_url"] = reverse("account_signup")
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            request.GET = request.GET.copy()
            request.GET[REDIRECT_FIELD_NAME] = reverse(f"{self.name}:index", current_app=self.name)
        return super().login(request, {**links, **(extra_context or {})})

    def password_change(self, request, extra_context=None):
        """unfold's view, with a form that also ends the person's API sessions."""
        from django.contrib.auth.views import PasswordChangeView

        from portal.accounts.forms import OwnPasswordChangeForm

        request.current_app = self.name
        return PasswordChangeView.as_view(
            form_class=OwnPasswordChangeForm,
            success_url=reverse(f"{self.name}:password_change_done", current_app=self.name),
            extra_context={**self.each_context(request), **(extra_context or {})},
        )(request)

    def no_team(self, request):
        context = {
            **self.each_context(request),
            "title": NO_TEAM_TITLE,
            "site_header": self.site_header,
            # An empty sidebar would only say, in red, that there is nothing to see.
            "is_nav_sidebar_enabled": False,
        }
        return TemplateResponse(request, "admin/no_team.html", context, status=403)
