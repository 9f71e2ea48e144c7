from __future__ import annotations

import pytest

from server.errors import InvalidInput
from server.live.interactions.chat.service import blocked, clean_text


def test_clean_text_trims_normalises_and_strips_controls() -> None:
    assert clean_text("  Zoe\u0301 \u0000\u200b", field="name", max_chars=40) == "Zoé"
    assert clean_text("line\nbreak", field="text", max_chars=40) == "line\nbreak"


@pytest.mark.parametrize(("value", "code"), [("", "invalid_text"), ("\u0007 ", "invalid_text"), (None, "invalid_text"),
                                             ("x" * 41, "text_too_long")])
def test_clean_text_refusals(value: object, code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        clean_text(value, field="text", max_chars=40)
    assert refused.value.code == code


def test_blocklist_matches_words_not_parts_of_words() -> None:
    assert blocked("Is it FAKE?", ["fake"])
    assert not blocked("fakery aside", ["fake"])
    assert blocked("visit shady.example now", ["shady.example"])
    assert not blocked("anything", [])
