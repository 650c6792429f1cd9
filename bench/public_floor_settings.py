"""Settings of the public-channel benchmark's server (bench/public_bench.py): the platform's own, with a URL
conf that adds one bare view (bench/public_floor_urls.py)."""

from zhengxie.settings import *  # noqa: F403

ROOT_URLCONF = "bench.public_floor_urls"
