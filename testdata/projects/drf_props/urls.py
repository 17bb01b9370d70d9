from django.urls import path

from lang import views

urlpatterns = [
    path("api/languages/", views.LanguageViewSet.as_view({"get": "list"})),
    path("api/language-formulas/", views.LanguageFormulaList.as_view()),
    path("api/language-brief/", views.LanguageBriefList.as_view()),
    path("api/language-first-plural/", views.LanguageFirstPluralList.as_view()),
    path("api/language-first-plural-ok/", views.LanguageFirstPluralListOk.as_view()),
    path("api/language-plurals/", views.LanguagePluralsList.as_view()),
    path("api/language-plurals-ok/", views.LanguagePluralsListOk.as_view()),
    path("api/language-plural-authors/", views.LanguagePluralAuthorsList.as_view()),
    path("api/language-plural-authors-ok/", views.LanguagePluralAuthorsListOk.as_view()),
    path("api/language-labels/", views.LanguageLabelList.as_view()),
    path("api/language-teams/", views.LanguageTeamList.as_view()),
    path("api/language-teams-ok/", views.LanguageTeamListOk.as_view()),
    path("api/language-counts/", views.LanguageCountList.as_view()),
    path("api/language-counts-ok/", views.LanguageCountListOk.as_view()),
    path("api/language-gettext/", views.LanguageGettextList.as_view()),
    path("api/language-stored/", views.LanguageStoredList.as_view()),
    path("api/language-leaders/", views.LanguageLeaderList.as_view()),
    path("api/language-leaders-ok/", views.LanguageLeaderListOk.as_view()),
    path("api/language-team-leads/", views.LanguageTeamLeadList.as_view()),
    path("api/language-team-leads-ok/", views.LanguageTeamLeadListOk.as_view()),
    path("api/language-ordered/", views.LanguageOrderedList.as_view()),
    path("api/language-plural-keys/", views.LanguagePluralKeysList.as_view()),
    path("api/language-plural-manager/", views.LanguagePluralManagerList.as_view()),
    path("api/language-plural-manager-ok/", views.LanguagePluralManagerListOk.as_view()),
]
