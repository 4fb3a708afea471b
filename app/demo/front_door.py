"""Demo settings for the public front door: a sensitive-word list and one banned number."""

from models.intake_control import BanEntry
from models.intake_control import BanKind
from models.intake_control import SensitiveWord

# Words that make a letter 敏感件 (handled with care by supervisors); letters with them are still accepted.
SENSITIVE_WORDS = ("自杀", "跳楼", "集体上访", "堵路", "媒体曝光", "维稳", "爆炸", "讨薪")
BANNED = ((BanKind.PHONE, "13000000000", "演示：反复提交同一无效诉求"),)


def build_intake_controls(session) -> int:
    """Add the demo word list and ban list; return how many rows."""
    rows = [SensitiveWord(word=w) for w in SENSITIVE_WORDS]
    rows += [BanEntry(kind=kind.value, value=value, reason=reason) for kind, value, reason in BANNED]
    session.add_all(rows)
    return len(rows)
