"""The one form pipeline's rule: a form a member fills in comes back on its page when refused."""

from __future__ import annotations

import pytest
from wtforms import StringField
from wtforms.validators import DataRequired

from deliberate.errors import InvalidTransition
from deliberate.forms import ActionForm, perform


class NoteForm(ActionForm):
    note = StringField("Note", validators=[DataRequired()])


def _refused(form: NoteForm) -> str:
    return f"the page again: {form.note.data!r} {form.note.errors}"


def test_a_form_with_a_field_must_name_the_page_it_comes_back_to(app):
    with (
        app.test_request_context("/", method="POST", data={"note": "kept"}),
        pytest.raises(TypeError, match="refuse"),
    ):
        perform(lambda: None, form=NoteForm(), success_message=None, redirect_to="/")


def test_a_refusal_comes_back_on_the_page_with_the_input_and_the_message(app):
    def refuse() -> None:
        raise InvalidTransition("The window is closed.", field="note")

    with app.test_request_context("/", method="POST", data={"note": "my words"}):
        form = NoteForm(meta={"csrf": False})
        page = perform(
            refuse, form=form, refuse=lambda: _refused(form), success_message=None, redirect_to="/"
        )
        assert page == ("the page again: 'my words' ['The window is closed.']", 409)
    with app.test_request_context("/", method="POST", data={"note": ""}):
        form = NoteForm(meta={"csrf": False})
        page = perform(
            refuse, form=form, refuse=lambda: _refused(form), success_message=None, redirect_to="/"
        )
        assert page == ("the page again: '' ['This field is required.']", 400)
