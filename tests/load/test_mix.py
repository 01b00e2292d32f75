"""LOAD_MIX: which actions a load test's users take, and which request names it must see."""

import pytest

from tests.load import mix


def test_no_mix_is_the_whole_mix_and_expects_every_name():
    assert mix.weights(None) == mix.weights("  ") == mix.WEIGHTS
    assert mix.expected_names(mix.weights("")) == list(mix.ALL_NAMES)


def test_a_mix_of_lists_only_expects_the_sign_in_reads_and_the_list():
    chosen = mix.weights("list=1")
    assert chosen == {"list": 1}
    assert mix.expected_names(chosen) == [*mix.API_SETUP_NAMES, mix.LIST]


def test_the_board_brings_the_page_sign_in_with_it():
    names = mix.expected_names(mix.weights("detail=3, board=1"))
    assert names == [
        *mix.API_SETUP_NAMES,
        mix.PAGE_LOGIN_FORM,
        mix.PAGE_LOGIN,
        mix.DETAIL,
        mix.BOARD,
    ]


@pytest.mark.parametrize("spec", ["lists=1", "list", "list=0", "list=-2", "list=x"])
def test_a_wrong_mix_is_refused_with_its_reason(spec):
    with pytest.raises(ValueError, match="LOAD_MIX"):
        mix.weights(spec)
