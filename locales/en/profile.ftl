# profile: a person's own profile page, in English. Each key has its twin in the other language.

profile-notices = Notices
profile-tell-me-when-offered = Tell me when my request is offered to an interpreter
profile-my-profile = My profile
profile-last-change = Last change
profile-history-empty = No change recorded.
profile-requester-profile-changed = installations, cost centre or notices changed
profile-email-address-changed = email address changed
profile-email-heading = Change my email address
profile-email-new = New email address
profile-email-hint = A confirmation link will be sent to the new address; your address changes only once that link is followed.
profile-email-pending = Waiting for confirmation: { $address } (link valid until { $until }). Your current address stays in use until then.
profile-email-send-link = Send the confirmation link
profile-email-link-sent = A confirmation link was sent to the new address. Your address will change only once that link is followed (it is valid for 24 hours).
profile-email-same = This is already your email address: nothing changed.
profile-email-taken = This email address already belongs to another account: it cannot become yours. Nothing changed.
profile-email-invalid = Invalid email address (for example first.last@example.ca): nothing changed.
profile-email-confirm-title = Confirm your new email address
profile-email-confirm-intro = Confirm that “{ $address }” becomes your account's email address: your messages will go there from now on.
profile-email-confirm-button = Confirm my new address
profile-email-changed = Your email address is now { $address }. Your old address was told of the change.
profile-email-link-used = This link was already used.
profile-email-link-expired = This link has expired.
profile-email-link-unknown = This link is not valid: copy it whole from the email you received.
profile-email-ask-again = For a new link, ask for the change again from your profile.

profile-email-limited = Too many address changes asked today: nothing was sent. Try again tomorrow, or follow the last link you received.

# The files of an interpreter's eligibility documents, on their profile.
profile-document-files = Files of my eligibility documents
profile-document-files-intro = Attached by the coordinators; to change one, write to them.
