"""Settings of the province benchmark's server (bench/scale_bench.py): the platform's own, with a URL conf
that adds the bare views it times its pages against (bench/scale_floor_urls.py)."""

from zhengxie.settings import *  # noqa: F403

ROOT_URLCONF = "bench.scale_floor_urls"
