"""Who may do what: credentials by host, re-indexing only for the operator, the `/ask` API behind the same sign-in.

The rules are tested on `decide_access` directly (no server on a public
address is ever started); one test launches the app on 127.0.0.1 with
credentials and checks that an unauthenticated gradio_client call is refused.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import launch_app

import app
from qa import ui
from qa.config import Config
from qa.errors import ConfigError
from qa.pipeline import Pipeline
from qa.ui.access import decide_access, parse_credentials


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_loopback_stays_open_and_may_reindex(fake_config: Config, host: str) -> None:
    access = decide_access(fake_config.replace(host=host), {})
    assert access.auth is None and access.allow_reindex


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::"])
def test_a_shared_host_refuses_to_start_without_credentials(fake_config: Config, host: str) -> None:
    with pytest.raises(ConfigError) as error:
        decide_access(fake_config.replace(host=host), {})
    assert "QA_AUTH" in error.value.hint and "auth_file" in error.value.hint


def test_a_share_link_counts_as_a_shared_host(fake_config: Config) -> None:
    with pytest.raises(ConfigError):
        decide_access(fake_config, {}, share=True)


def test_credentials_from_the_environment_or_a_file(fake_config: Config, tmp_path: Path) -> None:
    shared = fake_config.replace(host="0.0.0.0")
    access = decide_access(shared, {"QA_AUTH": "anna:geheim:mit:doppelpunkt"})
    assert access.auth == [("anna", "geheim:mit:doppelpunkt")]
    assert access.allow_reindex is False  # "auto" never allows re-indexing on a shared host
    auth_file = tmp_path / "users.txt"
    auth_file.write_text("# operators\nanna:eins\n\nben:zwei\n", encoding="utf-8")
    access = decide_access(shared.replace(auth_file=str(auth_file), allow_reindex="true"), {})
    assert access.auth == [("anna", "eins"), ("ben", "zwei")] and access.allow_reindex
    with pytest.raises(ConfigError):
        decide_access(shared.replace(auth_file=str(tmp_path / "missing.txt")), {})
    with pytest.raises(ConfigError):
        parse_credentials("no-colon-here", "QA_AUTH")


def test_reindex_setting_is_checked(fake_config: Config) -> None:
    assert decide_access(fake_config.replace(allow_reindex="false"), {}).allow_reindex is False
    with pytest.raises(ConfigError):
        decide_access(fake_config.replace(allow_reindex="maybe"), {})


def test_app_refuses_to_start_on_a_shared_host_without_credentials(monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("QA_AUTH", raising=False)
    monkeypatch.delenv("QA_AUTH_FILE", raising=False)
    assert app.main(["--host", "0.0.0.0", "--embedder", "hashing", "--generator", "extractive"]) == 2
    assert "QA_AUTH=user:password" in capsys.readouterr().err


def test_without_permission_the_reindex_button_is_hidden_and_refuses(fake_pipeline: Pipeline) -> None:
    demo = ui.build_app(fake_pipeline, allow_reindex=False)
    config = demo.get_config_file()
    buttons = [c for c in config["components"] if c.get("props", {}).get("elem_id") == "qa-reindex"]
    assert buttons and buttons[0]["props"]["visible"] is False
    handler = next(fn for fn in demo.fns.values() if getattr(fn.fn, "__name__", "") == "rebuild")
    built_before = fake_pipeline.index.path
    table, status, report = handler.fn("de")
    assert "dem Betreiber vorbehalten" in report and fake_pipeline.index.path == built_before


def test_ask_api_needs_the_credentials_when_auth_is_on(fake_pipeline: Pipeline) -> None:
    from gradio_client import Client

    demo = ui.build_app(fake_pipeline)
    url = launch_app(demo, auth=[("anna", "geheim")], **ui.launch_options())
    try:
        with pytest.raises(Exception):  # noqa: B017 - gradio_client raises its own error kinds for a 401
            Client(url, verbose=False).predict("Wann wurde die NATO gegründet?", api_name="/ask")
        with pytest.raises(Exception):  # noqa: B017
            Client(url, auth=("anna", "falsch"), verbose=False).predict("Wann wurde die NATO gegründet?", api_name="/ask")
        answer = Client(url, auth=("anna", "geheim"), verbose=False).predict("Wann wurde die NATO gegründet?",
                                                                              api_name="/ask")
        assert "1949" in answer["answer"]
    finally:
        demo.close()
