"""Copy the pinned npm front-end assets into zhengxie/static/vendor (no CDN on an intranet)."""

import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

FILES = {
    "bootstrap/dist/css/bootstrap.min.css": "bootstrap/bootstrap.min.css",
    "bootstrap/dist/css/bootstrap.min.css.map": "bootstrap/bootstrap.min.css.map",
    "bootstrap/dist/js/bootstrap.bundle.min.js": "bootstrap/bootstrap.bundle.min.js",
    "bootstrap/dist/js/bootstrap.bundle.min.js.map": "bootstrap/bootstrap.bundle.min.js.map",
    "bootstrap-icons/font/bootstrap-icons.min.css": "bootstrap-icons/bootstrap-icons.min.css",
    "bootstrap-icons/font/fonts/bootstrap-icons.woff2": "bootstrap-icons/fonts/bootstrap-icons.woff2",
    "bootstrap-icons/font/fonts/bootstrap-icons.woff": "bootstrap-icons/fonts/bootstrap-icons.woff",
    "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
    "echarts/dist/echarts.min.js": "echarts/echarts.min.js",
    # Searchable selects (app.js turns every multiple select and every long single select into one).
    "tom-select/dist/js/tom-select.complete.min.js": "tom-select/tom-select.complete.min.js",
    "tom-select/dist/css/tom-select.bootstrap5.min.css": "tom-select/tom-select.bootstrap5.min.css",
}


class Command(BaseCommand):
    help = "把 node_modules 中锁定版本的前端资源复制到 static/vendor"

    def handle(self, *args, **opts):
        src = Path(settings.BASE_DIR) / "node_modules"
        dst = Path(settings.BASE_DIR) / "zhengxie" / "static" / "vendor"
        for a, b in FILES.items():
            if not (src / a).exists():
                raise CommandError(f"缺少 {src / a}：请先运行 npm ci")
            (dst / b).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src / a, dst / b)
        self.stdout.write(f"已复制 {len(FILES)} 个前端文件到 {dst}")
