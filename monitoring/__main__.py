# `python -m monitoring …`: the command line lives in the top layer (cli/monitoring.py).
from cli.monitoring import main

raise SystemExit(main())
