"""The hand-kept word lists of the answer stage, read from the TOML files next to this module.

Each file is parsed once per process (functools.cache). Leaves out: what the
lists mean (see the comment at the top of each file and the module reading it).
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

DATA_FILES = ("asked_measures.toml", "asked_precision.toml", "country_aliases.toml", "followups.toml",
              "function_words.toml", "magnitudes.toml", "measures.toml", "number_compounds.toml",
              "question_clauses.toml", "question_kinds.toml", "question_nationality.toml",
              "question_prepositions.toml", "refusal_signals.toml", "source_terms.toml")


@cache
def load_table(name: str) -> dict[str, Any]:
    """The parsed TOML data file `name` (one of DATA_FILES) of this package."""
    return tomllib.loads(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"))
