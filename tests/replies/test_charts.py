"""replies.charts: SVG charts as plain functions of their data — well-formed, accessible (role,
title, description, a title per bar or point), text escaped, gaps for missing values."""
import xml.etree.ElementTree as ET

import pytest

from replies import charts
from replies.charts import Series

NS = "{http://www.w3.org/2000/svg}"


def parse(svg) -> ET.Element:
    return ET.fromstring(str(svg))


def check_accessible(root, chart_id, title, desc):
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
    assert root.find(f"{NS}title").text == title and root.find(f"{NS}title").get("id") == f"{chart_id}-title"
    assert root.find(f"{NS}desc").text == desc


def test_bar_chart_draws_a_bar_per_value_with_its_value_written_and_titled():
    svg = charts.bar_chart("c1", "办复率", "两个单位", ["市教委", "市卫健委"],
                           [Series("办复率", [0.5, 1.0]), Series("满意率", [None, 0.25], charts.GREEN)])
    root = parse(svg)
    check_accessible(root, "c1", "办复率", "两个单位")
    bars = root.findall(f"{NS}rect")
    legend, drawn = bars[:2], bars[2:]
    assert len(legend) == 2 and len(drawn) == 4
    widths = [float(b.get("width")) for b in drawn]
    assert widths[0] * 2 == pytest.approx(widths[2]) and widths[1] == 0  # 50% is half of 100%; none is empty
    assert widths[2] == pytest.approx(widths[3] * 4)
    assert [b.find(f"{NS}title").text for b in drawn] == [
        "市教委 · 办复率:50%", "市教委 · 满意率:—", "市卫健委 · 办复率:100%", "市卫健委 · 满意率:25%"]
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "50%" in texts and "—" in texts


def test_labels_are_escaped_and_long_ones_cut_with_the_whole_name_in_a_title():
    name = "<script>alert(1)</script>某某市人民政府办公室关于某某事项的专门工作领导小组办公室"
    svg = charts.stacked_bar_chart("c2", "A & B", "<desc>", [name], [Series("A", [0.6]), Series("B", [0.4])])
    assert "<script>" not in str(svg)
    root = parse(svg)
    check_accessible(root, "c2", "A & B", "<desc>")
    label = next(t for t in root.iter(f"{NS}text") if t.find(f"{NS}title") is not None)
    assert label.find(f"{NS}title").text == name
    assert "".join(label.itertext()).endswith("…")


def test_stacked_segments_follow_the_shares():
    root = parse(charts.stacked_bar_chart("c3", "t", "d", ["合计", "空"],
                                          [Series("A", [0.75, None]), Series("B", [0.25, None])]))
    drawn = [r for r in root.findall(f"{NS}rect") if r.find(f"{NS}title") is not None]
    assert len(drawn) == 2  # the empty row draws nothing…
    assert float(drawn[0].get("width")) == pytest.approx(3 * float(drawn[1].get("width")))
    assert float(drawn[1].get("x")) == pytest.approx(float(drawn[0].get("x")) + float(drawn[0].get("width")))
    assert "—" in [t.text for t in root.iter(f"{NS}text")]  # …and says so


def test_line_chart_breaks_at_a_missing_value_and_marks_each_point():
    root = parse(charts.line_chart("c4", "t", "d", ["一次", "二次", "三次", "四次"],
                                   [Series("办复率", [0.5, 0.75, None, 1.0]), Series("满意率", [1, 1, 1, 1])]))
    lines = root.findall(f"{NS}polyline")
    assert [len(line.get("points").split()) for line in lines] == [2, 4]  # the lone last point has no line
    assert lines[1].get("stroke-dasharray")  # the second series differs by more than colour
    points = root.findall(f"{NS}circle")
    assert len(points) == 7
    assert points[0].find(f"{NS}title").text == "一次 · 办复率:50%"
    ys = [float(p.get("cy")) for p in points[:3]]
    assert ys[0] > ys[1] > ys[2]  # higher rates higher up


def test_no_data_is_said_not_drawn():
    root = parse(charts.bar_chart("c5", "t", "d", [], [], empty="暂无数据"))
    check_accessible(root, "c5", "t", "d")
    assert [t.text for t in root.iter(f"{NS}text")] == ["暂无数据"]


@pytest.mark.parametrize("value, text", [(0.6, "60%"), (0.6667, "66.67%"), (1.0, "100%"), (0.0, "0%"),
                                         (0.0001, "0.01%"), (None, "—")])
def test_percent_writes_the_fraction_as_given(value, text):
    assert charts.percent(value) == text


def test_a_round_axis_for_counts():
    root = parse(charts.bar_chart("c6", "t", "d", ["一次"], [Series("天", [42.0])], fmt=charts.number,
                                  maximum=None))
    ticks = [t.text for t in root.iter(f"{NS}text") if t.get("font-size") == "10"]
    assert ticks[:5] == ["0", "15", "30", "45", "60"]
