"""Fast tests of the shared text helpers: the sentence splitters and the citation markers (no models)."""

from __future__ import annotations

import pytest

from qa.text.markers import markers, strip_markers
from qa.text.sentences import ENDS_SENTENCE, split_answer_sentences, split_sentences


def test_sentence_splitter_knows_german_abbreviations_and_dates() -> None:
    text = "Das galt z. B. am 1. Oktober 2024. Dr. Müller las Nr. 5 vor. Dann war Schluss."
    sentences = split_sentences(text, "de")
    assert [s.text for s in sentences] == [
        "Das galt z. B. am 1. Oktober 2024.",
        "Dr. Müller las Nr. 5 vor.",
        "Dann war Schluss.",
    ]
    assert all(text[s.start:s.end] == s.text for s in sentences)




@pytest.mark.parametrize(("text", "language", "expected"), [
    ("Er sagte: »Wir bleiben.« Dann ging er.", "de", ["Er sagte: »Wir bleiben.«", "Dann ging er."]),
    ("Er sagte: »Wir bleiben.«\n\nDann ging er.", "de", ["Er sagte: »Wir bleiben.«", "Dann ging er."]),
    ('He said "we stay." Then he left.', "en", ['He said "we stay."', "Then he left."]),
    ("Es hieß: «Wir bleiben.»\n\nDann ging er.", "de", ["Es hieß: «Wir bleiben.»", "Dann ging er."]),
    # an opening mark starts the next sentence: nothing before it is left open
    ("Das ist so. »Neu« sagt er.", "de", ["Das ist so.", "»Neu« sagt er."]),
])
def test_a_closing_quote_or_bracket_after_the_full_stop_stays_with_its_sentence(text: str, language: str,
                                                                                 expected: list[str]) -> None:
    """pysbd gives the closing mark after a full stop to the next sentence or makes it a sentence of its own
    ("«"), which then stood in the prompt as a passage of its own."""
    sentences = split_sentences(text, language, 10)
    assert [s.text for s in sentences] == expected
    assert all(text[s.start - 10:s.end - 10] == s.text for s in sentences)
    if "\n" not in text:  # the answer splitter joins lines first
        assert split_answer_sentences(text + " [1]", language)[0] == expected[0]


def test_markers_are_read_in_order_without_repeats_and_stripped() -> None:
    assert markers("Die NATO [2] wurde 1949 gegründet [1, 2; 3].") == [2, 1, 3]
    assert strip_markers("Die NATO wurde 1949 gegründet [1] .") == "Die NATO wurde 1949 gegründet ."


def test_a_run_of_markers_goes_with_the_commas_between_them() -> None:
    # the model's "[3], [4], [5]" left "General,, [1]." once a supported marker was put back (session 12)
    assert strip_markers("Rutte succeeded Stoltenberg as Secretary General [3], [4], [5].") == (
        "Rutte succeeded Stoltenberg as Secretary General.")
    assert strip_markers("A [1][2]. B [1, 2]; C [3].") == "A. B; C."  # a semicolon between clauses stays
    assert strip_markers("Zahlen: 1, 2 [1] und 3.") == "Zahlen: 1, 2 und 3."


def test_the_answer_splitter_keeps_markers_and_knows_dates_initials_and_abbreviations() -> None:
    assert split_answer_sentences("Eins ist wahr. [1] Zwei auch.") == ["Eins ist wahr.[1]", "Zwei auch."]
    assert split_answer_sentences("Rutte übernahm am 1. Oktober 2024 das Amt [1]. Er war Premier [2].") == [
        "Rutte übernahm am 1. Oktober 2024 das Amt [1].", "Er war Premier [2]."]
    assert split_answer_sentences("The chair was William E. Simon [1]. It spread Y. pestis [2].", "en") == [
        "The chair was William E. Simon [1].", "It spread Y. pestis [2]."]
    assert split_answer_sentences("Das gilt z. B. für Nr. 5 [1]. Tesla starb am 7. Januar 1943 [2].") == [
        "Das gilt z. B. für Nr. 5 [1].", "Tesla starb am 7. Januar 1943 [2]."]
    # a regnal number in German style inside an English answer: no sentence opens in lower case (unseen-4 xq-07
    # was shown as "Philip II [1]. von Spanien led …")
    assert split_answer_sentences("Philip II. von Spanien led the attack [1]. It failed [2].", "en") == [
        "Philip II. von Spanien led the attack [1].", "It failed [2]."]
    assert split_answer_sentences("Karl V. regierte lange [1]. Er starb 1558 [2].") == [
        "Karl V. regierte lange [1].", "Er starb 1558 [2]."]
    assert ENDS_SENTENCE.search("Ende.“") and not ENDS_SENTENCE.search("mitten im")


def test_tokenize_with_own_stopwords_keeps_the_other_languages_stopwords() -> None:
    from qa.text.tokens import tokenize

    assert "war" not in tokenize("the end of the war", "en")  # the index drops both languages' stopwords
    assert "war" in tokenize("the end of the war", "en", own_stopwords=True)
    assert "the" not in tokenize("the end of the war", "en", own_stopwords=True)


def test_a_control_character_before_a_digit_does_not_crash_the_splitter() -> None:
    # pysbd raised ValueError on "\x1f0. " (found by hypothesis, tests/test_properties.py)
    from qa.text.sentences import split_sentences

    text = "\x1f0. Die NATO wurde 1949 gegründet."
    sentences = split_sentences(text, "de")
    assert sentences and all(text[s.start:s.end] == s.text for s in sentences)
    assert sentences[-1].text.endswith("gegründet.")


@pytest.mark.parametrize(("question", "language"), [
    # unseen-8 xq-18 and unseen-4 xq-02, xq-16: an English question with a short or German-looking word was read
    # as German and answered in German
    ("What was huihui?", "en"),
    ("When was Temüjin elected khan of the Mongols?", "en"),
    ("How are ergänzungsschulen funded?", "en"),
    # a German question with English names stays German
    ("Was ist der Hub for the South?", "de"),
    ("Wer leitet das NATO Defense College?", "de"),
    ("Welche Rolle spielt die Southern Border Region?", "de"),
])
def test_a_questions_opening_word_decides_its_language(question: str, language: str) -> None:
    from qa.text.language import detect_language

    assert detect_language(question) == language
