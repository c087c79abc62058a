"""The answer stage: from a question (and its history) to a verified, cited answer or a refusal.

Modules: answerer (orchestration), events (what the answer stream yields),
followups, passages (passage choice), gate (the evidence and country gate),
prompts (text to the model), output (reading the model's text), citations and
support (checking each sentence against its passages), data (the word lists
in the *.toml files next to them). Leaves out: retrieval (qa.retrieval), the
models (qa.models) and rendering (qa.cli, qa.ui).
"""
