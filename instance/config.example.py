# Copy to instance/config.py and adjust. `make run` creates instance/config.py with a fresh
# SECRET_KEY on first run; never commit the real file.

# SECRET_KEY = "..."                      # generated on first run when absent
# SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://suqiu:password@127.0.0.1:5432/suqiu"
#                                         # or set DATABASE_URL in the environment
# LOGIN_LIMIT_PER_ACCOUNT = "5 per 15 minutes"  # login attempts per account from browsers not seen before
# LOGIN_LIMIT_PER_DEVICE = "5 per 15 minutes"   # ... from a browser that logged in to the account before
# LOGIN_LIMIT_PER_IP = "30 per 15 minutes"      # ... from one address, all accounts together
# PASSWORD_HASH_CONCURRENCY = 2           # Argon2 checks at once per process (64 MiB each)
# LIST_COUNT_CAP = 10000                  # the case list counts up to this many rows, then shows "10000+"
# EXPORT_MAX_ROWS = 50000                 # most rows one export may hold
# SESSION_COOKIE_SECURE = True            # set when served over HTTPS
# PUBLIC_BASE_URL = "https://suqiu.example.gov.cn"  # links in e-mails and QR codes (or set it in the environment)
