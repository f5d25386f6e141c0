"""Ids: whole numbers of at most 18 digits."""

from __future__ import annotations

import pytest

from cwmock.core.validation import MAX_ID, InputError, check_id, id_from_text


def test_ids_from_text_are_bounded_before_conversion() -> None:
    assert id_from_text("pageId", " 12 ") == 12
    assert id_from_text("pageId", str(MAX_ID)) == MAX_ID
    with pytest.raises(InputError, match="pageId must have at most 18 digits, got 5000"):
        id_from_text("pageId", "9" * 5000)
    with pytest.raises(InputError, match="pageId must be a whole number"):
        id_from_text("pageId", "١٢")  # Arabic-Indic digits: isdigit() is True, but no id is written so
    with pytest.raises(InputError, match="since_seq must be 0 or more"):
        id_from_text("since_seq", "-1", minimum=0)


@pytest.mark.parametrize("value", [True, 1.0, "1", -1, MAX_ID + 1])
def test_body_ids_are_whole_numbers_in_range(value: object) -> None:
    with pytest.raises(InputError, match="id"):
        check_id("id", value)
