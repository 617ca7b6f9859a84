# `python -m scenarios …`: the command line lives in the top layer (cli/scenarios.py).
from cli.scenarios import main

raise SystemExit(main())
