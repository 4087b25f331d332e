"""The dashboard pages render on the demo database (Streamlit's headless AppTest)."""

from streamlit.testing.v1 import AppTest

from tests.conftest import PROJECT_ROOT


def test_home_page_renders_demo_figures(demo_engine) -> None:
    app = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=30).run()
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Huyện/thành phố"] == "11"
    assert metrics["Chứng thư số"] == "5.885"
    assert any("mô phỏng" in w.value for w in app.warning)
