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

# A calendar client's answer (Accept, Decline, Maybe) that was not applied.
mail-refused-calendar-outdated = cette invitation a été remplacée par une plus récente, car la demande a changé depuis. Rien n’a été fait ; répondez depuis la dernière invitation reçue, ou répondez ACCEPTER ou REFUSER au courriel de l’offre.
mail-refused-calendar-not-invited = nous ne trouvons pas d’invitation qui vous ait été envoyée pour cet événement. Rien n’a été fait ; répondez au courriel de la demande.
mail-refused-calendar-tentative = une réponse « Peut-être » ne prend ni ne refuse l’offre. Rien n’a été fait ; répondez « Accepter » ou « Refuser » dans votre agenda, ou ACCEPTER ou REFUSER au courriel de l’offre.
mail-refused-calendar-decline-not-cancel = refuser l’invitation dans votre agenda n’annule pas la demande, qui reste réservée. Pour l’annuler, répondez au courriel de la demande par ANNULER suivi de la raison, ou suivez le lien d’annulation du courriel.
mail-refused-calendar-decline-booked = refuser l’invitation dans votre agenda ne vous désiste pas : la réservation reste à votre nom. Si vous ne pouvez plus y être, répondez DESISTEMENT au courriel de la demande pour que la banque trouve quelqu’un d’autre.

# « ANNULER LA SUITE » on a request that is not part of a series.
mail-refused-not-a-series = cette demande ne fait pas partie d’une série. Pour l’annuler seule, répondez ANNULER suivi de la raison.
