//! Lookups through reverse relations use Django's query names (`filter(book__title=...)` for
//! the default `book_set` accessor, `related_query_name`, `default_related_name`), not the
//! accessor names.

mod common;

use common::{djperf, stdout_of, write};

#[test]
fn reverse_lookups_use_query_names() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(p, "manage.py", "\"\"\"manage\"\"\"\n");
    write(p, "shop/__init__.py", "");
    write(
        p,
        "shop/models.py",
        "from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Book(models.Model):
    title = models.CharField(max_length=100)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)


class Review(models.Model):
    text = models.CharField(max_length=100)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name=\"reviews\", related_query_name=\"review\")


class Note(models.Model):
    body = models.CharField(max_length=100)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)

    class Meta:
        default_related_name = \"notes\"
",
    );
    write(
        p,
        "shop/views.py",
        "from shop.models import Author


def by_title(t):
    return list(Author.objects.filter(book__title=t))


def by_review(t):
    return list(Author.objects.filter(review__text=t))


def by_note(t):
    return list(Author.objects.filter(notes__body=t))


def by_accessor(t):
    # Not a lookup Django knows (FieldError): nothing to say about indexes.
    return list(Author.objects.filter(book_set__title=t))
",
    );
    let (_, out) = stdout_of(djperf(p).args([
        "check",
        "--no-cache",
        "--select",
        "DJP301",
        "--output-format",
        "concise",
        "shop/views.py",
    ]));
    let lines: Vec<&str> = out.lines().collect();
    let rows: Vec<&str> = lines.iter().filter_map(|l| l.split(':').nth(1)).collect();
    assert_eq!(rows, ["5", "9", "13"], "{out}");
    assert!(out.contains("`Book.title`"), "{out}");
    assert!(
        out.contains("`Review.text`") && out.contains("`Note.body`"),
        "{out}"
    );
}
