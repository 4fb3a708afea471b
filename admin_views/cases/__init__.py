"""The case desk in the panel: the case list, its search and filters, the case page and its step forms."""
