"""The demo trains each organisation's routing model on its demo history (after every other app)."""

from . import services


def load(ctx):
    trained = services.train_all()
    ctx["stdout"].write(f"    智能分办模型已训练：{len(trained)} 个政协，共 {sum(trained.values())} 件历史件")
