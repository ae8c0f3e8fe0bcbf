"""Pure rules of search: what a proposal's summary holds, and how a typed query becomes a filter."""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from proposals.commerce.policy.eccn import eccn_key, is_valid_eccn

# At most this many words of a search box are used (a pasted paragraph is not a search).
MAX_SEARCH_TERMS = 8
MAX_SEARCH_LENGTH = 200
# A list narrowed by the search summary counts its matches exactly up to this many, and past it says
# "more than" (the API's `count_exact` false) while its pages still follow on: an exact count of tens
# of thousands of matches was most of a filtered page's time (docs/decisions/0010).
SEARCH_TOTAL_EXACT_UP_TO = 1000
# Letters and digits, with inner dots kept (3A090.a is one word, as PostgreSQL's parser reads it).
_WORD = re.compile(r"[^\W_]+(?:\.[^\W_]+)*")


def eccn_search_keys(eccns: Iterable[str]) -> list[str]:
    """The keys a proposal's ECCNs are found by: each ECCN (case-free) and its head before the
    paragraphs, so a filter on 3A090 finds 3A090.a and 3A090.b. Sorted, without duplicates."""
    keys: set[str] = set()
    for raw in eccns:
        key = eccn_key(raw)
        if not key:
            continue
        keys.add(key)
        keys.add(key.split(".", 1)[0])
    return sorted(keys)


def eccn_filter_key(value: str) -> str | None:
    """The key an ECCN filter looks for (3a090 -> 3A090), or None when the value is not an ECCN."""
    return eccn_key(value) if is_valid_eccn(value) else None


def search_text(parts: Iterable[str]) -> str:
    """The summary's words, lower case and space separated: what a search box matches against."""
    words: list[str] = []
    for part in parts:
        words.extend(_WORD.findall((part or "").lower()))
    return " ".join(words)


@dataclass(frozen=True)
class SearchQuery:
    """A typed search as words: every word must match the start of a word of the summary."""

    terms: tuple[str, ...]

    def tsquery(self) -> str:
        """PostgreSQL to_tsquery('simple', ...) text: each word as a prefix, all required. Safe to
        pass as a parameter: the words hold only letters, digits and inner dots."""
        return " & ".join(f"{term}:*" for term in self.terms)


def search_query(text: str) -> SearchQuery:
    """Parse a search box. Empty when it holds no letters or digits."""
    terms = _WORD.findall((text or "")[:MAX_SEARCH_LENGTH].lower())
    return SearchQuery(tuple(dict.fromkeys(terms))[:MAX_SEARCH_TERMS])


def narrows_by_search(*, text: str = "", eccn: str = "", country: str = "") -> bool:
    """Whether a list is narrowed by the search summary: words in the search box, an ECCN (already a
    key) or a destination country (a code)."""
    return bool(search_query(text).terms or eccn or country)


def search_total_bound(*, text: str = "", eccn: str = "", country: str = "") -> int | None:
    """How far a list's total is counted exactly: SEARCH_TOTAL_EXACT_UP_TO when the search summary
    narrows it, else None (no bound: a list filtered by state, assignee or age keeps its exact count,
    which reads an index and stays cheap)."""
    return SEARCH_TOTAL_EXACT_UP_TO if narrows_by_search(text=text, eccn=eccn, country=country) else None
