"""The evaluate stage: a question set asked through the chat path, scored, reported and compared.

Modules: questions (the question file), records (one result line and its file
I/O), metrics, run, report, compare and command (`qa eval`). Leaves out:
answering (qa.answer) and the benchmarks (benchmarks/).
"""
