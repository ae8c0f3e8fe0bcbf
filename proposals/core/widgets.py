"""Filter-form widgets that write their HTML in Python: the same HTML as Django's widget templates
without a template (and an include for every option and attribute list) each. The pipeline's filters
have ~40 options; rendering them through templates was the largest part of the page after the rows
(bench/, issue 8).
"""

from functools import lru_cache
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from django_filters.widgets import BaseCSVWidget


class InlineOptionsMixin:
    """Options written as `<option value="v" selected>label</option>`; option groups fall back to
    Django's templates. Each list of choices is escaped into option tags once a process (the
    destination select's ~250 countries were about 0.6 ms a page, issue 16): a render only marks the
    chosen ones."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        # Read once (through iter(): list() would ask its length first, which reads the choices too).
        choices = list(iter(self.choices))  # type: ignore[attr-defined]
        if any(isinstance(label, list | tuple) for _, label in choices):
            return super().render(name, value, attrs, renderer)  # type: ignore[misc]
        tags = option_tags(tuple(_option_key(option, label) for option, label in choices))
        chosen = self.format_value(value)  # type: ignore[attr-defined]
        many = self.allow_multiple_selected  # type: ignore[attr-defined]
        parts, has_selected = [], False
        # Django's ChoiceWidget.optgroups: a single select marks only the first matching option.
        for (option, _), (tag, selected_tag) in zip(choices, tags, strict=True):
            selected = (not has_selected or many) and str("" if option is None else option) in chosen
            has_selected |= selected
            parts.append(selected_tag if selected else tag)
        widget_attrs = self.build_attrs(self.attrs, attrs)  # type: ignore[attr-defined]
        if many:
            widget_attrs["multiple"] = True
        return format_html(
            '<select name="{}"{}>{}\n</select>', name, flatatt(widget_attrs), SafeString("".join(parts))
        )


def _option_key(option: Any, label: Any) -> tuple[str, bool, str, bool]:
    """What an option's tag depends on: its value and label as text, and whether each is already
    safe HTML (then written as it is, as format_html would)."""
    value, text = str("" if option is None else option), str(label)
    return value, hasattr(value, "__html__"), text, hasattr(text, "__html__")


@lru_cache(maxsize=64)
def option_tags(options: tuple[tuple[str, bool, str, bool], ...]) -> tuple[tuple[str, str], ...]:
    """Each option's tag, not selected and selected, escaped as format_html escapes (by
    `_option_key`, so the same choices in another language are another entry)."""
    tags = []
    for value, safe_value, text, safe_text in options:
        shown_value = value if safe_value else escape(value)
        shown_text = text if safe_text else escape(text)
        tags.append(
            (
                f'\n  <option value="{shown_value}">{shown_text}</option>',
                f'\n  <option value="{shown_value}" selected>{shown_text}</option>',
            )
        )
    return tuple(tags)


class InlineSelect(InlineOptionsMixin, forms.Select):
    pass


class InlineSelectMultiple(InlineOptionsMixin, forms.SelectMultiple):
    pass


class InlineCSVSelect(BaseCSVWidget, InlineSelect):
    """django-filter's ordering select (several comma-separated values render as a text input)."""


class InlineInputMixin:
    """`<input type name value attrs>` written in Python, as Django's input template writes it."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        shown = "" if widget["value"] is None else format_html(' value="{}"', str(widget["value"]))
        return format_html(
            '<input type="{}" name="{}"{}{}>', widget["type"], widget["name"], shown, flatatt(widget["attrs"])
        )


class InlineNumberInput(InlineInputMixin, forms.NumberInput):
    pass


class InlineTextInput(InlineInputMixin, forms.TextInput):
    pass


def inline_options(widget: forms.Widget) -> forms.Widget:
    """The same select, number or text input, written in Python; any other widget as it is."""
    if type(widget) in (forms.NumberInput, forms.TextInput):
        inline_input = InlineNumberInput if type(widget) is forms.NumberInput else InlineTextInput
        copy: forms.Widget = inline_input(attrs=widget.attrs)
    elif isinstance(widget, BaseCSVWidget) and type(widget).__bases__ == (BaseCSVWidget, forms.Select):
        copy = InlineCSVSelect(attrs=widget.attrs, choices=widget.choices)
    elif type(widget) in (forms.Select, forms.SelectMultiple):
        inline = InlineSelectMultiple if type(widget) is forms.SelectMultiple else InlineSelect
        copy = inline(attrs=widget.attrs, choices=widget.choices)
    else:
        return widget
    copy.is_required, copy.is_localized = widget.is_required, widget.is_localized
    return copy
