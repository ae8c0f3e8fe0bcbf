"""Widgets that write their HTML in Python render what Django's widget templates render (the same
elements, attributes and text; attributes may come in another order)."""

from html.parser import HTMLParser

from django import forms
from django.utils.safestring import mark_safe

from proposals.core.widgets import InlineSelect, InlineSelectMultiple, InlineTextInput, inline_options

CHOICES = [("", "---------"), ("a", "A & B"), ("b", "<B>")]


class _Parsed(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.items: list[object] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.items.append((tag, sorted(attrs)))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.items.append(data.strip())


def _html(widget: forms.Widget, value: object) -> list[object]:
    parsed = _Parsed()
    parsed.feed(widget.render("f", value, {"id": "id_f"}))
    return parsed.items


def test_inline_select_renders_as_django_select():
    assert _html(InlineSelect(attrs={"class": "usa-select"}, choices=CHOICES), "b") == _html(
        forms.Select(attrs={"class": "usa-select"}, choices=CHOICES), "b"
    )


def test_inline_select_multiple_marks_every_chosen_option():
    inline = _html(InlineSelectMultiple(choices=CHOICES), ["a", "b"])
    assert inline == _html(forms.SelectMultiple(choices=CHOICES), ["a", "b"])
    html = InlineSelectMultiple(choices=CHOICES).render("f", ["a", "b"])
    assert html.count(" selected") == 2 and "A &amp; B" in html and "&lt;B&gt;" in html


def test_inline_text_input_renders_as_django_text_input():
    attrs = {"class": "usa-input", "maxlength": "200"}
    inline = inline_options(forms.TextInput(attrs=attrs))
    assert type(inline) is InlineTextInput
    assert _html(inline, 'a "quoted" <b>') == _html(forms.TextInput(attrs=attrs), 'a "quoted" <b>')
    assert _html(inline, None) == _html(forms.TextInput(attrs=attrs), None)


def test_inline_options_leaves_other_widgets_alone():
    text = forms.Textarea()
    assert inline_options(text) is text
    assert type(inline_options(forms.Select(choices=CHOICES))) is InlineSelect


def test_inline_number_input_renders_as_django_number_input():
    attrs = {"class": "usa-input", "step": "any"}
    assert _html(inline_options(forms.NumberInput(attrs=attrs)), 5) == _html(
        forms.NumberInput(attrs=attrs), 5
    )
    assert "value" not in inline_options(forms.NumberInput()).render("f", None)


def test_inline_select_marks_each_render_own_choice_though_its_options_are_kept():
    widget = InlineSelect(choices=CHOICES)
    for value in ("b", "a", None, "", "missing", "b"):
        assert _html(widget, value) == _html(forms.Select(choices=CHOICES), value)
        assert widget.render("f", value).count(" selected") == (value in ("", None, "a", "b"))


def test_inline_select_marks_only_the_first_of_equal_values_as_django_does():
    twice = [("a", "First"), ("a", "Second"), (None, "None is the empty value")]
    assert _html(InlineSelect(choices=twice), "a") == _html(forms.Select(choices=twice), "a")
    assert _html(InlineSelect(choices=twice), "") == _html(forms.Select(choices=twice), "")
    assert _html(InlineSelectMultiple(choices=twice), ["a"]) == _html(
        forms.SelectMultiple(choices=twice), ["a"]
    )


def test_inline_select_writes_safe_labels_as_they_are_and_escapes_the_others():
    choices = [("x", mark_safe("<em>kept</em>")), ("y", "<em>escaped</em>"), ('"q"', "quoted value")]
    html = InlineSelect(choices=choices).render("f", '"q"')
    assert "<em>kept</em>" in html and "&lt;em&gt;escaped&lt;/em&gt;" in html
    assert _html(InlineSelect(choices=choices), '"q"') == _html(forms.Select(choices=choices), '"q"')


def test_inline_select_shows_choices_that_changed_since_the_last_render():
    current = [("", "---------"), ("a", "A")]
    widget = InlineSelect(choices=lambda: list(current))
    assert "A</option>" in widget.render("f", None)
    current.append(("b", "B"))
    assert _html(widget, "b") == _html(forms.Select(choices=current), "b")


def test_inline_select_with_option_groups_renders_through_django():
    groups = [("Group", [("a", "A"), ("b", "B")]), ("c", "C")]
    assert _html(InlineSelect(choices=groups), "b") == _html(forms.Select(choices=groups), "b")
