# `python -m scoring …`: the command line lives in the top layer (cli/scoring.py).
from cli.scoring import main

raise SystemExit(main())
