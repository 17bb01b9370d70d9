# A project setting the fixtures loop over (board/cases_registry.py).
BOARD_LANGUAGES = [("en", "English"), ("de", "German")]
