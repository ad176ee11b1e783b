"""Deployment settings: production passes `check --deploy`, development needs nothing."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    base.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True, text=True)


def test_production_settings_pass_check_deploy():
    result = _manage("check", "--deploy", "--fail-level", "WARNING",
                     DJANGO_SECRET_KEY="x" * 20 + "production-secret-key-with-enough-entropy-0123456789",
                     DJANGO_ALLOWED_HOSTS="tracker.example.org")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_off_without_secret_key_is_refused():
    result = _manage("check", DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_settings_default_to_chinese_and_shanghai_time(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert ("en", "English") in settings.LANGUAGES


def _database_setting(url: str, key: str) -> str:
    code = f"from django.conf import settings; print(settings.DATABASES['default'].get({key!r}))"
    result = _manage("shell", "--no-imports", "-c", code, DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_postgresql_connections_persist_with_health_checks():
    # A connection per request cost a third of the capacity in a load test (issue 13).
    url = "postgres://postgres@127.0.0.1:5432/tracker"
    assert _database_setting(url, "CONN_MAX_AGE") == "60"
    assert _database_setting(url, "CONN_HEALTH_CHECKS") == "True"
    assert _database_setting(url + "?conn_max_age=0", "CONN_MAX_AGE") == "0"
