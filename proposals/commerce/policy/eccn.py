"""Export Control Classification Numbers: the EAR's own spelling, format checks and matching.

The EAR writes an ECCN with its category, product group and number in capitals and its paragraphs
in lower case (3A090.a, 5A992.c, 4A003.z): `normalize_eccn` writes every ECCN that way, and
`eccn_key` is the case-free form two ECCNs (or an ECCN and a rule's pattern) are compared in, so a
value typed or stored in another case still matches.
"""

import re
from fnmatch import fnmatchcase

EAR99 = "EAR99"
# Category digit, product group letter, three digits, then optional paragraphs (3A090.a, 5A992.c, 4A003.z).
_ECCN = re.compile(r"^[0-9][A-E][0-9]{3}(\.[A-Z0-9]+)*$", re.IGNORECASE)
# The same head before paragraphs that may hold wildcards (rule patterns: "3A090.*", "5A992.z").
_HEAD = re.compile(r"^([0-9][A-Z][0-9]{3})(\..*)?$", re.IGNORECASE)


def normalize_eccn(value: str) -> str:
    """The ECCN as the EAR writes it: '3a090.A' -> '3A090.a', 'ear99' -> 'EAR99'. Anything that is
    not shaped like an ECCN is only trimmed and upper-cased (format checks refuse it elsewhere)."""
    code = (value or "").strip().replace(" ", "")
    match = _HEAD.match(code)
    if match is None:
        return code.upper()
    return match[1].upper() + (match[2] or "").lower()


def eccn_key(value: str) -> str:
    """The case-free form ECCNs are compared in."""
    return normalize_eccn(value).upper()


def is_valid_eccn(value: str) -> bool:
    code = normalize_eccn(value)
    return code == EAR99 or bool(_ECCN.match(code))


def eccn_matches(eccn: str, pattern: str) -> bool:
    """Does a rule's pattern cover the ECCN, whatever the case of either? A pattern covers the ECCN
    itself, its sub-paragraphs (3A090 covers 3A090.a) and shell-style wildcards (3A090.*)."""
    code, pat = eccn_key(eccn), eccn_key(pattern)
    return code == pat or code.startswith(pat + ".") or fnmatchcase(code, pat)
