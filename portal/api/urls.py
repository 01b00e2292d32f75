from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter
from rest_framework_simplejwt.views import TokenRefreshView

from portal.api import (
    attachments,
    auth,
    comments,
    feeds,
    invitations,
    notifications,
    saved_views,
    spreadsheets,
    teams,
    views,
    webhooks,
)
from portal.core.views import NOT_FOUND, json_error

app_name = "api"


@csrf_exempt
def not_found(request, *args, **kwargs):
    """API clients get JSON for unknown addresses too, not the HTML error page."""
    return json_error(404, NOT_FOUND)


router = DefaultRouter()
router.register("teams", teams.TeamViewSet, basename="team")
router.register("users", teams.UserViewSet, basename="user")
router.register("tags", views.TagViewSet, basename="tag")
router.register("tasks", views.TaskViewSet, basename="task")
router.register(r"tasks/(?P<task_pk>\d+)/comments", comments.CommentViewSet, basename="comment")
router.register("notifications", notifications.NotificationViewSet, basename="notification")
router.register("webhooks", webhooks.WebhookViewSet, basename="webhook")
router.register("views", saved_views.SavedViewViewSet, basename="saved-view")

auth_urls = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    # simplejwt's own view: the refresh token comes in the body, never from a cookie.
    path("token/refresh/", TokenRefreshView.as_view(), name="token-refresh"),
    path("token/verify/", auth.TokenVerifyView.as_view(), name="token-verify"),
    path("user/", auth.UserDetailsView.as_view(), name="user"),
    path("password/change/", auth.PasswordChangeView.as_view(), name="password-change"),
    path("password/reset/", auth.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password/reset/confirm/",
        auth.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path("registration/", auth.RegisterView.as_view(), name="registration"),
]

urlpatterns = [
    path("auth/", include(auth_urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("feed/", feeds.FeedView.as_view(), name="feed"),
    path("tasks/export/", spreadsheets.TaskExportView.as_view(), name="task-export"),
    path("tasks/import/", spreadsheets.TaskImportView.as_view(), name="task-import"),
    path(
        "tasks/import/template/",
        spreadsheets.TaskImportTemplateView.as_view(),
        name="task-import-template",
    ),
    path("spreadsheet-jobs/<int:pk>/", spreadsheets.SheetJobView.as_view(), name="spreadsheet-job"),
    path(
        "spreadsheet-jobs/<int:pk>/download/",
        spreadsheets.SheetJobDownloadView.as_view(),
        name="spreadsheet-job-download",
    ),
    path(
        "tasks/<int:id>/attachments/",
        attachments.AttachmentListView.as_view(),
        name="task-attachments",
    ),
    path(
        "tasks/<int:id>/attachments/<int:attachment_id>/",
        attachments.AttachmentDetailView.as_view(),
        name="task-attachment",
    ),
    path(
        "tasks/<int:id>/attachments/<int:attachment_id>/download/",
        attachments.AttachmentDownloadView.as_view(),
        name="task-attachment-download",
    ),
    path(
        "tasks/<int:id>/attachments/<int:attachment_id>/thumbnail/",
        attachments.AttachmentThumbnailView.as_view(),
        name="task-attachment-thumbnail",
    ),
    path(
        "teams/<int:id>/invitations/",
        invitations.InvitationListView.as_view(),
        name="team-invitations",
    ),
    path(
        "teams/<int:id>/invitations/<int:invitation_id>/resend/",
        invitations.InvitationResendView.as_view(),
        name="team-invitation-resend",
    ),
    path(
        "teams/<int:id>/invitations/<int:invitation_id>/revoke/",
        invitations.InvitationRevokeView.as_view(),
        name="team-invitation-revoke",
    ),
    path("", include(router.urls)),
    # Only addresses ending in "/": without it, the usual redirect to the address with "/" applies.
    re_path(r"^[\s\S]*/$", not_found),
]
