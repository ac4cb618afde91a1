"""方法说明: docs/methodology.md, rendered as the office reads it in its reports."""

from __future__ import annotations

import streamlit as st

from monitoring.docs import methodology_markdown

st.markdown(methodology_markdown())
