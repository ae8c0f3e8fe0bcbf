"""`{% path 'name' %}`: `{% url 'name' %}` for a route without arguments, reversed once a process
(proposals.core.web.paths). The layout uses it on every page."""

from django import template

from proposals.core.web.paths import named_path

register = template.Library()


@register.simple_tag(name="path")
def path_tag(name: str) -> str:
    return named_path(name)
