"""Config: one clear line naming the key and the file, exit code 2, never the token."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config

SECRET = "987654:SECRET-TOKEN-never-print-me"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_example_config_is_valid_and_complete(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZHENGGAI_TELEGRAM_TOKEN", SECRET)
    config = load_config(Path(__file__).parents[2] / "config.example.toml")
    assert config.token() == SECRET
    assert config.schedule.red_after_days == 10
    assert SECRET not in repr(config)


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ('[schedule]\ndaily_at = "25:00"\n', "[schedule].daily_at"),
        ("[office]\ncode_ttl_hours = 0\n", "[office].code_ttl_hours"),
        ('[office]\nadmins = ["me"]\n', "[office].admins"),
        ('[telegram]\nmode = "carrier-pigeon"\n', "[telegram].mode"),
        ("[schedule]\ndayly_at = '18:00'\n", "[schedule].dayly_at"),
        ('[schedule]\ntimezone = "Mars/Olympus"\n', "[schedule].timezone"),
        ("[storage\n", "TOML"),
    ],
)
def test_bad_key_is_one_line_naming_key_and_file(tmp_path: Path, body: str, key: str) -> None:
    path = write(
        tmp_path, f'[telegram]\ntoken = "{SECRET}"\n' * (not body.startswith("[tel")) + body
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert key in message
    assert "\n" not in message
    assert SECRET not in message


def test_missing_token_names_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZHENGGAI_TELEGRAM_TOKEN", raising=False)
    with pytest.raises(ConfigError, match=r"\[telegram\]\.token"):
        load_config(write(tmp_path, "[office]\nadmins = [1]\n"))


def test_cli_exits_2_without_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, f'[telegram]\ntoken = "{SECRET}"\n[schedule]\nred_after_days = -3\n')
    result = run_cli("run", "--config", str(path))
    assert result.returncode == 2
    assert "[schedule].red_after_days" in result.stderr
    assert str(path) in result.stderr
    assert "Traceback" not in result.stderr
    assert SECRET not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_missing_file_exits_2(tmp_path: Path) -> None:
    result = run_cli("run", "--config", str(tmp_path / "nope.toml"))
    assert result.returncode == 2
    assert "nope.toml" in result.stderr
    assert "Traceback" not in result.stderr


def test_relative_storage_paths_are_beside_the_config(tmp_path: Path) -> None:
    path = write(tmp_path, '[storage]\npath = "data/z.sqlite3"\n')
    config = load_config(path, require_token=False)
    assert config.storage.path == tmp_path / "data" / "z.sqlite3"
    assert config.storage.evidence_dir == tmp_path / "evidence"


def test_storage_url_from_the_environment_wins_and_stays_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, '[storage]\npath = "z.sqlite3"\njournal = "j/sends.sqlite3"\n')
    url = "postgresql://zhenggai:pg-Secret-9@db.example/zhenggai"
    monkeypatch.setenv("ZHENGGAI_STORAGE_URL", url)
    config = load_config(path, require_token=False)
    assert config.storage.postgresql
    assert config.storage.target == url
    assert config.storage.journal_path == tmp_path / "j" / "sends.sqlite3"
    assert "pg-Secret-9" not in repr(config)


def test_a_sqlite_url_is_the_file_and_url_with_path_is_refused(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, '[storage]\nurl = "sqlite:///data/z.db"\n'), require_token=False
    )
    assert not config.storage.postgresql
    assert config.storage.target == tmp_path / "data" / "z.db"
    assert config.storage.journal_path == tmp_path / "data" / "z.sends.sqlite3"
    for body in (
        '[storage]\nurl = "postgresql:///z"\npath = "z.sqlite3"\n',
        '[storage]\nurl = "mysql://db/z"\n',
    ):
        with pytest.raises(ConfigError, match=r"\[storage\]"):
            load_config(write(tmp_path, body), require_token=False)
