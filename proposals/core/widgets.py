"""Filter-form widgets that write their HTML in Python: the same HTML as Django's widget templates
without a template (and an include for every option and attribute list) each. The pipeline's filters
have ~40 options; rendering them through templates was the largest part of the page after the rows
(bench/, issue 8).
"""

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django_filters.widgets import BaseCSVWidget


class InlineOptionsMixin:
    """Options written as `<option value="v" selected>label</option>`; option groups and option
    attributes other than `selected` fall back to Django's templates."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        options = [option for _, group, _ in widget["optgroups"] for option in group]
        if any(group_name for group_name, _, _ in widget["optgroups"]) or any(
            set(option["attrs"]) - {"selected"} for option in options
        ):
            return super().render(name, value, attrs, renderer)  # type: ignore[misc]
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            format_html_join(
                "",
                '\n  <option value="{}"{}>{}</option>',
                (
                    (
                        str(o["value"]),
                        SafeString(" selected") if o["attrs"].get("selected") else "",
                        o["label"],
                    )
                    for o in options
                ),
            ),
        )


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
