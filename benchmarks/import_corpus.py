"""Benchmark of the corpus importer (issues 3 and 10).

Makes N letters (default 10,000) by varying the bundled corpus letters — proposal numbers and
titles, proposers, dates, lead agencies, sessions — and reports, with the machine's load
(`uptime`) beside each figure (these machines are shared: compare figures of one run):

- parse rate: file bytes -> text -> parse_letter, letters per second on one core (wall clock
  and this process's CPU time; the best of --rounds rounds). Target (issue 10): >= 2,000/s.
- load: the whole import (bytes -> records, in batches, one transaction per batch) into an
  empty, migrated database, on SQLite and on PostgreSQL. Target: 10,000 letters < 20 s.
- raw: the database's own time to insert the same rows again (benchmarks/import_raw.py:
  executemany on SQLite, COPY on PostgreSQL), the floor under the load time.

Usage:
    .venv/bin/python benchmarks/import_corpus.py [-n 10000] [--rounds 3] [--jobs 0] [--databases sqlite,postgres]
        [--pg-url postgres://postgres@127.0.0.1:5432/bench_import]

Each database is loaded in a child process (DATABASE_URL differs); the PostgreSQL database
named in --pg-url is dropped and created anew. Results also go to benchmarks/out/.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

BASE = Path(__file__).resolve().parent.parent
CORPUS = BASE / "fixtures" / "corpus"
OUT = BASE / "benchmarks" / "out"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛"
PARTIES = ("民进", "民建", "民盟", "九三学社", "致公党", "农工党", "民革", "台盟")
AGENCY_SUFFIXES = ("教育体育局", "财政局", "人力资源和社会保障局", "卫生健康委员会", "自然资源局", "住房和城乡建设局",
                   "交通运输局", "农业农村局", "文化和旅游局", "民政局", "生态环境局", "市场监督管理局")
CN_DIGITS = "一二三四五六七八九十"
TOPICS = ("加强农村义务教育学校建设", "推进城乡养老服务一体化", "完善社区卫生服务网络", "提升中小学课后服务质量",
          "规范校外培训机构管理", "加快老旧小区改造", "保护传统村落", "发展县域特色产业", "改善农村饮水安全",
          "加强基层医疗人才队伍建设", "推动公共文化服务均等化", "优化营商环境", "治理城市交通拥堵", "建设智慧社区",
          "支持职业教育产教融合", "促进高校毕业生就业", "加强生态环境保护", "完善防汛抗旱体系")


def _name(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _date(rng, year):
    return datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(0, 330))


def _cn_date(d):
    return f"{d.year}年{d.month}月{d.day}日"


def _swap(text, pairs):
    for old, new in pairs:
        text = text.replace(old, new)
    return text


def make_letters(n: int, seed: int = 20240521) -> list[tuple[str, bytes]]:
    """N (file name, bytes) letters varied from the corpus; deterministic for a seed."""
    rng = random.Random(seed)
    src = {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))}
    letters = []
    for i in range(n):
        kind = i % 10
        term, session = rng.randint(5, 14), rng.randint(1, 5)
        label = f"{CN_DIGITS[term - 1] if term <= 10 else '十' + CN_DIGITS[term - 11]}届{CN_DIGITS[session - 1]}次"
        year = rng.randint(2018, 2025)
        signed = _date(rng, year)
        published = signed + datetime.timedelta(days=rng.randint(1, 40))
        number = str(1000 + i)
        topic = rng.choice(TOPICS)
        if kind < 4:      # 曲靖: a member, a government office or bureau as lead
            agency = rng.choice(["曲靖市人民政府"] + [f"曲靖市{s}" for s in AGENCY_SUFFIXES])
            text = _swap(src["000"], [
                ("六届三次", label), ("第55号", f"第{number}号"), ("陈丽琴", _name(rng)),
                ("关于重视农村教育 提倡集中办学的提案", f"关于{topic}的提案"),
                ("曲靖市人民政府", agency), ("2024年10月20日", _cn_date(signed)),
                ("2024-10-21", published.isoformat()), ("257号", f"{rng.randint(1, 999)}号"),
                ("3121678", f"{rng.randint(3000000, 3999999)}"),
            ])
        elif kind < 7:    # 重庆: co-handling agencies, run-together digits for the date
            text = _swap(src["002"], [
                ("五届三次", label), ("第0325号", f"第{number}号"), ("陈平", _name(rng)),
                ("关于促进基础教育优质均衡发展的建议", f"关于{topic}的建议"),
                ("2020414", f"{signed.year}{signed.month}{signed.day:02d}"),
                ("2020-08-03", published.isoformat()), ("〕93号", f"〕{rng.randint(1, 999)}号"),
            ])
        elif kind < 9:    # 楚雄: a collective proposer
            agency = rng.choice([f"楚雄市{s}" for s in AGENCY_SUFFIXES])
            text = _swap(src["004"], [
                ("十届一次", label), ("第78号", f"第{number}号"), ("关于落实双减政策提高教育质量", f"关于{topic}"),
                ("民进楚雄州委", rng.choice(PARTIES) + "楚雄州委"), ("楚雄市教育体育局", agency),
                ("2022年6月28日", _cn_date(signed)), ("2022-07-28", published.isoformat()),
            ])
        else:             # not a reply: a work summary or a policy document, kept for reference
            text = _swap(src["001"] if i % 20 == 9 else src["003"], [
                ("工作总结篇5", f"工作总结篇{i}"), ("2號", f"{i}號"), ("2024年1月5日", _cn_date(signed)),
            ])
        letters.append((f"letter_{i:06d}.txt", text.encode("utf-8")))
    return letters


# --- phases --------------------------------------------------------------------------

def _django(database_url: str | None = None):
    sys.path.insert(0, str(BASE))
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def uptime() -> str:
    """The machine's load, as `uptime` prints it."""
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, timeout=10).stdout.strip()
    except OSError:
        return "load average: %.2f, %.2f, %.2f" % os.getloadavg()


def parse_phase(letters, rounds: int = 3) -> dict:
    """The importer's reading of each file (replies.importing.formats + parse_letter), timed by
    the wall clock and by this process's CPU time; the best round of each."""
    from replies.importing.formats import extract_document
    from replies.letters import parse_letter

    parse_letter(extract_document(letters[0][1], letters[0][0]).text)  # one-time set-up out of the timing
    best_wall = best_cpu = float("inf")
    replies = 0
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        replies = 0
        for name, data in letters:
            replies += parse_letter(extract_document(data, name).text).kind == "reply"
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    n = len(letters)
    return {"letters": n, "replies": replies, "rounds": rounds, "seconds": round(best_wall, 2),
            "letters_per_second": round(n / best_wall, 1), "cpu_seconds": round(best_cpu, 2),
            "letters_per_cpu_second": round(n / best_cpu, 1)}


def load_phase(n: int, jobs: int = 0) -> dict:
    """In a child process whose DATABASE_URL names an empty database: migrate, then time the
    import, then the database's own insert of the same rows (benchmarks/import_raw.py)."""
    from django.core.management import call_command

    from proposals.models import Agency, Proposal, Proposer
    from replies.importing import Importer
    from replies.models import ReferenceDocument, Reply

    from django.conf import settings

    settings.DEBUG = False  # as deployed: a development checkout would log every query
    call_command("migrate", verbosity=0)
    letters = make_letters(n)
    load = uptime()
    start, cpu = time.perf_counter(), time.process_time()
    outcomes = Importer(jobs=jobs).import_many(letters)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    statuses = {}
    for outcome in outcomes:
        statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
    result = {
        "letters": n, "jobs": jobs, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
        "letters_per_second": round(n / seconds, 1), "uptime": load,
        "statuses": statuses, "proposals": Proposal.objects.count(), "replies": Reply.objects.count(),
        "reference_documents": ReferenceDocument.objects.count(), "agencies": Agency.objects.count(),
        "proposers": Proposer.objects.count(),
    }
    from import_raw import raw_reinsert

    result["raw"] = raw_reinsert()
    result["raw"]["uptime"] = uptime()
    return result


def _recreate_pg(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _child(database_url: str, n: int, jobs: int = 0) -> dict:
    env = dict(os.environ, DATABASE_URL=database_url)
    done = subprocess.run([sys.executable, __file__, "_load", "-n", str(n), "--jobs", str(jobs)], env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"load on {database_url} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("phase", nargs="?", default="all", choices=["all", "_load"])
    parser.add_argument("-n", type=int, default=10_000, help="number of letters (default 10,000)")
    parser.add_argument("--rounds", type=int, default=3, help="parse rounds, the best is kept (default 3)")
    parser.add_argument("--jobs", type=int, default=0,
                        help="worker processes reading files during the load (Importer(jobs=N); default 0: none)")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL",
                                                           "postgres://postgres@127.0.0.1:5432/bench_import"))
    args = parser.parse_args(argv)
    if args.phase == "_load":
        _django()
        print(json.dumps(load_phase(args.n, args.jobs)))
        return
    _django("sqlite://:memory:")
    letters = make_letters(args.n)
    before = uptime()
    results = {"n": args.n, "parse": parse_phase(letters, args.rounds), "load": {}}
    p = results["parse"]
    p["uptime"] = before
    print(f"uptime: {before}")
    print(f"parse: {p['letters']} letters in {p['seconds']} s = {p['letters_per_second']} letters/s on one core "
          f"(CPU time {p['cpu_seconds']} s = {p['letters_per_cpu_second']} letters/s; best of {p['rounds']})")
    for db in [d.strip() for d in args.databases.split(",") if d.strip()]:
        if db == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                results["load"]["sqlite"] = _child(f"sqlite:///{tmp}/bench.sqlite3", args.n, args.jobs)
        elif db == "postgres":
            _recreate_pg(args.pg_url)
            results["load"]["postgres"] = _child(args.pg_url, args.n, args.jobs)
        else:
            raise SystemExit(f"unknown database {db!r}")
        r = results["load"][db]
        raw = r["raw"]
        print(f"uptime: {r['uptime']}")
        print(f"load ({db}, jobs={r['jobs']}): {r['letters']} letters in {r['seconds']} s = {r['letters_per_second']} letters/s "
              f"(CPU time of the importing process {r['cpu_seconds']} s) "
              f"-> {r['proposals']} proposals, {r['reference_documents']} reference documents, "
              f"{r['agencies']} agencies, {r['proposers']} proposers; {r['statuses']}")
        print(f"raw ({db}): the same {raw['rows']} rows by {raw['method']} in {raw['seconds']} s "
              f"(uptime: {raw['uptime']})")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "import_corpus.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
