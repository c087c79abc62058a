"""The chat's styling and browser scripts: the CSS, the citation-link script and the browser-language hook.

Plain strings handed to Gradio by qa.ui.layout. `CITATION_SCRIPT` makes a
click on a citation [n] in the chat select and scroll to its card in the
sources panel: the panel scrolls to the card, and the page scrolls only when
the card is not wholly inside the window (on a phone the panel sits below the
chat). On a narrow screen (the media query) the page keeps to the window's
width (the padding around the app is in `HEAD`, outside the CSS's reach), the
empty sources panel stays small and the question box has room for its
placeholder. `ACTIONS_SCRIPT` opens the document viewer (an overlay that asks the
server for the document through the HTML component's server function, which
Gradio calls with one argument), copies a turn's text, and counts the seconds
a pending answer has waited, adding its place in Gradio's queue. That place is
read from Gradio's own status line in the chat ("queue: 2/3"), which the CSS
hides. This is the one module that relies on Gradio's markup and frontend
keys, pinned by tests/test_browser.py and tests/test_browser_screens.py: that
status line, the message list the trash icon floats over (`.message-wrap`,
kept clear of it), and `GRADIO_TRANSLATIONS`, our words for a key Gradio's
own dictionaries lack. `FONT` and `FONT_MONO` are the theme's system font
stacks. Leaves out: the HTML these style (qa.ui.render, qa.ui.sources,
qa.ui.documents), the strings (qa.ui.texts) and the components (qa.ui.layout).
"""

from __future__ import annotations

from qa.ui.texts import UI_TEXT

# Gradio's screen-reader status line announces each finished event with the key "common.complete", which its own
# dictionaries (6.x) lack, so it read out "common.complete", in German too. Keyed by locale, for `gr.I18n`.
GRADIO_TRANSLATIONS = {language: {"common.complete": texts["status_complete"]} for language, texts in UI_TEXT.items()}

# The theme's fonts: the system's own, which exist offline and cover every letter. Gradio's default theme
# declares its bundled Source Sans Pro, whose SemiBold file holds only "A", "B" and Cyrillic letters, so a bold
# "NATO" or "Ask" took the "A" from it and the other letters from the fallback font.
FONT = ("system-ui", "-apple-system", "'Segoe UI'", "Roboto", "'Noto Sans'", "'Liberation Sans'", "Arial",
        "sans-serif")
FONT_MONO = ("ui-monospace", "'SF Mono'", "Menlo", "Consolas", "'DejaVu Sans Mono'", "'Liberation Mono'",
             "monospace")

CSS = """
.gradio-container { max-width: 1440px !important; margin: 0 auto; }
#qa-header { display: flex; align-items: flex-end; justify-content: space-between; gap: 1rem; }
#qa-header h1 { font-size: 1.6rem; margin: 0 0 .15rem 0; letter-spacing: -.01em; }
#qa-header p { margin: 0; color: var(--body-text-color-subdued); font-size: .95rem; }
#qa-ui-language { max-width: 230px; }
#qa-chatbot { font-size: 1rem; }
/* The chat's trash icon floats over the top right corner of the scrolling messages: the bubbles keep left of it,
   so none slides under it when scrolled up there. */
#qa-chatbot .message-wrap { padding-right: 14px; }
#qa-notice:not(:has(.qa-notice)) { display: none; }
#qa-tools { align-items: flex-start; }
#qa-chatbot .qa-msg p { margin: .25rem 0; line-height: 1.55; }
.qa-understood { color: var(--body-text-color-subdued); font-size: .88rem; font-style: italic; }
.qa-note, .qa-timing { color: var(--body-text-color-subdued); font-size: .8rem; }
.qa-timing { margin-top: .4rem !important; }
.qa-refused { font-weight: 600; }
.qa-error { color: var(--error-text-color, #b91c1c); }
.qa-unsupported { text-decoration: underline wavy #d97706; text-underline-offset: 3px; }
a.qa-cite { display: inline-block; min-width: 1.5em; padding: 0 .3em; margin: 0 .08em; border-radius: .6em;
  background: var(--color-accent-soft, #e0e7ff); color: var(--color-accent, #4338ca) !important;
  font-size: .78em; font-weight: 700; line-height: 1.5; text-align: center; text-decoration: none !important;
  vertical-align: .15em; cursor: pointer; }
a.qa-cite:hover, a.qa-cite:focus { background: var(--color-accent, #4f46e5); color: #fff !important; }
.qa-cursor { animation: qa-blink 1s steps(2) infinite; color: var(--color-accent, #4f46e5); }
@keyframes qa-blink { to { opacity: 0; } }
.qa-progress { color: var(--body-text-color-subdued); }
.qa-draft { opacity: 0.55; font-style: italic; }
.qa-dots::before { content: "●"; margin-right: .45em; color: var(--color-accent, #4f46e5);
  animation: qa-blink 1s steps(2) infinite; }
.qa-notice { border-left: 4px solid #d97706; background: #fffbeb; color: #78350f; padding: .6rem .8rem;
  border-radius: .4rem; font-size: .92rem; }
#qa-sources-box { position: sticky; top: .5rem; }
#qa-sources .html-container, #qa-header .html-container { padding: 0 !important; }
.qa-sources { height: 540px; overflow-y: auto; padding: .9rem 1rem; border: 1px solid var(--border-color-primary);
  border-radius: var(--block-radius, .6rem); background: var(--background-fill-secondary); }
.qa-turn { display: none; }
.qa-turn.qa-current { display: block; }
.qa-turn-head { margin: 0 0 .6rem 0; font-size: .9rem; }
.qa-turn-label { font-weight: 700; font-size: 1.05rem; }
.qa-turn-question { color: var(--body-text-color-subdued); }
.qa-empty { color: var(--body-text-color-subdued); font-size: .95rem; line-height: 1.5; padding: 1rem .25rem; }
.qa-card { border: 1px solid var(--border-color-primary); border-radius: .6rem; padding: .7rem .85rem;
  margin: 0 0 .6rem 0; background: var(--background-fill-primary); transition: box-shadow .2s, border-color .2s; }
.qa-card.qa-selected { border-color: var(--color-accent, #4f46e5);
  box-shadow: 0 0 0 3px var(--color-accent-soft, #e0e7ff); }
.qa-card-head { display: flex; gap: .6rem; align-items: flex-start; }
.qa-num { flex: none; width: 1.6rem; height: 1.6rem; border-radius: 50%; display: inline-flex; align-items: center;
  justify-content: center; background: var(--color-accent-soft, #e0e7ff); color: var(--color-accent, #4338ca);
  font-weight: 700; font-size: .85rem; }
.qa-num-none { background: var(--background-fill-secondary); color: var(--body-text-color-subdued); }
.qa-card-title { font-weight: 600; line-height: 1.3; }
.qa-card-meta { color: var(--body-text-color-subdued); font-size: .8rem; margin-top: .1rem; }
.qa-card-text { margin: .5rem 0 0 0; font-size: .92rem; line-height: 1.55; white-space: pre-line; }
.qa-card-text mark { background: #fde68a; color: inherit; padding: 0 .1em; border-radius: .2em; }
.qa-more summary { cursor: pointer; color: var(--body-text-color-subdued); font-size: .88rem; margin: .3rem 0 .6rem 0; }
.qa-report { font-size: .92rem; line-height: 1.6; }
footer { display: none !important; }
.qa-collection { color: var(--body-text-color) !important; font-size: .95rem; }
.qa-checked-note { color: #15803d; }
.qa-draft-box { border: 1px dashed var(--border-color-primary); border-radius: .5rem; padding: .3rem .6rem;
  background: repeating-linear-gradient(-45deg, transparent 0 8px, rgba(148, 163, 184, .08) 8px 16px); }
.qa-draft-label { font-size: .8rem; font-style: normal; }
.qa-draft a.qa-cite { pointer-events: none; opacity: .7; }
.qa-elapsed { margin-left: .35em; font-variant-numeric: tabular-nums; }
.qa-queue::before { content: " · "; }
.qa-queue:has(.qa-place:empty) { display: none; }
#qa-chatbot .progress-text, #qa-chatbot .meta-text, #qa-chatbot .meta-text-center { visibility: hidden; }
.qa-sources.qa-sources-empty { height: auto; }
.qa-card-actions { margin-top: .4rem; display: flex; gap: .5rem; flex-wrap: wrap; }
button.qa-open, button.qa-copy, button.qa-viewer-close { border: 1px solid var(--border-color-primary);
  border-radius: .4rem; padding: .15rem .6rem; font-size: .85rem; background: var(--background-fill-primary);
  color: var(--body-text-color); cursor: pointer; }
button.qa-copy { float: right; }
.qa-whole summary, .qa-copy-box summary { cursor: pointer; color: var(--body-text-color-subdued); font-size: .85rem; }
.qa-copy-text { white-space: pre-wrap; font-size: .85rem; max-height: 12rem; overflow: auto; }
.qa-doc-list { list-style: none; padding: 0; margin: 0; display: grid; gap: .6rem; }
.qa-doc { border: 1px solid var(--border-color-primary); border-radius: .6rem; padding: .7rem .85rem; }
.qa-doc-title { font-weight: 600; line-height: 1.3; }
.qa-doc-file { color: var(--body-text-color-subdued); font-size: .75rem; overflow-wrap: anywhere; margin: .15rem 0 .4rem; }
#qa-viewer { position: fixed; inset: 0; z-index: 1000; background: rgba(15, 23, 42, .45); display: flex;
  align-items: center; justify-content: center; padding: 1rem; }
#qa-viewer[hidden] { display: none; }
.qa-viewer-box { background: var(--background-fill-primary, #fff); color: var(--body-text-color, #111);
  border-radius: .7rem; width: min(52rem, 100%); max-height: 100%; display: flex; flex-direction: column; }
.qa-viewer-head { display: flex; justify-content: space-between; gap: .8rem; padding: .8rem 1rem;
  border-bottom: 1px solid var(--border-color-primary); }
.qa-viewer-title { font-weight: 700; }
.qa-viewer-text { overflow-y: auto; padding: 1rem; white-space: pre-line; line-height: 1.6; overflow-wrap: anywhere; }
.qa-viewer-passage { background: var(--color-accent-soft, #e0e7ff); border-radius: .2rem; }
.qa-viewer-text mark { background: #fde68a; color: inherit; }
@media (max-width: 640px) {
  #qa-header { flex-direction: column; align-items: stretch; }
  #qa-header h1 { font-size: 1.3rem; }
  .qa-sources { height: auto; max-height: none; }
  .qa-sources.qa-sources-empty { padding: .55rem .8rem; }
  .qa-sources-empty .qa-turn-head { margin: 0 0 .2rem 0; }
  .qa-sources-empty .qa-empty { padding: 0; font-size: .85rem; line-height: 1.4; }
  #qa-sources-box { position: static; }
  #qa-composer { flex-wrap: nowrap; gap: .5rem; }
  #qa-composer button { min-width: 0 !important; flex: none !important; white-space: nowrap; overflow-wrap: normal;
    padding-left: .9rem; padding-right: .9rem; }
  #qa-message textarea { min-height: calc(2.8em + 22px); }  /* two lines: a long placeholder wraps, not cut */
  #qa-tools { flex-wrap: wrap; }
  #qa-viewer { padding: 0; }
  .qa-viewer-box { border-radius: 0; height: 100%; }
}
* { overflow-wrap: anywhere; }
"""

# Gradio scopes CSS to the inside of the app (".gradio-container … .contain"); the page padding around it is set
# here, in the page's head (`launch_options`): 2 rem a side would leave a phone too little room.
HEAD = """<style>
@media (max-width: 640px) {
  .gradio-container .main.app { padding-left: .5rem !important; padding-right: .5rem !important; }
}
</style>"""

CITATION_SCRIPT = """
if (!window.__qaCitations) {
  window.__qaCitations = true;
  document.addEventListener('click', function (event) {
    const link = event.target.closest ? event.target.closest('a.qa-cite') : null;
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    const card = document.getElementById((link.getAttribute('href') || '').slice(1));
    if (!card) return;
    const turn = card.closest('.qa-turn');
    document.querySelectorAll('.qa-turn').forEach(function (t) { t.classList.toggle('qa-current', t === turn); });
    document.querySelectorAll('.qa-card.qa-selected').forEach(function (c) { c.classList.remove('qa-selected'); });
    const details = card.closest('details');
    if (details) details.open = true;
    card.classList.add('qa-selected');
    const panel = card.closest('.qa-sources');  // the panel first: on a wide screen it is beside the chat
    if (panel && panel.scrollHeight > panel.clientHeight) {
      panel.scrollTop += card.getBoundingClientRect().top - panel.getBoundingClientRect().top - 8;
    }
    const box = card.getBoundingClientRect();  // not wholly inside the window (a phone): scroll the page to it
    if (box.top < 0 || box.bottom > window.innerHeight) {
      card.scrollIntoView({block: box.height < window.innerHeight ? 'center' : 'start', behavior: 'smooth'});
    }
  }, true);
}
"""

ACTIONS_SCRIPT = r"""
if (!window.__qaActions) {
  window.__qaActions = true;
  const language = () => { const el = document.querySelector('#qa-header [lang]'); return el ? el.lang : 'en'; };
  const viewer = () => {
    let overlay = document.getElementById('qa-viewer');
    if (!overlay) {
      overlay = document.createElement('div');
      overlay.id = 'qa-viewer';
      overlay.hidden = true;
      overlay.setAttribute('role', 'dialog');
      overlay.innerHTML = '<div class="qa-viewer-box"></div>';
      overlay.addEventListener('click', (event) => { if (event.target === overlay) overlay.hidden = true; });
      document.body.appendChild(overlay);
    }
    return overlay;
  };
  document.addEventListener('keydown', (event) => {
    const overlay = document.getElementById('qa-viewer');
    if (event.key === 'Escape' && overlay) overlay.hidden = true;
  });
  document.addEventListener('click', async function (event) {
    const target = event.target.closest ? event.target : null;
    if (!target) return;
    const open = target.closest('button.qa-open');
    const copy = target.closest('button.qa-copy');
    if (target.closest('button.qa-viewer-close')) { viewer().hidden = true; return; }
    if (copy) {
      const text = copy.closest('.qa-turn').querySelector('.qa-copy-text').textContent;
      try { await navigator.clipboard.writeText(text); } catch (error) {
        const area = document.createElement('textarea');
        area.value = text; document.body.appendChild(area); area.select(); document.execCommand('copy'); area.remove();
      }
      copy.textContent = copy.dataset.done;
      return;
    }
    if (!open) return;
    event.preventDefault();
    const request = Object.assign(JSON.parse(open.dataset.open), {language: language()});
    const html = await server.open_document_viewer(request);  // one argument: Gradio passes several as a list
    const overlay = viewer();
    overlay.querySelector('.qa-viewer-box').innerHTML = html;
    overlay.hidden = false;
    const spot = overlay.querySelector('#qa-viewer-target mark') || overlay.querySelector('#qa-viewer-target');
    if (spot) spot.scrollIntoView({block: 'center'});
  });
  // Seconds a pending answer has waited (counted on from the server's count), and its place in Gradio's queue
  // (read from the chat's hidden status line, "queue: 2/3 | 1.2s").
  setInterval(function () {
    const status = document.querySelector('#qa-chatbot .progress-text, #qa-chatbot .meta-text');
    const match = status ? /queue:\s*(\d+)\s*\/\s*\d+/.exec(status.textContent) : null;
    document.querySelectorAll('#qa-chatbot .qa-phase').forEach(function (phase) {
      const seconds = phase.querySelector('.qa-seconds');
      if (seconds) {
        if (phase.__qaSince === undefined) phase.__qaSince = Date.now() - 1000 * (parseInt(seconds.textContent, 10) || 0);
        seconds.textContent = String(Math.floor((Date.now() - phase.__qaSince) / 1000));
      }
      const place = phase.querySelector('.qa-place');
      if (place) place.textContent = match ? match[1] : '';
    });
  }, 250);
}
"""

# Runs in the browser before the page-load callback: replaces the language input with the browser's.
BROWSER_LANGUAGE_JS = ("(language, conversation) => "
                       "[(navigator.language || 'en').toLowerCase().startsWith('de') ? 'de' : 'en', conversation]")
