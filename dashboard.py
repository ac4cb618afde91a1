"""绛县妇女儿童发展规划监测平台 — Streamlit entry point: page config, the login gate and navigation only.

Which pages a role sees is data in monitoring/permissions.py (PAGES); the
checks themselves are in the engine, so a hidden page is convenience, not the lock.
"""

import streamlit as st

from monitoring.permissions import PAGES, pages_denied, pages_for
from views import auth, state

user = auth.gate()
# Before login there is nothing for the sidebar to hold: keep it closed, also right after a logout.
st.set_page_config(page_title="绛县妇儿规划监测平台", page_icon="📊", layout="wide",
                   initial_sidebar_state="collapsed" if user is None else "auto")
if user is None:
    # Every address shows the login form (a deep link such as /submit opens that page once logged in).
    login = [st.Page(auth.login_page, title="登录", icon=":material/login:", url_path="login", default=True)]
    login += [st.Page(auth.login_page, title="登录", url_path=p.url_path) for p in PAGES if not p.default]
    st.navigation(login, position="hidden").run()
else:
    # 区县对比 is listed only when the data holds several counties; else its address says what it needs.
    several = state.several_counties()
    pages = {
        section: [st.Page(p.path, title=p.title, icon=p.icon, url_path=p.url_path, default=p.default,
                          visibility="hidden" if p.requires_counties and not several else "visible") for p in specs]
        for section, specs in pages_for(user).items()
    }
    # A page the role does not have answers with a Chinese refusal; its code never runs.
    pages[list(pages)[-1]] += [st.Page(auth.denied_page, title=p.title, url_path=p.url_path, visibility="hidden") for p in pages_denied(user)]
    navigation = st.navigation(pages)
    auth.sidebar(user)
    if user.local:
        auth.local_banner()
    navigation.run()
