"""`choice_input` writes a choice's <input> exactly as Django's widget templates do."""

import pytest
from django import forms

from portal.pages.templatetags.pages import choice_input

CHOICES = [(1, "Ann"), (2, 'Bo "the" <b>'), ("x&y", "Cy"), ("", "Nobody")]


class Choices(forms.Form):
    boxes = forms.MultipleChoiceField(
        choices=CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple(
            attrs={"class": 'a "b" <c>', "data-on": True, "data-off": False, "tabindex": 0}
        ),
    )
    radios = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect)
    plain = forms.MultipleChoiceField(choices=CHOICES, widget=forms.CheckboxSelectMultiple)


@pytest.mark.parametrize(
    "data",
    [
        None,  # unbound: nothing checked
        {"boxes": ["1", "x&y"], "radios": "2", "plain": [""]},
        {"radios": "nope"},  # errors: aria-invalid on the invalid fields' inputs
    ],
)
def test_every_choice_is_written_as_django_writes_it(data):
    form = Choices(data)
    if data is not None:
        form.is_valid()
    compared = 0
    for name in form.fields:
        for box in form[name]:
            assert str(choice_input(box)) == str(box.tag()), (name, box.data)
            compared += 1
    assert compared == 3 * len(CHOICES)


def test_a_checked_box_says_so_and_its_text_is_escaped():
    form = Choices({"boxes": ["2"], "radios": "1", "plain": ["1"]})
    second = list(form["boxes"])[1]
    html = str(choice_input(second))
    assert " checked" in html and 'class="a &quot;b&quot; &lt;c&gt;"' in html
    assert " data-on" in html and "data-off" not in html
