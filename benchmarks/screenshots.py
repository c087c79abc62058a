"""Take the README's screenshots with the real model: desktop (German) and phone (English).

    python benchmarks/screenshots.py [--out docs]

Starts the web chat on the real pipeline (the index in a tmp folder), asks one warm-up
question, then for each screen asks its question, clicks the answer's first citation and
saves the page. Prints each answer's first-word and total time as the chat's own timing
line shows them, for the README's caption. Run it on an idle machine: the times are the
figures users feel.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from conftest import CHROMIUM, CHROMIUM_ARGS, ask, open_chat, serve  # noqa: E402

from qa import ui  # noqa: E402
from qa.config import load_config  # noqa: E402
from qa.pipeline import Pipeline  # noqa: E402

SCREENS = [
    ("screenshot.png", "de-DE", (1280, 900), "Wie viele Koalitionsregierungen führte Rutte?"),
    ("screenshot-phone.png", "en-US", (390, 844), "How old is the new NATO Secretary General?"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        config = load_config(REPO, overrides={"index_dir": Path(folder) / "index"}, environ={})
        pipeline = Pipeline(config)
        pipeline.ensure_index()
        demo, url = serve(pipeline, ui.ModelWarmup(pipeline).start())
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                warm = open_chat(browser, url, locale="en-US")
                ask(warm, "Who is NATO Secretary General?", timeout_ms=600_000)
                warm.close()
                for name, locale, size, question in SCREENS:
                    page = open_chat(browser, url, locale=locale, size=size)
                    ask(page, question, timeout_ms=600_000)
                    answer = page.locator("#qa-chatbot .qa-msg").last
                    citation = answer.locator("a.qa-cite").first
                    if citation.count():
                        citation.click()
                        page.locator("#qa-sources .qa-card.qa-selected").wait_for()
                        page.wait_for_timeout(800)  # the smooth scroll settles; a picture, not a test
                    timing = page.locator("#qa-chatbot .qa-timing").last.inner_text()
                    args.out.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(args.out / name))
                    print(f"{name}: {size[0]}x{size[1]} {locale} {question!r}: {answer.inner_text()[:160]!r} | {timing}")
                    page.close()
                browser.close()
        finally:
            demo.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
