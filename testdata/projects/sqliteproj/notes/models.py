from django.db import models


class Note(models.Model):
    title = models.CharField(max_length=100, db_index=True)
    text = models.TextField()
