"""Team selectors: who may be picked for what."""


def test_assignable_people_are_leads_and_members_only(team, lead, member, viewer):
    from portal.teams.selectors import assignable_people

    assert set(assignable_people(member, [team.pk])) == {lead, member}
