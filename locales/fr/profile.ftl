# profile: a person's own profile page, in French. Each key has its twin in the other language.

profile-notices = Avis
profile-tell-me-when-offered = Me prévenir quand ma demande est offerte à un interprète
profile-my-profile = Mon profil
profile-last-change = Dernière modification
profile-history-empty = Aucune modification enregistrée.
profile-requester-profile-changed = installations, centre de coût ou avis modifiés
profile-email-address-changed = adresse courriel changée
profile-email-heading = Changer mon adresse courriel
profile-email-new = Nouvelle adresse courriel
profile-email-hint = Un lien de confirmation sera envoyé à la nouvelle adresse ; votre adresse ne change qu'une fois ce lien suivi.
profile-email-pending = En attente de confirmation : { $address } (lien valide jusqu'au { $until }). Votre adresse actuelle reste en usage d'ici là.
profile-email-send-link = Envoyer le lien de confirmation
profile-email-link-sent = Un lien de confirmation a été envoyé à la nouvelle adresse. Votre adresse ne changera qu'une fois ce lien suivi (il est valide 24 heures).
profile-email-same = C'est déjà votre adresse courriel : rien n'a changé.
profile-email-taken = Cette adresse courriel est déjà celle d'un autre compte : elle ne peut pas devenir la vôtre. Rien n'a changé.
profile-email-invalid = Adresse courriel invalide (par exemple prenom.nom@exemple.ca) : rien n'a changé.
profile-email-confirm-title = Confirmer votre nouvelle adresse courriel
profile-email-confirm-intro = Confirmez que « { $address } » devient l'adresse courriel de votre compte : vos messages y seront envoyés désormais.
profile-email-confirm-button = Confirmer ma nouvelle adresse
profile-email-changed = Votre adresse courriel est maintenant { $address }. Votre ancienne adresse a été avisée du changement.
profile-email-link-used = Ce lien a déjà servi.
profile-email-link-expired = Ce lien a expiré.
profile-email-link-unknown = Ce lien n'est pas valide : copiez-le en entier depuis le courriel reçu.
profile-email-ask-again = Pour un nouveau lien, demandez de nouveau le changement depuis votre profil.

profile-email-limited = Trop de changements d'adresse demandés aujourd'hui : rien n'a été envoyé. Réessayez demain, ou suivez le dernier lien reçu.

# The files of an interpreter's eligibility documents, on their profile.
profile-document-files = Fichiers de mes documents d'admissibilité
profile-document-files-intro = Joints par la coordination ; pour en changer un, écrivez-lui.
