# errors: the pages of an error, in English. Each key has its twin in the other language.

error-page-not-found = Page not found
error-this-address-leads-nowhere = This address leads to no page, or to no page open to you. Check the link.
error-something-went-wrong = Something went wrong
error-nothing-saved-was-lost = Nothing already saved was lost. Try again in a few minutes; if it happens again, tell a coordinator.
error-go-on-from-here = You can go on from here:
error-sign-in-to-go-on = Sign in to go on.
