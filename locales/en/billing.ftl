# Invoices and pay statements (src/billing/html.rs), in English.
# Each key has its French twin in ../fr/billing.ftl.

billing-request-number = Request number
billing-establishment = Establishment
billing-service = Service
billing-interpreter = Interpreter
billing-billing-code = Billing code
billing-outcome = Outcome
billing-taxes = Taxes
billing-total = Total
billing-subtotal = Subtotal
billing-tax-included = of which { $tax } included
billing-cost-centre = Cost centre
billing-no-cost-centre = No cost centre
billing-no-cost-centre-short = no cost centre
billing-not-registered = Not registered for sales taxes
billing-registered-added = Registered, taxes added
billing-registered-inclusive = Registered, taxes included
billing-date = Date
billing-state = State
billing-currency = Currency
billing-footer = This document holds no information about patients: no name, no contact details, no health details.
billing-awaiting = Awaiting validation
billing-period = Period

billing-invoice = Invoice
billing-invoice-number = Invoice number
billing-invoice-requests = Requests invoiced
billing-invoice-empty = No request to invoice for this period.
billing-invoice-totals = Invoice totals
billing-invoice-total = Total due
billing-invoice-awaiting-note = Service records not validated yet: they will be invoiced once validated.

billing-statement = Pay statement
billing-statement-number = Statement number
billing-statement-requests = Requests paid
billing-statement-empty = No request to pay for this period.
billing-statement-totals = Statement totals
billing-statement-total = Total payable
billing-statement-awaiting-note = Service records not validated yet: they will be paid once validated.
billing-legal-name = Legal name
billing-user-code = User code
billing-supplier-number = Supplier number
billing-sales-taxes = Sales taxes
billing-tax-number = { $tax } number
