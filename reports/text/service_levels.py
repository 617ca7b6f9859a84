"""Words of the service levels and the RIO check (docs/service-levels.md): the command line's
``python -m monitoring sla`` and ``rio`` texts, and the names of statuses and RIO reasons for
the outputs to come (review minutes, app page)."""

SERVICE_TEXT: dict[str, dict[str, str]] = {
    "sla.text.title": {
        "en": "Service levels of {operator} ({bid}), {first} to {last} ({kind}, working days: {calendar} "
              "calendar); amounts in {currency} {basis}",
        "fr": "Niveaux de service de {operator} ({bid}), {first} à {last} ({kind}, jours ouvrés : calendrier "
              "{calendar}) ; montants en {currency} {basis}"},
    "sla.text.no_period": {"en": "Service levels of {operator} ({bid}): no invoiced period",
                           "fr": "Niveaux de service de {operator} ({bid}) : aucune période facturée"},
    "sla.kind.month": {"en": "monthly", "fr": "mensuel"},
    "sla.kind.quarter": {"en": "quarterly", "fr": "trimestriel"},
    "sla.text.kpis": {"en": "KPIs", "fr": "Indicateurs"},
    "sla.text.credits": {"en": "Service credits by period", "fr": "Pénalités de service par période"},
    "sla.text.cap": {"en": "credits of a period capped at {percent} of its billed subscriptions",
                     "fr": "pénalités d'une période plafonnées à {percent} de ses abonnements facturés"},
    "sla.col.kpi": {"en": "KPI", "fr": "Indicateur"},
    "sla.col.period": {"en": "period", "fr": "période"},
    "sla.col.n": {"en": "records", "fr": "relevés"},
    "sla.col.open": {"en": "open", "fr": "en cours"},
    "sla.col.value": {"en": "value", "fr": "valeur"},
    "sla.col.target": {"en": "target", "fr": "cible"},
    "sla.col.status": {"en": "status", "fr": "statut"},
    "sla.col.miss": {"en": "miss", "fr": "écart"},
    "sla.col.credit": {"en": "credit due", "fr": "pénalité due"},
    "sla.col.base": {"en": "billed subscriptions", "fr": "abonnements facturés"},
    "sla.col.capped": {"en": "capped", "fr": "plafonné"},
    "sla.col.received": {"en": "credit received", "fr": "pénalité reçue"},
    "sla.col.balance": {"en": "still due", "fr": "reste dû"},
    "sla.status.met": {"en": "met", "fr": "atteint"},
    "sla.status.missed": {"en": "missed", "fr": "manqué"},
    "sla.status.none": {"en": "no record", "fr": "aucun relevé"},
    "sla.yes": {"en": "yes", "fr": "oui"},
    "sla.no": {"en": "no", "fr": "non"},
    "sla.total": {"en": "Total", "fr": "Total"},
    "rio.text.title": {"en": "RIO check of {file}: {rows} rows, {ok} ok, {warning} warning, {invalid} invalid",
                       "fr": "Contrôle des RIO de {file} : {rows} lignes, {ok} valides, {warning} avertissement, "
                             "{invalid} invalides"},
    "rio.text.no_inventory": {
        "en": "no contract folder (contract.yaml beside the file, or --contract DIR): numbers not checked against "
              "the inventory",
        "fr": "aucun dossier de contrat (contract.yaml à côté du fichier, ou --contract DIR) : numéros non "
              "comparés à l'inventaire"},
    "rio.col.row": {"en": "row", "fr": "ligne du fichier"},
    "rio.col.line": {"en": "line", "fr": "ligne"},
    "rio.col.status": {"en": "status", "fr": "statut"},
    "rio.col.reasons": {"en": "reasons", "fr": "motifs"},
    "rio.status.ok": {"en": "ok", "fr": "valide"},
    "rio.status.warning": {"en": "warning", "fr": "avertissement"},
    "rio.status.invalid": {"en": "invalid", "fr": "invalide"},
    "rio.reason.format": {"en": "RIO or number badly written", "fr": "RIO ou numéro mal écrit"},
    "rio.reason.key": {"en": "the key does not match the number", "fr": "la clé ne correspond pas au numéro"},
    "rio.reason.personal": {"en": "personal contract (P): not portable under the company's mandate",
                            "fr": "contrat particulier (P) : non portable avec le mandat de l'entreprise"},
    "rio.reason.duplicate": {"en": "number or RIO already given above", "fr": "numéro ou RIO déjà donné plus haut"},
    "rio.reason.not_in_inventory": {"en": "not a line of the inventory", "fr": "ligne absente de l'inventaire"},
    "rio.scenario.name": {"en": "Porting failure rate from the RIO check of {file}",
                          "fr": "Taux d'échec du portage mesuré par le contrôle des RIO de {file}"},
    "rio.scenario.description": {
        "en": "{invalid} of {rows} lines cannot be ported as they are ({share}): the tender's assumed porting "
              "failure rate replaced by that share",
        "fr": "{invalid} lignes sur {rows} ne peuvent pas être portées en l'état ({share}) : ce taux remplace le "
              "taux d'échec du portage supposé par l'appel d'offres"},
    "rio.text.scenario_written": {"en": "scenario written to {path}: porting_failure_rate = {share}",
                                  "fr": "scénario écrit dans {path} : porting_failure_rate = {share}"},
}
