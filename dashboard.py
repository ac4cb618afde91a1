"""绛县妇女儿童发展规划监测平台 — Streamlit entry point: page config and navigation only."""

import streamlit as st

st.set_page_config(page_title="绛县妇儿规划监测平台", page_icon="📊", layout="wide")

pages = [
    st.Page("views/catalogue.py", title="目标库", icon=":material/menu_book:", url_path="catalogue", default=True),
]
st.navigation(pages).run()
