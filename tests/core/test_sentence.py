from zhengxie.core.notifications import sentence


def test_a_users_words_end_with_one_full_stop():
    assert sentence("措施不具体") == "措施不具体。"
    assert sentence("措施不具体。") == "措施不具体。"
    assert sentence("为什么？ ") == "为什么？"
    assert sentence("") == ""
