"""portal.charts: SVG drawn on the server, accessible, escaped."""
import re

from portal import charts


def test_bar_chart_is_an_accessible_image_with_every_value_in_its_description():
    svg = charts.bar_chart([("市教育局", 0.95), ("市财政局", None)], chart_id="c1", title="办复率")
    assert svg.startswith("<svg") and 'role="img"' in svg and 'aria-labelledby="c1-t c1-d"' in svg
    assert '<title id="c1-t">办复率</title>' in svg
    assert "市教育局: 95.0%" in svg and "市财政局: —" in svg
    assert len(re.findall(r"<rect ", svg)) == 1  # no bar for a missing value
    assert "<script" not in svg


def test_text_is_escaped():
    svg = charts.bar_chart([("<b>&", 0.5)], chart_id='x"y', title="<t>")
    assert "<b>" not in svg and "&lt;b&gt;&amp;" in svg and "&lt;t&gt;" in svg and 'x&quot;y-t' in svg


def test_bars_scale_to_the_largest_value_when_asked():
    svg = charts.bar_chart([("a", 10), ("b", 5)], chart_id="d", title="days", max_value=None, fmt=charts.number)
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)"', svg)]
    assert widths[0] == 2 * widths[1]


def test_stacked_bars_split_by_share():
    svg = charts.stacked_bar_chart([("六届三次", {"A": 3, "B": 1, "C": 0, "D": 0})],
                                   [("A", "A类"), ("B", "B类"), ("C", "C类"), ("D", "D类")], chart_id="m", title="mix")
    assert "75.0%" in svg and "六届三次: A类 3, B类 1, C类 0, D类 0" in svg


def test_line_chart_breaks_at_a_missing_value():
    svg = charts.line_chart(["一次", "二次", "三次"], [("办复率", [0.5, None, 1.0])], chart_id="l", title="t")
    paths = re.findall(r'<path d="([^"]+)"', svg)
    assert len(paths) == 1 and paths[0].count("M") == 2 and "L" not in paths[0]
    assert "一次 50.0%" in svg and "二次 —" in svg


def test_charts_module_imports_nothing_of_the_portal():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(charts))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(name and name.split(".")[0] in ("portal", "proposals", "replies") for name in imported)
