# web: what people read, in French. Each key has its twin in the other language.

web-subject = Objet
web-received = Reçu le
web-you-confirmed-this-message-it-was = Vous avez confirmé ce message ; il a été traité.
web-you-said-you-did-not-send = Vous avez indiqué ne pas avoir envoyé ce message ; rien n'a été fait.
web-relais-received-this-message-from-your = Relais a reçu ce message à votre adresse, mais ne peut pas vérifier qu'il vient de vous. Rien n'a été fait. S'il vient bien de vous, confirmez-le : il sera alors traité. Sinon, indiquez-le : il sera écarté.
web-yes-i-sent-it = Oui, je l'ai envoyé
web-no-it-wasn-t-me = Non, ce n'était pas moi
web-your-message-was-processed-you-will = Votre message a été traité. Vous recevrez la réponse habituelle par courriel.
web-your-message-was-processed-the-answer = Votre message a été traité ; la réponse vous est envoyée par courriel.
web-noted-the-message-was-set-aside = C'est noté : ce message a été écarté, rien n'a été fait. Si cela se reproduit, prévenez un coordonnateur.
web-you-already-answered-for-this-message = Vous avez déjà répondu pour ce message ; votre première réponse est conservée.
web-attachments-at-most-5-files = Pièces jointes : 5 fichiers au plus
