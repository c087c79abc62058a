"""Fast tests of the ingest stage: loading, cleaning and chunking the seed documents (no models).

Each cleaning rule is pinned on a short excerpt of the seed document it was
written for, then the real seeds folder is loaded end to end. Files are only
written under pytest's tmp_path.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from qa.errors import ConfigError
from qa.ingest.chunking import chunk_document
from qa.ingest.cleaning.rules import join_lines
from qa.ingest.documents import clean_text, content_hash, format_report, load_documents, read_metadata
from qa.types import Block, Document, Removal

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def blocks_of(text: str, blocks: tuple[Block, ...], kind: str | None = None) -> list[str]:
    return [text[block.start:block.end] for block in blocks if kind is None or block.kind == kind]


def rules(removals: tuple[Removal, ...]) -> set[str]:
    return {removal.rule for removal in removals}


# --- PDF text (002): hyphenation --------------------------------------------------------------

@pytest.mark.parametrize(
    ("left", "right", "joined"),
    [
        ("die meisten euro-päischen NATO-", "Staaten hatten", "die meisten euro-päischen NATO-Staaten hatten"),
        ("Trotz der Krim-", "Annexion bestimmte", "Trotz der Krim-Annexion bestimmte"),
        ("seit dem Kosovo-", "Krieg eine Tendenz", "seit dem Kosovo-Krieg eine Tendenz"),
        ("Einsatz von NATO-", "geführten Verbänden", "Einsatz von NATO-geführten Verbänden"),
        ("»Krisen-", "prävention und Management«", "»Krisenprävention und Management«"),
        ("auf ihrer Sou-", "veränität beharren", "auf ihrer Souveränität beharren"),
        ("Eine gewerb-", "liche Nutzung", "Eine gewerbliche Nutzung"),
        ("Das NATO-Mo-", "dell sieht", "Das NATO-Modell sieht"),
        ("vor allem ost- und", "nordeuropäischer Länder", "vor allem ost- und nordeuropäischer Länder"),
        ("Europäische Außen-", "und Sicherheitspolitik", "Europäische Außen- und Sicherheitspolitik"),
        ("Vorgängerdokument von 2010 –", "die kollektive", "Vorgängerdokument von 2010 – die kollektive"),
        ("(www.nato.", "int/cps/en/natohq/", "(www.nato.int/cps/en/natohq/"),
        ("(www.politico.eu/article/global-security-defense-", "putin-war-talks).",
         "(www.politico.eu/article/global-security-defense-putin-war-talks)."),
    ],
)
def test_join_lines_undoes_hyphenation_but_keeps_real_hyphens(left: str, right: str, joined: str) -> None:
    assert join_lines(left, right) == joined


def test_join_lines_keeps_a_hyphen_the_document_spells_elsewhere() -> None:
    vocabulary = "out-of-area-operationen robusteren charakters\n»is preparing for long-term confrontation«"
    assert join_lines("Krisenmanagement out-of-", "area, das", vocabulary) == "Krisenmanagement out-of-area, das"
    assert join_lines("»is preparing for long-", "term«", vocabulary) == "»is preparing for long-term«"
    assert join_lines("Rüs-", "tungsgeschäfte", vocabulary) == "Rüstungsgeschäfte"


# --- PDF text (002): front matter, footers, footnotes, headings ----------------------------------

FRONT_MATTER_002 = """
Matthias Dembinski und Hans-Joachim Spanger
Juni 2025

Die Zukunft
der NATO
Unsichere Führung in stürmischen Zeiten: Wie die
nordatlantische Organisation ihre Zukunft sieht

S T U D I E



Impressum

Herausgeberin
Friedrich-Ebert-Stiftung e.V.
Godesberger Allee 149
53175 Bonn
info@fes.de

Lektorat
Robert Reißmann

Juni 2025
© Friedrich-Ebert-Stiftung e.V.

Weitere Publikationen der Friedrich-Ebert-Stiftung finden Sie hier:
↗ www.fes.de/publikationen

mailto:info%40fes.de?subject=
https://www.fes.de/publikationen


Matthias Dembinski und Hans-Joachim Spanger
Juni 2025

Die Zukunft
der NATO
Unsichere Führung in stürmischen Zeiten:
Wie die nordatlantische Organisation ihre Zukunft sieht



Inhalt

Einleitung  . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . .  3

Das Internationale Sekretariat und der  Umgang mit Donald Trump:
Lastenteilung und Aufgabenteilung  . . . . . . . . . . . . . . . . . .  4

Der russische Angriffskrieg und die Rückkehr der kollektiven Verteidigung  . . .  5

Literatur  . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . .  15



Einleitung

Putins Angriffskrieg hatte die NATO geeint und gestärkt.
Donald Trumps Wiederwahl als US-Präsident erschüttert
sie in ihren Grundfesten. Es genügt ein Blick auf ihre insti-
tutionelle Gestalt, um die Bedeutung der USA für das
Bündnis zu belegen. Formal ist die NATO eine staatszent-
rierte Allianz, in der das Einstimmigkeitsprinzip gilt und in
der die Mitgliedstaaten in besonderer Weise auf ihrer Sou-
veränität beharren.
"""


def test_table_of_contents_cover_and_imprint_are_dropped_and_recorded() -> None:
    text, blocks, removals = clean_text(FRONT_MATTER_002)
    assert text.startswith("Einleitung\n\nPutins Angriffskrieg hatte die NATO geeint")
    assert "institutionelle Gestalt" in text and "staatszentrierte Allianz" in text and "Souveränität" in text
    for gone in (". . .", "Impressum", "Godesberger", "mailto:", "www.fes.de", "S T U D I E", "Dembinski"):
        assert gone not in text
    assert {"table of contents", "cover page", "imprint", "link lines", "duplicate cover"} <= rules(removals)
    assert blocks_of(text, blocks, "heading") == ["Einleitung"]
    assert blocks[1].section == "Einleitung"


FOOTERS_002 = """Vance am 28. Februar 2024 im Weißen Haus hat sich die
Stimmung in dieser Hinsicht jedoch markant gedreht –
auch wenn die Umsetzung Jahre benötigen wird und auf
dem Weg zahllose Stolperfallen zu umgehen sind.

4 Friedrich-Ebert-Stiftung e.V.
 Der russische Angriffskrieg und die Rückkehr
der kollektiven Verteidigung

Der russische Angriffskrieg veränderte in geradezu grund-
stürzender Weise die Bedrohungswahrnehmung und die
politisch-strategische Ausrichtung der NATO. Die Fähigkeit
zur durchsetzungsstarken grenznahen Verteidigung ist das
neue Schlüsselkonzept.

6 Friedrich-Ebert-Stiftung e.V.
 Pläne sind das eine, ihre Umsetzung etwas anderes. Die
Organe der NATO werden in den nächsten Jahren damit
beschäftigt sein.
"""


def test_running_page_footers_are_dropped_and_a_glued_heading_survives() -> None:
    text, blocks, removals = clean_text(FOOTERS_002)
    assert "Friedrich-Ebert-Stiftung" not in text
    assert [r.text for r in removals if r.rule == "page footer"] == [
        "4 Friedrich-Ebert-Stiftung e.V.", "6 Friedrich-Ebert-Stiftung e.V."]
    heading = "Der russische Angriffskrieg und die Rückkehr der kollektiven Verteidigung"
    assert blocks_of(text, blocks, "heading") == [heading]
    paragraphs = blocks_of(text, blocks, "paragraph")
    assert paragraphs[-1] == ("Pläne sind das eine, ihre Umsetzung etwas anderes. Die Organe der NATO werden "
                              "in den nächsten Jahren damit beschäftigt sein.")
    assert paragraphs[1].startswith("Der russische Angriffskrieg veränderte in geradezu grundstürzender Weise")
    assert all(block.section == heading for block in blocks[1:])


FOOTNOTE_002 = """Einleitung

Es bezeichnet den Terrorismus als zweitgrößte Gefahr
für die Mitgliedstaaten der Allianz und beschreibt – wie
schon das überkommene Vorgängerdokument von 2010 –
die kollektive Verteidigung als lediglich eine ihrer drei
Kernaufgaben, neben Krisenprävention und Krisenma-
nagement sowie der kooperativen Sicherheit (NATO
2022).1

Auffällig und erklärungsbedürftig fand die Forschung zur
NATO bisher aber nicht ihre Pfadabhängigkeit und ihre
 Krisenanfälligkeit, sondern ihre Langlebigkeit, ihre Anpas-
sungsfähigkeit und ihre Handlungsfähigkeit. Für diese Stär-
ke hat die Forschung zwei Erklärungen parat: hegemoniale
Führung und institutionelle Form. Aus der ersteren Pers-

1 Neu an dieser Nomenklatur ist lediglich, dass das Strategische Konzept von 2010 den zweiten Aufgabenkorb mit »Sicherheit durch Krisenmanagement« überschrieb,
 während im Konzept von 2022 von »Krisenprävention und Management« die Rede ist.

pektive betrachtet, gilt die amerikanische hegemoniale
Führung als entscheidender Pfeiler des Erfolgs der NATO.
"""  # noqa: E501


def test_footnote_moves_out_and_the_interrupted_word_is_whole_again() -> None:
    text, blocks, removals = clean_text(FOOTNOTE_002)
    assert "Aus der ersteren Perspektive betrachtet, gilt die amerikanische hegemoniale Führung" in text
    assert "kooperativen Sicherheit (NATO 2022). " not in text and "(NATO 2022).\n" in text + "\n"
    assert "2022).1" not in text
    footnotes = [block for block in blocks if block.kind == "footnote"]
    assert len(footnotes) == 1 and footnotes[0] is blocks[-1]
    assert text[footnotes[0].start:footnotes[0].end] == (
        "1 Neu an dieser Nomenklatur ist lediglich, dass das Strategische Konzept von 2010 den zweiten "
        "Aufgabenkorb mit »Sicherheit durch Krisenmanagement« überschrieb, während im Konzept von 2022 "
        "von »Krisenprävention und Management« die Rede ist.")
    assert footnotes[0].section == "Einleitung"
    assert [r.text for r in removals if r.rule == "footnote marker"] == ["1 (after “…Sicherheit (NATO 2022).”)"]


SEVERAL_FOOTNOTES_002 = """Das Internationale Sekretariat und der
 Umgang mit Donald Trump: Lastenteilung
und Aufgabenteilung

Die USA wichen schon während Donald Trumps erster
Präsidentschaft weit von dem oben beschriebenen Füh-
rungsstil ab. Den franzö-
sischen Präsidenten Macron veranlasste dies 2019 zu der
Diagnose, die Allianz sei hirntot.2 In Trumps zweiter
Amtszeit gilt die Sorge einmal mehr der Verlässlichkeit
der Führungsmacht.

Das erste Angebot besteht in einer aus Sicht der USA faire-
ren Lastenteilung, das heißt in höheren Verteidigungsaus-

2 NATO is becoming braindead, The Economist, 7. November 2019.

3 NATO’s Rutte talks »global security« with Trump in Florida, Politico, 24. November 2024 (www.politico.eu/article/nato-mark-rutte-us-donald-trump-global-security-defense-
putin-war-talks).

gaben der europäischen Mitgliedstaaten. Das 2014 beim
Gipfel von Wales vereinbarte Ziel gilt seit
dem Gipfel in Vilnius 2023 nur mehr als Untergrenze.3 Rutte
hält höhere Ausgaben für nötig.
"""  # noqa: E501


def test_several_footnotes_in_a_row_and_a_three_line_heading() -> None:
    text, blocks, removals = clean_text(SEVERAL_FOOTNOTES_002)
    heading = "Das Internationale Sekretariat und der Umgang mit Donald Trump: Lastenteilung und Aufgabenteilung"
    assert blocks_of(text, blocks, "heading") == [heading]
    assert all(block.section == heading for block in blocks)
    assert "die Allianz sei hirntot. In Trumps zweiter Amtszeit" in text
    assert "in höheren Verteidigungsausgaben der europäischen Mitgliedstaaten." in text
    assert "nur mehr als Untergrenze. Rutte hält" in text
    assert [block.kind for block in blocks] == ["heading", "paragraph", "paragraph", "footnote", "footnote"]
    notes = blocks_of(text, blocks, "footnote")
    assert notes[0] == "2 NATO is becoming braindead, The Economist, 7. November 2019."
    assert notes[1].endswith("(www.politico.eu/article/nato-mark-rutte-us-donald-trump-global-security-defense-"
                             "putin-war-talks).")
    assert len([r for r in removals if r.rule == "footnote marker"]) == 2


def test_generic_pdf_rules_apply_to_any_document_by_shape() -> None:
    raw = "\n".join([
        "Results", "",
        "The survey was repeated in three countries and the find-",
        "ings were consistent across all of them, which the au-",
        "thors did not expect.1 The sample was small, but the re-", "",
        "12 Example Press Ltd.", "",
        "sults held up in a second round in the follow-",
        "ing year as well.", "",
        "1 Smith and Jones, Journal of Surveys, 2021.", "",
        "13 Example Press Ltd.",
        "Discussion", "",
        "The effect is robust against the choice of the bench-",
        "mark and the period of the study.",
    ])
    text, blocks, removals = clean_text(raw)
    assert "the findings were consistent" in text and "the authors did not expect. The sample" in text
    assert "but the results held up in a second round in the following year as well." in text
    assert blocks_of(text, blocks, "heading") == ["Results", "Discussion"]
    assert blocks_of(text, blocks, "footnote") == ["1 Smith and Jones, Journal of Surveys, 2021."]
    assert blocks[-1].section == "Discussion"
    assert {"page footer", "footnote marker"} <= rules(removals)


def test_markdown_headings_open_sections() -> None:
    raw = "\n".join([
        "# Die NATO",
        "Die NATO wurde im April 1949 in Washington gegründet und",
        "hat heute zweiunddreißig Mitglieder in Europa und in",
        "Nordamerika, die sich im Fall eines Angriffs gegenseitig",
        "beistehen und ihre Verteidigung gemeinsam planen.", "",
        "## Sitz", "",
        "Ihr Hauptquartier liegt in Brüssel.",
    ])
    text, blocks, _ = clean_text(raw)
    assert blocks_of(text, blocks, "heading") == ["Die NATO", "Sitz"]
    assert blocks_of(text, blocks, "paragraph")[0].endswith("in Europa und in Nordamerika, die sich im Fall eines "
                                                           "Angriffs gegenseitig beistehen und ihre Verteidigung "
                                                           "gemeinsam planen.")
    assert blocks[-1].section == "Sitz"


# --- web articles (000, 001, 003, 004) -------------------------------------------------------------

TEASERS_000 = """Nach zehn Jahren im Amt tritt Jens Stoltenberg als NATO-Generalsekretär heute ab. Er blickt auf eine turbulente Zeit zurück - nicht nur wegen des Ukraine-Kriegs, sondern auch wegen interner Streitigkeiten. Von Helga Schmidt. mehr
NATO-Generalsekretär Stoltenberg im Bericht aus Berlin mehr
Bundeskanzler Scholz trifft NATO-Generalsekretär Stoltenberg zur Vorbereitung des NATO-Gipfels im Juli mehr
Der Chef der Münchner Sicherheitskonferenz schließt auch den russischen Griff nach NATO-Gebiet nicht mehr aus. mehr
interview
liveblog
faq
Bilder"""  # noqa: E501


def test_teaser_mehr_links_and_navigation_labels_are_removed() -> None:
    text, blocks, removals = clean_text(TEASERS_000)
    paragraphs = blocks_of(text, blocks)
    assert paragraphs[1] == "NATO-Generalsekretär Stoltenberg im Bericht aus Berlin"
    assert paragraphs[0].endswith("Von Helga Schmidt.")
    assert paragraphs[3].endswith("nach NATO-Gebiet nicht mehr aus.")
    assert all(block.kind == "paragraph" for block in blocks)  # short teasers are no headings
    assert [r.text for r in removals if r.rule == "teaser link"] == ["mehr"] * 4
    assert [r.text for r in removals if r.rule == "navigation links"] == ["interview", "liveblog", "faq", "Bilder"]
    assert "liveblog" not in text


ARTICLE_001 = """Nachfolger von Stoltenberg Rutte ist neuer NATO- Generalsekretär Stand: 01.10.2024 11:00 Uhr

Der niederländische Ex-Ministerpräsident Rutte ist neuer NATO-Generalsekretär. Nach rund zehn Jahren im Amt übergab ihm der Norweger Stoltenberg den Posten.

Stoltenberg lobt Rutte

"Mark hat den perfekten Hintergrund, um ein großartiger Generalsekretär zu werden", sagte Stoltenberg.

Rutte hat Ruf als "Trump-Flüsterer"

Rutte gilt seit einem Treffen mit Trump 2019 als "Trump-Flüsterer"."""  # noqa: E501


def test_title_line_becomes_a_heading_without_timestamp_and_subheadings_open_sections() -> None:
    text, blocks, removals = clean_text(ARTICLE_001)
    headings = blocks_of(text, blocks, "heading")
    assert headings == ["Nachfolger von Stoltenberg: Rutte ist neuer NATO-Generalsekretär",
                        "Stoltenberg lobt Rutte", 'Rutte hat Ruf als "Trump-Flüsterer"']
    assert Removal("timestamp", "Stand: 01.10.2024 11:00 Uhr") in removals
    assert "Stand:" not in text and "NATO- " not in text
    assert [block.section for block in blocks] == [headings[0]] * 2 + [headings[1]] * 2 + [headings[2]] * 2


ARTICLE_003 = """Jens Stoltenberg will resign from his position as NATO Secretary General in the fall. The search for a successor is now moving.
Chancellor Olaf Scholz supports a possible nomination of Dutch Prime Minister Mark Rutte as the new NATO Secretary General.
Support also from the USA and Great Britain
Rutte can look forward to other prominent supporters. Rutte has “a deep understanding of the importance of the alliance.”
Stoltenberg will step down from office in the fall
Dutch defense spending never reached the 2 percent of GDP target under Rutte, but has steadily increased from 1.15 percent of GDP in 2014 to 1.7 percent in 2023, according to NATO data.
Source: Stern

I have been working in the news industry for over 6 years, first as a reporter and now as an editor. I have covered politics extensively, and my work has appeared in major newspapers and online news outlets around the world. In addition to my writing, I also contribute regularly to 24 Hours World."""  # noqa: E501


def test_source_credit_and_author_bio_are_dropped_and_subheadings_detected() -> None:
    text, blocks, removals = clean_text(ARTICLE_003)
    assert blocks_of(text, blocks, "heading") == ["Support also from the USA and Great Britain",
                                                  "Stoltenberg will step down from office in the fall"]
    assert Removal("source credit", "Source: Stern") in removals
    assert any(r.rule == "author bio" and r.text.startswith("I have been working") for r in removals)
    assert "news industry" not in text and "Source:" not in text
    assert text.endswith("from 1.15 percent of GDP in 2014 to 1.7 percent in 2023, according to NATO data.")


ARTICLE_004 = """BRÜSSEL / MÜNCHEN (IT BOLTWISE) – Die NATO hat in den ersten Monaten des Jahres 2025 eine bedeutende Erhöhung ihrer Militärhilfe für die Ukraine angekündigt. Diese Entscheidung unterstreicht die anhaltende Unterstützung der Allianz für Kiew angesichts der anhaltenden geopolitischen Spannungen.
Seit ihrer Gründung im Jahr 1949 hat sich die NATO von einem Verteidigungsbündnis aus der Zeit des Kalten Krieges zu einem global engagierten Sicherheitsakteur entwickelt.
☕︎ Unterstütze IT BOLTWISE® und trete unserem exklusiven KI-Club bei - für nur 1,99 Euro im Monat:
- NIEDLICHER BEGLEITER: Eilik ist der ideale Begleiter für Kinder und Erwachsene, die Haustiere, Spiele und intelligente Roboter lieben.
- Die besten KI-News kostenlos per eMail erhalten!
Stellenangebote
Senior Product Owner - AI Platform (m/w/d)
- Künstliche Intelligenz: Expertenwissen gegen Hysterie Der renommierte Gehirnforscher, Psychiater und Bestseller-Autor Manfred Spitzer ist ein ausgewiesener Experte für neuronale Netze, auf denen KI aufbaut
Es werden alle Kommentare moderiert!
Du willst nichts verpassen?
Nutze die Google-Suchmaschine für eine weitere Themenrecherche: »NATO verstärkt Unterstützung für die Ukraine mit 20 Milliarden Euro Militärhilfe« bei Google Deutschland suchen, bei Bing oder Google News!"""  # noqa: E501


def test_trailing_ads_jobs_comments_newsletter_and_search_prompt_are_dropped() -> None:
    text, blocks, removals = clean_text(ARTICLE_004)
    assert len(blocks) == 2
    assert text.endswith("zu einem global engagierten Sicherheitsakteur entwickelt.")
    labels = {r.rule.removeprefix("trailing boilerplate: ") for r in removals}
    assert {"ads and promotion", "job ads", "book ads", "comment policy", "newsletter", "search prompt"} <= labels
    assert len(removals) == 9


def test_whitespace_is_normalised_and_content_kept_verbatim() -> None:
    raw = ("  Im Internationalen Sekretariat arbeiteten 2023 1 352 Beschäftigte,\u00a0im  Internationalen "
           "Militärstab 500.   \r\n\r\nDie NRF zählt 40 000 Soldaten. Er gilt als »Trump-Flüsterer«, „Brückenbauer“.")
    text, blocks, removals = clean_text(raw)
    assert text == ("Im Internationalen Sekretariat arbeiteten 2023 1 352 Beschäftigte, im Internationalen "
                    "Militärstab 500.\n\nDie NRF zählt 40 000 Soldaten. Er gilt als »Trump-Flüsterer«, „Brückenbauer“.")
    assert [block.kind for block in blocks] == ["paragraph", "paragraph"] and removals == ()


# --- loading the seeds folder ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed_documents() -> list[Document]:
    documents, skipped = load_documents(SEEDS)
    assert skipped == []
    return documents


def test_real_seeds_load_with_metadata(seed_documents: list[Document]) -> None:
    assert [document.id[:3] for document in seed_documents] == ["000", "001", "002", "003", "004"]
    by_prefix = {document.id[:3]: document for document in seed_documents}
    assert by_prefix["001"].title == "Rutte ist neuer NATO-Generalsekretär" and by_prefix["001"].date == "2024-10-01"
    assert by_prefix["002"].publisher == "Friedrich-Ebert-Stiftung e.V." and by_prefix["002"].date == "2025-06"
    assert [document.language for document in seed_documents] == ["de", "de", "de", "en", "de"]
    assert sum(block.kind == "footnote" for block in by_prefix["002"].blocks) == 35
    for document in seed_documents:
        raw = (SEEDS / document.id).read_bytes()
        assert document.content_hash == hashlib.sha256(raw).hexdigest() == content_hash(raw)


def test_blocks_have_exact_offsets_and_cover_the_text(seed_documents: list[Document]) -> None:
    for document in seed_documents:
        texts = [document.text[block.start:block.end] for block in document.blocks]
        assert all(text and text == text.strip() and "\n\n" not in text for text in texts)
        assert "\n\n".join(texts) == document.text
        for before, after in zip(document.blocks, document.blocks[1:], strict=False):
            assert after.start == before.end + 2
        headings = {document.text[b.start:b.end] for b in document.blocks if b.kind == "heading"}
        assert all(block.section in headings | {""} for block in document.blocks)


def test_no_real_content_is_lost(seed_documents: list[Document]) -> None:
    """Every word of a raw file is in the cleaned text or in a recorded removal (pieces of split words too)."""
    for document in seed_documents:
        pool = document.text + "\n" + "\n".join(removal.text for removal in document.removed)
        raw = (SEEDS / document.id).read_text(encoding="utf-8")
        missing = {word for word in re.findall(r"\w+", raw) if word not in pool}
        assert not missing, (document.id, sorted(missing)[:20])


def test_seed_002_is_clean_of_pdf_garbage(seed_documents: list[Document]) -> None:
    study = seed_documents[2]
    for garbage in ("Friedrich-Ebert-Stiftung e.V.\n", ". . .", "Impressum", "hirntot.2", "Pers-", "-\n"):
        assert garbage not in study.text
    for kept in ("Aus der ersteren Perspektive betrachtet", "Krim-Annexion", "Kosovo-Krieg", "NATO-Staaten",
                 "ost- und nordeuropäischer", "Souveränität", "1 352 Beschäftigte", "out-of-area"):
        assert kept in study.text
    headings = [study.text[b.start:b.end] for b in study.blocks if b.kind == "heading"]
    assert headings[:2] == ["Einleitung", "Das Internationale Sekretariat und der Umgang mit Donald Trump: "
                                          "Lastenteilung und Aufgabenteilung"]


def test_report_names_documents_rules_and_skipped_files(seed_documents: list[Document], tmp_path: Path) -> None:
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe broken")
    _, skipped = load_documents(tmp_path)
    report = format_report(seed_documents, skipped)
    for expected in ("001_1d4aee737639101c.txt: Rutte ist neuer NATO-Generalsekretär", "timestamp (1)",
                     "teaser link (21)", "page footer (3)", "table of contents", "footnote marker (35)",
                     "35 footnotes", "trailing boilerplate: job ads", "author bio", "Skipped files:", "bad.txt"):
        assert expected in report
    assert "… and" in report and "… and" not in format_report(seed_documents, [], verbose=True)


def test_bad_files_are_skipped_with_a_reason_and_good_files_still_load(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("Die NATO wurde 1949 gegründet. Ihr Hauptquartier liegt in Brüssel.", "utf-8")
    (tmp_path / "latin1.txt").write_bytes("Die Größe der Allianz wächst.".encode("latin-1"))
    (tmp_path / "image.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "empty.txt").write_text("  \n\n ", "utf-8")
    (tmp_path / "notes.csv").write_text("ignored,file", "utf-8")
    documents, skipped = load_documents(tmp_path)
    assert [document.id for document in documents] == ["good.txt"]
    reasons = {Path(file.path).name: file.reason for file in skipped}
    assert set(reasons) == {"latin1.txt", "image.md", "empty.txt"}
    assert reasons["latin1.txt"].startswith("latin1.txt: not valid UTF-8")
    assert reasons["image.md"].startswith("image.md: binary file")
    assert reasons["empty.txt"].startswith("empty.txt: no text left")


def test_file_without_metadata_gets_its_name_as_title_and_a_detected_language(tmp_path: Path) -> None:
    (tmp_path / "sources.toml").write_text('["other.txt"]\ntitle = "Other"\nlanguage = "de"\n', "utf-8")
    (tmp_path / "rutte.md").write_text("Mark Rutte was Prime Minister of the Netherlands for more than 13 years.",
                                       "utf-8")
    (tmp_path / "wetter.txt").write_text("Das Wetter in Hamburg war im Sommer regnerisch und kühl.", "utf-8")
    documents, _ = load_documents(tmp_path)
    assert [(d.id, d.title, d.language, d.publisher, d.date) for d in documents] == [
        ("rutte.md", "rutte.md", "en", "", ""), ("wetter.txt", "wetter.txt", "de", "", "")]


def test_metadata_is_read_and_a_broken_file_raises_config_error(tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text('["a.txt"]\ntitle = "A"\ndate = 2024-10-01\nauthors = ["X", "Y"]\nlanguage = "en"\n', "utf-8")
    expected = {"title": "A", "date": "2024-10-01", "authors": "X, Y", "language": "en"}
    assert read_metadata(sources) == {"a.txt": expected}
    assert read_metadata(tmp_path / "missing.toml") == {}
    sources.write_text('["a.txt"\ntitle = "A"\n', "utf-8")
    with pytest.raises(ConfigError) as error:
        load_documents(tmp_path)
    assert "sources.toml" in str(error.value) and error.value.hint
    sources.write_text('["a.txt"]\nlanguage = "fr"\n', "utf-8")
    with pytest.raises(ConfigError):
        read_metadata(sources)


def _document(text: str, blocks: tuple[Block, ...]) -> Document:
    return Document(id="doc.txt", title="Doc", text=text, blocks=blocks, language="de", content_hash="x")


def test_chunks_keep_offsets_sections_and_footnotes() -> None:
    heading = "Kapitel Eins"
    body = "Erster Satz hier. Zweiter Satz folgt. Dritter Satz endet. Vierter Satz schließt."
    note = "1 Eine Fußnote mit Quelle."
    text = f"{heading}\n\n{body}\n\n{note}"
    blocks = (
        Block(0, len(heading), "heading", heading),
        Block(len(heading) + 2, len(heading) + 2 + len(body), "paragraph", heading),
        Block(len(text) - len(note), len(text), "footnote", heading),
    )
    chunks = chunk_document(_document(text, blocks), target_words=6, overlap_sentences=1, max_words=10)
    assert all(text[c.start:c.end] == c.text for c in chunks)
    body_chunks = [c for c in chunks if not c.is_footnote]
    assert [c.text for c in body_chunks] == [
        "Erster Satz hier. Zweiter Satz folgt.",
        "Zweiter Satz folgt. Dritter Satz endet.",
        "Dritter Satz endet. Vierter Satz schließt.",
    ]
    assert all(c.section == heading for c in chunks)
    assert [c.text for c in chunks if c.is_footnote] == [note]
    again = chunk_document(_document(text, blocks), target_words=6, overlap_sentences=1, max_words=10)
    assert [c.id for c in again] == [c.id for c in chunks]


