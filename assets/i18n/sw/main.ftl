## Maneno ya Karakana kwa Kiswahili: kurasa, na yale kurasa na ujumbe
## hushiriki (miezi, muda). Kiingereza kiko ../en/main.ftl, neno kwa neno.

language-name = Kiswahili
skip-to-content = Ruka hadi maudhui
nav-label = Kuu
nav-queue = Foleni
nav-work = Kazi yangu
nav-stats = Takwimu zangu
nav-board = Ubao
menu = Menyu
sign-out = Toka
language = Lugha
change-language = Badilisha

role-owner = Mmiliki
role-manager = Meneja
role-advisor = Mshauri wa huduma
role-technician = Fundi
role-customer = Mteja

## Miezi
month-1 = Januari
month-2 = Februari
month-3 = Machi
month-4 = Aprili
month-5 = Mei
month-6 = Juni
month-7 = Julai
month-8 = Agosti
month-9 = Septemba
month-10 = Oktoba
month-11 = Novemba
month-12 = Desemba
month-short-1 = Jan
month-short-2 = Feb
month-short-3 = Mac
month-short-4 = Apr
month-short-5 = Mei
month-short-6 = Jun
month-short-7 = Jul
month-short-8 = Ago
month-short-9 = Sep
month-short-10 = Okt
month-short-11 = Nov
month-short-12 = Des
duration = saa { $hours } dk { $minutes }

## Kuingia
login-title = Ingia
login-heading = Ingia kwenye Karakana
login-lead = Kwa wafanyakazi wa karakana. Wateja hufungua kiungo walichotumiwa.
email = Barua pepe
password = Nenosiri
sign-in = Ingia
login-wrong = Barua pepe na nenosiri hilo havilingani na akaunti hai.
login-missing = Weka barua pepe yako na nenosiri lako.
login-throttled = Majaribio mengi mno. Subiri dakika chache, kisha ujaribu tena.
login-unreadable = Fomu haikuweza kusomwa. Tafadhali jaribu tena.
login-staff-only = Kuingia huku ni kwa wafanyakazi wa karakana. Wateja hufungua kiungo walichotumiwa.

## Hitilafu
error-not-found = Haikupatikana
error-not-found-detail = Hakuna kitu hapa, au si chako kukiona.
error-forbidden = Hairuhusiwi
error-forbidden-detail = Nafasi yako hairuhusu hili. Muulize meneja wako.
error-conflict = Hilo haliwezekani sasa
error-conflict-detail = Kitu kimebadilika wakati huo. Hakuna kilichobadilishwa na hili.
error-invalid = Tafadhali angalia ulichoandika
error-invalid-detail = Hakuna kilichobadilishwa.
error-too-many = Majaribio mengi mno
error-too-many-detail = Subiri dakika chache, kisha ujaribu tena.
error-busy = Kuna shughuli nyingi: jaribu tena
error-busy-detail = Hakuna kilichobadilishwa. Jaribu tena baada ya muda mfupi.
error-failed = Kuna tatizo
error-failed-detail = Hakuna kilichobadilishwa. Jaribu tena baada ya muda mfupi; likijirudia, mwambie meneja wako.
error-csrf = Fomu hii imepitwa na wakati
error-csrf-detail = Hakuna kilichobadilishwa. Rudi, pakia ukurasa upya na ujaribu tena.
go-home = Nenda ukurasa wangu
go-back = Rudi

## Zamu
on-shift = Kazini { $site }
not-on-shift = Hujaingia zamu
clock-in = Anza zamu
clock-out = Maliza zamu
clock-in-at = Anza zamu katika
notice-clocked-in = Umeanza zamu.
notice-clocked-out = Umemaliza zamu. Saa yako ya kazi imesimamishwa.

## Foleni
queue-title = Foleni
queue-heading = Kazi zinazosubiri
queue-empty = Hakuna kinachosubiri. Kazi mpya hutokea hapa yenyewe.
queue-count = { $count ->
    [one] Agizo moja linasubiri
   *[other] Maagizo { $count } yanasubiri
}
claim = Chukua
claim-offline = Kuchukua kunahitaji mtandao
needs-skill = Inahitaji { $skills }: muulize meneja wako
skills = Ujuzi
waiting-since = Imeidhinishwa
live-updates = Hujisasisha yenyewe
notice-taken = Mtu mwingine amelichukua agizo hilo kwanza.
priority-urgent = Dharura
priority-high = Juu
priority-normal = Kawaida
priority-low = Chini

## Kazi yangu
work-title = Kazi yangu
work-heading = Kazi yangu
assigned-heading = Umepewa
assigned-empty = Hakuna kinachosubiri jibu lako.
in-progress-heading = Inaendelea
in-progress-empty = Huna kazi inayoendelea. Chukua kutoka foleni.
open-order = Fungua
notice-declined = Umekataa agizo; aliyekupa ameambiwa.
notice-completed = Imekamilika. Ankara inatumwa kwa mteja.

## Agizo moja
job-heading = Kazi inayohitajika
order-title = Agizo
vehicle = Gari
customer = Mteja
complaint = Malalamiko
odometer = Kipima umbali
status = Hali
status-requested = Limepokelewa
status-pending_approval = Linasubiri idhini
status-approved = Limeidhinishwa
status-declined = Limekataliwa
status-in_progress = Linaendelea
status-completed = Limekamilika
status-cancelled = Limefutwa
accept = Kubali
decline = Kataa
decline-reason = Kwa nini huwezi kulichukua
notice-accepted = Ni lako: mteja ameambiwa kazi imeanza.
timer = Saa ya kazi
timer-running = Inaendelea
timer-stopped = Imesimama
timer-start = Anzisha saa
timer-pause = Simamisha saa
clocked = Muda uliorekodiwa
billed = Muda wa ankara
notice-timer-started = Saa imeanza.
notice-timer-paused = Saa imesimamishwa.
labour = Kazi ya mikono
labour-description = Kazi iliyofanywa
hours = Saa
rate = Bei kwa saa
add-labour = Ongeza kazi
notice-labor-added = Kazi imeongezwa.
parts = Vipuri
part = Kipuri
quantity = Idadi
available = { $count } vipo
add-part = Ongeza kipuri
no-parts-stocked = Tawi hili bado halina vipuri.
notice-part-added = Kipuri kimeongezwa na kuwekwa kwa agizo hili.
notes = Maelezo
note = Maelezo
add-note = Ongeza maelezo
notice-note-added = Maelezo yameongezwa.
files = Picha na sauti
take-photo = Piga picha
record-voice = Rekodi sauti
upload = Tuma
notice-file-added = Faili imeongezwa.
no-files = Bado hakuna picha wala sauti.
earlier-repairs = Matengenezo ya awali ya gari hili
no-earlier = Hakuna matengenezo ya awali hapa.
history = Historia
complete = Kamilisha agizo
complete-note = Ujumbe kwa ofisi (si lazima)
complete-confirm = Kukamilisha kunatoa vipuri kwenye stoo na kutoa ankara.
line-approval-pending = Inasubiri mteja
line-approval-approved = Imekubaliwa
line-approval-declined = Imekataliwa
total = Jumla
amount = Kiasi
description = Maelezo
must-be = { $message }

## Bila mtandao
outbox-waiting = { $count ->
    [one] Badiliko 1 linasubiri kutumwa
   *[other] Mabadiliko { $count } yanasubiri kutumwa
}
outbox-queued = Inasubiri kutumwa
outbox-signin = Ingia tena ili kuyatuma
outbox-sending = Inatuma…
outbox-sent = Mabadiliko yote yametumwa.
outbox-offline = Huna mtandao. Mabadiliko yanahifadhiwa kwenye simu hii na yatatumwa mtandao ukirudi.
outbox-failed = Haikuweza kutumika: { $what } ({ $why })
outbox-dismiss = Ondoa
outbox-retry = Jaribu tena

## Takwimu
stats-title = Takwimu zangu
stats-heading = Takwimu zangu
period = Kipindi
period-week = Wiki hii
period-month = Mwezi huu
period-last-month = Mwezi uliopita
period-custom = Kuanzia … hadi
from = Kuanzia
to = Hadi
show = Onyesha
orders-completed = Maagizo yaliyokamilika
orders-in-progress = Yanayoendelea sasa
billed-hours = Saa za ankara
clocked-hours = Saa zilizorekodiwa
efficiency = Ufanisi
comebacks = Marudio
mean-to-claim = Wastani wa muda hadi kuchukua
mean-to-complete = Wastani wa muda hadi kukamilisha
earnings = Mapato
earnings-unknown = Haionyeshwi: hakuna msingi wa malipo, au kazi ililipiwa kwa sarafu zaidi ya moja.
minutes = dk { $count }

## Ubao
board-title = Ubao
board-heading = Karakana leo
branch = Tawi
technicians = Mafundi
on-shift-now = Kazini
due-in = Wanatarajiwa leo
away = Hawapo
off-today = Hawatarajiwi leo
open-orders = { $count ->
    [one] Agizo 1 wazi
   *[other] Maagizo { $count } wazi
}
hours-in-hand = Saa { $hours } mkononi
assign-to = Mpe
assign = Kabidhi
no-one-skilled = Hakuna fundi hapa mwenye { $skills }.
notice-assigned = Amekabidhiwa; fundi ameambiwa.
column-empty = Hakuna
timer-on = Saa inaendelea

## Urambazaji wa ofisi
nav-orders = Maagizo
nav-customers = Wateja

## Wateja
customers-title = Wateja
customers-heading = Wateja
customer-title = Mteja
customer-form-title = Taarifa za mteja
new-customer = Mteja mpya
edit-customer = Badilisha
edit = Badilisha taarifa
search-customers = Tafuta mteja
search-customers-hint = Jina, simu, barua pepe, namba ya gari au VIN
search = Tafuta
search-results = Wateja waliopatikana
found = { $count ->
    [one] 1 amepatikana
   *[other] { $count } wamepatikana
}
more = Zaidi
no-customers = Hakuna mteja anayelingana.
name = Jina
phone = Simu
home-branch = Tawi lake
customer-language = Lugha ya ujumbe
branch-language = Lugha ya tawi
marketing-consent = Anakubali kupokea ofa
prefers-sms = Anapendelea ujumbe mfupi
save = Hifadhi
cancel = Ghairi
yes = Ndiyo
no = Hapana
contact = Mawasiliano
consent-in_person = ana kwa ana
consent-phone = kwa simu
consent-sms = kwa ujumbe mfupi
consent-email = kwa barua pepe
consent-web = mtandaoni
consent-paper_form = kwa fomu ya karatasi
vehicles = Magari
no-vehicles = Bado hakuna gari.
add-vehicle = Ongeza gari
save-vehicle = Hifadhi gari
service-due = Huduma inatakiwa
no-service-due = bado hakuna huduma inayotakiwa
service-history = Historia ya huduma
no-repairs = Bado hakuna matengenezo.
messages-sent = Ujumbe uliotumwa
message = Ujumbe
channel = Kwa
when = Lini
no-messages = Bado hakuna ujumbe.
kind-service_reminder = Kikumbusho cha huduma
kind-invoice = Ankara
kind-repair_status = Habari za matengenezo
kind-low_stock_digest = Stoo inapungua
kind-promotion = Ofa
kind-estimate = Makadirio
channel-email = Barua pepe
channel-sms = Ujumbe mfupi
delivery-sending = Inatumwa
delivery-sent = Imetumwa
delivery-failed = Imeshindikana
delivery-skipped = Haikutumwa
notice-customer-saved = Imehifadhiwa.
notice-vehicle-saved = Gari limehifadhiwa.
notice-reading-saved = Kipimo kimerekodiwa.

## Magari
vehicle-and-history = Gari na historia yake
vehicle-title = Gari
plate = Namba ya gari
vin = VIN
make = Aina
model = Modeli
year = Mwaka
schedule = Ratiba ya huduma
last-service = Huduma ya mwisho
next-service-date = Huduma ijayo kwa tarehe
next-service-km = Huduma ijayo kwa umbali
about = karibu
readings = Vipimo vya umbali
no-readings = Bado hakuna vipimo.
source-manual = kimeandikwa
source-intake = wakati wa kupokelewa
reading-km = Kipimo (km)
read-on = Tarehe ya kusoma
record-reading = Rekodi kipimo

## Maagizo ofisini
orders-title = Maagizo
orders-heading = Maagizo ya matengenezo
all = Yote
technician = Fundi
opened = Lilifunguliwa
no-orders = Hakuna maagizo hapa.
book-in = Pokea gari
book-in-title = Pokea gari
book-in-heading = Pokea gari
change = Badilisha
choose = Chagua
or-new-customer = Hajapatikana? Andika taarifa za mteja mpya hapa chini.
a-new-vehicle = Gari jingine (liandike hapa chini)
the-job = Kazi
priority = Kipaumbele
job-description = Kinachohitaji kufanywa
required-skills = Ujuzi unaohitajika
invoice = Ankara
next-steps = Hatua zinazofuata
note-optional = Maelezo (si lazima)
move-pending_approval = Omba idhini ya mteja
move-approved = Mteja ameidhinisha
move-declined = Mteja amekataa
move-cancelled = Futa agizo
send-estimate = Tuma makadirio
send-estimate-hint = Mteja anapata kiungo cha kukubali au kukataa kila kipengele.
assign-on-board = Mpe fundi
order-closed = Agizo hili limefungwa.
lines = Kazi na vipuri
customer-decision = Mteja
total-hint = (bila vilivyokataliwa)
no-lines = Bado hakuna kazi wala vipuri.
add-file = Ongeza picha, sauti au PDF
approve = Kubali
notice-booked-in = Gari limepokelewa.
notice-line-decided = Uamuzi wa mteja umerekodiwa.
notice-estimate-sent = Makadirio yanatumwa kwa mteja.
notice-moved = Imefanyika.

## Mabadiliko ya wengine kwenye agizo linaloendelea, kwa fundi wake.
changes-heading = Imebadilishwa na ofisi
changes-count = { $count ->
    [one] Badiliko moja tangu ulipoangalia mara ya mwisho. Lisome kabla ya kuendelea.
   *[other] Mabadiliko { $count } tangu ulipoangalia mara ya mwisho. Yasome kabla ya kuendelea.
}
changes-seen = Nimeona
change-by-customer = Mteja
change-labor_line-added = aliongeza kazi
change-labor_line-removed = aliondoa kazi
change-part_line-added = aliongeza kipuri
change-part_line-removed = aliondoa kipuri
change-estimate_line-approved = alikubali kipengee
change-estimate_line-declined = alikataa kipengee (usikifanye)
change-estimate-send_requested = alimtumia mteja makadirio
change-repair_order-updated = alibadilisha kazi
change-repair_order-required_skills_changed = alibadilisha ujuzi unaohitajika
change-repair_order-comeback_flagged = aliweka alama kuwa ni marudio ya matengenezo ya awali
change-note-added = aliandika
change-attachment-added = aliongeza faili
notice-changes-seen = Sawa: umeona mabadiliko.
technician-not-seen = { $count ->
    [one] { $name } bado hajaona badiliko moja.
   *[other] { $name } bado hajaona mabadiliko { $count }.
}
revise-order = Badilisha kazi
notice-order-revised = Agizo limebadilishwa.

## Ankara (PDF), kwa lugha ya mteja.
pdf-invoice = ANKARA
pdf-issued = Imetolewa
pdf-due = Inalipwa
pdf-due-on-receipt = Inalipwa inapopokelewa
pdf-bill-to = MTEJA
pdf-vehicle = GARI
pdf-odometer = Kipima umbali
pdf-order = Kazi
pdf-description = MAELEZO
pdf-qty = IDADI
pdf-unit-price = BEI KWA KIMOJA
pdf-amount = KIASI
pdf-subtotal = Jumla ndogo
pdf-tax = Kodi
pdf-total = Jumla
pdf-paid = Imelipwa
pdf-balance-due = Salio la kulipa
pdf-balance-due-void = Salio la kulipa (imefutwa)
pdf-no-items = Hakuna vipengele
pdf-payment-instructions = JINSI YA KULIPA
pdf-quote-before = Tafadhali taja
pdf-quote-after = kama kumbukumbu ya malipo.
pdf-continued = inaendelea
pdf-page = Ukurasa
pdf-of = kati ya
pdf-void-notice = IMEFUTWA — ankara hii imefutwa na hailipwi.
pdf-reason = Sababu
pdf-no-reason = Hakuna sababu iliyorekodiwa.
pdf-status-paid = IMELIPWA
pdf-status-void = IMEFUTWA
pdf-status-partially_paid = IMELIPWA KIASI
pdf-status-issued = IMETOLEWA
pdf-status-overdue = IMEPITA MUDA

## Mipangilio ya mmiliki.
nav-settings = Mipangilio
settings-title = Mipangilio
settings-business = Biashara
settings-business-hint = Huchapishwa juu ya kila ankara, pamoja na tawi linaloitoa. Ankara zilizokwisha kutolewa hubaki kama zilivyochapishwa.
trading-name = Jina la biashara
trading-name-hint = Jina ambalo wateja wanaijua karakana kwalo.
legal-name = Jina rasmi
legal-name-hint = Jina lililosajiliwa ambalo ankara hutolewa kwalo, likiwa tofauti (kwa mfano "Kamau Motors Limited"). Acha tupu kutumia jina la biashara.
tax-number = Nambari ya kodi
tax-number-hint = KRA PIN nchini Kenya (kwa mfano P051234567X), TIN nchini Uganda.
address = Anwani
time-zone = Saa za eneo
currency = Sarafu
tax-rate = Kiwango cha kodi
tax-rate-hint = Kama sehemu: 0.16 ni asilimia 16, 0.18 ni asilimia 18.
branch-language-setting = Lugha
branch-language-setting-hint = Lugha ambayo tawi huwaandikia wateja, isipokuwa mteja amechagua yake.
payment-instructions = Jinsi wateja wanavyolipa
payment-instructions-hint = Huchapishwa kwenye ankara na barua pepe zao: till au paybill ya M-Pesa, akaunti ya benki. Moja kwa kila mstari.
payment-terms = Muda wa kulipa (siku)
payment-terms-hint = Siku kutoka ankara hadi tarehe ya kulipa; 0 ni kulipa inapopokelewa.
reminder-hour = Saa ya vikumbusho
reminder-hour-hint = Saa (0–23, kwa saa za tawi) vikumbusho vya huduma hutumwa.
reminder-lead-days = Kumbusha siku kabla
reminder-lead-days-hint = Siku ngapi kabla ya huduma wateja hukumbushwa.
comeback-window = Muda wa marudio (siku)
comeback-window-hint = Siku baada ya matengenezo ambapo gari likirudi huhesabiwa kuwa marudio.
branch-code = Msimbo wa tawi
branch-code-hint = Herufi au tarakimu 2–8, hutumika kwenye nambari za ankara; haubadiliki tawi likishakuwa na maagizo.
notice-settings-saved = Mipangilio imehifadhiwa.

## Dashibodi
nav-dashboard = Dashibodi
dashboard-title = Dashibodi
dashboard-heading = Dashibodi
all-branches = Matawi yote
today-heading = Leo
cars-in-today = Magari yaliyoingia leo
completed-today = Yaliyokamilika leo
technicians-on-shift = Mafundi kazini
low-stock-count = Bidhaa zilizopungua
money-heading = Fedha kwa { $currency }
revenue-today = Mapato ya leo
revenue-month = Mapato ya mwezi huu
average-repair-order = Wastani wa agizo la matengenezo
receivables-now = Deni la wateja
invoices-this-month = { $count ->
    [one] Ankara 1 mwezi huu
   *[other] Ankara { $count } mwezi huu
}
last-30-days = Siku 30 zilizopita
orders-per-day = Maagizo kwa siku
cars-in = Magari yaliyoingia
revenue-per-branch = Mapato kwa tawi
revenue-30-days = Mapato ya siku 30
technician-efficiency = Ufanisi wa mafundi
efficiency-of = Saa { $billed } zimetozwa kwa saa { $clocked } za kazi
no-technician-time = Hakuna muda wa mafundi katika siku hizi 30.
branches-heading = Matawi
chart-numbers = Takwimu
day = Siku
how-counted = Jinsi hizi zinavyohesabiwa
counted-open = Maagizo wazi: yaliyoandikishwa, yanayosubiri idhini, yaliyoidhinishwa na yanayoendelea, sasa.
counted-times = Muda wa kuchukua: tangu idhini hadi fundi aanze, kwa maagizo yaliyoanza katika siku 30. Muda wa kukamilisha: tangu kuanza hadi kazi iishe, kwa maagizo yaliyokamilika ndani yake.
counted-revenue = Mapato: ankara zilizotolewa siku hiyo au mwezi huo, kabla ya kodi; ankara zilizobatilishwa haziingii. Wastani wa agizo ni mapato ya mwezi kugawanywa kwa ankara zake.
counted-receivables = Deni la wateja: kisichokuwa kimelipwa kwenye kila ankara iliyo wazi, leo.
counted-efficiency = Ufanisi: saa za kazi zilizotozwa kwenye maagizo ambayo fundi alikamilisha katika siku 30, kugawanywa kwa saa ambazo saa yake ya kazi iliendelea.
counted-days = Siku za kila tawi ni zake, kwa saa za eneo lake. Fedha hujumlishwa ndani ya sarafu moja tu.

## Fedha: ankara, malipo, madeni ya wateja
nav-invoices = Ankara
invoices-title = Ankara
invoices-heading = Ankara
invoice-title = Ankara
receivables-title = Deni la wateja
receivables-heading = Deni la wateja
invoice-status-overdue = Imepitwa na muda
invoice-status-issued = Haijalipwa
invoice-status-partially_paid = Imelipwa sehemu
invoice-status-paid = Imelipwa
invoice-status-void = Imebatilishwa
issued-from = Imetolewa kuanzia
issued-to = Imetolewa hadi
invoices-of = Ankara za { $name }
balance = Salio
pages = Kurasa
previous-page = Iliyotangulia
next-page = Inayofuata
page-of = Ukurasa { $page } kati ya { $pages }
no-invoices = Hakuna ankara hapa.
open-the-order = Fungua agizo
download-pdf = Pakua PDF
send-again = Mtumie mteja tena
unit-price = Bei ya kimoja
payments-heading = Malipo
method-cash = Taslimu
method-mobile_money = Pesa kwa simu
method-card = Kadi
method-bank_transfer = Uhamisho wa benki
reversed = Yamerudishwa
reverse-payment = Rudisha malipo haya
reason = Sababu
no-payments = Hakuna kilicholipwa bado.
record-payment = Rekodi malipo
payment-method = Amelipa kwa
payment-reference = Kumbukumbu
payment-reference-hint = Msimbo wa M-Pesa au MoMo (unahitajika kwa pesa kwa simu, na haupokelewi mara mbili), risiti ya kadi au kumbukumbu ya benki.
void-heading = Batilisha
voided-by = Imebatilishwa { $when } na { $name }.
void-invoice = Batilisha ankara hii
void-explained = Ankara iliyobatilishwa hubaki na nambari yake na haiwezi kulipwa tena; sababu huhifadhiwa pamoja nayo.
receivables-choose-branch = Matawi yako hutoza kwa sarafu zaidi ya moja: chagua tawi uone deni lililopo hapo.
age-0_30 = Siku 0–30
age-31_60 = Siku 31–60
age-61_90 = Siku 61–90
age-90_plus = Zaidi ya siku 90
owed-total = Deni lote
ageing-explained = Kwa siku tangu kila ankara ilipotolewa, kwa siku ya tawi lake.
open-invoices = { $count ->
    [one] Ankara 1 wazi
   *[other] Ankara { $count } wazi
}
oldest-since = ya zamani zaidi { $day }
nothing-owed = Hakuna anayedaiwa hapa.
notice-payment-recorded = Malipo yamerekodiwa.
notice-payment-reversed = Malipo yamerudishwa.
notice-invoice-voided = Ankara imebatilishwa.
notice-invoice-sent = Ankara inatumwa kwa mteja.
filter-site_id = Tawi
filter-status = Hali
filter-customer_id = Mteja
filter-from = Imetolewa kuanzia
filter-to = Imetolewa hadi
filter-overdue = Imepitwa na muda
filter-page = Ukurasa
filter-per_page = Kwa kila ukurasa

## Uendeshaji: kazi za nyuma, kumbukumbu za mabadiliko
nav-jobs = Kazi za nyuma
nav-audit = Kumbukumbu za mabadiliko
jobs-title = Kazi za nyuma
jobs-heading = Kazi za nyuma
refresh = Onyesha upya
jobs-backend-sidekiq = Kazi husubiri kwenye Redis (Sidekiq).
jobs-backend-embedded = Kazi husubiri kwenye hifadhidata ya programu.
jobs-backend-inline = Kazi hufanyika ndani ya maombi: hakuna kinachosubiri.
jobs-waiting-in = Zinasubiri katika { $queue }
jobs-busy = Zinaendelea sasa
jobs-retrying = Zitajaribiwa tena
jobs-dead = Zimeachwa
jobs-retries-heading = Zimeshindwa, zitajaribiwa tena
jobs-dead-heading = Zimeachwa baada ya majaribio yote
jobs-none = Hakuna.
jobs-retried = { $count ->
    [one] Imejaribiwa mara moja
   *[other] Imejaribiwa mara { $count }
}
jobs-died = iliachwa
jobs-next-try = jaribio lijalo
jobs-retry = Jaribu tena sasa
jobs-discard = Ondoa
jobs-explained = Kazi iliyoachwa huhifadhiwa hadi mtu aijaribu tena au aiondoe; ujumbe ulioondolewa bado unadaiwa kwenye hifadhidata, hivyo mzunguko unaofuata unaweza kuutuma tena.
job-deliver-invoice = Kutuma ankara
job-low-stock-digest = Orodha ya bidhaa zilizopungua kwa mameneja
job-repair-status-update = Kumjulisha mteja hali ya matengenezo yake
job-send-estimate = Kutuma makadirio
job-send-promotion = Kutuma ofa
job-send-service-reminder = Kikumbusho cha huduma
notice-job-retried = Kazi itafanyika tena sasa.
notice-job-discarded = Kazi imeondolewa.
audit-title = Kumbukumbu za mabadiliko
audit-heading = Kumbukumbu za mabadiliko
audit-who = Nani
audit-what = Nini
audit-one-record = Kumbukumbu za rekodi moja:
audit-times-at = saa za { $zone }
audit-system = Karakana
audit-its-trail = kumbukumbu zake zote
audit-details = Kabla na baada
audit-none = Hakuna kilichorekodiwa hapa.
filter-actor_id = Nani
filter-subject_type = Nini
filter-subject_id = Rekodi
subject-repair_order = Agizo la matengenezo
subject-invoice = Ankara
subject-customer = Mteja
subject-vehicle = Gari
subject-product = Bidhaa
subject-purchase_order = Agizo la ununuzi
subject-promotion = Ofa
subject-shift = Zamu
subject-skill = Ujuzi
subject-site = Tawi
subject-organization = Biashara
subject-user = Mfanyakazi
