# Request exports (src/reports/): the CSV and Excel column headers and the statistics
# sheet, in French. Each key has its English twin in ../en/exports.ftl.

export-sheet-requests = Demandes
export-sheet-statistics = Statistiques
export-statistics-title = Statistiques des demandes
export-made-on = Produit le
export-all = Ensemble
export-all-requests = Toutes les demandes
export-by-language-pair = Par paire de langues
export-by-request-type = Par type de demande
export-by-establishment = Par établissement
export-by-status = Par statut
export-by-month = Par mois
export-requests = Demandes
export-cancelled = Annulées
export-scheduled-hours = Heures prévues
export-worked-hours = Heures réalisées
export-services-recorded = Services enregistrés

export-number = Numéro de demande
export-scheduled-minutes = Durée prévue (min)
export-status = Statut
export-establishment = Établissement
export-requester = Demandeur
export-interpreter = Interprète
export-interpreter-code = Code d'utilisateur de l'interprète
export-worked-minutes = Durée réelle (min)
export-completed = Demande terminée
export-cancellation-reason = Raison d'annulation
export-late-cancellation = Annulation tardive
export-created-at = Créée le
export-booked-at = Réservée le
export-yes = oui
export-no = non
