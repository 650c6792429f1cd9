"""Settings of the proposals-behind-gunicorn benchmark's server (bench/proposals_server_bench.py): the
platform's own, with a URL conf that adds the bare views it times the proposal pages and API against
(bench/proposals_floor_urls.py)."""

from zhengxie.settings import *  # noqa: F403

ROOT_URLCONF = "bench.proposals_floor_urls"
