"""The command lines, the top layer: ``python -m scoring …`` (`cli.scoring`) and
``python -m scenarios …`` (`cli.scenarios`). They read a tender, call the model, the what-if
analyses and the outputs (`reports`), and print; `scoring/__main__.py` and
`scenarios/__main__.py` only hand over to them, so the documented commands stay as they are.
"""
