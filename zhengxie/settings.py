"""One settings file, driven by the environment (see README.md, "Configuration")."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# A development key only: production sets SECRET_KEY in the environment.
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me-zhengxie-0123456789")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "django_htmx",
    "rules.apps.AutodiscoverRulesConfig",
    "treebeard",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "zhengxie.core",
    "zhengxie.members",
    "zhengxie.search",
    "zhengxie.handling",
    "zhengxie.proposals",
    "zhengxie.opinions",
    "zhengxie.studios",
    "zhengxie.suggestions",
    "zhengxie.consultation",
    "zhengxie.keytasks",
    "zhengxie.supervision",
    "zhengxie.appraisal",
    "zhengxie.research",
    "zhengxie.yearbook",
    "zhengxie.reading",
    "zhengxie.activities",
    "zhengxie.performance",
    "zhengxie.dashboard",
    "zhengxie.routing",
    "zhengxie.drafting",
    "zhengxie.hottopics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After the session middleware, so that its save sees the touch (SESSION_TOUCH_SECONDS).
    "zhengxie.core.middleware.SessionTouchMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Control characters refused at the edge (422 JSON for the API, the 400 page for a page's query).
    "zhengxie.core.textguard.ControlCharactersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "zhengxie.core.middleware.RequestContextMiddleware",
    # Before the password expiry: a session that skipped the second factor reaches no page at all.
    "zhengxie.core.middleware.SecondFactorMiddleware",
    "zhengxie.core.middleware.PasswordExpiryMiddleware",
    # Last, as django-axes asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhengxie.urls"
WSGI_APPLICATION = "zhengxie.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "zhengxie" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhengxie.core.context_processors.platform",
            ],
        },
    },
]
# Widgets render with the templates above, so zhengxie/templates/django/forms/widgets/file.html (the one file
# input with Chinese words, issue 15) comes before Django's own.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# SQLite (embedded, WAL) unless DATABASE_URL names another engine.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'zhengxie.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend with the writing transactions of a process queued in order (zhengxie/core/sqlite).
    DATABASES["default"]["ENGINE"] = "zhengxie.core.sqlite"
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # IMMEDIATE makes concurrent writers queue instead of failing mid-transaction.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # No JIT: compiling a statistics query costs 50-90 ms a page and saves nothing here (bench/RESULTS.md).
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
        # Parameters bound by the server and prepared statements (psycopg): a statement a connection has run
        # PG_PREPARE_THRESHOLD times is parsed and planned once, not on every request — about half of
        # PostgreSQL's time on a proposal's detail read (issue 16, bench/RESULTS.md). Off with
        # PG_PREPARE_THRESHOLD=-1 behind a pooler that cannot keep prepared statements (PgBouncer in
        # transaction mode before 1.21).
        prepare_threshold = env.int("PG_PREPARE_THRESHOLD", default=5)
        if prepare_threshold >= 0:
            DATABASES["default"]["OPTIONS"].update(
                {"server_side_binding": True, "prepare_threshold": prepare_threshold}
            )

# SQLite: seconds a thread waits for its process's turn to write before trying the file's lock anyway.
SQLITE_QUEUE_TIMEOUT = env.int("SQLITE_QUEUE_TIMEOUT", default=60)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # `make run` serves with several processes (gunicorn workers, the task worker, the scheduler): a cache
    # in each one's memory would not see what another wrote — the worker's 疑似重复 neighbour lists never
    # reached a page, and each worker kept its own rate-limit counters. A directory on this machine is
    # shared by all of them; several machines share Redis (REDIS_URL).
    CACHES = {
        "default": {
            "BACKEND": "zhengxie.core.filecache.FileCache",
            "LOCATION": env("CACHE_DIR", default=str(BASE_DIR / "var" / "cache")),
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }

# Background tasks: the database queue by default, RQ on Redis when TASKS_BACKEND=rq.
TASKS_BACKEND = env("TASKS_BACKEND", default="database")
if TASKS_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0"}}
    # `manage.py rqworker default` runs django-tasks' jobs only with their Job class (without it every
    # task fails with "'Task' object is not callable"); tests/core/test_worker_killed.py runs this worker.
    RQ = {"JOB_CLASS": "django_tasks_rq.Job"}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "zhengxie.core.auth.UsernameOrPhoneBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "zhengxie.core.auth.ComplexityValidator"},
]
PASSWORD_EXPIRY_DAYS = env.int("PASSWORD_EXPIRY_DAYS", default=90)

# Login lockout (django-axes): 5 failures lock the account for 30 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = ["username"]
# Failures count against the account, whether its username or its phone number was typed.
AXES_USERNAME_CALLABLE = "zhengxie.core.auth.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
# JSON for the API, the template above for pages.
AXES_LOCKOUT_CALLABLE = "zhengxie.core.views_errors.lockout"
AXES_VERBOSE = False
# The account is what gets locked (等保: lock after repeated failures); IP-based limits sit in the proxy.
# models.W040: SQLite builds an index without its INCLUDE columns (opinion_org_recent_idx covers the
# status on PostgreSQL only); that is intended, and `make run` should not print it as a problem.
SILENCED_SYSTEM_CHECKS = ["axes.W006", "models.W040"]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

# Second factor (django-otp TOTP; see core/twofactor.py): the name authenticator apps show, failures
# throttled 1, 2, 4 ... seconds, secrets hidden in django-admin.
OTP_TOTP_ISSUER = env("PLATFORM_NAME", default="智慧政协履职平台")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

SESSION_COOKIE_AGE = env.int("SESSION_TIMEOUT_SECONDS", default=30 * 60)
# The idle timeout slides, but the session is rewritten at most once per SESSION_TOUCH_SECONDS
# (core.middleware.SessionTouchMiddleware), not on every page.
SESSION_TOUCH_SECONDS = env.int("SESSION_TOUCH_SECONDS", default=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Our own proxy in front (deploy/nginx.conf): trust its X-Forwarded-Proto and the last X-Forwarded-For hop.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:workbench"
LOGOUT_REDIRECT_URL = "login"

# No inline scripts: page behaviour lives in static/js/app.js; no inline styles either (no style=
# attributes in templates: layout classes in static/css/app.css).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "zhengxie" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploads live outside the static tree and are served only through permission-checked views.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A running background export with no progress for this long is taken for dead (its worker killed) and
# failed by the scheduler (core.jobs.fail_stale_exports); the user retries it from its page.
EXPORT_STALE_MINUTES = env.int("EXPORT_STALE_MINUTES", default=15)
# An export of up to this many rows (core.exports: a document counts PAGE_ROWS per proposal or page) is built
# in the request and answered as the file at once; a bigger one goes to the background task and its page.
EXPORT_INLINE_MAX_ROWS = env.int("EXPORT_INLINE_MAX_ROWS", default=2000)
# Zip-based uploads (.docx, .xlsx) are refused past these before they are stored or parsed (zip bombs).
UPLOAD_ZIP_MAX_UNCOMPRESSED = env.int("UPLOAD_ZIP_MAX_UNCOMPRESSED", default=100 * 1024 * 1024)
UPLOAD_ZIP_MAX_RATIO = env.int("UPLOAD_ZIP_MAX_RATIO", default=200)
UPLOAD_ZIP_MAX_MEMBERS = env.int("UPLOAD_ZIP_MAX_MEMBERS", default=2000)

# Personal data (ID numbers, addresses) is encrypted at rest with this key.
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY", default="")

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="智慧政协 <noreply@zhengxie.local>")
SMS_BACKEND = env("SMS_BACKEND", default="zhengxie.core.sms.LoggingSMSBackend")

PLATFORM_NAME = env("PLATFORM_NAME", default="智慧政协履职平台")
DEMO_PASSWORD = "Demo@2026"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
