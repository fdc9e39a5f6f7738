"""Configuration: a pydantic model over TOML, exactly the sections of product.md → Config."""

from __future__ import annotations

import os
import re
import tomllib
from datetime import date, time
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from storage.db import POSTGRES_PREFIXES, SQLITE_PREFIX
from storage.sends import path_beside

TOKEN_ENV = "ZHENGGAI_TELEGRAM_TOKEN"
CONFIG_ENV = "ZHENGGAI_CONFIG"
STORAGE_ENV = "ZHENGGAI_STORAGE_URL"
DEFAULT_CONFIG = Path("config.toml")

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def _hhmm(value: str) -> str:
    if not _HHMM.match(value):
        raise ValueError("应为 24 小时制的 HH:MM，例如 18:00")
    return value


HHMM = Annotated[str, AfterValidator(_hhmm)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TelegramConfig(_Section):
    token: SecretStr = SecretStr("")
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = ""
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str = ""
    webhook_secret: SecretStr = SecretStr("")
    listen: str = "127.0.0.1"
    port: int = Field(default=8443, ge=1, le=65535)

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr) -> SecretStr:
        raw = value.get_secret_value()
        if raw and not _SECRET.match(raw):
            raise ValueError("只能是 1–256 个字母、数字、_ 或 -")
        return value

    @model_validator(mode="after")
    def _webhook_complete(self) -> TelegramConfig:
        if self.mode == "webhook":
            if not self.webhook_url:
                raise ValueError('webhook_url: mode = "webhook" 时必须填写')
            if not self.webhook_secret.get_secret_value():
                raise ValueError('webhook_secret: mode = "webhook" 时必须填写')
        return self

    @property
    def file_url(self) -> str:
        """Where files download from; derived from base_url unless set."""
        if self.base_file_url:
            return self.base_file_url
        return self.base_url.removesuffix("/bot").rstrip("/") + "/file/bot"


class StorageConfig(_Section):
    """Where the ledger lives: `url` (postgresql://… or sqlite:///…) or, shorter, the SQLite
    file's `path`. The URL may hold a password: it is kept secret. `journal`: SQLite's send
    journal (default beside `path`); on PostgreSQL the replicas share a table instead."""

    url: SecretStr = SecretStr("")
    path: Path = Path("zhenggai.sqlite3")
    evidence_dir: Path = Path("evidence")
    journal: Path | None = None

    @model_validator(mode="before")
    @classmethod
    def _sqlite_url_is_a_path(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        url = data.get("url")
        url = url.get_secret_value() if isinstance(url, SecretStr) else url
        if not url:
            return data
        if not isinstance(url, str):
            raise ValueError("url 应为字符串")
        if "path" in data:
            raise ValueError("url 与 path 只写一个（path 是 SQLite 文件的简写）")
        if url.startswith(SQLITE_PREFIX):
            rest = {k: v for k, v in data.items() if k != "url"}
            return {**rest, "path": url[len(SQLITE_PREFIX) :]}
        if not url.startswith(POSTGRES_PREFIXES):
            raise ValueError("url 应以 sqlite:/// 或 postgresql:// 开头")
        return data

    @property
    def postgresql(self) -> bool:
        return bool(self.url.get_secret_value())

    @property
    def journal_path(self) -> Path:
        """This process's send journal (storage.sends): a small SQLite file of its own."""
        return self.journal or path_beside(self.path)

    @property
    def target(self) -> str | Path:
        """What storage.migrations.open_database opens: the server's URL or the file."""
        return self.url.get_secret_value() or self.path


class OfficeConfig(_Section):
    name: str = Field(default="县委巡察办", min_length=1)
    admins: list[int] = []
    copy_reports: bool = False
    code_ttl_hours: int = Field(default=72, ge=1, le=24 * 30)
    import_max_rows: int = Field(default=20_000, ge=1)


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class ScheduleConfig(_Section):
    timezone: str = "Asia/Shanghai"
    daily_at: HHMM = "18:00"
    weekly_day: Weekday = "fri"
    weekly_at: HHMM = "17:00"
    remind_at: HHMM = "09:00"
    todo_to: Literal["group", "contacts", "both"] = "group"
    remind_before_days: list[Annotated[int, Field(ge=1, le=60)]] = [7, 3, 1]
    red_after_days: int = Field(default=10, ge=1, le=365)
    report_interval_days: int = Field(default=7, ge=1, le=365)
    quiet_hours: tuple[HHMM, HHMM] = ("21:00", "08:00")
    extra_holidays: list[date] = []
    extra_workdays: list[date] = []

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"未知时区 {value!r}") from exc
        return value

    def quiet_window(self) -> tuple[time, time]:
        """Quiet hours as times: start, end (the end may be on the next day)."""
        start, end = (time.fromisoformat(v) for v in self.quiet_hours)
        return start, end


class RobotConfig(_Section):
    """One custom group robot: its webhook (it holds the robot's key: kept secret) and, for
    a DingTalk or Feishu robot with 加签 on, its signing secret."""

    webhook: SecretStr = SecretStr("")
    secret: SecretStr = SecretStr("")

    @field_validator("webhook")
    @classmethod
    def _http(cls, value: SecretStr) -> SecretStr:
        raw = value.get_secret_value()
        if raw and not raw.startswith(("https://", "http://")):
            raise ValueError("应为机器人的 Webhook 地址（https://…）")
        return value

    @property
    def on(self) -> bool:
        return bool(self.webhook.get_secret_value())


class ChannelConfig(_Section):
    """A vendor's robots: one in the office's group, one in the leaders' (both optional)."""

    office: RobotConfig = RobotConfig()
    leaders: RobotConfig = RobotConfig()


VENDORS = ("wecom", "dingtalk", "feishu")
AUDIENCES = ("office", "leaders")


class ChannelsConfig(_Section):
    wecom: ChannelConfig = ChannelConfig()
    dingtalk: ChannelConfig = ChannelConfig()
    feishu: ChannelConfig = ChannelConfig()

    @field_validator("wecom")
    @classmethod
    def _wecom_signs_nothing(cls, value: ChannelConfig) -> ChannelConfig:
        if value.office.secret.get_secret_value() or value.leaders.secret.get_secret_value():
            raise ValueError("企业微信群机器人不加签，无需 secret：密钥就是 Webhook 地址中的 key")
        return value

    def configured(self) -> list[tuple[str, str, RobotConfig]]:
        """(vendor, audience, robot) of every robot with a webhook, in a fixed order."""
        found = []
        for vendor in VENDORS:
            for audience in AUDIENCES:
                robot = getattr(getattr(self, vendor), audience)
                if robot.on:
                    found.append((vendor, audience, robot))
        return found


class Config(_Section):
    telegram: TelegramConfig = TelegramConfig()
    storage: StorageConfig = StorageConfig()
    office: OfficeConfig = OfficeConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    channels: ChannelsConfig = ChannelsConfig()

    def token(self) -> str:
        """The bot token; reading it is explicit so it never lands in a repr or a log."""
        return self.telegram.token.get_secret_value()


class ConfigError(Exception):
    """A config problem, as one line that names the key and the file."""


def _key_path(loc: tuple[int | str, ...]) -> str:
    parts = [str(p) for p in loc]
    if not parts:
        return "(文件)"
    head, *rest = parts
    return f"[{head}]" + ("." + ".".join(rest) if rest else "")


def _first_error(exc: ValidationError, source: str) -> ConfigError:
    err = exc.errors(include_input=False, include_url=False)[0]
    key = _key_path(err["loc"])
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = "未知的配置项"
    elif err["type"] == "missing":
        msg = "缺少必填项"
    return ConfigError(f"配置错误 {key}: {msg}（文件 {source}）")


def robot_env(vendor: str, audience: str, key: str) -> str:
    """The environment variable that sets a robot's webhook or secret, e.g.
    ZHENGGAI_DINGTALK_OFFICE_SECRET."""
    return f"ZHENGGAI_{vendor.upper()}_{audience.upper()}_{key.upper()}"


def _with_env(data: dict[str, Any]) -> dict[str, Any]:
    """Secrets from the environment win over the file's: the token, the database's URL and the
    robots' keys."""
    env_token = os.environ.get(TOKEN_ENV, "")
    if env_token:
        data = {**data, "telegram": {**data.get("telegram", {}), "token": env_token}}
    env_url = os.environ.get(STORAGE_ENV, "")
    if env_url:  # wins over the file's url or path
        kept = {k: v for k, v in data.get("storage", {}).items() if k not in ("url", "path")}
        data = {**data, "storage": {**kept, "url": env_url}}
    channels = dict(data.get("channels", {}))
    for vendor in VENDORS:
        for audience in AUDIENCES:
            for key in ("webhook", "secret"):
                value = os.environ.get(robot_env(vendor, audience, key), "")
                if not value:
                    continue
                section = dict(channels.get(vendor, {}))
                robot = dict(section.get(audience, {}))
                robot[key] = value
                section[audience] = robot
                channels[vendor] = section
    return {**data, "channels": channels} if channels else data


def parse_config(data: dict[str, Any], source: str = "<内置默认>") -> Config:
    """Validate a config mapping; secrets set in the environment win over the file's."""
    data = _with_env(data)
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise _first_error(exc, source) from None


def resolve_path(path: Path | None) -> Path:
    """--config, then env ZHENGGAI_CONFIG, then ./config.toml."""
    if path is not None:
        return path
    env = os.environ.get(CONFIG_ENV)
    return Path(env) if env else DEFAULT_CONFIG


def _relative_to(config: Config, folder: Path) -> Config:
    """Relative storage paths mean: beside the config file, wherever the bot is started."""
    storage = config.storage
    fixed = storage.model_copy(
        update={
            "path": storage.path if storage.path.is_absolute() else folder / storage.path,
            "evidence_dir": storage.evidence_dir
            if storage.evidence_dir.is_absolute()
            else folder / storage.evidence_dir,
            "journal": None
            if storage.journal is None or storage.journal.is_absolute()
            else folder / storage.journal,
        }
    )
    return config.model_copy(update={"storage": fixed})


def load_config(path: Path | None = None, *, require_token: bool = True) -> Config:
    """Read and validate the config file; raise ConfigError with one clear line."""
    source = resolve_path(path)
    try:
        raw = source.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(
            f"配置错误: 找不到配置文件 {source}（可复制 config.example.toml 后修改）"
        ) from None
    except OSError as exc:
        raise ConfigError(f"配置错误: 无法读取配置文件 {source}: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"配置错误: TOML 格式有误 {exc}（文件 {source}）") from None
    config = parse_config(data, str(source))
    config = _relative_to(config, source.parent)
    if require_token and not config.token():
        raise ConfigError(
            f"配置错误 [telegram].token: 缺少 Bot token，请填写或设置环境变量 {TOKEN_ENV}"
            f"（文件 {source}）"
        )
    return config
