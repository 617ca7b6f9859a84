"""Words of the app's Service & review page (ui/service_page.py, docs/app.md §5d), its charts
(reports/charts/service.py) and the RIO check offered on the Switching page. The names of
statuses, columns and RIO reasons shared with the command line are
`reports.text.service_levels`' (``sla.*``, ``rio.*``)."""

SERVICE_APP_TEXT: dict[str, dict[str, str]] = {
    "page.service": {"en": "Service & review", "fr": "Service et revue"},
    "svc.using": {"en": "Contract **{name}**: {operator}, periods {first} to {last} ({kind}).",
                  "fr": "Contrat **{name}** : {operator}, périodes {first} à {last} ({kind})."},
    "svc.intro": {
        "en": "Each KPI of the contract measured per period from the buyer's logs and the invoice audit, against "
              "its target; service credits due (capped per period) beside those the operator paid on its invoices. "
              "Amounts in {currency} excl. VAT. The contract is the one chosen on the Invoice audit page.",
        "fr": "Chaque indicateur du contrat mesuré par période à partir des journaux de l'acheteur et de l'audit des "
              "factures, face à sa cible ; pénalités dues (plafonnées par période) et pénalités versées par "
              "l'opérateur sur ses factures. Montants en {currency} HT. Le contrat est celui choisi sur la page "
              "Audit des factures."},
    "svc.no_contract": {"en": "No contract: open one on the Invoice audit page.",
                        "fr": "Aucun contrat : ouvrez-en un sur la page Audit des factures."},
    "svc.errors": {"en": "The contract's service-level files have errors; nothing was measured.",
                   "fr": "Les fichiers de niveaux de service du contrat ont des erreurs ; rien n'a été mesuré."},
    "svc.second": {"en": "Side by side with (split award)", "fr": "En regard de (attribution partagée)"},
    "svc.second_help": {
        "en": "A second bundled contract folder (contracts/…), e.g. the other operator of a split award: each "
              "section then shows the two operators in columns.",
        "fr": "Un second dossier de contrat fourni (contracts/…), par exemple l'autre opérateur d'une attribution "
              "partagée : chaque section montre alors les deux opérateurs en colonnes."},
    "svc.no_period": {"en": "No invoiced period yet: nothing to measure.",
                      "fr": "Aucune période facturée : rien à mesurer."},
    "svc.period": {"en": "Period reviewed", "fr": "Période revue"},
    "svc.h.kpis": {"en": "KPIs of {period}", "fr": "Indicateurs de {period}"},
    "svc.h.trends": {"en": "Trends per period", "fr": "Évolution par période"},
    "svc.h.credits": {"en": "Service credits: due vs received", "fr": "Pénalités de service : dues et reçues"},
    "svc.h.porting": {"en": "Porting", "fr": "Portabilité"},
    "svc.h.rio": {"en": "RIO check of a list of lines", "fr": "Contrôle des RIO d'une liste de lignes"},
    "svc.h.actions": {"en": "Action log", "fr": "Plan d'actions"},
    "svc.h.review": {"en": "Quarterly review minutes", "fr": "Compte rendu de revue trimestrielle"},
    "svc.card.target": {"en": "target {target} · {n} records, {open} open",
                        "fr": "cible {target} · {n} relevés, {open} en cours"},
    "svc.card.vs": {"en": "target {target}", "fr": "cible {target}"},
    "svc.trend_pick": {"en": "KPI shown", "fr": "Indicateur affiché"},
    "svc.credits_note": {
        "en": "A credit for one period is usually paid on a later invoice: compare the totals. Credits due are "
              "capped at {cap} of the period's billed subscriptions.",
        "fr": "La pénalité d'une période est en général versée sur une facture ultérieure : comparez les totaux. "
              "Les pénalités dues sont plafonnées à {cap} des abonnements facturés de la période."},
    "svc.credits_note_nocap": {
        "en": "A credit for one period is usually paid on a later invoice: compare the totals. No cap.",
        "fr": "La pénalité d'une période est en général versée sur une facture ultérieure : comparez les totaux. "
              "Pas de plafond."},
    "svc.no_ports": {"en": "The contract has no port log.", "fr": "Le contrat n'a pas de journal de portabilité."},
    "svc.funnel_note": {
        "en": "Over all periods: requested, eligible (requested minus rejected: the ports the losing operator "
              "accepted), ported. Lost numbers were eligible but not ported; pending ones are still open.",
        "fr": "Sur toutes les périodes : demandés, éligibles (demandés moins rejetés : portages acceptés par "
              "l'opérateur cédant), portés. Les numéros perdus étaient éligibles mais non portés ; ceux en "
              "attente sont en cours."},
    "svc.col.requested": {"en": "requested", "fr": "demandés"},
    "svc.col.eligible": {"en": "eligible", "fr": "éligibles"},
    "svc.col.ported": {"en": "ported", "fr": "portés"},
    "svc.col.rejected": {"en": "rejected", "fr": "rejetés"},
    "svc.col.lost": {"en": "lost", "fr": "perdus"},
    "svc.col.pending": {"en": "pending", "fr": "en attente"},
    "svc.no_reason": {"en": "(no reason given)", "fr": "(motif non donné)"},
    "svc.col.id": {"en": "id", "fr": "réf."},
    "svc.col.action": {"en": "action", "fr": "action"},
    "svc.col.owner": {"en": "owner", "fr": "responsable"},
    "svc.col.due": {"en": "due", "fr": "échéance"},
    "svc.col.state": {"en": "status", "fr": "statut"},
    "svc.action.open": {"en": "open", "fr": "ouverte"},
    "svc.action.done": {"en": "done", "fr": "faite"},
    "svc.no_actions": {"en": "The contract has no action log.", "fr": "Le contrat n'a pas de plan d'actions."},
    "svc.actions_note": {"en": "Open actions first, those overdue on {date} at the top.",
                         "fr": "Actions ouvertes d'abord, en tête celles en retard au {date}."},
    "svc.dl.pdf": {"en": "Download the review (PDF)", "fr": "Télécharger le compte rendu (PDF)"},
    "svc.dl.docx": {"en": "Download the review (Word, editable)", "fr": "Télécharger le compte rendu (Word, modifiable)"},
    # the RIO check (this page and the Switching page)
    "svc.rio.upload": {"en": "A list of lines with their RIO (CSV or .xlsx)",
                       "fr": "Une liste de lignes avec leur RIO (CSV ou .xlsx)"},
    "svc.rio.upload_help": {
        "en": "One row per line: the phone number and the RIO the current operator gave (3179 from the line). "
              "Numbers are pseudonymised on reading: none is shown.",
        "fr": "Une ligne par numéro : le numéro de téléphone et le RIO donné par l'opérateur actuel (3179 depuis la "
              "ligne). Les numéros sont pseudonymisés à la lecture : aucun n'est affiché."},
    "svc.rio.col_line": {"en": "Column of the phone numbers", "fr": "Colonne des numéros"},
    "svc.rio.col_rio": {"en": "Column of the RIOs", "fr": "Colonne des RIO"},
    "svc.rio.errors": {"en": "The list cannot be read; nothing was checked.",
                       "fr": "La liste ne peut pas être lue ; rien n'a été contrôlé."},
    "svc.rio.inventory": {"en": "Numbers checked against the inventory of {name}.",
                          "fr": "Numéros comparés à l'inventaire de {name}."},
    "svc.rio.no_inventory": {"en": "No contract inventory: numbers not checked against one.",
                             "fr": "Pas d'inventaire de contrat : numéros non comparés à un inventaire."},
    "svc.rio.m.rows": {"en": "Rows", "fr": "Lignes"},
    "svc.rio.m.rejected": {"en": "Cannot be ported as is", "fr": "Non portables en l'état"},
    "svc.rio.use": {"en": "Use the measured rejection share ({share}) as the porting failure rate",
                    "fr": "Utiliser la part rejetée mesurée ({share}) comme taux d'échec de portabilité"},
    "svc.rio.use_help": {
        "en": "Sets the What-if page's porting failure rate to the share of rows the check marks invalid "
              "(a what-if: the tender file is unchanged).",
        "fr": "Règle le taux d'échec de portabilité de la page Simulations sur la part des lignes marquées "
              "invalides (une simulation : le fichier de l'appel d'offres est inchangé)."},
    "svc.rio.scenario": {"en": "Porting failure rate measured by the RIO check of {file}",
                         "fr": "Taux d'échec de portabilité mesuré par le contrôle des RIO de {file}"},
    "svc.rio.scenario_note": {
        "en": "The share of the {rows} rows that cannot be ported as they are (status invalid).",
        "fr": "La part des {rows} lignes non portables en l'état (statut invalide)."},
    "svc.rio.applied": {"en": "Porting failure rate set to {share} on the What-if page.",
                        "fr": "Taux d'échec de portabilité réglé à {share} sur la page Simulations."},
    "svc.rio.no_switching": {
        "en": "The tender has no switching block: there is no porting failure rate to replace.",
        "fr": "L'appel d'offres n'a pas de bloc de changement d'opérateur : aucun taux d'échec à remplacer."},
    "svc.rio.switch_intro": {
        "en": "Before the switch: check the RIO of each line to port; the share of rows that cannot be ported as "
              "they are is a measured porting failure rate.",
        "fr": "Avant le changement : contrôlez le RIO de chaque ligne à porter ; la part des lignes non portables "
              "en l'état est un taux d'échec de portabilité mesuré."},
    # charts
    "svc.chart.trend": {"en": "{kpi}, per period", "fr": "{kpi}, par période"},
    "svc.chart.trend_sub": {"en": "{statistic}; dashed: the target ({target})",
                            "fr": "{statistic} ; en tirets : la cible ({target})"},
    "svc.chart.credits": {"en": "Service credits per period", "fr": "Pénalités de service par période"},
    "svc.chart.credits_sub": {"en": "Due: {due} · received: {received}", "fr": "Dues : {due} · reçues : {received}"},
    "svc.chart.funnel": {"en": "Porting funnel", "fr": "Entonnoir de portabilité"},
    "svc.chart.reasons": {"en": "Rejected or lost ports, by reason", "fr": "Portages rejetés ou perdus, par motif"},
    "svc.chart.rio": {"en": "RIO check, by reason", "fr": "Contrôle des RIO, par motif"},
    "svc.legend.value": {"en": "Measured", "fr": "Mesuré"},
    "svc.legend.target": {"en": "Target", "fr": "Cible"},
    "svc.legend.due": {"en": "Credit due (capped)", "fr": "Pénalité due (plafonnée)"},
    "svc.legend.received": {"en": "Credit received", "fr": "Pénalité reçue"},
    "svc.axis.period": {"en": "Period", "fr": "Période"},
    "svc.axis.amount": {"en": "{currency} excl. VAT", "fr": "{currency} HT"},
    "svc.axis.rows": {"en": "Rows", "fr": "Lignes"},
    "svc.axis.requests": {"en": "Port requests", "fr": "Demandes de portage"},
    "svc.no_value": {"en": "No period has a value.", "fr": "Aucune période n'a de valeur."},
}
