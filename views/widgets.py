"""Helpers every page shares: download types, a widget that follows the address, the plan period's years.

Pages only draw; what they show comes from the engine. These few helpers keep the drawing the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from monitoring.catalogue import Catalogue, Plan

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CSV_MIME = "text/csv"


def follow_address(param: str, key: str, options: list[str], default: str) -> str | None:
    """Let the widget `key` take ?param= from the address (a deep link such as /detail?id=C1-03b) once per value.

    A value already applied does not undo a later choice made in the widget; a value not among `options`
    is returned for the page to say so, and the widget keeps its choice (else `default`).
    """
    requested = st.query_params.get(param)
    applied = f"_{key}_address"
    if requested in options and requested != st.session_state.get(applied):
        st.session_state[key] = requested
        st.session_state[applied] = requested
    elif st.session_state.get(key) not in options:
        st.session_state[key] = default
    return requested


def write_address(param: str, key: str) -> Callable[[], None]:
    """The `on_change` that writes the widget's choice back to the address, so a copied link shows the same."""
    def sync() -> None:
        st.query_params[param] = st.session_state[key]
        st.session_state[f"_{key}_address"] = st.session_state[key]

    return sync


def first_plan(catalogue: Catalogue) -> Plan:
    """The plan listed first (the plans of one period share their years; pages name the period by it)."""
    return min(catalogue.plans.values(), key=lambda p: (p.order, p.plan))
