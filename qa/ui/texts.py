"""The web chat's words: every German and English UI string and `texts_for`.

`UI_TEXT` holds one dictionary per UI language with the same keys; the other
ui modules look strings up by key and never hard-code visible text. Error
messages in the chat come from here too ("question_<reason>", "error_<kind>"),
so a German page never shows an English error; the errors' own English
messages and operator hints ("raise max_question_chars in qa.toml") go to
the server log only. Leaves
out: escaping and HTML (qa.ui.render), the example questions (examples.toml in
the seeds folder, read by qa.ui.collection), number formatting and quotation marks
(qa.ui.localize) and choosing the language from the browser (qa.ui.assets and
qa.ui.blocks).
"""

from __future__ import annotations

from typing import Literal

UiLanguage = Literal["de", "en"]

# Opening and closing quotation marks per UI language (CLDR's delimiters; Babel does not ship them).
QUOTATION_MARKS: dict[str, tuple[str, str]] = {"de": ("„", "“"), "en": ("“", "”")}

UI_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "locale": "en",
        "collection": "{count} documents from {publishers} ({details}).",
        "collection_one": "One document from {publishers} ({details}).",
        "collection_anonymous": "{count} documents ({details}).",
        "collection_one_anonymous": "One document ({details}).",
        "collection_topics": "Mostly about {topics}.",
        "queued": "Waiting for the model …",
        "status_complete": "Done.",
        "queue_place": "place {place} in the queue",
        "reading": "Reading {count} passages …",
        "elapsed": "{seconds} s",
        "checked": "Checked against the sources",
        "draft_withdrawn": "The draft shown while writing did not pass the check against the sources and was withdrawn.",
        "whole_passage": "Whole passage",
        "open_document": "Open in document",
        "close": "Close",
        "copy_button": "Copy",
        "copied": "Copied",
        "documents_open": "Read",
        "documents_empty": "No documents are indexed.",
        "document_missing": "This document is no longer in the index.",
        "passages_count": "{count} passages",
        "page_title": "Ask the documents",
        "title": "Ask the documents",
        "subtitle": "Answers come only from the indexed documents, each sentence with its source. "
                    "Everything runs offline on this computer.",
        "chat_tab": "Chat",
        "documents_tab": "Documents",
        "chat_label": "Conversation",
        "chat_placeholder": "**Ask a question about the documents — in German or English.**<br>"
                            "Click a source number such as [1] in an answer to see the passage.",
        "message_label": "Your question",
        "message_placeholder": "Type a question and press Enter …",
        "send": "Ask",
        "stop": "Stop",
        "new_chat": "New chat",
        "settings": "Settings",
        "top_k": "Passages to list",
        "top_k_info": "How many retrieved passages the sources list shows (the model reads the best {prompt}).",
        "answer_language": "Answer language",
        "language_auto": "Same as the question",
        "language_de": "German",
        "language_en": "English",
        "sources": "Sources",
        "sources_empty": "Sources appear here as soon as they are found. "
                         "Click a number such as [1] in an answer to jump to its passage.",
        "found_passages": "Found passages",
        "closest_passages": "Closest passages",
        "more_passages": "{count} more retrieved passages (not cited)",
        "for_question": "for",
        "understood_as": "Understood as",
        "loading_model": "Loading the language model (only for the first question) …",
        "searching": "Searching the documents …",
        "writing": "Writing the answer …",
        "redrafting": "The draft did not pass the check against the sources; asking the model once more …",
        "draft": "Unchecked draft — it is checked against the sources when it is complete and may be replaced.",
        "quoted_note": "The model's own answer did not pass the check, so the source is quoted instead.",
        "redrafted_note": "The model's first answer did not pass the check; this is its second answer, which did.",
        "pivot_note": "Written in {language}, the language of its sources, checked there, then translated.",
        "untranslated_note": "Sentences still in {language} passed the check, but their translation did not keep "
                             "every name and figure, so they are shown as checked.",
        "refused_note": "The documents do not answer this question. The closest passages are listed under Sources.",
        "unsupported": "Not supported by the cited sources",
        "unsupported_note": "Sentences marked ⚠ are not backed by the sources — check them before relying on them.",
        "stopped": "Stopped.",
        "error_title": "The question could not be answered.",
        "invalid_title": "Please change the question.",
        "timing": "retrieval {retrieval} s · first word {first} s · total {total} s",
        "timing_no_model": "retrieval {retrieval} s · total {total} s",
        "source": "Source",
        "copy_title": "Copy answer with sources",
        "copy_sources": "Sources",
        "reindex": "Re-index documents",
        "reindex_info": "Reads the documents folder again and updates the index; unchanged passages are reused.",
        "index_state": "{documents} documents, {chunks} passages in the index.",
        "index_stale": "The index is out of date; press “Re-index documents”.",
        "no_index": "No index could be loaded. The operator has to rebuild it; the server log says how.",
        "report": "Indexed {documents} documents and {chunks} passages in {seconds} s: "
                  "{embedded} newly embedded, {reused} reused.",
        "report_changed": "New or changed",
        "report_removed": "Removed",
        "report_skipped": "Skipped",
        "report_unchanged": "No document changed.",
        "reindex_failed": "Re-indexing failed; the previous index is unchanged. The server log says why.",
        "translating": "Translating sentences",
        "report_translated": "Sentences translated into the other language: {translated} ({now} in this build)",
        "reindex_refused": "Re-indexing is reserved for the operator of this shared chat.",
        "question_empty": "Please type a question.",
        "question_too_long": "The question has {count} characters; at most {limit} are allowed. Please shorten it.",
        "question_no_words": "The question has no words to search for. Please ask in words, in German or English.",
        "question_not_text": "The question must be text.",
        "question_language": "Please choose German, English or “Same as the question” as the answer language.",
        "question_invalid": "This question cannot be used. Please rephrase it.",
        "error_index": "The documents are not indexed, or the index is damaged. "
                       "The operator has to rebuild it; the server log says how.",
        "error_model": "The language model is not available at the moment. Please try again later.",
        "error_other": "Something went wrong while answering. Please try again; the server log has the details.",
    },
    "de": {
        "locale": "de",
        "collection": "{count} Dokumente von {publishers} ({details}).",
        "collection_one": "Ein Dokument von {publishers} ({details}).",
        "collection_anonymous": "{count} Dokumente ({details}).",
        "collection_one_anonymous": "Ein Dokument ({details}).",
        "collection_topics": "Vor allem über {topics}.",
        "queued": "Warte auf das Modell …",
        "status_complete": "Fertig.",
        "queue_place": "Platz {place} in der Warteschlange",
        "reading": "Lese {count} Passagen …",
        "elapsed": "{seconds} s",
        "checked": "An den Quellen geprüft",
        "draft_withdrawn": "Der Entwurf, der beim Schreiben zu sehen war, hat die Prüfung an den Quellen nicht "
                           "bestanden und wurde zurückgezogen.",
        "whole_passage": "Ganze Passage",
        "open_document": "Im Dokument öffnen",
        "close": "Schließen",
        "copy_button": "Kopieren",
        "copied": "Kopiert",
        "documents_open": "Lesen",
        "documents_empty": "Es sind keine Dokumente indexiert.",
        "document_missing": "Dieses Dokument ist nicht mehr im Index.",
        "passages_count": "{count} Passagen",
        "page_title": "Frag die Dokumente",
        "title": "Frag die Dokumente",
        "subtitle": "Antworten kommen nur aus den indexierten Dokumenten, jeder Satz mit seiner Quelle. "
                    "Alles läuft offline auf diesem Rechner.",
        "chat_tab": "Chat",
        "documents_tab": "Dokumente",
        "chat_label": "Unterhaltung",
        "chat_placeholder": "**Stelle eine Frage zu den Dokumenten – auf Deutsch oder Englisch.**<br>"
                            "Klicke in einer Antwort auf eine Quellennummer wie [1], um die Passage zu sehen.",
        "message_label": "Deine Frage",
        "message_placeholder": "Frage eingeben und Enter drücken …",
        "send": "Fragen",
        "stop": "Stopp",
        "new_chat": "Neuer Chat",
        "settings": "Einstellungen",
        "top_k": "Angezeigte Passagen",
        "top_k_info": "Wie viele gefundene Passagen die Quellenliste zeigt (das Modell liest die besten {prompt}).",
        "answer_language": "Antwortsprache",
        "language_auto": "Wie die Frage",
        "language_de": "Deutsch",
        "language_en": "Englisch",
        "sources": "Quellen",
        "sources_empty": "Hier erscheinen die Quellen, sobald sie gefunden sind. "
                         "Klicke in einer Antwort auf eine Nummer wie [1], um zur Passage zu springen.",
        "found_passages": "Gefundene Passagen",
        "closest_passages": "Nächstliegende Passagen",
        "more_passages": "{count} weitere gefundene Passagen (nicht zitiert)",
        "for_question": "zu",
        "understood_as": "Verstanden als",
        "loading_model": "Das Sprachmodell wird geladen (nur bei der ersten Frage) …",
        "searching": "Durchsuche die Dokumente …",
        "writing": "Schreibe die Antwort …",
        "redrafting": "Der Entwurf hat die Prüfung an den Quellen nicht bestanden; frage das Modell noch einmal …",
        "draft": "Ungeprüfter Entwurf – er wird an den Quellen geprüft, sobald er fertig ist, und kann ersetzt werden.",
        "quoted_note": "Die Antwort des Modells hat die Prüfung nicht bestanden, daher wird die Quelle zitiert.",
        "redrafted_note": "Die erste Antwort des Modells hat die Prüfung nicht bestanden; dies ist seine zweite, "
                          "die sie bestanden hat.",
        "pivot_note": "Auf {language} geschrieben, in der Sprache der Quellen, dort geprüft und dann übersetzt.",
        "untranslated_note": "Sätze auf {language} haben die Prüfung bestanden, ihre Übersetzung aber nicht jeden "
                             "Namen und jede Zahl behalten; sie stehen daher so da, wie sie geprüft wurden.",
        "refused_note": "Die Dokumente beantworten diese Frage nicht. "
                        "Die nächstliegenden Passagen stehen unter Quellen.",
        "unsupported": "Nicht durch die zitierten Quellen belegt",
        "unsupported_note": "Mit ⚠ markierte Sätze sind nicht durch die Quellen belegt – bitte prüfen.",
        "stopped": "Abgebrochen.",
        "error_title": "Die Frage konnte nicht beantwortet werden.",
        "invalid_title": "Bitte ändere die Frage.",
        "timing": "Suche {retrieval} s · erstes Wort {first} s · gesamt {total} s",
        "timing_no_model": "Suche {retrieval} s · gesamt {total} s",
        "source": "Quelle",
        "copy_title": "Antwort mit Quellen kopieren",
        "copy_sources": "Quellen",
        "reindex": "Dokumente neu indexieren",
        "reindex_info": "Liest den Dokumentenordner neu ein und aktualisiert den Index; "
                        "unveränderte Passagen werden wiederverwendet.",
        "index_state": "{documents} Dokumente, {chunks} Passagen im Index.",
        "index_stale": "Der Index ist veraltet; bitte „Dokumente neu indexieren“ drücken.",
        "no_index": "Es konnte kein Index geladen werden. Der Betreiber muss ihn neu aufbauen; das Server-Log sagt, wie.",
        "report": "{documents} Dokumente und {chunks} Passagen in {seconds} s indexiert: "
                  "{embedded} neu eingebettet, {reused} wiederverwendet.",
        "report_changed": "Neu oder geändert",
        "report_removed": "Entfernt",
        "report_skipped": "Übersprungen",
        "report_unchanged": "Kein Dokument hat sich geändert.",
        "reindex_failed": "Neu-Indexieren fehlgeschlagen; der bisherige Index bleibt unverändert. Das Server-Log sagt, warum.",
        "translating": "Sätze werden übersetzt",
        "report_translated": "In die andere Sprache übersetzte Sätze: {translated} ({now} in diesem Lauf)",
        "reindex_refused": "Neu-Indexieren ist in diesem geteilten Chat dem Betreiber vorbehalten.",
        "question_empty": "Bitte gib eine Frage ein.",
        "question_too_long": "Die Frage hat {count} Zeichen; erlaubt sind höchstens {limit}. Bitte kürze sie.",
        "question_no_words": "Die Frage enthält keine Wörter, nach denen gesucht werden kann. "
                             "Bitte frage in Worten, auf Deutsch oder Englisch.",
        "question_not_text": "Die Frage muss ein Text sein.",
        "question_language": "Bitte wähle Deutsch, Englisch oder „Wie die Frage“ als Antwortsprache.",
        "question_invalid": "Diese Frage kann nicht verwendet werden. Bitte formuliere sie anders.",
        "error_index": "Die Dokumente sind nicht indexiert, oder der Index ist beschädigt. "
                       "Der Betreiber muss ihn neu aufbauen; das Server-Log sagt, wie.",
        "error_model": "Das Sprachmodell ist gerade nicht verfügbar. Bitte versuche es später noch einmal.",
        "error_other": "Beim Antworten ist etwas schiefgegangen. Bitte versuche es noch einmal; "
                       "Details stehen im Server-Log.",
    },
}


def texts_for(language: str | None) -> dict[str, str]:
    """The UI strings for `language` ("de" or "en"; anything else falls back to English)."""
    return UI_TEXT["de" if language == "de" else "en"]
