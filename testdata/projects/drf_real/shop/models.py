from django.db import models


class Publisher(models.Model):
    name = models.CharField(max_length=100)

    def __str__(self):
        return self.name


class Author(models.Model):
    name = models.CharField(max_length=100)
    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE)

    def __str__(self):
        return self.name


class Tag(models.Model):
    name = models.CharField(max_length=50)

    def __str__(self):
        return self.name


class Book(models.Model):
    title = models.CharField(max_length=200)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    tags = models.ManyToManyField(Tag)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.title

    @property
    def review_total(self):
        return self.reviews.count()

    @review_total.setter
    def review_total(self, value):
        raise AttributeError("read-only")

    @property
    def first_review(self):
        return self.reviews.all()[0]

    @property
    def top_review(self):
        return self.reviews.filter(rating__gte=0).order_by("-rating")[0]

    @property
    def rating_total(self):
        if hasattr(self, "rating_sum"):
            return self.rating_sum
        return self.reviews.aggregate(s=models.Sum("rating"))["s"]


class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="reviews")
    rating = models.IntegerField()
    reviewer = models.ForeignKey(Author, null=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["id"]
