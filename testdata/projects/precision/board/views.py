from rest_framework import generics

from board.models import Board, Topic
from board.serializers import (
    BoardNestedSerializer,
    BoardSummarySerializer,
    BoardTopicsSerializer,
    TopicBoardSerializer,
    TopicSummarySerializer,
)


# oracle: get /api/boards/ also=board/serializers.py:BoardSummarySerializer
class BoardSummaryList(generics.ListAPIView):
    queryset = Board.objects.prefetch_related("topics", "notes")
    serializer_class = BoardSummarySerializer


# oracle: get /api/topics/ also=board/serializers.py:TopicSummarySerializer
class TopicSummaryList(generics.ListAPIView):
    serializer_class = TopicSummarySerializer

    def get_queryset(self):
        return Topic.objects.prefetch_related("posts")


# oracle: get /api/boards-nested/ also=board/serializers.py:BoardNestedSerializer also=board/serializers.py:PostCountSerializer
class BoardNestedList(generics.ListAPIView):
    queryset = Board.objects.prefetch_related("topics__posts")
    serializer_class = BoardNestedSerializer


# oracle: get /api/boards-topics/ also=board/serializers.py:BoardTopicsSerializer also=board/serializers.py:TopicPostsSerializer
class BoardTopicsList(generics.ListAPIView):
    """The manager method's `Prefetch("topics", queryset=...)` comes after the attribute's
    plain lookup: the fix must go after it."""

    queryset = Board.objects.prefetch_related("flags").with_topics()  # expect: DJP111
    serializer_class = BoardTopicsSerializer


# False-positive class 7: a view whose queryset is `Model.objects.none()` (a base for nested
# routes) serializes no rows.
# oracle: get /api/topics-none/
class TopicNestedBase(generics.ListAPIView):
    queryset = Topic.objects.none()
    serializer_class = TopicBoardSerializer


# oracle: get /api/topics-none-method/
class TopicNoneList(generics.ListAPIView):
    serializer_class = TopicBoardSerializer

    def get_queryset(self):
        return Topic.objects.none()


# oracle: get /api/topics-of-boards/ also=board/serializers.py:TopicBoardSerializer
class TopicsOfBoards(TopicNestedBase):
    def get_queryset(self):
        return Topic.objects.filter(board__name__gt="")  # expect: DJP110


# oracle: get /api/topics-or-none/
class TopicsOrNone(generics.ListAPIView):
    """The finding and its fix go to the branch that has rows, not to `.none()`."""

    serializer_class = TopicBoardSerializer

    def get_queryset(self):
        if self.request.GET.get("nothing"):
            return Topic.objects.none()
        return Topic.objects.filter(position__gte=0)  # expect: DJP110
