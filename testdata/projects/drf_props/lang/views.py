from rest_framework import generics, viewsets

from lang.models import Language
from lang.serializers import (
    LanguageBriefSerializer,
    LanguageCountSerializer,
    LanguageFirstPluralSerializer,
    LanguageFormulaSerializer,
    LanguageGettextSerializer,
    LanguageLabelSerializer,
    LanguageLeaderSerializer,
    LanguageOrderedSerializer,
    LanguagePluralKeysSerializer,
    LanguagePluralManagerSerializer,
    LanguagePluralAuthorsSerializer,
    LanguagePluralSerializer,
    LanguagePluralsSerializer,
    LanguageStoredSerializer,
    LanguageTeamLeadSerializer,
    LanguageTeamSerializer,
)


# A viewset whose queryset depends on the user, as weblate's languages API.
# oracle: get /api/languages/ also=lang/serializers.py:LanguagePluralSerializer
class LanguageViewSet(viewsets.ModelViewSet):
    queryset = Language.objects.none()
    serializer_class = LanguagePluralSerializer

    def get_queryset(self):
        if self.request.user.has_perm("lang.change_language"):
            return Language.objects.order_by("id")
        return Language.objects.have_plurals().order_by("id")


# A prefetch does not serve `.filter()` on the related manager (the finding at the field is
# the viewset's case above).
class LanguagePrefetchedList(generics.ListAPIView):
    queryset = Language.objects.prefetch_related("plural_set")
    serializer_class = LanguagePluralSerializer


# oracle: get /api/language-formulas/ also=lang/serializers.py:LanguageFormulaSerializer
class LanguageFormulaList(generics.ListAPIView):
    queryset = Language.objects.all()
    serializer_class = LanguageFormulaSerializer


# oracle: get /api/language-brief/
class LanguageBriefList(generics.ListAPIView):
    queryset = Language.objects.all()
    serializer_class = LanguageBriefSerializer


# oracle: get /api/language-first-plural/
class LanguageFirstPluralList(generics.ListAPIView):
    queryset = Language.objects.all()  # expect: DJP111
    serializer_class = LanguageFirstPluralSerializer


# oracle: get /api/language-first-plural-ok/
class LanguageFirstPluralListOk(generics.ListAPIView):
    queryset = Language.objects.prefetch_related("plural_set")
    serializer_class = LanguageFirstPluralSerializer


# oracle: get /api/language-plurals/
class LanguagePluralsList(generics.ListAPIView):
    queryset = Language.objects.all()  # expect: DJP111
    serializer_class = LanguagePluralsSerializer


# oracle: get /api/language-plurals-ok/
class LanguagePluralsListOk(generics.ListAPIView):
    queryset = Language.objects.prefetch_related("plural_set")
    serializer_class = LanguagePluralsSerializer


# oracle: get /api/language-plural-authors/
class LanguagePluralAuthorsList(generics.ListAPIView):
    queryset = Language.objects.prefetch_related("plural_set")  # expect: DJP111
    serializer_class = LanguagePluralAuthorsSerializer


# oracle: get /api/language-plural-authors-ok/
class LanguagePluralAuthorsListOk(generics.ListAPIView):
    queryset = Language.objects.prefetch_related("plural_set__author")
    serializer_class = LanguagePluralAuthorsSerializer


# oracle: get /api/language-labels/
class LanguageLabelList(generics.ListAPIView):
    queryset = Language.objects.all()
    serializer_class = LanguageLabelSerializer


# oracle: get /api/language-teams/
class LanguageTeamList(generics.ListAPIView):
    queryset = Language.objects.all()  # expect: DJP110
    serializer_class = LanguageTeamSerializer


# oracle: get /api/language-teams-ok/
class LanguageTeamListOk(generics.ListAPIView):
    queryset = Language.objects.select_related("team__lead")
    serializer_class = LanguageTeamSerializer


# oracle: get /api/language-counts/ also=lang/serializers.py:LanguageCountSerializer
class LanguageCountList(generics.ListAPIView):
    queryset = Language.objects.all()
    serializer_class = LanguageCountSerializer


# oracle: get /api/language-counts-ok/
class LanguageCountListOk(generics.ListAPIView):
    queryset = Language.objects.prefetch_related("plural_set")
    serializer_class = LanguageCountSerializer


# oracle: get /api/language-gettext/ also=lang/serializers.py:LanguageGettextSerializer
class LanguageGettextList(generics.ListAPIView):
    queryset = Language.objects.prefetch_related("plural_set__author")
    serializer_class = LanguageGettextSerializer


# oracle: get /api/language-stored/ also=lang/serializers.py:LanguageStoredSerializer
class LanguageStoredList(generics.ListAPIView):
    queryset = Language.objects.all()
    serializer_class = LanguageStoredSerializer


# oracle: get /api/language-leaders/
class LanguageLeaderList(generics.ListAPIView):
    queryset = Language.objects.all()  # expect: DJP110, DJP111
    serializer_class = LanguageLeaderSerializer


# oracle: get /api/language-leaders-ok/
class LanguageLeaderListOk(generics.ListAPIView):
    queryset = Language.objects.select_related("team__lead").prefetch_related("plural_set")
    serializer_class = LanguageLeaderSerializer


# oracle: get /api/language-team-leads/
class LanguageTeamLeadList(generics.ListAPIView):
    queryset = Language.objects.all()  # expect: DJP110
    serializer_class = LanguageTeamLeadSerializer


# oracle: get /api/language-team-leads-ok/
class LanguageTeamLeadListOk(generics.ListAPIView):
    queryset = Language.objects.select_related("team__lead")
    serializer_class = LanguageTeamLeadSerializer


# oracle: get /api/language-ordered/ also=lang/serializers.py:LanguageOrderedSerializer
class LanguageOrderedList(generics.ListAPIView):
    queryset = Language.objects.prefetch_related("plural_set")
    serializer_class = LanguageOrderedSerializer


# oracle: get /api/language-plural-keys/ also=lang/serializers.py:LanguagePluralKeysSerializer
class LanguagePluralKeysList(generics.ListAPIView):
    queryset = Language.objects.prefetch_related("plural_set")
    serializer_class = LanguagePluralKeysSerializer


# oracle: get /api/language-plural-manager/
class LanguagePluralManagerList(generics.ListAPIView):
    queryset = Language.objects.all()  # expect: DJP111
    serializer_class = LanguagePluralManagerSerializer


# oracle: get /api/language-plural-manager-ok/
class LanguagePluralManagerListOk(generics.ListAPIView):
    queryset = Language.objects.prefetch_related("plural_set")
    serializer_class = LanguagePluralManagerSerializer
