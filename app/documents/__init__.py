"""Printable case documents: the 办理单 for the department, the 答复告知书 and 延期告知书 to the citizen.

:mod:`app.documents.content` builds each one's content as plain data (personal data as the viewing user may
see it), :mod:`app.documents.word` writes it as a Word file; the panel renders the same data as print HTML.
"""
