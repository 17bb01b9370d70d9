from rest_framework import serializers

from lang.models import Language, Plural, Team


class PluralSerializer(serializers.ModelSerializer):
    class Meta:
        model = Plural
        fields = ["id", "source", "number", "formula"]


class PluralAuthorSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.name")

    class Meta:
        model = Plural
        fields = ["id", "author"]


class LanguagePluralSerializer(serializers.ModelSerializer):
    # a nested serializer whose source is a cached_property querying a related manager
    plural = PluralSerializer(required=False)  # expect: DJP112

    class Meta:
        model = Language
        fields = ["code", "name", "plural"]


class LanguageFormulaSerializer(serializers.ModelSerializer):
    # a plain field reading through the same property
    formula = serializers.CharField(source="plural.formula", read_only=True)  # expect: DJP112

    class Meta:
        model = Language
        fields = ["code", "formula"]


class LanguageBriefSerializer(LanguagePluralSerializer):
    # a subclass that leaves the parent's `plural` out of its fields: nothing queries
    class Meta:
        model = Language
        fields = ["code", "name"]


class LanguageFirstPluralSerializer(serializers.ModelSerializer):
    # a property reading `self.plural_set.all()[0]`: the view's prefetch serves it
    first_plural = PluralSerializer(read_only=True)

    class Meta:
        model = Language
        fields = ["code", "first_plural"]


class LanguagePluralsSerializer(serializers.ModelSerializer):
    # a property returning `self.plural_set.all()`, serialized with many=True
    plurals = PluralSerializer(many=True, read_only=True)

    class Meta:
        model = Language
        fields = ["code", "plurals"]


class LanguagePluralAuthorsSerializer(serializers.ModelSerializer):
    # what the nested serializer reads of the property's rows
    plurals = PluralAuthorSerializer(many=True, read_only=True)

    class Meta:
        model = Language
        fields = ["code", "plurals"]


class LanguageLabelSerializer(serializers.ModelSerializer):
    # properties and methods that read columns only
    label = serializers.ReadOnlyField()
    aliases = serializers.ListField(source="get_aliases", read_only=True)

    class Meta:
        model = Language
        fields = ["code", "label", "aliases"]


class LanguageTeamSerializer(serializers.ModelSerializer):
    # `source="team.prop"`: properties of a related object
    team_label = serializers.CharField(source="team.label", read_only=True)
    team_lead = serializers.CharField(source="team.lead_name", read_only=True)

    class Meta:
        model = Language
        fields = ["code", "team_label", "team_lead"]


class TeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "label"]


class LanguageCountSerializer(serializers.ModelSerializer):
    # a zero-argument method counting a related manager
    plural_count = serializers.IntegerField(read_only=True)  # expect: DJP112

    class Meta:
        model = Language
        fields = ["code", "plural_count"]


class LanguageGettextSerializer(serializers.ModelSerializer):
    # a property returning a filtered related manager: a query per object, never prefetched
    gettext_plurals = PluralAuthorSerializer(many=True, read_only=True)  # expect: DJP112

    class Meta:
        model = Language
        fields = ["code", "gettext_plurals"]


class LanguageStoredSerializer(serializers.ModelSerializer):
    # a property returning a queryset of its own: a query per object
    stored_plurals = PluralSerializer(many=True, read_only=True)  # expect: DJP112

    class Meta:
        model = Language
        fields = ["code", "stored_plurals"]


class PersonSerializer(serializers.Serializer):
    name = serializers.CharField()


class LanguageLeaderSerializer(serializers.ModelSerializer):
    # a property returning a related object, and a method returning related rows
    leader = PersonSerializer(read_only=True)
    plural_list = PluralSerializer(source="get_plurals", many=True, read_only=True)

    class Meta:
        model = Language
        fields = ["code", "leader", "plural_list"]


class LanguageTeamLeadSerializer(serializers.ModelSerializer):
    # a method met on the way of `source`: DRF calls it
    lead = serializers.CharField(source="get_team.lead.name", read_only=True)

    class Meta:
        model = Language
        fields = ["code", "lead"]


class LanguageOrderedSerializer(serializers.ModelSerializer):
    # `.order_by()` on the related manager re-queries it even when the view prefetches it
    ordered_plurals = PluralSerializer(many=True, read_only=True)  # expect: DJP112

    class Meta:
        model = Language
        fields = ["code", "ordered_plurals"]


class LanguagePluralKeysSerializer(serializers.ModelSerializer):
    # a related field with many=True calls `.all()` on the queryset the property returns: a
    # fresh query per object that the view's prefetch does not serve
    plural_keys = serializers.PrimaryKeyRelatedField(  # expect: DJP112
        source="plurals", many=True, read_only=True
    )

    class Meta:
        model = Language
        fields = ["code", "plural_keys"]


class LanguagePluralManagerSerializer(serializers.ModelSerializer):
    # the property returns the related manager: its `.all()` reads the prefetch cache
    plural_keys = serializers.PrimaryKeyRelatedField(
        source="plural_manager", many=True, read_only=True
    )

    class Meta:
        model = Language
        fields = ["code", "plural_keys"]
