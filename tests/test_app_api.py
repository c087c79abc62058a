"""The `/ask` endpoint over HTTP: the app runs on the fake pipeline on a free localhost port, gradio_client asks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import launch_app, wait_until

from qa import ui
from qa.pipeline import Pipeline


@pytest.fixture
def app_url(fake_pipeline: Pipeline) -> Iterator[str]:
    demo = ui.build_app(fake_pipeline)
    url = launch_app(demo, **ui.launch_options())
    try:
        yield url
    finally:
        demo.close()


def test_ask_endpoint_answers_in_german_and_english(app_url: str) -> None:
    from gradio_client import Client

    client = Client(app_url, verbose=False)

    german = client.predict("Wann wurde die NATO gegründet?", api_name="/ask")
    assert german["refused"] is False and "1949" in german["answer"] and "[1]" in german["answer"]
    assert german["language"] == "de"
    assert german["sources"][0]["n"] == 1
    assert german["sources"][0]["document_id"] == "de_nato.txt"
    assert german["sources"][0]["title"] == "Kleine NATO-Chronik"
    assert "1949" in german["sources"][0]["text"]

    english = client.predict("Which countries backed Rutte's candidacy?", "en", api_name="/ask")
    assert english["refused"] is False and english["language"] == "en"
    assert "Germany" in english["answer"] and "[1]" in english["answer"]
    assert [source["document_id"] for source in english["sources"]] == ["en_rutte.txt"]

    refused = client.predict("Wie hoch ist der Mount Everest?", api_name="/ask")
    assert refused["refused"] is True and refused["sources"] == []


def test_ask_endpoint_reports_bad_input_with_its_hint(app_url: str) -> None:
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    with pytest.raises(Exception, match="The question is empty"):
        client.predict("   ", api_name="/ask")


@pytest.mark.integration
def test_killing_the_model_costs_one_answer_and_the_server_answers_the_next(real_pipeline: Pipeline) -> None:
    """kill -9 of the model's process mid-answer: that answer fails with a clear error, the next one is right."""
    import os
    import signal

    from gradio_client import Client

    from qa.models.process import ProcessGenerator

    generator = real_pipeline.generator
    assert isinstance(generator, ProcessGenerator)
    demo = ui.build_app(real_pipeline)
    url = launch_app(demo, **ui.launch_options())
    try:
        client = Client(url, verbose=False)
        job = client.submit("Was ist der Hub for the South?", api_name="/ask")
        # wait until the model is writing this answer
        wait_until(lambda: generator.active_request is not None or job.done(), 600, "the answer reaching the model")
        assert not job.done(), "the answer ended before the model was killed"
        os.kill(generator.pid or 0, signal.SIGKILL)
        with pytest.raises(Exception, match="answer model stopped"):
            job.result(timeout=120)
        answer = client.predict("Was ist der Hub for the South?", api_name="/ask")
        assert answer["refused"] is False
        assert "Neapel" in answer["answer"] and "[1]" in answer["answer"]
        assert answer["sources"][0]["document_id"] == "002_56f5bc767535689f.txt"
        assert generator.starts == 2
    finally:
        demo.close()
