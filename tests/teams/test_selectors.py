"""Team selectors: who may be picked for what."""


def test_assignable_people_are_leads_and_members_only(team, lead, member, viewer):
    from portal.teams.selectors import assignable_people

    assert set(assignable_people(fetched_by=member, team_ids=[team.pk])) == {lead, member}


def test_team_scoping_is_one_rule(team, other_team, member, superuser):
    from portal.teams.models import Team
    from portal.teams.permissions import in_my_teams

    assert list(Team.objects.filter(in_my_teams(member, "pk"))) == [team]
    assert set(Team.objects.filter(in_my_teams(superuser, "pk"))) == {team, other_team}
