"""SQL text used by the glossary search function."""

SEARCH_COLUMNS = "term, definition"


def build_search_query(term, limit=20):
    return "SELECT {} FROM terms WHERE term LIKE '%{}%' ORDER BY term LIMIT {}".format(SEARCH_COLUMNS, term, int(limit))
