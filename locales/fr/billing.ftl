# Invoices and pay statements (src/billing/html.rs), in French.
# Each key has its English twin in ../en/billing.ftl.

billing-request-number = N° de demande
billing-establishment = Établissement
billing-service = Service
billing-interpreter = Interprète
billing-billing-code = Code de facturation
billing-outcome = Résultat
billing-taxes = Taxes
billing-total = Total
billing-subtotal = Sous-total
billing-tax-included = dont { $tax } incluse
billing-cost-centre = Centre de coûts
billing-no-cost-centre = Sans centre de coûts
billing-no-cost-centre-short = sans centre de coûts
billing-not-registered = Non inscrit aux taxes
billing-registered-added = Inscrit, taxes en sus
billing-registered-inclusive = Inscrit, taxes incluses
billing-date = Date
billing-state = État
billing-currency = Devise
billing-footer = Ce document ne contient aucun renseignement sur les usagers : ni nom, ni coordonnées, ni détail de santé.
billing-awaiting = En attente de validation
billing-period = Période

billing-invoice = Facture
billing-invoice-number = Facture n°
billing-invoice-requests = Demandes facturées
billing-invoice-empty = Aucune demande à facturer pour cette période.
billing-invoice-totals = Totaux de la facture
billing-invoice-total = Total à payer
billing-invoice-awaiting-note = Réalisations enregistrées mais pas encore validées : elles seront facturées une fois validées.

billing-statement = Relevé de rémunération
billing-statement-number = Relevé n°
billing-statement-requests = Demandes rémunérées
billing-statement-empty = Aucune demande à rémunérer pour cette période.
billing-statement-totals = Totaux du relevé
billing-statement-total = Total à verser
billing-statement-awaiting-note = Réalisations enregistrées mais pas encore validées : elles seront rémunérées une fois validées.
billing-legal-name = Nom complet
billing-user-code = Code d'utilisateur
billing-supplier-number = Numéro de fournisseur
billing-sales-taxes = Taxes
billing-tax-number = N° de { $tax }
