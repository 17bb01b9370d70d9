"""A plain mixin class (not a model) that models derive from: its methods run on rows."""


class LoggingMixin:
    def log_action(self, action, note="", save=True):
        """Write an `ActionLog` row for this object (unless `save=False`)."""
        from shelf.models import ActionLog

        entry = ActionLog(action=action, target=self.pk, note=note)
        if not action:
            raise ValueError("an action is needed")
        if save:
            entry.save()
        return entry

    def refresh_log(self, refresh=False):
        """The latest `ActionLog` row, looked up only when asked to."""
        from shelf.models import ActionLog

        if refresh:
            return ActionLog.objects.filter(target=self.pk).last()
        return None

    def log_label(self, action):
        return f"{action} #{self.pk}"
