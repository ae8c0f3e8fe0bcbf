"""The fixed-width ledger lines the dossier uses for its line-item listing."""

from proposals.documents.papers.ledger import Column, ledger_header, ledger_row, ledger_total

COLUMNS = (Column("Item", 10), Column("Qty", 5, right=True), Column("Total", 10, right=True))


def test_header_pads_titles_and_right_aligns_numbers():
    assert ledger_header(COLUMNS) == "Item          Qty       Total"


def test_row_wraps_text_within_its_column_and_keeps_numbers_on_the_first_line():
    assert ledger_row(["Liquid-cooled AI server", "2,048", "$61,440.00"], COLUMNS).split("\n") == [
        "Liquid-     2,048  $61,440.00",
        "cooled AI",
        "server",
    ]


def test_row_breaks_a_word_longer_than_its_column():
    assert ledger_row(["InfiniBandSwitchFabric", "1", "$9.00"], COLUMNS).split("\n") == [
        "InfiniBand      1       $9.00",
        "SwitchFabr",
        "ic",
    ]


def test_total_label_spans_the_leading_columns():
    assert ledger_total("Chips total", ["$61,440.00"], COLUMNS) == "Chips total        $61,440.00"
