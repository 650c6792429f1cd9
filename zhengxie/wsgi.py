import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengxie.settings")
application = get_wsgi_application()

# What is loaded at start-up (modules, apps, models) lives as long as the process: take it out of the
# collector's generations, so the full collections a busy worker runs now and then scan only what
# requests create (they otherwise add tens of milliseconds to an unlucky request; bench/RESULTS.md).
gc.collect()
gc.freeze()
