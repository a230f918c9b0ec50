# mail: the wording of the messages Relais mails, in English, as it moves here from the
# templates (surface by surface). Each key has its twin in the other language.

# A form by mail saved as a draft (“Draft: yes”).
mail-draft-saved = Your request is saved as a draft: it is not sent yet, and the coordinators do not see it.
mail-draft-not-sent = Your draft is not sent yet (what you wrote is saved in it):
mail-draft-how-to-send = To send it, reply SEND, or reply with the lines of the form to change: without the line “Draft: yes”, the request is sent.
mail-draft-how-to-keep = To complete it without sending it, reply with the lines to change and the line “Draft: yes”. The form below is the draft as it is saved.
mail-draft-send-anyway = To send it anyway, reply SEND ANYWAY.

# Why a reply was not applied.
mail-refused-already-sent = this request is already sent: it is no longer a draft. To change it, reply with the lines to change, without the line “Draft: yes”.

# The help list's line on drafts, for requesters.
mail-help-send = SEND: send a draft, in reply to the draft's email (or “Draft: yes” in a form to save it without sending it)

# A calendar client's answer (Accept, Decline, Maybe) that was not applied.
mail-refused-calendar-outdated = this invitation was replaced by a newer one, because the request changed since. Nothing was done; answer from the latest invitation you received, or reply ACCEPT or DECLINE to the offer's email.
mail-refused-calendar-not-invited = we find no invitation sent to you for this event. Nothing was done; reply to the request's email.
mail-refused-calendar-tentative = a “Maybe” answer neither takes nor refuses the offer. Nothing was done; answer “Accept” or “Decline” in your calendar, or reply ACCEPT or DECLINE to the offer's email.
mail-refused-calendar-decline-not-cancel = declining the invitation in your calendar does not cancel the request, which stays booked. To cancel it, reply to the request's email with CANCEL followed by the reason, or follow the cancel link in the email.
mail-refused-calendar-decline-booked = declining the invitation in your calendar does not withdraw you: the booking stays in your name. If you can no longer be there, reply WITHDRAW to the request's email so the bank can find someone else.

# « CANCEL THE REST » on a request that is not part of a series.
mail-refused-not-a-series = this request is not part of a series. To cancel it alone, reply CANCEL followed by the reason.
