"""Party screening as pure functions: name normalization and an indexed exact + fuzzy matcher.

The matcher never compares a name with the whole list. A token index (whole tokens and 4-letter
prefixes, so a typo late in a word still finds its candidates) narrows each name to the few entries
that share a rare token; rapidfuzz scores only those.
"""

import re
import string
import unicodedata
from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

# Legal-form words that say nothing about who the company is; dropped from the end of a name.
COMPANY_SUFFIXES = frozenset(
    [
        "AB",
        "AG",
        "AS",
        "ASA",
        "BHD",
        "BV",
        "CO",
        "COMPANY",
        "CORP",
        "CORPORATION",
        "CV",
        "EHF",
        "FZC",
        "FZCO",
        "FZE",
        "FZLLC",
        "GMBH",
        "GROUP",
        "HOLDING",
        "HOLDINGS",
        "INC",
        "INCORPORATED",
        "JSC",
        "KFT",
        "KG",
        "LIMITED",
        "LLC",
        "LLP",
        "LP",
        "LTD",
        "NV",
        "OAO",
        "OOO",
        "OY",
        "OYJ",
        "PAO",
        "PJSC",
        "PLC",
        "PT",
        "PTE",
        "PTY",
        "SA",
        "SAC",
        "SARL",
        "SAS",
        "SDN",
        "SE",
        "SL",
        "SPA",
        "SPZOO",
        "SRL",
        "SRO",
        "TOO",
        "ZAO",
    ]
)
_DROPPED = re.compile("[.'`\u2019]")  # joined, not split: "L.L.C." -> "LLC", "O'Neil" -> "ONEIL"
_SEPARATORS = re.compile(r"[^A-Z0-9]+")
_ASCII_TABLE = str.maketrans({**{c: " " for c in string.punctuation}, ".": None, "'": None, "`": None})
PREFIX_LENGTH = 4
# Index keys shared by more names than this are too common to narrow anything ("TRADING").
MAX_KEY_FREQUENCY = 400
CONTAINMENT_SCORE = 90.0


def normalize_name(name: str) -> str:
    """Uppercase ASCII words without punctuation, diacritics or trailing legal-form suffixes."""
    text = name or ""
    if text.isascii():
        # The common case, and the hot loop when indexing a whole list: one translate, no regex.
        text = text.upper().replace("&", " AND ").translate(_ASCII_TABLE)
    else:
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch)).upper()
        text = text.replace("&", " AND ")
        text = _SEPARATORS.sub(" ", _DROPPED.sub("", text))
    tokens = text.split()
    # Keep at least one word: a company called "Holding AG" is still screened as "HOLDING".
    while len(tokens) > 1 and tokens[-1] in COMPANY_SUFFIXES:
        tokens.pop()
    return " ".join(tokens)


def name_score(a: str, b: str) -> float:
    """Similarity of two normalized names, 0-100, in either word order. A name whose words (two or
    more) all appear in the other scores at least CONTAINMENT_SCORE: "ACME PRECISION" is worth a look
    against "ACME PRECISION MACHINERY", but one shared word ("BEACON") is not."""
    # Plain ratio as well: sorting words moves a word whose first letter is mistyped ("XILK" for "SILK").
    score = max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))
    if score < CONTAINMENT_SCORE:
        words_a, words_b = set(a.split()), set(b.split())
        shorter, longer = sorted((words_a, words_b), key=len)
        if len(shorter) >= 2 and shorter <= longer:
            score = CONTAINMENT_SCORE
    return score


@dataclass(frozen=True)
class Match:
    query: str  # the name as given
    entry_index: int  # position of the entry in the sequence the index was built from
    matched_name: str  # the entry's name or alternate name that matched, as listed
    score: float
    exact: bool


def _keys(normalized: str) -> set[str]:
    keys: set[str] = set()
    for token in normalized.split():
        keys.add(token)
        if len(token) > PREFIX_LENGTH:
            keys.add(token[:PREFIX_LENGTH] + "*")
    return keys


class ScreeningIndex:
    """Built once per list version from each entry's names (its name first, then alternate names)."""

    def __init__(
        self,
        entries: Sequence[Sequence[str]],
        *,
        whole_list: tuple[Collection[str], Mapping[str, int]] | None = None,
    ) -> None:
        """`whole_list`: for an index of part of a list (a delta re-screen's changed entries), the
        whole list's index keys and its common keys with their counts (`keys` and `common_keys` of
        that index): names are then narrowed exactly as the whole list's index would narrow them."""
        self.whole_list = whole_list
        self.names: list[str] = []  # normalized
        self.listed: list[str] = []  # as listed
        self.owner: list[int] = []  # entry position per name
        self.exact: dict[str, list[int]] = defaultdict(list)
        postings: dict[str, list[int]] = defaultdict(list)
        # The hot loop of a list load (50,000+ names): locals instead of attribute lookups, keys inline.
        names, listed_names, owner, exact = self.names, self.listed, self.owner, self.exact
        normalize, prefix = normalize_name, PREFIX_LENGTH
        for entry_index, entry_names in enumerate(entries):
            for listed in entry_names:
                normalized = normalize(listed)
                if not normalized:
                    continue
                name_id = len(names)
                names.append(normalized)
                listed_names.append(listed)
                owner.append(entry_index)
                exact[normalized].append(name_id)
                for token in set(normalized.split()):
                    postings[token].append(name_id)
                    if len(token) > prefix:
                        postings[token[:prefix] + "*"].append(name_id)
        self.postings = dict(postings)

    def __len__(self) -> int:
        return len(self.names)

    def common_keys(self) -> dict[str, int]:
        """The keys shared by more than MAX_KEY_FREQUENCY names, with their counts."""
        return {key: len(ids) for key, ids in self.postings.items() if len(ids) > MAX_KEY_FREQUENCY}

    def keys(self) -> list[str]:
        return sorted(self.postings)

    def _candidates(self, normalized: str) -> set[int]:
        if self.whole_list is None:
            keys = [key for key in _keys(normalized) if key in self.postings]
            counts = {key: len(self.postings[key]) for key in keys}
        else:
            known, common = self.whole_list
            keys = [key for key in _keys(normalized) if key in known]
            counts = {key: common.get(key, 0) for key in keys}
        if not keys:
            return set()
        selective = [key for key in keys if counts[key] <= MAX_KEY_FREQUENCY]
        # A name made only of common words still gets its rarest key, so it is never left unscreened.
        chosen = selective or [min(keys, key=lambda key: (counts[key], key))]
        return set().union(*(self.postings.get(key, ()) for key in chosen))

    def match(self, query: str, *, threshold: float) -> list[Match]:
        """Every entry whose name or alternate name scores at least `threshold`; best name per entry."""
        normalized = normalize_name(query)
        if not normalized:
            return []
        best: dict[int, Match] = {}
        for name_id in self.exact.get(normalized, ()):
            entry_index = self.owner[name_id]
            best.setdefault(entry_index, Match(query, entry_index, self.listed[name_id], 100.0, True))
        for name_id in self._candidates(normalized):
            entry_index = self.owner[name_id]
            if entry_index in best and best[entry_index].exact:
                continue
            score = name_score(normalized, self.names[name_id])
            if score >= threshold and (entry_index not in best or score > best[entry_index].score):
                best[entry_index] = Match(query, entry_index, self.listed[name_id], round(score, 2), False)
        return sorted(best.values(), key=lambda m: (-m.score, m.entry_index))

    def match_many(self, queries: Iterable[str], *, threshold: float) -> list[Match]:
        return [match for query in queries for match in self.match(query, threshold=threshold)]


@dataclass(frozen=True)
class ListDelta:
    """What changed between two versions of the list, by entry `_id`.

    `changed`: entries that are new, or whose source or names (name and alternate names) differ: a
    name screened against the older version must be compared with these again. `removed`: entries no
    longer listed: hits against them are re-evaluated (they are not found again). Every other entry is
    as it was, so a name that matched it (or did not) still does, at the same threshold.
    """

    changed: frozenset[str]
    removed: frozenset[str]


def list_delta(old: Mapping[str, Hashable], new: Mapping[str, Hashable]) -> ListDelta:
    """The delta from `old` to `new`, each mapping an entry's `_id` to what matching reads of it
    (its source and names, as one comparable value)."""
    return ListDelta(
        changed=frozenset(key for key, value in new.items() if old.get(key, _ABSENT) != value),
        removed=frozenset(old.keys() - new.keys()),
    )


_ABSENT = object()
