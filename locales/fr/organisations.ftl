# organisations: « Mes organisations », a requester's institution, in French. Each key has its twin in the other language.

org-my-organisations = Mes organisations
org-overview = Aperçu
org-overview-figures = { $requests } demande(s), dont { $cancelled } annulée(s) ; { $hours } heure(s) prévue(s)
org-installations = Installations
org-no-installation = Aucune installation.
org-team = Équipe
org-no-team = Personne dans l'équipe.
org-requests = Demandes de l'établissement (tous codes de facturation et installations)
org-no-request = Aucune demande.
org-billing-code = code de facturation
org-export-heading = Extraire les demandes en format Excel (avec statistiques)
org-whose = Demandes
org-my-requests = Mes demandes
org-all-requests = Toutes les demandes de l'établissement
org-invoices-heading = Factures
org-month = Mois
