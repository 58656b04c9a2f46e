from __future__ import annotations

import pytest

from tests.debate.factories import stand_in_subjects


@pytest.fixture
def make_subject(session):
    with stand_in_subjects() as make:
        yield make
