"""政务信息考评 dashboard entry point (page config and navigation)."""
import streamlit as st

st.set_page_config(page_title="政务信息考评", layout="wide")
st.title("政务信息考评")
st.write("仪表盘建设中。")
