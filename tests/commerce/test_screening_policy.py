"""Name normalization and the indexed exact + fuzzy matcher (pure)."""

import pytest

from proposals.commerce.policy.screening import ScreeningIndex, name_score, normalize_name


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("Acme Precision Co., Ltd.", "ACME PRECISION"),
        ("ACME PRECISION CO LTD", "ACME PRECISION"),
        ("acme-precision, L.L.C.", "ACME PRECISION"),
        ("Société Générale S.A.", "SOCIETE GENERALE"),
        ("Müller & Söhne GmbH", "MULLER AND SOHNE"),
        ("Zhōngxīng Tōngxùn Corp.", "ZHONGXING TONGXUN"),
        ("Holding AG", "HOLDING"),
        ("  O'Brien   Trading  Inc ", "OBRIEN TRADING"),
        ("Co-op Bank Limited", "CO OP BANK"),
    ],
)
def test_normalize_name_drops_case_punctuation_diacritics_and_suffixes(raw, normalized):
    assert normalize_name(raw) == normalized


def _index():
    return ScreeningIndex(
        [
            ["ACME PRECISION CO LTD"],
            ["Rosoboronexport", "ROSOBORONEKSPORT OAO"],
            ["Beacon"],
            ["Acme Precision Machinery Co."],
        ]
    )


def test_acme_precision_co_ltd_matches_exactly_after_normalization():
    matches = _index().match("Acme Precision Co., Ltd.", threshold=88)
    assert [(m.entry_index, m.matched_name, m.score, m.exact) for m in matches] == [
        (0, "ACME PRECISION CO LTD", 100.0, True),
        (3, "Acme Precision Machinery Co.", 90.0, False),
    ]


def test_fuzzy_match_on_alternate_name_with_a_typo():
    matches = _index().match("Rosoboroneksport JSC", threshold=88)
    assert [(m.entry_index, m.matched_name, m.exact) for m in matches] == [(1, "ROSOBORONEKSPORT OAO", True)]
    typo = _index().match("Rosoboronexprot", threshold=88)
    assert [(m.entry_index, m.matched_name, m.exact) for m in typo] == [(1, "Rosoboronexport", False)]
    assert typo[0].score == pytest.approx(93.33, abs=0.01)


def test_one_shared_word_is_not_a_match():
    assert _index().match("Beacon Cloud LLC", threshold=88) == []


def test_below_threshold_is_not_a_match():
    assert _index().match("Acme Precisn", threshold=99) == []


def test_word_order_does_not_matter():
    assert name_score("PRECISION ACME", "ACME PRECISION") == 100


def test_common_words_alone_still_get_screened():
    index = ScreeningIndex([[f"GLOBAL TRADING {n}"] for n in range(1000)] + [["GLOBAL TRADING"]])
    matches = index.match("Global Trading Ltd", threshold=95)
    assert [(m.entry_index, m.exact) for m in matches][:1] == [(1000, True)]
