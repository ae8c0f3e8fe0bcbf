"""Template tags for the words in `proposals.core.words`: ECCNs, states, findings, timeline sentences."""

from typing import Any

from django import template

from proposals.core import words
from proposals.core.models.reference import Country

register = template.Library()


@register.filter
def eccn(value: str | None) -> str:
    """{{ item.eccn|eccn }}: 3A090.a, EAR99."""
    return words.eccn(value)


@register.filter
def state_label(state: str | None, subject: str = "proposal") -> str:
    """{{ event.to_state|state_label:event.subject }}"""
    return words.state_label(state, subject)


@register.filter
def finding_topic(code: str) -> str:
    return words.finding_topic(code)


@register.simple_tag(takes_context=True)
def event_sentence(context: template.Context, event: Any) -> str:
    """{% event_sentence event %}: the event as a sentence. Country names are read once per page, and
    only if an event names a country (a gate's destination)."""

    def country(code: str) -> str:
        names = context.render_context.get("words_countries")
        if names is None:
            names = dict(Country.objects.values_list("code", "name"))
            context.render_context["words_countries"] = names
        return names.get(code, code)

    return words.event_sentence(event, country=country)
