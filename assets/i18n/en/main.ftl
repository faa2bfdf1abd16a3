## Karakana's words in English: the pages, and what pages and messages
## share (months, durations). Swahili is in ../sw/main.ftl, key for key.

language-name = English
skip-to-content = Skip to the content
nav-label = Main
nav-queue = Queue
nav-work = My work
nav-stats = My numbers
nav-board = Board
menu = Menu
sign-out = Sign out
language = Language
change-language = Change

role-owner = Owner
role-manager = Manager
role-advisor = Service advisor
role-technician = Technician
role-customer = Customer

## Months, for dates on pages, in mail and on invoices
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December
month-short-1 = Jan
month-short-2 = Feb
month-short-3 = Mar
month-short-4 = Apr
month-short-5 = May
month-short-6 = Jun
month-short-7 = Jul
month-short-8 = Aug
month-short-9 = Sep
month-short-10 = Oct
month-short-11 = Nov
month-short-12 = Dec
duration = { $hours } h { $minutes } min

## Sign-in
login-title = Sign in
login-heading = Sign in to Karakana
login-lead = For the workshop's staff. Customers open the link sent to them.
email = Email
password = Password
sign-in = Sign in
login-wrong = That email and password do not match an active account.
login-missing = Enter your email and your password.
login-throttled = Too many attempts. Wait a few minutes, then try again.
login-unreadable = The form could not be read. Please try again.
login-staff-only = This sign-in is for the workshop's staff. Customers open the link sent to them.

## Errors
error-not-found = Not found
error-not-found-detail = There is nothing here, or it is not yours to see.
error-forbidden = Not allowed
error-forbidden-detail = Your role does not allow this. Ask your manager.
error-conflict = That cannot be done now
error-conflict-detail = Something changed meanwhile. Nothing was changed by this.
error-invalid = Please check what you entered
error-invalid-detail = Nothing was changed.
error-too-many = Too many attempts
error-too-many-detail = Wait a few minutes, then try again.
error-busy = Busy: please try again
error-busy-detail = Nothing was changed. Try again in a moment.
error-failed = Something went wrong
error-failed-detail = Nothing was changed. Try again in a moment; if it happens again, tell your manager.
error-csrf = This form has expired
error-csrf-detail = Nothing was changed. Go back, reload the page and try again.
go-home = Go to my page
go-back = Go back

## Shift
on-shift = On shift at { $site }
not-on-shift = Not clocked in
clock-in = Clock in
clock-out = Clock out
clock-in-at = Clock in at
notice-clocked-in = You are clocked in.
notice-clocked-out = You are clocked out. Your timer is paused.

## Queue
queue-title = Queue
queue-heading = Work waiting
queue-empty = Nothing is waiting. New work appears here by itself.
queue-count = { $count ->
    [one] One order waiting
   *[other] { $count } orders waiting
}
claim = Claim
claim-offline = Claiming needs a connection
needs-skill = Needs { $skills }: ask your manager
skills = Skills
waiting-since = Approved
live-updates = Updates by itself
notice-taken = Someone else claimed that order first.
priority-urgent = Urgent
priority-high = High
priority-normal = Normal
priority-low = Low

## My work
work-title = My work
work-heading = My work
assigned-heading = Assigned to you
assigned-empty = Nothing is waiting for your answer.
in-progress-heading = In progress
in-progress-empty = You have no work in progress. Claim from the queue.
open-order = Open
notice-declined = You declined the order; whoever assigned it is told.
notice-completed = Completed. The invoice is on its way to the customer.

## One order
job-heading = The job
order-title = Order
vehicle = Vehicle
customer = Customer
complaint = Complaint
odometer = Odometer
status = Status
status-requested = Booked in
status-pending_approval = Waiting for approval
status-approved = Approved
status-declined = Declined
status-in_progress = In progress
status-completed = Completed
status-cancelled = Cancelled
accept = Accept
decline = Decline
decline-reason = Why you cannot take it
notice-accepted = It is yours: the customer is told work has started.
timer = Timer
timer-running = Running
timer-stopped = Stopped
timer-start = Start timer
timer-pause = Pause timer
clocked = Clocked
billed = Billed
notice-timer-started = Timer started.
notice-timer-paused = Timer paused.
labour = Labour
labour-description = Work done
hours = Hours
rate = Rate per hour
add-labour = Add labour
notice-labor-added = Labour added.
parts = Parts
part = Part
quantity = Quantity
available = { $count } available
add-part = Add part
no-parts-stocked = This branch stocks no parts yet.
notice-part-added = Part added and held for this order.
notes = Notes
note = Note
add-note = Add note
notice-note-added = Note added.
files = Photos and voice notes
take-photo = Take a photo
record-voice = Record a voice note
upload = Send
notice-file-added = File added.
no-files = No photos or voice notes yet.
earlier-repairs = Earlier repairs of this vehicle
no-earlier = No earlier repairs here.
history = History
complete = Complete the order
complete-note = Note for the office (optional)
complete-confirm = Completing takes the parts out of stock and issues the invoice.
line-approval-pending = Waiting for the customer
line-approval-approved = Approved
line-approval-declined = Declined
total = Total
amount = Amount
description = Description
must-be = { $message }

## Offline
outbox-waiting = { $count ->
    [one] 1 change waiting to send
   *[other] { $count } changes waiting to send
}
outbox-queued = Waiting to send
outbox-signin = Sign in again to send them
outbox-sending = Sending…
outbox-sent = All changes sent.
outbox-offline = You are offline. Changes are kept on this phone and sent when the connection returns.
outbox-failed = Could not be applied: { $what } ({ $why })
outbox-dismiss = Dismiss
outbox-retry = Try again

## Stats
stats-title = My numbers
stats-heading = My numbers
period = Period
period-week = This week
period-month = This month
period-last-month = Last month
period-custom = From … to
from = From
to = To
show = Show
orders-completed = Orders completed
orders-in-progress = In progress now
billed-hours = Hours billed
clocked-hours = Hours clocked
efficiency = Efficiency
comebacks = Comebacks
mean-to-claim = Mean time to claim
mean-to-complete = Mean time to complete
earnings = Earnings
earnings-unknown = Not shown: no pay basis is set, or the work was invoiced in more than one currency.
minutes = { $count } min

## Board
board-title = Board
board-heading = The floor today
branch = Branch
technicians = Technicians
on-shift-now = On shift
due-in = Due in today
away = Away
off-today = Not due in
open-orders = { $count ->
    [one] 1 open order
   *[other] { $count } open orders
}
hours-in-hand = { $hours } h in hand
assign-to = Assign to
assign = Assign
no-one-skilled = No technician here has { $skills }.
notice-assigned = Assigned; the technician is told.
column-empty = None
timer-on = Timer running

## Navigation of the office
nav-orders = Orders
nav-customers = Customers

## Customers
customers-title = Customers
customers-heading = Customers
customer-title = Customer
customer-form-title = Customer details
new-customer = New customer
edit-customer = Edit
edit = Edit details
search-customers = Find a customer
search-customers-hint = Name, phone, email, plate or VIN
search = Search
search-results = Customers found
found = { $count ->
    [one] 1 found
   *[other] { $count } found
}
more = More
no-customers = No customer matches.
name = Name
phone = Phone
home-branch = Home branch
customer-language = Language for messages
branch-language = The branch's language
marketing-consent = Agrees to hear of offers
prefers-sms = Prefers text messages
save = Save
cancel = Cancel
yes = Yes
no = No
contact = Contact
consent-in_person = in person
consent-phone = by phone
consent-sms = by text message
consent-email = by email
consent-web = on the web
consent-paper_form = on a paper form
vehicles = Vehicles
no-vehicles = No vehicles yet.
add-vehicle = Add a vehicle
save-vehicle = Save the vehicle
service-due = Service due
no-service-due = no service due yet
service-history = Service history
no-repairs = No repairs yet.
messages-sent = Messages sent
message = Message
channel = By
when = When
no-messages = No messages yet.
kind-service_reminder = Service reminder
kind-invoice = Invoice
kind-repair_status = News of the repair
kind-low_stock_digest = Low stock
kind-promotion = Offer
kind-estimate = Estimate
channel-email = Email
channel-sms = Text message
delivery-sending = Sending
delivery-sent = Sent
delivery-failed = Failed
delivery-skipped = Not sent
notice-customer-saved = Saved.
notice-vehicle-saved = Vehicle saved.
notice-reading-saved = Reading recorded.

## Vehicles
vehicle-and-history = The vehicle and its history
vehicle-title = Vehicle
plate = Plate
vin = VIN
make = Make
model = Model
year = Year
schedule = Service schedule
last-service = Last service
next-service-date = Next service by date
next-service-km = Next service by distance
about = about
readings = Odometer readings
no-readings = No readings yet.
source-manual = typed in
source-intake = at booking in
reading-km = Reading (km)
read-on = Read on
record-reading = Record the reading

## Repair orders at the desk
orders-title = Orders
orders-heading = Repair orders
all = All
technician = Technician
opened = Opened
no-orders = No orders here.
book-in = Book a car in
book-in-title = Book a car in
book-in-heading = Book a car in
change = Change
choose = Choose
or-new-customer = Not found? Type the new customer's details below.
a-new-vehicle = Another vehicle (type it below)
the-job = The job
priority = Priority
job-description = What needs doing
required-skills = Skills it needs
invoice = Invoice
next-steps = Next steps
note-optional = Note (optional)
move-pending_approval = Ask the customer to approve
move-approved = Approved by the customer
move-declined = Declined by the customer
move-cancelled = Cancel the order
send-estimate = Send the estimate
send-estimate-hint = The customer gets a link to approve or decline each line.
assign-on-board = Assign a technician
order-closed = This order is closed.
lines = Work and parts
customer-decision = Customer
total-hint = (declined lines left out)
no-lines = No work or parts yet.
add-file = Add a photo, voice note or PDF
approve = Approve
notice-booked-in = Booked in.
notice-line-decided = The customer's decision is recorded.
notice-estimate-sent = The estimate is on its way to the customer.
notice-moved = Done.

## What others changed on an order in progress, shown to its technician.
changes-heading = Changed by the office
changes-count = { $count ->
    [one] One change since you last looked. Read it before you go on.
   *[other] { $count } changes since you last looked. Read them before you go on.
}
changes-seen = I have seen it
change-by-customer = The customer
change-labor_line-added = added labour
change-labor_line-removed = removed labour
change-part_line-added = added a part
change-part_line-removed = removed a part
change-estimate_line-approved = approved a line
change-estimate_line-declined = declined a line (do not do it)
change-estimate-send_requested = sent the estimate to the customer
change-repair_order-updated = changed the job
change-repair_order-required_skills_changed = changed the skills it needs
change-repair_order-comeback_flagged = marked it a comeback of an earlier repair
change-note-added = wrote
change-attachment-added = added a file
notice-changes-seen = Noted: you have seen the changes.
technician-not-seen = { $count ->
    [one] { $name } has not seen one change yet.
   *[other] { $name } has not seen { $count } changes yet.
}
revise-order = Change the job
notice-order-revised = The order is changed.

## The invoice PDF, in the customer's language.
pdf-invoice = INVOICE
pdf-issued = Issued
pdf-due = Due
pdf-due-on-receipt = Due on receipt
pdf-bill-to = BILL TO
pdf-vehicle = VEHICLE
pdf-odometer = Odometer
pdf-order = Order
pdf-description = DESCRIPTION
pdf-qty = QTY
pdf-unit-price = UNIT PRICE
pdf-amount = AMOUNT
pdf-subtotal = Subtotal
pdf-tax = Tax
pdf-total = Total
pdf-paid = Paid
pdf-balance-due = Balance due
pdf-balance-due-void = Balance due (void)
pdf-no-items = No items
pdf-payment-instructions = HOW TO PAY
pdf-quote-before = Please quote
pdf-quote-after = as the payment reference.
pdf-continued = continued
pdf-page = Page
pdf-of = of
pdf-void-notice = VOID — this invoice has been cancelled and is not payable.
pdf-reason = Reason
pdf-no-reason = No reason recorded.
pdf-status-paid = PAID
pdf-status-void = VOID
pdf-status-partially_paid = PARTIALLY PAID
pdf-status-issued = ISSUED
pdf-status-overdue = OVERDUE

## The owner's settings.
nav-settings = Settings
settings-title = Settings
settings-business = The business
settings-business-hint = Printed at the top of every invoice, with the branch that issues it. Invoices already issued keep what they printed.
trading-name = Trading name
trading-name-hint = The name customers know the workshop by.
legal-name = Legal name
legal-name-hint = The registered name invoices are issued in, when it differs (for example "Kamau Motors Limited"). Leave it empty to use the trading name.
tax-number = Tax number
tax-number-hint = KRA PIN in Kenya (for example P051234567X), TIN in Uganda.
address = Address
time-zone = Time zone
currency = Currency
tax-rate = Tax rate
tax-rate-hint = As a fraction: 0.16 is 16 %, 0.18 is 18 %.
branch-language-setting = Language
branch-language-setting-hint = What the branch writes to customers in, unless a customer chose their own.
payment-instructions = How customers pay
payment-instructions-hint = Printed on invoices and in their mail: an M-Pesa till or paybill, a bank account. One per line.
payment-terms = Payment terms (days)
payment-terms-hint = Days from the invoice to its due date; 0 means due on receipt.
reminder-hour = Reminder hour
reminder-hour-hint = The hour (0–23, the branch's time) service reminders go out.
reminder-lead-days = Remind days ahead
reminder-lead-days-hint = How many days before a service is due customers are reminded.
comeback-window = Comeback window (days)
comeback-window-hint = Days after a repair in which the car's return counts as a comeback.
branch-code = Branch code
branch-code-hint = 2–8 letters or digits, used in invoice numbers; it cannot change once the branch has orders.
notice-settings-saved = Settings saved.

## The dashboard
nav-dashboard = Dashboard
dashboard-title = Dashboard
dashboard-heading = Dashboard
all-branches = All branches
today-heading = Today
cars-in-today = Cars in today
completed-today = Completed today
technicians-on-shift = Technicians on shift
low-stock-count = Products low in stock
money-heading = Money in { $currency }
revenue-today = Revenue today
revenue-month = Revenue this month
average-repair-order = Average repair order
receivables-now = Owed by customers
invoices-this-month = { $count ->
    [one] 1 invoice this month
   *[other] { $count } invoices this month
}
last-30-days = The last 30 days
orders-per-day = Orders per day
cars-in = Cars in
revenue-per-branch = Revenue per branch
revenue-30-days = Revenue in the 30 days
technician-efficiency = Technician efficiency
efficiency-of = { $billed } h billed on { $clocked } h clocked
no-technician-time = No technician time in these 30 days.
branches-heading = Branches
chart-numbers = The numbers
day = Day
how-counted = How these are counted
counted-open = Open orders: booked in, waiting for approval, approved and in progress, now.
counted-times = Time to claim: from approval until a technician starts, over orders started in the 30 days. Time to complete: from that start until the work is done, over orders completed in them.
counted-revenue = Revenue: invoices issued on the day or in the month, before tax; void invoices are left out. The average repair order is the month's revenue divided by its invoices.
counted-receivables = Owed by customers: what is still unpaid on every open invoice, today.
counted-efficiency = Efficiency: labour hours billed on the orders a technician completed in the 30 days, divided by the hours their work timer ran.
counted-days = Each branch's days are its own, in its time zone. Money is added up only within one currency.

## Money: invoices, payments, what customers owe
nav-invoices = Invoices
invoices-title = Invoices
invoices-heading = Invoices
invoice-title = Invoice
receivables-title = Owed by customers
receivables-heading = Owed by customers
invoice-status-overdue = Overdue
invoice-status-issued = Unpaid
invoice-status-partially_paid = Part paid
invoice-status-paid = Paid
invoice-status-void = Void
issued-from = Issued from
issued-to = Issued until
invoices-of = Invoices of { $name }
balance = Balance
pages = Pages
previous-page = Previous
next-page = Next
page-of = Page { $page } of { $pages }
no-invoices = No invoices here.
open-the-order = Open the order
download-pdf = Download the PDF
send-again = Send it to the customer again
unit-price = Unit price
payments-heading = Payments
method-cash = Cash
method-mobile_money = Mobile money
method-card = Card
method-bank_transfer = Bank transfer
reversed = Reversed
reverse-payment = Reverse this payment
reason = Reason
no-payments = Nothing paid yet.
record-payment = Record a payment
payment-method = Paid by
payment-reference = Reference
payment-reference-hint = The M-Pesa or MoMo code (needed for mobile money, and never taken twice), the card slip or the bank's reference.
void-heading = Void
voided-by = Voided { $when } by { $name }.
void-invoice = Void this invoice
void-explained = A void invoice keeps its number and can no longer be paid; the reason is kept with it.
receivables-choose-branch = Your branches bill in more than one currency: choose a branch to see what is owed there.
age-0_30 = 0–30 days
age-31_60 = 31–60 days
age-61_90 = 61–90 days
age-90_plus = Over 90 days
owed-total = Owed in all
ageing-explained = By days since each invoice was issued, at its branch.
open-invoices = { $count ->
    [one] 1 open invoice
   *[other] { $count } open invoices
}
oldest-since = oldest { $day }
nothing-owed = Nobody owes anything here.
notice-payment-recorded = Payment recorded.
notice-payment-reversed = Payment reversed.
notice-invoice-voided = Invoice voided.
notice-invoice-sent = The invoice is on its way to the customer.
filter-site_id = Branch
filter-status = Status
filter-customer_id = Customer
filter-from = Issued from
filter-to = Issued until
filter-overdue = Overdue
filter-page = Page
filter-per_page = Per page

## Operations: background jobs, the audit trail
nav-jobs = Background jobs
nav-audit = Audit trail
jobs-title = Background jobs
jobs-heading = Background jobs
refresh = Refresh
jobs-backend-sidekiq = Jobs wait in Redis (Sidekiq).
jobs-backend-embedded = Jobs wait in the application's database.
jobs-backend-inline = Jobs run inside requests: nothing waits.
jobs-waiting-in = Waiting in { $queue }
jobs-busy = Running now
jobs-retrying = Will try again
jobs-dead = Given up
jobs-retries-heading = Failed, will try again
jobs-dead-heading = Given up after every try
jobs-none = None.
jobs-retried = { $count ->
    [one] Tried once
   *[other] Tried { $count } times
}
jobs-died = gave up
jobs-next-try = next try
jobs-retry = Try again now
jobs-discard = Discard
jobs-explained = A job that was given up on is kept until someone tries it again or discards it; a discarded message is still due in the database, so the next sweep may send it again.
job-deliver-invoice = Sending an invoice
job-low-stock-digest = The low-stock list to managers
job-repair-status-update = Telling a customer how their repair stands
job-send-estimate = Sending an estimate
job-send-promotion = Sending a promotion
job-send-service-reminder = A service reminder
notice-job-retried = The job will run again now.
notice-job-discarded = The job was discarded.
audit-title = Audit trail
audit-heading = Audit trail
audit-who = Who
audit-what = What
audit-one-record = The trail of one record:
audit-times-at = times in { $zone }
audit-system = Karakana
audit-its-trail = its whole trail
audit-details = Before and after
audit-none = Nothing recorded here.
filter-actor_id = Who
filter-subject_type = What
filter-subject_id = Record
subject-repair_order = Repair order
subject-invoice = Invoice
subject-customer = Customer
subject-vehicle = Vehicle
subject-product = Product
subject-purchase_order = Purchase order
subject-promotion = Promotion
subject-shift = Shift
subject-skill = Skill
subject-site = Branch
subject-organization = The business
subject-user = Staff
