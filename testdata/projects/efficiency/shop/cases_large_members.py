"""DJP201 through custom managers, and the members a loop uses (`__str__`, methods, `save()`,
signal receivers): a large column is only reported when none of them reads it."""

from shop.models import Article, Chapter, Draft, Leaflet, Log, Memo, Page, Post, Sheet


def case_custom_queryset_method():
    for post in Post.objects.visible():  # expect: DJP201
        print(post.title)


def case_manager_from_queryset():
    for post in Post.listed.visible():  # expect: DJP201
        print(post.title, post.views)


def case_manager_defers_already():
    for draft in Draft.objects.all():
        print(draft.title)


def case_manager_effect_unknown():
    for page in Page.objects.all():
        print(page.title)


def case_str_reads_title():
    for post in Post.objects.all():  # expect: DJP201
        print(post)


def case_str_reads_large():
    for memo in Memo.objects.all():
        print(memo)


def case_method_reads_title():
    for post in Post.objects.order_by("title"):  # expect: DJP201
        print(post.label())


def case_method_reads_large():
    for post in Post.objects.order_by("title"):
        print(post.excerpt())


def case_method_hands_row_on():
    for post in Post.objects.order_by("title"):
        print(post.share())


def case_saved_rows():
    for post in Post.objects.filter(views__gte=0):  # expect: DJP201
        post.views += 1
        post.save()  # expect: DJP105


def case_save_reads_large():
    for log in Log.objects.all():
        log.title = log.title.strip()
        log.save()  # expect: DJP105


def case_receiver_reads_large():
    for memo in Memo.objects.all():
        memo.title = memo.title.strip()
        memo.save()  # expect: DJP105


def case_post_init_reads_large():
    for sheet in Sheet.objects.all():
        print(sheet.name)


def case_only_pk():
    for article in Article.objects.filter(views__gte=0):  # expect: DJP201
        print(article.pk, article.id)


def case_only_pk_then_write():
    for article in Article.objects.filter(views__gte=0):  # expect: DJP201
        article.views = 0
        print(article.pk)


# What the silence above avoids: the same loops with the large column deferred query it again
# for every row.


def case_deferred_read_by_str():
    for memo in Memo.objects.defer("text"):
        print(memo)  # expect: DJP202


def case_deferred_read_by_save():
    # two queries per row: the update, and `save()` loading `message` again
    for log in Log.objects.defer("message"):
        log.save()  # expect: DJP105


def case_deferred_read_by_receiver():
    # two queries per row: the update, and the `pre_save` receiver loading `text` again
    for memo in Memo.objects.defer("text"):
        memo.save()  # expect: DJP105


def case_deferred_read_by_post_init():
    for sheet in Sheet.objects.defer("data"):  # todo-expect: DJP202
        print(sheet.name)


def case_rows_copied():
    # A copy inserts every column: deferring `body` would cost a query per row.
    for post in Post.objects.filter(views__gte=0):
        post.pk = None
        post.save()  # expect: DJP105



def case_helper_built_in_init():
    # `summary` holds the row and reads `body`: deferring it would cost a query per row.
    for chapter in Chapter.objects.all():
        print(chapter.title, chapter.summary.size())


def case_manager_synthesised_in_models_module():
    for leaflet in Leaflet.objects.visible():  # expect: DJP201
        print(leaflet.title, leaflet.views)
