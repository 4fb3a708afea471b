"""Personal numbers and contact ids in free text are masked however they are written.

Regression for the outside test in which Open311 GET published phones written ``138.0013.8000``,
``(138)0013-8000``, ``138_0013_8000`` or in Chinese numerals, e-mail addresses, QQ and WeChat ids and dotted
ID numbers, past the redaction.
"""

import re

import pytest

from app.auth.redaction import redact_free_text

PHONE_DIGITS = "13800138000"
ID_DIGITS = "44030619900101123X"
PHONES = [
    "13800138000",
    "138.0013.8000",
    "(138)0013-8000",
    "(138) 0013 8000",
    "138_0013_8000",
    "138 0013 8000",
    "138-0013-8000",
    "138/0013/8000",
    "1 3 8 0 0 1 3 8 0 0 0",
    "+86 138 0013 8000",
    "+86-13800138000",
    "０086 138 0013 8000",
    "１３８００１３８０００",
    "１３８．００１３．８０００",
    "一三八零零一三八零零零",
    "幺三八零零幺三八零零零",
    "一三八〇〇一三八〇〇〇",
    "壹叁捌零零壹叁捌零零零",
    "138\u200b0013\u200b8000",
    "１３８－００１３－８０００",
    "138·0013·8000",
    "138—0013—8000",
]
IDS = [
    "44030619900101123X",
    "440306.19900101.123X",
    "440306 1990 0101 123x",
    "440306-19900101-123X",
    "4403 0619 9001 0112 3X",
    "４４０３０６１９９００１０１１２３Ｘ",
    "四四零三零六一九九零零一零一一二三X",
]
OTHER_CONTACTS = [  # (text, secret that must be gone)
    ("邮箱 zhang.san@example.com 常用", "zhang.san"),
    ("发到 wangwu_88@qq.com", "wangwu_88"),
    ("邮箱 ｌｉｓｉ＠１６３．ｃｏｍ", "ｌｉｓｉ"),
    ("my mail: li.si (at) 163.com", "li.si"),
    ("QQ 12345678", "12345678"),
    ("qq:87654321", "87654321"),
    ("ＱＱ号：２３４５６７８９", "２３４５６７８９"),
    ("扣扣 34567890", "34567890"),
    ("企鹅号 45678901", "45678901"),
    ("微信 abc_123", "abc_123"),
    ("微信号：zhangsan-1990", "zhangsan-1990"),
    ("加微信zs19900101 详谈", "zs19900101"),
    ("vx:wangwu888", "wangwu888"),
    ("VX：wangwu888", "wangwu888"),
    ("wx: lisi_2024", "lisi_2024"),
    ("加v: laoli666", "laoli666"),
    ("wechat id Li_Si_77", "Li_Si_77"),
    ("座机 0755-8321 6789", "8321 6789"),
    ("座机(0755)83216789", "83216789"),
    ("电话：8321.6789", "8321.6789"),
]
UNTOUCHED = [
    "张三说2026年11月22日10:30，共30000元",
    "编号SQ20261122-000001的诉求已办结",
    "涉及 12 户居民，欠薪 45600.50 元",
    "三个小区一百二十户，八栋三单元",
    "二〇二六年十一月二十二日",
    "请于 2026-11-22 14:30 前答复",
    "微信公众号发布了通知",
    "QQ群里有人说",
    "版本 v2.3.1",
]


def digits_of(text: str) -> str:
    """The digits a reader would take from ``text`` (full-width and Chinese numerals as digits)."""
    numerals = str.maketrans("零〇一幺二两三四五六七八九壹贰叁肆伍陆柒捌玖", "0011223456789123456789")
    folded = "".join(
        chr(ord(c) - 0xFEE0) if "\uff10" <= c <= "\uff19" or c in "Ｘｘ" else c
        for c in text.translate(numerals)
    )
    return re.sub(r"[^0-9Xx]", "", folded)


@pytest.mark.parametrize("written", PHONES)
def test_a_phone_is_masked_however_it_is_written(written):
    out = redact_free_text(f"我的手机是{written}，请回电")
    assert PHONE_DIGITS not in digits_of(out), out
    assert written not in out
    assert "0013" not in digits_of(out) and "****" in out
    assert out.startswith("我的手机是") and out.endswith("，请回电")


@pytest.mark.parametrize("written", IDS)
def test_an_id_number_is_masked_however_it_is_written(written):
    out = redact_free_text(f"身份证{written}已核实")
    assert "19900101" not in digits_of(out), out
    assert written not in out and out.startswith("身份证") and out.endswith("已核实")


@pytest.mark.parametrize("text, secret", OTHER_CONTACTS)
def test_e_mail_qq_wechat_and_landlines_are_masked(text, secret):
    out = redact_free_text(text)
    assert secret not in out, out
    assert digits_of(secret) == "" or digits_of(secret) not in digits_of(out), out


@pytest.mark.parametrize("text", UNTOUCHED)
def test_ordinary_text_dates_amounts_and_case_numbers_are_left_alone(text):
    assert redact_free_text(text) == text


def test_a_short_local_number_keeps_only_its_last_two_digits():
    assert redact_free_text("电话：8321 6789") == "电话：******89"
    assert redact_free_text("QQ 12345678，微信 abc_123") == "QQ 1***，微信 a***"


def test_only_the_personal_parts_change():
    text = "（138）0013-8000 是我的电话，微信 abc_123，邮箱 a.b@qq.com。"
    out = redact_free_text(text)
    assert out.endswith(" 是我的电话，微信 a***，邮箱 a***@qq.com。"), out
    assert "138****8000" in out
