"""Words of the quarterly review minutes (docs/service-levels.md, "The quarterly review"):
``python -m monitoring review`` and the PDF and Word documents of `reports.review_pdf` and
`reports.review_docx`, built from the sections of `reports.review`."""

REVIEW_TEXT: dict[str, dict[str, str]] = {
    "review.title": {"en": "Service review — {period}", "fr": "Revue de service — {period}"},
    "review.header": {"en": "Service review minutes", "fr": "Compte rendu de revue de service"},
    "review.kind.quarter": {"en": "quarter", "fr": "trimestre"},
    "review.kind.month": {"en": "month", "fr": "mois"},
    "review.parties": {
        "en": "Contract: {tender} — awarded to {operator} (bid {bid}). Buyer: {buyer}.",
        "fr": "Contrat : {tender} — attribué à {operator} (offre {bid}). Acheteur : {buyer}."},
    "review.meta": {
        "en": "Review of the {kind} {period} ({first} to {last}), held on {date}. Amounts in {currency} {basis}.",
        "fr": "Revue du {kind} {period} (du {first} au {last}), tenue le {date}. Montants en {currency} {basis}."},
    "review.draft": {
        "en": "Draft minutes drawn by Fleetbid from the buyer's logs and the operator's invoices; to be completed "
              "and approved by both parties.",
        "fr": "Projet de compte rendu établi par Fleetbid à partir des journaux de l'acheteur et des factures de "
              "l'opérateur ; à compléter et approuver par les deux parties."},
    "review.summary": {
        "en": "{green} KPI(s) green, {amber} amber, {red} red, {none} without record. Service credits due for the "
              "period: {due}; received: {received}.",
        "fr": "{green} indicateur(s) au vert, {amber} à l'orange, {red} au rouge, {none} sans relevé. Pénalités de "
              "service dues pour la période : {due} ; reçues : {received}."},
    # sections
    "review.s.kpis": {"en": "1. Service levels", "fr": "1. Niveaux de service"},
    "review.s.trends": {"en": "2. Trends", "fr": "2. Tendances"},
    "review.s.credits": {"en": "3. Service credits due and received", "fr": "3. Pénalités de service dues et reçues"},
    "review.s.audit": {"en": "4. Invoice audit of the period", "fr": "4. Audit des factures de la période"},
    "review.s.porting": {"en": "5. Number porting", "fr": "5. Portabilité des numéros"},
    "review.s.actions": {"en": "6. Open actions", "fr": "6. Actions en cours"},
    "review.s.notes": {"en": "7. Decisions and remarks", "fr": "7. Décisions et remarques"},
    # status
    "review.status.green": {"en": "Green", "fr": "Vert"},
    "review.status.amber": {"en": "Amber", "fr": "Orange"},
    "review.status.red": {"en": "Red", "fr": "Rouge"},
    "review.status.none": {"en": "No record", "fr": "Aucun relevé"},
    "review.status.rule": {
        "en": "Green: target met. Amber: missed by at most {amber} of the target. Red: missed by more. "
              "A period without any record has no status and no credit.",
        "fr": "Vert : cible atteinte. Orange : manquée d'au plus {amber} de la cible. Rouge : manquée de plus. "
              "Une période sans relevé n'a ni statut ni pénalité."},
    # the KPI table
    "review.col.kpi": {"en": "KPI", "fr": "Indicateur"},
    "review.col.value": {"en": "Value", "fr": "Valeur"},
    "review.col.target": {"en": "Target", "fr": "Cible"},
    "review.col.status": {"en": "Status", "fr": "Statut"},
    "review.col.records": {"en": "Records (open)", "fr": "Relevés (en cours)"},
    "review.col.miss": {"en": "Miss", "fr": "Écart"},
    "review.col.credit": {"en": "Credit due", "fr": "Pénalité due"},
    "review.unit.answer_minutes": {"en": "min", "fr": "min"},
    "review.unit.resolution_working_days": {"en": "working days", "fr": "jours ouvrés"},
    "review.unit.porting_working_days": {"en": "working days", "fr": "jours ouvrés"},
    "review.stat.mean": {"en": "mean", "fr": "moyenne"},
    "review.stat.p90": {"en": "90th percentile", "fr": "90e centile"},
    "review.stat.p95": {"en": "95th percentile", "fr": "95e centile"},
    "review.stat.max": {"en": "maximum", "fr": "maximum"},
    "review.stat.share_within": {"en": "share ≤ {within}", "fr": "part ≤ {within}"},
    "review.stat.share_above": {"en": "share ≥ {within}", "fr": "part ≥ {within}"},
    "review.no_tier": {"en": "no credit tier", "fr": "sans pénalité prévue"},
    # trends
    "review.trends.intro": {
        "en": "Each KPI per {kind} up to {period}; the dashed line is the target, the last point the period "
              "under review.",
        "fr": "Chaque indicateur par {kind} jusqu'à {period} ; la ligne pointillée est la cible, le dernier point "
              "la période revue."},
    "review.trends.none": {"en": "Charts not drawn (tables only).", "fr": "Graphiques non tracés (tableaux seuls)."},
    "review.col.period": {"en": "Period", "fr": "Période"},
    # credits
    "review.credits.intro": {
        "en": "Credits due per period: each missed KPI's tier × the period's billed subscriptions{cap}. Received: "
              "the invoices' service-credit rows of the period (credits are often paid on a later invoice).",
        "fr": "Pénalités dues par période : le palier de chaque indicateur manqué × les abonnements facturés de la "
              "période{cap}. Reçues : les lignes de pénalité des factures de la période (souvent versées sur une "
              "facture ultérieure)."},
    "review.credits.cap": {"en": ", capped at {percent} of them", "fr": ", plafonnées à {percent} de ceux-ci"},
    "review.col.base": {"en": "Billed subscriptions", "fr": "Abonnements facturés"},
    "review.col.due": {"en": "Credit due", "fr": "Pénalité due"},
    "review.col.capped": {"en": "Capped", "fr": "Plafonnée"},
    "review.col.received": {"en": "Received", "fr": "Reçue"},
    "review.col.balance": {"en": "Still due", "fr": "Reste dû"},
    "review.balance": {"en": "Credits still due to date: {amount}", "fr": "Pénalités restant dues à date : {amount}"},
    "review.total": {"en": "Total to date", "fr": "Total à date"},
    "review.total_period": {"en": "Total", "fr": "Total"},
    "review.yes": {"en": "yes", "fr": "oui"},
    "review.no": {"en": "no", "fr": "non"},
    # audit
    "review.audit.intro": {
        "en": "Invoices of {months}: {count} claim(s) for {total}. Each claim's deadline is its invoice date + 1 "
              "year (CPCE L34-2); nearest first.",
        "fr": "Factures de {months} : {count} réclamation(s) pour {total}. Chaque réclamation est à faire avant la "
              "date de sa facture + 1 an (CPCE L34-2) ; la plus proche d'abord."},
    "review.audit.none": {"en": "Invoices of {months}: no claim.", "fr": "Factures de {months} : aucune réclamation."},
    "review.audit.no_invoice": {"en": "No invoice of the period.", "fr": "Aucune facture sur la période."},
    "review.col.category": {"en": "Category", "fr": "Catégorie"},
    "review.col.count": {"en": "Claims", "fr": "Réclamations"},
    "review.col.claimed": {"en": "Claimed", "fr": "Réclamé"},
    "review.col.deadline": {"en": "Deadline", "fr": "Échéance"},
    "review.col.invoices": {"en": "Invoices", "fr": "Factures"},
    "review.col.month": {"en": "Month", "fr": "Mois"},
    "review.col.line_periods": {"en": "Lines billed", "fr": "Lignes facturées"},
    "review.col.with_finding": {"en": "With an error", "fr": "Avec une erreur"},
    "review.col.accuracy": {"en": "Billing accuracy", "fr": "Exactitude de facturation"},
    "review.audit.accuracy": {"en": "Billing accuracy by month", "fr": "Exactitude de facturation par mois"},
    "review.audit.deadlines": {"en": "Claims by deadline", "fr": "Réclamations par échéance"},
    "review.audit.categories": {"en": "Claims by category", "fr": "Réclamations par catégorie"},
    # porting
    "review.porting.intro": {
        "en": "Port requests by request date: requested → ported, rejected (by reason), lost, still pending.",
        "fr": "Demandes de portabilité par date de demande : demandées → portées, rejetées (par motif), perdues, "
              "en cours."},
    "review.porting.none": {"en": "No port log in the contract folder.",
                            "fr": "Aucun journal de portabilité dans le dossier du contrat."},
    "review.col.requested": {"en": "Requested", "fr": "Demandées"},
    "review.col.ported": {"en": "Ported", "fr": "Portées"},
    "review.col.rejected": {"en": "Rejected", "fr": "Rejetées"},
    "review.col.lost": {"en": "Lost", "fr": "Perdues"},
    "review.col.pending": {"en": "Pending", "fr": "En cours"},
    "review.porting.reasons": {"en": "Rejected or lost in {period}, by reason", "fr": "Rejetées ou perdues en {period}, "
                                                                                     "par motif"},
    "review.porting.no_reason": {"en": "(no reason given)", "fr": "(motif non indiqué)"},
    "review.col.reason": {"en": "Reason", "fr": "Motif"},
    "review.col.requests": {"en": "Requests", "fr": "Demandes"},
    # actions
    "review.actions.intro": {"en": "Open actions on {date}, overdue first.",
                             "fr": "Actions en cours au {date}, en retard d'abord."},
    "review.actions.none": {"en": "No open action.", "fr": "Aucune action en cours."},
    "review.col.id": {"en": "#", "fr": "N°"},
    "review.col.action": {"en": "Action", "fr": "Action"},
    "review.col.owner": {"en": "Owner", "fr": "Responsable"},
    "review.col.due_on": {"en": "Due", "fr": "Échéance"},
    "review.col.state": {"en": "State", "fr": "État"},
    "review.overdue": {"en": "overdue ({days} d)", "fr": "en retard ({days} j)"},
    "review.on_time": {"en": "open", "fr": "en cours"},
    "review.notes": {"en": "(to be completed at the meeting)", "fr": "(à compléter en séance)"},
    # command line
    "review.cli.written": {"en": "review of {period} written to {path}", "fr": "revue de {period} écrite dans {path}"},
}
