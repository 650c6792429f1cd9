from ninja import Router

router = Router(tags=["视察调研"])
