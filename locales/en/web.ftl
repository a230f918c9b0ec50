# web: what people read, in English. Each key has its twin in the other language.

web-subject = Subject
web-received = Received
web-you-confirmed-this-message-it-was = You confirmed this message; it was processed.
web-you-said-you-did-not-send = You said you did not send this message; nothing was done.
web-relais-received-this-message-from-your = Relais received this message from your address, but cannot verify that it comes from you. Nothing was done. If you sent it, confirm: it will then be processed. If not, say so: it will be set aside.
web-yes-i-sent-it = Yes, I sent it
web-no-it-wasn-t-me = No, it wasn't me
web-your-message-was-processed-you-will = Your message was processed. You will get the usual answer by email.
web-your-message-was-processed-the-answer = Your message was processed; the answer is on its way by email.
web-noted-the-message-was-set-aside = Noted: the message was set aside and nothing was done. If it happens again, tell a coordinator.
web-you-already-answered-for-this-message = You already answered for this message; your first answer stands.
web-attachments-at-most-5-files = Attachments: at most 5 files
