"""The main text of an HTML page: what is the article's and what is the site's."""

from pipeline.extract.article import extract_article
from pipeline.records import Page, Source

URL = "https://news.example/2025/05/the-harbour-reopens"
TITLE = "The harbour reopens after the storm"
PARAGRAPHS = [
    "The harbour of the old town reopened on Monday, three weeks after the storm tore two "
    "piers from their moorings and sank a dozen fishing boats at anchor.",
    "Engineers from the port authority worked in shifts to clear the channel, lifting the "
    "wrecks with a floating crane borrowed from the naval yard further up the coast.",
    "Fishermen said the first catch was small but welcome, and the fish market on the quay "
    "opened its doors again before dawn, as it has done for two hundred years.",
    "The council will vote next month on a sea wall that would shelter the inner basin, at "
    "a cost the treasurer called high but lower than another season of repairs.",
]
RELATED = ("<ul class='related'><li><a href='/a'>Ferry timetable changes for the summer</a>"
           "</li><li><a href='/b'>The lighthouse keeper retires</a></li>"
           "<li><a href='/c'>Ten years of the regatta</a></li></ul>")


def page(body: str) -> Page:
    document = (f"<html><head><title>{TITLE}</title></head><body>{body}</body></html>")
    return Page(Source(URL, "test"), URL, document.encode(), "text/html")


def article_html(extra: str = "") -> str:
    paragraphs = "".join(f"<p>{text}</p>" for text in PARAGRAPHS)
    return f"<article><h1>{TITLE}</h1>{paragraphs}{extra}</article>"


def test_a_page_laid_out_inside_one_form_keeps_its_article():
    article = extract_article(page(f"<form id='aspnetForm' method='post'>{article_html()}"
                                   "</form>"))

    for paragraph in PARAGRAPHS:
        assert paragraph[:50] in article.text


def test_a_short_sign_up_form_is_no_text_of_the_article():
    signup = "<form><p>Sign up</p><input type='email'></form>"

    article = extract_article(page(article_html(signup)))

    assert "Sign up" not in article.text


def test_the_title_is_not_repeated_as_the_first_heading_of_the_text():
    article = extract_article(page(article_html()))

    assert article.title == TITLE
    assert TITLE not in article.text
    assert article.text.startswith(PARAGRAPHS[0][:40])


def test_the_pages_headline_goes_from_the_text_even_when_it_differs_from_the_title():
    headline = "Boats return to the old harbour"
    document = (f"<html><head><meta property='og:title' content='{TITLE}'></head><body>"
                f"{article_html().replace(TITLE, headline)}</body></html>")

    article = extract_article(Page(Source(URL, "test"), URL, document.encode(), "text/html"))

    assert article.title == TITLE
    assert headline not in article.text
    assert article.text.startswith(PARAGRAPHS[0][:40])


def test_a_page_without_a_title_gives_the_note_its_headline():
    document = f"<html><body>{article_html()}</body></html>"

    article = extract_article(Page(Source(URL, "test"), URL, document.encode(), "text/html"))

    assert article.title == TITLE


def test_a_standfirst_heading_under_the_title_that_repeats_the_description_goes():
    standfirst = "Three weeks after the storm, the fishing fleet is back at the quay"
    document = (f"<html><head><title>{TITLE}</title><meta name='description' "
                f"content='{standfirst}.'></head><body>"
                f"{article_html().replace('</h1>', f'</h1><h2>{standfirst}</h2>')}</body></html>")

    article = extract_article(Page(Source(URL, "test"), URL, document.encode(), "text/html"))

    assert article.description == f"{standfirst}."
    assert standfirst not in article.text
    assert article.text.startswith(PARAGRAPHS[0][:40])


def site_menu() -> str:
    sections = ["City", "Council", "Services", "Health", "Schools", "Transport", "Culture"]
    items = "".join(f"<li><a href='/{name}'>{name}</a><ul>"
                    + "".join(f"<li><a href='/{name}/{n}'>{name} office {n}</a></li>"
                              for n in range(1, 16)) + "</ul></li>" for name in sections)
    return f"<div class='navbar'><ul class='nav'>{items}</ul></div>"


def test_an_article_written_as_bare_text_beside_the_sites_menus_is_read_not_the_menus():
    article_text = f"<small>05/05/2025 - Harbour</small><br><br>{PARAGRAPHS[0]} {PARAGRAPHS[1]}<br>"
    body = (f"<div id='wrap'>{site_menu()}<div class='row'><div class='col-3'>{site_menu()}</div>"
            f"<div class='col-9'><p class='title'>{TITLE}</p>{article_text}</div></div></div>")

    article = extract_article(page(body))

    assert PARAGRAPHS[1][:50] in article.text
    assert "Council office" not in article.text


def test_a_list_of_links_to_other_articles_is_no_text_of_the_article():
    article = extract_article(page(article_html(RELATED)))

    assert "lighthouse keeper" not in article.text
    assert PARAGRAPHS[-1][:50] in article.text


def with_line_after_first_paragraph(line: str) -> str:
    return article_html().replace(f"{PARAGRAPHS[0]}</p>", f"{PARAGRAPHS[0]}</p><p>{line}</p>")


def test_a_labelled_link_to_another_story_between_paragraphs_goes():
    promotion = "<b>Read more:</b> <a href='/ferry'>Ferry timetable changes for the summer</a>"

    article = extract_article(page(with_line_after_first_paragraph(promotion)))

    assert "Ferry timetable" not in article.text
    assert PARAGRAPHS[1][:50] in article.text


def test_a_shouted_link_between_paragraphs_goes():
    promotion = "<a href='/keeper'>LIGHTHOUSE KEEPER RETIRES AFTER FORTY YEARS</a>"

    article = extract_article(page(with_line_after_first_paragraph(promotion)))

    assert "LIGHTHOUSE" not in article.text


def test_a_sentence_that_begins_read_more_is_prose_and_stays():
    sentence = ("Read more about the storm in the <a href='https://port.example/report'>port "
                "authority's report</a>, published on Friday.")

    article = extract_article(page(with_line_after_first_paragraph(sentence)))

    assert "Read more about the storm" in article.text


def test_a_link_inside_a_paragraph_stays_with_its_sentence():
    report = "https://port.example/reports/channel-clearing"
    linked = PARAGRAPHS[1].replace("port authority", f"<a href='{report}'>port authority</a>")

    article = extract_article(page(article_html().replace(PARAGRAPHS[1], linked)))

    assert [link.url for link in article.links] == [report]
    assert "port authority" in article.links[0].context


def test_the_card_a_site_glues_to_a_linked_name_goes_and_the_name_stays():
    person = "https://news.example/people/ada-lind"
    card = (f"<a href='{person}'>Ada Lind</a><span class='card'><a href='{person}'>Ada Maria "
            "Lind</a><a href='/2025/04/quay-vote'>Council delays the quay vote</a> "
            f"<a href='/2025/03/ferry'>Ferry fares rise in spring</a> <a href='{person}'>MORE</a>"
            "</span>")
    linked = PARAGRAPHS[3].replace("the treasurer", f"the treasurer {card}")

    article = extract_article(page(article_html().replace(PARAGRAPHS[3], linked)))

    assert "the treasurer [Ada Lind](https://news.example/people/ada-lind) called" in article.text
    assert "Ferry fares" not in article.text
    assert [link.url for link in article.links] == [person]


def test_a_link_the_page_split_into_pieces_is_one_link():
    report = "https://port.example/reports/channel-clearing"
    linked = PARAGRAPHS[1].replace("port authority", f"<a href='{report}'>port auth</a><a "
                                   f"href='{report}'>ority</a>")

    article = extract_article(page(article_html().replace(PARAGRAPHS[1], linked)))

    assert f"[port authority]({report})" in article.text
    assert [link.label for link in article.links] == ["port authority"]


def test_a_relative_link_is_resolved_against_the_pages_own_address():
    linked = PARAGRAPHS[1].replace("port authority",
                                   "<a href='reports/channel-clearing'>port authority</a>")

    article = extract_article(page(article_html().replace(PARAGRAPHS[1], linked)))

    assert "(https://news.example/2025/05/reports/channel-clearing)" in article.text
    assert [link.url for link in article.links] == [
        "https://news.example/2025/05/reports/channel-clearing"]


def test_a_relative_link_is_resolved_against_the_pages_base_when_it_declares_one():
    linked = PARAGRAPHS[1].replace("port authority",
                                   "<a href='channel-clearing'>port authority</a>")
    document = (f"<html><head><base href='https://port.example/reports/'><title>{TITLE}"
                f"</title></head><body>{article_html().replace(PARAGRAPHS[1], linked)}"
                "</body></html>")

    article = extract_article(Page(Source(URL, "test"), URL, document.encode(), "text/html"))

    assert [link.url for link in article.links] == [
        "https://port.example/reports/channel-clearing"]


SUBSCRIBE_LINE = ("<p>Thanks for reading The Harbour! Subscribe for free to receive new posts "
                  "and support my work.</p>")


def test_a_newsletter_platforms_web_page_loses_its_subscribe_line():
    body = article_html(SUBSCRIBE_LINE) + "<script src='https://substackcdn.com/main.js'></script>"

    article = extract_article(page(body))

    assert "Subscribe" not in article.text
    assert PARAGRAPHS[-1][:50] in article.text


def test_a_page_no_platform_made_is_not_searched_for_platform_chrome():
    article = extract_article(page(article_html(SUBSCRIBE_LINE)))

    assert "Subscribe for free" in article.text
