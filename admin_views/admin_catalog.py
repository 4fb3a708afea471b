"""Our Chinese for Flask-Admin's own messages (``app/translations/<locale>/LC_MESSAGES/admin.po``) wins over
the Chinese Flask-Admin ships ("请选择模型", "选中的", "保存并添加另一个" become the office's wording).

Flask-Admin lists ``Admin(translations_path=...)`` *before* its own catalogue, meaning it as an override, but
flask-babel merges the catalogues in order and the later one wins on every message both have; so ours could
only add messages, never reword one. :func:`prefer_our_admin_catalog` puts ours last.
"""

from flask_admin import babel as admin_babel
from flask_admin.helpers import get_current_view


def _ours_last(domain) -> list[str]:
    """Flask-Admin's catalogue first, the panel's own (``translations_path``) last, so ours wins."""
    shipped = list(admin_babel.Domain.translation_directories.fget(domain))
    view = get_current_view()
    ours = getattr(getattr(view, "admin", None), "translations_path", None)
    return shipped + [ours] if ours else shipped


def prefer_our_admin_catalog() -> None:
    """Make the panel's ``admin.po`` override Flask-Admin's shipped translations (idempotent)."""
    admin_babel.CustomDomain.translation_directories = property(_ours_last)
