"""The monitoring engine: catalogue, measurements, store, evaluation, charts, reports.

Pure Python; the dashboard calls it and never the other way round
(it must not import streamlit).
"""
