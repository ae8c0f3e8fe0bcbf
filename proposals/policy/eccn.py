"""Export Control Classification Numbers: normalization and format."""

import re

EAR99 = "EAR99"
# Category digit, product group letter, three digits, then optional paragraphs (3A090.a, 5A992.c, 4A003.z).
_ECCN = re.compile(r"^[0-9][A-E][0-9]{3}(\.[A-Z0-9]+)*$")


def normalize_eccn(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def is_valid_eccn(value: str) -> bool:
    code = normalize_eccn(value)
    return code == EAR99 or bool(_ECCN.match(code))
