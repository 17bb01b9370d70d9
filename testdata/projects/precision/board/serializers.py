from rest_framework import serializers

from board.models import Board, Topic


class BoardSummarySerializer(serializers.ModelSerializer):
    topic_count = serializers.SerializerMethodField()
    first_topic = serializers.SerializerMethodField()
    note_count = serializers.SerializerMethodField()

    class Meta:
        model = Board
        fields = ["id", "name", "topic_count", "first_topic", "note_count"]

    def get_topic_count(self, obj):
        return obj.topics.count()

    def get_first_topic(self, obj):
        topic = obj.topics.first()
        return topic.title if topic else None

    def get_note_count(self, obj):
        return obj.notes.count()


class TopicSummarySerializer(serializers.ModelSerializer):
    latest = serializers.SerializerMethodField()

    class Meta:
        model = Topic
        fields = ["id", "title", "latest"]

    def get_latest(self, obj):
        post = obj.posts.first()
        return post.body if post else None


class PostCountSerializer(serializers.ModelSerializer):
    post_count = serializers.SerializerMethodField()

    class Meta:
        model = Topic
        fields = ["id", "post_count"]

    def get_post_count(self, obj):
        return obj.posts.count()


class BoardNestedSerializer(serializers.ModelSerializer):
    topics = PostCountSerializer(many=True, read_only=True)

    class Meta:
        model = Board
        fields = ["id", "topics"]


class TopicPostsSerializer(serializers.ModelSerializer):
    post_bodies = serializers.SerializerMethodField()

    class Meta:
        model = Topic
        fields = ["id", "post_bodies"]

    def get_post_bodies(self, obj):
        return [post.body for post in obj.posts.all()]


class BoardTopicsSerializer(serializers.ModelSerializer):
    topics = TopicPostsSerializer(many=True, read_only=True)
    flags = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Board
        fields = ["id", "topics", "flags"]


class TopicBoardSerializer(serializers.ModelSerializer):
    board_name = serializers.CharField(source="board.name")

    class Meta:
        model = Topic
        fields = ["id", "board_name"]
