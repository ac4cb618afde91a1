"""绛县妇女儿童发展规划监测平台 — Streamlit entry point: page config and navigation only."""

import streamlit as st

st.set_page_config(page_title="绛县妇儿规划监测平台", page_icon="📊", layout="wide")

pages = {
    "监测": [
        st.Page("views/overview.py", title="总览", icon=":material/dashboard:", url_path="overview", default=True),
        st.Page("views/indicators.py", title="指标监测", icon=":material/table_chart:", url_path="indicators"),
        st.Page("views/detail.py", title="指标详情", icon=":material/monitoring:", url_path="detail"),
        st.Page("views/alerts.py", title="预警", icon=":material/warning:", url_path="warnings"),
        st.Page("views/report.py", title="评估报告", icon=":material/description:", url_path="report"),
    ],
    "数据": [
        st.Page("views/submit.py", title="数据填报", icon=":material/upload_file:", url_path="submit"),
        st.Page("views/reporting.py", title="报送情况", icon=":material/fact_check:", url_path="reporting"),
    ],
    "参考": [
        st.Page("views/catalogue.py", title="目标库", icon=":material/menu_book:", url_path="catalogue"),
        st.Page("views/methodology.py", title="方法说明", icon=":material/help:", url_path="methodology"),
    ],
}
st.navigation(pages).run()
