"""The default cache of `make run` (core.filecache.FileCache): Django's file cache listed its directory on
every write to decide whether to cull; this one looks once every CULL_EVERY writes, and stays bounded."""

from zhengxie.core.filecache import FileCache


def _cache(path, **options):
    return FileCache(str(path), {"OPTIONS": {"MAX_ENTRIES": 50, **options}})


def test_the_directory_is_listed_once_every_cull_every_writes_and_stays_bounded(tmp_path, monkeypatch):
    cache = _cache(tmp_path, CULL_EVERY=20)
    listed = []
    original = FileCache._list_cache_files

    def counting(self):
        listed.append(1)
        return original(self)

    monkeypatch.setattr(FileCache, "_list_cache_files", counting)
    for i in range(200):
        cache.set(f"k{i}", i)
    assert len(listed) == 10  # the 1st, 21st, ... 181st write: not 200 listings
    assert len(original(cache)) <= 50 + 20  # culled back whenever it is over MAX_ENTRIES
    assert cache.get("k199") == 199  # the newest write is there


def test_at_2000_entries_django_lists_them_on_every_write_and_ours_once(tmp_path):
    from django.core.cache.backends.filebased import FileBasedCache

    plain = FileBasedCache(str(tmp_path / "plain"), {"OPTIONS": {"MAX_ENTRIES": 20_000}})
    ours = _cache(tmp_path / "ours", MAX_ENTRIES=20_000)
    for c in (plain, ours):
        for i in range(2000):
            c.set(f"k{i}", i)
    listed = {}
    for name, c in (("plain", plain), ("ours", ours)):
        calls = []
        original = c._list_cache_files
        c._list_cache_files = lambda original=original, calls=calls: calls.append(1) or original()
        for i in range(100):
            c.set(f"new{i}", i)
        listed[name] = len(calls)
    assert listed == {"plain": 100, "ours": 1}
