"""Post-award monitoring: the awarded bid is the contract (docs/invoice-audit.md).

A layer above the model, beside `scenarios` (docs/architecture.md): it imports `scoring`
only. `contract` reads the contract folder (contract.yaml, its tender and awarded bid),
`tables` the line inventory and the operator's invoice exports (with the billing-export
reader, `scoring.usage_file.records`), `audit` re-prices every invoice row with the engine's
rules into one frozen `Audit`. ``python -m monitoring audit DIR [--json]`` is `cli.monitoring`.
"""
