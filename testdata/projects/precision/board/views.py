from rest_framework import generics

from board.models import Board, Topic
from board.serializers import BoardNestedSerializer, BoardSummarySerializer, TopicSummarySerializer


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
