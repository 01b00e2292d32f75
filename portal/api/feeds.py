"""The person's calendar feed (/api/feed/): its addresses, a new address, or turning it off.
The addresses are what the profile page shows (`portal.tasks.selectors.feed_addresses`); the
token is renewed and revoked by the accounts' services."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.services import feed_token_renew, feed_token_revoke
from portal.tasks.selectors import feed_addresses

FeedSerializer = inline_serializer(
    "CalendarFeed",
    {
        "enabled": serializers.BooleanField(),
        "mine": serializers.URLField(
            allow_null=True, help_text="The tasks assigned to you, in all your teams."
        ),
        "teams": inline_serializer(
            "CalendarFeedTeam",
            {
                "id": serializers.IntegerField(),
                "name": serializers.CharField(),
                "url": serializers.URLField(help_text="All the team's tasks with a due date."),
            },
            many=True,
        ),
    },
)


class FeedView(APIView):
    """Your calendar feed: iCalendar addresses to subscribe to in Google Calendar, Outlook or
    Apple Calendar (docs/team-pages.md). Anyone with an address reads what it lists, so keep it
    secret; POST gives new addresses (the old ones stop working), DELETE turns the feed off."""

    permission_classes = [IsAuthenticated]

    def _answer(self, request, code=status.HTTP_200_OK) -> Response:
        found = feed_addresses(request.user, request.build_absolute_uri)
        body = {"enabled": found is not None, "mine": None, "teams": []}
        if found is not None:
            body.update(found)
        return Response(body, status=code)

    @extend_schema(responses=FeedSerializer, summary="Your calendar feed's addresses")
    def get(self, request):
        return self._answer(request)

    @extend_schema(
        request=None,
        responses={201: FeedSerializer},
        summary="New calendar feed addresses (the previous ones stop working)",
    )
    def post(self, request):
        feed_token_renew(actor=request.user, user=request.user)
        return self._answer(request, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None}, summary="Turn the calendar feed off")
    def delete(self, request):
        feed_token_revoke(actor=request.user, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
