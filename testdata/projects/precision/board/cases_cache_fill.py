"""False-positive class: a helper that fetches the related objects of a list of rows in one
query and assigns them (`topic.board = boards[topic.board_id]`) fills each row's relation
cache: the caller's loop over the same list reads the relation without a query. Beside it,
helpers that set another attribute, and a loop over a list the helper never saw."""

from board.models import Board, Topic


def attach_boards(topics):
    boards = {b.pk: b for b in Board.objects.filter(pk__in={t.board_id for t in topics})}
    for topic in topics:
        if topic.board_id is not None:
            topic.board = boards[topic.board_id]


def mark_seen(topics):
    for topic in topics:
        topic.seen = True


def case_helper_fills_the_cache():
    topics = list(Topic.objects.all())
    attach_boards(topics)
    for topic in topics:
        print(topic.board.name)


def case_helper_sets_another_attribute():
    topics = list(Topic.objects.all())
    mark_seen(topics)
    for topic in topics:
        print(topic.board.name)  # expect: DJP101


def case_loop_over_another_list():
    topics = list(Topic.objects.all())
    attach_boards(topics[:1])
    for topic in topics:
        print(topic.board.name)  # expect: DJP101
