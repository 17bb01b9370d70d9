"""A download helper that iterates the translations it is handed (cases in cases_handed.py)."""


def download_multi(translations):
    names = []
    for translation in translations:
        names.append(f"{translation.component.full_slug()}.{translation.language.code}")
    return names
