# people: the coordinators' list of people (/admin/people), in French. Each key has its twin in the other language.

people-everyone = Toutes les personnes
people-search = Recherche
people-search-hint = Une partie du nom, du courriel, du téléphone ou du code d'utilisateur.
people-role = Rôle
people-all-roles = Tous
people-account = Compte
people-all-accounts = Tous
people-account-active = Compte actif
people-link-sent = Lien envoyé
people-no-account = Sans compte
people-inactive = Inactif
people-filter = Rechercher
people-name = Nom
people-roles = Rôles
people-email = Courriel
people-phone = Téléphone
people-action = Action
people-count-one = { $count } personne
people-count-many = { $count } personnes
people-nobody-matches = Personne ne correspond à cette recherche.
people-clear-filters = Effacer les filtres
people-page-of = Page { $page } sur { $pages }
people-previous = ← Précédente
people-next = Suivante →
