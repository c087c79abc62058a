"""The chat's styling and browser scripts: the CSS, the citation-link script and the browser-language hook.

Plain strings handed to Gradio by qa.ui.blocks. The one script makes a click
on a citation [n] in the chat select and scroll to its card in the sources
panel (scrolling the panel only, never the page). Leaves out: the HTML these
style (qa.ui.render, qa.ui.sources) and the components (qa.ui.blocks).
"""

from __future__ import annotations

CSS = """
.gradio-container { max-width: 1440px !important; margin: 0 auto; }
#qa-header { display: flex; align-items: flex-end; justify-content: space-between; gap: 1rem; }
#qa-header h1 { font-size: 1.6rem; margin: 0 0 .15rem 0; letter-spacing: -.01em; }
#qa-header p { margin: 0; color: var(--body-text-color-subdued); font-size: .95rem; }
#qa-ui-language { max-width: 230px; }
#qa-chatbot { font-size: 1rem; }
#qa-notice:not(:has(.qa-notice)) { display: none; }
#qa-tools { align-items: flex-start; }
#qa-documents td, #qa-documents th, #qa-documents input { font-family: var(--font) !important; }
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
"""

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
    const panel = card.closest('.qa-sources');  // scroll the panel only, never the page
    if (panel) {
      const top = panel.scrollTop + card.getBoundingClientRect().top - panel.getBoundingClientRect().top - 8;
      panel.scrollTo({top: top, behavior: 'smooth'});
    }
  }, true);
}
"""

# Runs in the browser before the page-load callback: replaces the language input with the browser's.
BROWSER_LANGUAGE_JS = ("(language, conversation) => "
                       "[(navigator.language || 'en').toLowerCase().startsWith('de') ? 'de' : 'en', conversation]")
