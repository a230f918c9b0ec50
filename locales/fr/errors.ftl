# errors: the pages of an error, in French. Each key has its twin in the other language.

error-page-not-found = Page introuvable
error-this-address-leads-nowhere = Cette adresse ne mène à aucune page, ou à aucune page qui vous soit ouverte. Vérifiez le lien.
error-something-went-wrong = Une erreur est survenue
error-nothing-saved-was-lost = Rien de ce qui était déjà enregistré n'a été perdu. Réessayez dans quelques minutes ; si cela se reproduit, prévenez un coordonnateur.
error-go-on-from-here = Vous pouvez continuer d'ici :
error-sign-in-to-go-on = Connectez-vous pour continuer.
