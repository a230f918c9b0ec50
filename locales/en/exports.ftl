# Request exports (src/reports/): the CSV and Excel column headers and the statistics
# sheet, in English. Each key has its French twin in ../fr/exports.ftl.

export-sheet-requests = Requests
export-sheet-statistics = Statistics
export-statistics-title = Request statistics
export-made-on = Made on
export-all = All requests
export-all-requests = All requests
export-by-language-pair = By language pair
export-by-request-type = By request type
export-by-establishment = By establishment
export-by-status = By status
export-by-month = By month
export-requests = Requests
export-cancelled = Cancelled
export-scheduled-hours = Scheduled hours
export-worked-hours = Worked hours
export-services-recorded = Services recorded

export-number = Request number
export-scheduled-minutes = Scheduled duration (min)
export-status = Status
export-establishment = Establishment
export-requester = Requester
export-interpreter = Interpreter
export-interpreter-code = Interpreter's user code
export-worked-minutes = Actual duration (min)
export-completed = Completed
export-cancellation-reason = Cancellation reason
export-late-cancellation = Late cancellation
export-created-at = Created on
export-booked-at = Booked on
export-yes = yes
export-no = no
