# organisations: « Mes organisations », a requester's institution, in English. Each key has its twin in the other language.

org-my-organisations = My organisations
org-overview = Overview
org-overview-figures = { $requests } request(s), { $cancelled } of them cancelled; { $hours } hour(s) scheduled
org-installations = Installations
org-no-installation = No installation.
org-team = Team
org-no-team = Nobody in the team.
org-requests = The establishment's requests (every billing code and installation)
org-no-request = No request.
org-billing-code = billing code
org-export-heading = Export the requests to Excel (with statistics)
org-whose = Requests
org-my-requests = My requests
org-all-requests = All the establishment's requests
org-invoices-heading = Invoices
org-month = Month
