"""Open data: the lists as CSV (the API's writers), the feed of newly published replies."""
import csv
import io
from xml.etree import ElementTree

from tests.portal.world import PUBLIC_DOC_NUMBER, PUBLIC_TITLE

ATOM = "{http://www.w3.org/2005/Atom}"


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


def test_replies_csv_has_the_search_results(client, world):
    rows = csv_rows(client.get("/data/replies.csv", {"q": "雙減"}))
    assert rows[0][:3] == ["会议", "提案号", "案由"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1]))
    assert row["案由"] == PUBLIC_TITLE and row["文号"] == PUBLIC_DOC_NUMBER
    assert row["提案人"] == world.cast.proposer.name and row["承办单位"] == world.cast.agency.name
    assert row["网址"].endswith(f"/replies/{world.public_reply.pk}/")
    assert len(csv_rows(client.get("/data/replies.csv"))) == 3  # both public replies, nothing else


def test_figures_and_lists_as_csv(client, world):
    scorecard = csv_rows(client.get(f"/agencies/{world.cast.agency.pk}/scorecard.csv"))
    assert scorecard[0][:2] == ["会议", "收到提案数"] and scorecard[-1][0] == "合计"
    report = csv_rows(client.get(f"/sessions/{world.cast.session.pk}/report.csv"))
    assert report[0][0] == "承办单位" and report[-1][0] == "合计"
    agencies = csv_rows(client.get("/data/agencies.csv"))
    assert [world.cast.agency.name, world.cast.agency.region, "2"] in agencies
    sessions = csv_rows(client.get("/data/sessions.csv"))
    assert any(r[0] == world.cast.session.committee.name and r[-1] == "2" for r in sessions[1:])


def test_csv_text_cannot_run_as_a_formula(client, world):
    from replies.models import Reply

    Reply.objects.filter(pk=world.public_reply.pk).update(title="=HYPERLINK(\"http://x\")")
    rows = csv_rows(client.get("/data/replies.csv"))
    assert "'=HYPERLINK(\"http://x\")" in [c for r in rows for c in r]


def test_the_atom_feed_lists_newly_published_replies(client, world):
    response = client.get("/feeds/replies/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 2
    links = {e.find(f"{ATOM}link").get("href") for e in entries}
    assert f"http://testserver/replies/{world.public_reply.pk}/" in links
    assert any(PUBLIC_TITLE in (e.find(f"{ATOM}summary").text or "") for e in entries)
    assert entries[0].find(f"{ATOM}updated").text.startswith("2024-05-06")


def test_the_rss_feed_too(client, world):
    response = client.get("/feeds/replies.rss")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/rss+xml")
    items = ElementTree.fromstring(response.content).findall("channel/item")
    assert len(items) == 2 and items[0].find("pubDate") is not None


def test_open_data_page_links_every_download(client, world):
    text = client.get("/data/").content.decode()
    for href in ("/data/replies.csv", "/data/agencies.csv", "/data/sessions.csv", "/feeds/replies/",
                 "/feeds/replies.rss", f"/sessions/{world.cast.session.pk}/report.csv", "/api/replies/?format=csv"):
        assert f'href="{href}"' in text, href
