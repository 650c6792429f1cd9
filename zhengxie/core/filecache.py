"""The default cache of `make run` (no REDIS_URL): Django's file cache, culled less often."""

from django.core.cache.backends.filebased import FileBasedCache


class FileCache(FileBasedCache):
    """Django's FileBasedCache lists its whole directory on every `set` to decide whether to cull: 2.7 ms a
    write at 2,000 entries, and it grows with them. This one looks on the first set of each cache object
    and then once every CULL_EVERY sets (OPTIONS, default 100), so the directory may pass MAX_ENTRIES by up
    to CULL_EVERY entries per process and thread before it is culled back."""

    def __init__(self, dir, params):
        super().__init__(dir, params)
        self._cull_every = max(1, int(params.get("OPTIONS", {}).get("CULL_EVERY", 100)))
        self._sets = 0

    def _cull(self):
        self._sets += 1
        if (self._sets - 1) % self._cull_every == 0:
            super()._cull()
