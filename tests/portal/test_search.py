"""The portal's search: the existing q search of proposals (Traditional = Simplified, words of two
characters and more), the FilterSets' filters, matched words highlighted and escaped, paged."""
from portal.highlight import highlight, snippet
from tests.portal.world import PUBLIC_DOC_NUMBER, PUBLIC_TITLE


def found(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200, response.content[:500]
    return response


def titles(response) -> list[str]:
    return [row["proposal"].title for row in response.context["rows"]]


def test_traditional_characters_find_the_simplified_text(client, world):
    simplified = found(client, q="双减")
    traditional = found(client, q="雙減")
    assert titles(simplified) == titles(traditional) == [PUBLIC_TITLE]
    text = traditional.content.decode()
    assert "<mark>双减</mark>" in text  # marked in the text as printed


def test_every_word_must_match(client, world):
    assert titles(found(client, q="雙減 學生")) == [PUBLIC_TITLE]
    assert titles(found(client, q="双减 均衡")) == []
    assert set(titles(found(client, q="义务教育"))) == {PUBLIC_TITLE, world.second.title}


def test_one_character_words_are_left_out_and_said_so(client, world):
    response = found(client, q="双 减")
    assert response.context["page"].paginator.count == 0
    assert "单字词" in response.content.decode()
    assert titles(found(client, q="双减 教")) == [PUBLIC_TITLE]


def test_document_number_finds_its_reply(client, world):
    assert titles(found(client, q=PUBLIC_DOC_NUMBER)) == [PUBLIC_TITLE]


def test_filters_narrow_the_results(client, world):
    cast = world.cast
    both = {PUBLIC_TITLE, world.second.title}
    assert set(titles(found(client))) == both
    assert set(titles(found(client, committee_id=cast.session.committee_id))) == both
    assert set(titles(found(client, session_id=cast.session.pk, year=2024))) == both
    assert titles(found(client, year=2023)) == []
    assert set(titles(found(client, agency_id=cast.agency.pk, classification="A"))) == both
    assert titles(found(client, agency_id=cast.other_agency.pk)) == []
    assert titles(found(client, classification="B")) == []
    assert set(titles(found(client, topic="教育"))) == both


def test_a_bad_filter_is_a_400_that_names_it(client, world):
    response = client.get("/search/", {"agency_id": "999999"})
    assert response.status_code == 400
    assert "agency_id" in response.content.decode()
    assert client.get("/search/", {"year": "99999"}).status_code == 400
    assert client.get("/data/replies.csv", {"classification": "X"}).status_code == 400


def test_the_query_is_escaped_wherever_it_is_shown(client, world):
    text = client.get("/search/", {"q": '<script>alert(1)</script> 双减'}).content.decode()
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;" in text


def test_results_are_paged_keeping_the_query(client, db):
    from tests.api_support import bulk_proposals

    bulk_proposals(23)
    first = found(client, q="工作 提案")
    assert first.context["page"].paginator.count == 0  # bulk proposals' search text is "第N项"
    first = found(client, classification="A")
    assert first.context["page"].paginator.count == 23 and len(first.context["rows"]) == 20
    assert 'href="?classification=A&amp;page=2"' in first.content.decode()
    second = found(client, classification="A", page=2)
    assert len(second.context["rows"]) == 3 and 'href="?classification=A&amp;page=1"' in second.content.decode()


# --- the highlighter itself ---------------------------------------------------------------------

def test_highlight_marks_traditional_text_for_a_simplified_term():
    assert highlight("落實雙減政策", ["双减"]) == "落實<mark>雙減</mark>政策"


def test_highlight_escapes_the_text_around_and_inside_the_marks():
    assert highlight("<b>双减</b> & 作业", ["双减"]) == "&lt;b&gt;<mark>双减</mark>&lt;/b&gt; &amp; 作业"
    assert highlight("a<双减>b", ["<双减>"]) == "a<mark>&lt;双减&gt;</mark>b"


def test_highlight_merges_overlapping_terms_and_ignores_case():
    assert highlight("推进ABC教育改革", ["abc教育", "教育改革"]) == "推进<mark>ABC教育改革</mark>"


def test_snippet_centres_on_the_first_match():
    text = "开头" * 100 + "落实双减政策" + "结尾" * 100
    piece = snippet(text, ["双减"], length=40)
    assert piece.startswith("…") and piece.endswith("…") and "<mark>双减</mark>" in piece
    assert snippet("短文本", ["双减"]) == "短文本"
