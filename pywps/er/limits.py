"""How much a LAN peer may make the External Registrar hold or do. hostapd's own answers are far inside
every limit (a 900-byte description, a 4 KB service description, M-messages under 1 KB)."""

MAX_APS = 32                 # AP entries (and descriptions being fetched) at once; more SSDP answers are ignored
MAX_PENDING = 4              # descriptions fetched at the same time
MAX_ENROLLEES_PER_AP = 32    # station entries behind one AP
MAX_BODY = 64 * 1024         # any HTTP body from an AP: description, service description, SOAP reply
MAX_EVENT_BODY = 16 * 1024   # one GENA NOTIFY
MAX_MESSAGE = 4096           # one WSC message (decoded) in a SOAP argument or a WLANEvent
EVENTS_PER_SECOND = 20.0     # GENA events per AP, token bucket
EVENT_BURST = 40
MAX_CONNECTIONS = 16         # HTTP connections the ER opens at once
HTTP_TIMEOUT = 10.0          # seconds per HTTP exchange (wpa_supplicant: 10 s for descriptions and PutMessage)
MAX_AGE_CAP = 86400          # an advertisement's max-age beyond a day is taken as a day
SUBSCRIBE_SECONDS = 1800     # what wpa_supplicant asks for
ENROLLEE_LIFETIME = 300.0    # a station entry without news for this long is removed (wpa_supplicant: 300 s)
ENROLLEE_DONE_LIFETIME = 10.0
PIN_LIFETIME = 300.0         # WPS_ER_PIN's PIN expires (wpa_supplicant: 300 s)
PBC_WALK_TIME = 120.0
RUN_TIMEOUT = 60.0           # one registration with an AP or an enrollee, start to end
