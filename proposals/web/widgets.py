"""Select widgets that write their options in Python: the same HTML as Django's select templates
without a template include for every option (the pipeline's filters have ~40 options; rendering them
through templates was the largest part of the page after the rows, bench/ issue 8).
"""

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


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


def inline_options(widget: forms.Widget) -> forms.Widget:
    """The same select with its options written in Python; any other widget as it is."""
    for plain, inline in ((forms.SelectMultiple, InlineSelectMultiple), (forms.Select, InlineSelect)):
        if type(widget) is plain:
            copy = inline(attrs=widget.attrs, choices=widget.choices)
            copy.is_required, copy.is_localized = widget.is_required, widget.is_localized
            return copy
    return widget
