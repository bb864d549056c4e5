"""``python -m simfraud.cli``: the ``simfraud`` console command."""

from simfraud.cli import entry

entry()
