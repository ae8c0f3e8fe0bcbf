"""Selects that write their options in Python render what Django's select templates render."""

import re

from django import forms

from proposals.web.widgets import InlineSelect, InlineSelectMultiple, inline_options

CHOICES = [("", "---------"), ("a", "A & B"), ("b", "<B>")]


def _html(widget: forms.Widget, value: object) -> str:
    return re.sub(r">\s+<", "><", widget.render("f", value, {"id": "id_f"}))


def test_inline_select_renders_as_django_select():
    assert _html(InlineSelect(attrs={"class": "usa-select"}, choices=CHOICES), "b") == _html(
        forms.Select(attrs={"class": "usa-select"}, choices=CHOICES), "b"
    )


def test_inline_select_multiple_marks_every_chosen_option():
    inline = _html(InlineSelectMultiple(choices=CHOICES), ["a", "b"])
    assert inline == _html(forms.SelectMultiple(choices=CHOICES), ["a", "b"])
    assert inline.count(" selected") == 2 and "A &amp; B" in inline and "&lt;B&gt;" in inline


def test_inline_options_leaves_other_widgets_alone():
    number = forms.NumberInput()
    assert inline_options(number) is number
    assert type(inline_options(forms.Select(choices=CHOICES))) is InlineSelect
