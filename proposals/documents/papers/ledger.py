"""Fixed-width ledger lines for long listings (the dossier's line items), set in a monospaced font.

WeasyPrint spends about a millisecond per table cell; a 500-item proposal as an eight-column table
took over 7 s of CPU (bench/bench_dossier.py). One preformatted line per item, in a one-column table
that still repeats its header on every page, renders the same listing in about a second.
"""

import textwrap
from dataclasses import dataclass

SEPARATOR = "  "


@dataclass(frozen=True)
class Column:
    title: str
    width: int
    right: bool = False  # numbers: right-aligned, never wrapped


def _cell(text: str, column: Column) -> str:
    return text.rjust(column.width) if column.right else text.ljust(column.width)


def ledger_header(columns: tuple[Column, ...]) -> str:
    return SEPARATOR.join(_cell(c.title, c) for c in columns).rstrip()


def ledger_row(values: list[str], columns: tuple[Column, ...]) -> str:
    """One item as one or more lines: text columns wrap within their width, numbers stay on line one."""
    wrapped = [
        [value] if column.right else (textwrap.wrap(value, column.width, break_long_words=True) or [""])
        for value, column in zip(values, columns, strict=True)
    ]
    height = max(len(lines) for lines in wrapped)
    return "\n".join(
        SEPARATOR.join(
            _cell(lines[i] if i < len(lines) else "", column)
            for lines, column in zip(wrapped, columns, strict=True)
        ).rstrip()
        for i in range(height)
    )


def ledger_total(label: str, values: list[str], columns: tuple[Column, ...]) -> str:
    """A total line: the label spans the leading columns, the values sit under the last ones."""
    tail = columns[len(columns) - len(values) :]
    lead_width = sum(c.width for c in columns[: len(columns) - len(values)])
    lead_width += len(SEPARATOR) * (len(columns) - len(values) - 1)
    return SEPARATOR.join(
        [label.ljust(lead_width), *(_cell(v, c) for v, c in zip(values, tail, strict=True))]
    )
