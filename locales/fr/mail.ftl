# mail: the wording of the messages Relais mails, in French, as it moves here from the
# templates (surface by surface). Each key has its twin in the other language.

# A form by mail saved as a draft (« Brouillon : oui »).
mail-draft-saved = Votre demande est enregistrée comme brouillon : elle n'est pas encore envoyée, et la coordination ne la voit pas.
mail-draft-not-sent = Votre brouillon n'est pas encore envoyé (ce que vous avez écrit y est enregistré) :
mail-draft-how-to-send = Pour l'envoyer, répondez ENVOYER, ou répondez avec les lignes du formulaire à changer : sans la ligne « Brouillon : oui », la demande est envoyée.
mail-draft-how-to-keep = Pour le compléter sans l'envoyer, répondez avec les lignes à changer et la ligne « Brouillon : oui ». Le formulaire ci-dessous est le brouillon tel qu'il est enregistré.
mail-draft-send-anyway = Pour l'envoyer quand même, répondez ENVOYER QUAND MÊME.

# Why a reply was not applied.
mail-refused-already-sent = cette demande est déjà envoyée : ce n'est plus un brouillon. Pour la modifier, répondez avec les lignes à changer, sans la ligne « Brouillon : oui ».

# The help list's line on drafts, for requesters.
mail-help-send = ENVOYER : envoyer un brouillon, en réponse au courriel du brouillon (ou « Brouillon : oui » dans un formulaire pour l'enregistrer sans l'envoyer)
