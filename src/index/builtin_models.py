# Django's own models that projects relate to, indexed like project code so that foreign keys
# to them and reverse accessors on them resolve, and so that importing them from their own
# modules (`from django.contrib.contenttypes.models import ContentType`) names them. Only
# relations, managers and a few fields matter here. Each `# module:` line starts the module
# that the classes below it live in (Django 5.2). A `__str__` is written where Django's reads
# a relation (`Permission`); the others read only columns (`ContentType.__str__` names the
# model class from the app registry, `AbstractBaseUser.__str__` the username) and are left out.

# module: django.contrib.contenttypes.models
from django.db import models


class ContentType(models.Model):
    app_label = models.CharField(max_length=100)
    model = models.CharField(max_length=100)

    class Meta:
        app_label = "contenttypes"
        unique_together = [["app_label", "model"]]


# module: django.contrib.auth.base_user
from django.db import models


class AbstractBaseUser(models.Model):
    password = models.CharField(max_length=128)
    last_login = models.DateTimeField(blank=True, null=True)

    class Meta:
        abstract = True


# module: django.contrib.auth.models
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import models


class Permission(models.Model):
    name = models.CharField(max_length=255)
    content_type = models.ForeignKey(ContentType, models.CASCADE)
    codename = models.CharField(max_length=100)

    class Meta:
        app_label = "auth"
        ordering = ["content_type__app_label", "content_type__model", "codename"]

    def __str__(self):
        return "%s | %s" % (self.content_type, self.name)


class Group(models.Model):
    name = models.CharField(max_length=150, unique=True)
    permissions = models.ManyToManyField(Permission, blank=True)

    class Meta:
        app_label = "auth"


class PermissionsMixin(models.Model):
    is_superuser = models.BooleanField(default=False)
    groups = models.ManyToManyField(Group, blank=True, related_name="user_set", related_query_name="user")
    user_permissions = models.ManyToManyField(Permission, blank=True, related_name="user_set", related_query_name="user")

    class Meta:
        abstract = True


class AbstractUser(AbstractBaseUser, PermissionsMixin):
    username = models.CharField(max_length=150, unique=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField()

    class Meta:
        abstract = True


class User(AbstractUser):
    class Meta:
        app_label = "auth"
        swappable = "AUTH_USER_MODEL"


# module: django.contrib.admin.models
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class LogEntry(models.Model):
    action_time = models.DateTimeField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE)
    content_type = models.ForeignKey(ContentType, models.SET_NULL, blank=True, null=True)
    object_id = models.TextField(blank=True, null=True)
    object_repr = models.CharField(max_length=200)
    action_flag = models.PositiveSmallIntegerField()
    change_message = models.TextField(blank=True)

    class Meta:
        app_label = "admin"
        ordering = ["-action_time"]


# module: django.contrib.sessions.base_session
from django.db import models


class AbstractBaseSession(models.Model):
    session_key = models.CharField(max_length=40, primary_key=True)
    session_data = models.TextField()
    expire_date = models.DateTimeField(db_index=True)

    class Meta:
        abstract = True


# module: django.contrib.sessions.models
from django.contrib.sessions.base_session import AbstractBaseSession


class Session(AbstractBaseSession):
    class Meta:
        app_label = "sessions"


# module: django.contrib.sites.models
from django.db import models


class Site(models.Model):
    domain = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=50)

    class Meta:
        app_label = "sites"
        ordering = ["domain"]


# module: django.contrib.redirects.models
from django.contrib.sites.models import Site
from django.db import models


class Redirect(models.Model):
    site = models.ForeignKey(Site, models.CASCADE)
    old_path = models.CharField(max_length=200, db_index=True)
    new_path = models.CharField(max_length=200, blank=True)

    class Meta:
        app_label = "redirects"
        unique_together = [["site", "old_path"]]
        ordering = ["old_path"]


# module: django.contrib.flatpages.models
from django.contrib.sites.models import Site
from django.db import models


class FlatPage(models.Model):
    url = models.CharField(max_length=100, db_index=True)
    title = models.CharField(max_length=200)
    content = models.TextField(blank=True)
    enable_comments = models.BooleanField(default=False)
    template_name = models.CharField(max_length=70, blank=True)
    registration_required = models.BooleanField(default=False)
    sites = models.ManyToManyField(Site)

    class Meta:
        app_label = "flatpages"
        ordering = ["url"]
