"""Widgets that write their HTML in Python render what Django's widget templates render (the same
elements, attributes and text; attributes may come in another order)."""

from html.parser import HTMLParser

from django import forms

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
