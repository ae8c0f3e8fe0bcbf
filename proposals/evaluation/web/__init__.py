"""Evaluation pages: panels (`panels`), the public register (`register`), program reports (`reports`)."""

from proposals.evaluation.web.panels import (
    conflict_declaration,
    determination,
    panel_detail,
    panel_form,
    panel_list,
    panel_summary,
    panel_transition,
    score_sheet,
)
from proposals.evaluation.web.register import RegisterFeed, register, register_csv
from proposals.evaluation.web.reports import call_report_csv, call_report_page

__all__ = [
    "RegisterFeed",
    "call_report_csv",
    "call_report_page",
    "conflict_declaration",
    "determination",
    "panel_detail",
    "panel_form",
    "panel_list",
    "panel_summary",
    "panel_transition",
    "register",
    "register_csv",
    "score_sheet",
]
