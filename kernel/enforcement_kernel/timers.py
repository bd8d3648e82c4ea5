"""A nameko timer whose interval is a setting, so each deployment (and each test) can choose how often it runs."""

from __future__ import annotations

from nameko.timer import Timer

from .config import setting


class ConfiguredTimer(Timer):
    """nameko's timer with its interval read from a setting at start."""

    def __init__(self, setting_name: str, default: float, **kwargs):
        super().__init__(interval=default, **kwargs)
        self.setting_name = setting_name

    def setup(self):
        self.interval = float(setting(self.container.config, self.setting_name, self.interval))
        super().setup()


configured_timer = ConfiguredTimer.decorator
