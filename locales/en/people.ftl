# people: the coordinators' list of people (/admin/people), in English. Each key has its twin in the other language.

people-everyone = Everyone
people-search = Search
people-search-hint = Part of the name, email address, phone number or user code.
people-role = Role
people-all-roles = All
people-account = Account
people-all-accounts = All
people-account-active = Account active
people-link-sent = Link sent
people-no-account = No account
people-inactive = Inactive
people-filter = Search
people-name = Name
people-roles = Roles
people-email = Email
people-phone = Phone
people-action = Action
people-count-one = { $count } person
people-count-many = { $count } people
people-nobody-matches = Nobody matches this search.
people-clear-filters = Clear the filters
people-page-of = Page { $page } of { $pages }
people-previous = ← Previous
people-next = Next →
