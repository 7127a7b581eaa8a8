"""Stand-ins for Greenhouse, Lever and Ashby on 127.0.0.1, answering in each API's documented shape.

    Greenhouse Job Board API  GET /v1/boards/{board}/jobs?content=true  {"jobs": [...], "meta": {"total": n}},
                              the content HTML-escaped, as the API sends it
    Greenhouse Harvest API    GET /v1/jobs?status=open, GET /v1/job_posts: a list a page, Link: <...>; rel="next",
                              Basic auth with the key as user name
    Lever Postings API        GET /v0/postings/{site}?mode=json&skip=&limit=: a list
    Lever v1 API              GET /v1/postings?limit=&offset=: {"data": [...], "hasNext": bool, "next": token}
    Ashby Job Posting API     GET /posting-api/job-board/{board}: {"apiVersion": "1", "jobs": [...]}

A board is a list of Jobs (vendor-neutral), rendered in the vendor's shape per request, so a
test can retitle or remove one between two runs. ``trouble`` scripts what the next requests
get before the real answer: ("status", 500), ("status", 429, "1") for Retry-After: 1,
("slow", seconds), ("malformed",), ("redirect", base_url). Every request is kept in ``requests``.
"""
from __future__ import annotations

import base64
import html
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Optional
from urllib.parse import parse_qs, urlsplit


@dataclass
class Job:
    id: int
    title: str
    html: str
    department: str = "Data"
    team: Optional[str] = None
    location: str = "Berlin"
    employment: str = "Full-time"
    opened: str = "2026-11-02"
    level: Optional[str] = None
    state: str = "published"       # Lever: published or internal; Greenhouse: a job without a post is unpublished


@dataclass
class Standin:
    vendor: str                     # greenhouse, lever or ashby
    boards: dict[str, list[Job]] = field(default_factory=dict)
    key: Optional[str] = None       # the key the keyed API takes
    page_size: int = 100            # Harvest and Lever v1 pages; Lever v0 takes the client's limit
    delay: float = 0.0              # seconds before each answer
    trouble: list[tuple] = field(default_factory=list)
    requests: list[tuple[str, Optional[str]]] = field(default_factory=list)   # (path?query, Authorization)

    def __enter__(self) -> "Standin":
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                standin.answer(self)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    # ---------------------------------------------------------------- answering

    def answer(self, request: BaseHTTPRequestHandler) -> None:
        self.requests.append((request.path, request.headers.get("Authorization")))
        if self.delay:
            time.sleep(self.delay)
        if self.trouble:
            kind, *args = self.trouble.pop(0)
            if kind == "slow":
                time.sleep(args[0])
            elif kind == "status":
                return self.send(request, args[0], {"error": "trouble"}, {"Retry-After": args[1]} if args[1:] else {})
            elif kind == "redirect":
                return self.send(request, 302, {}, {"Location": args[0] + request.path})
            elif kind == "malformed":
                return self.send_raw(request, 200, b'{"jobs": [{"id": 1, "title": "Data Eng', {})
        parts = urlsplit(request.path)
        query = {k: v if len(v) > 1 else v[0] for k, v in parse_qs(parts.query).items()}
        path = parts.path.strip("/").split("/")
        keyed = path[:2] in (["v1", "jobs"], ["v1", "job_posts"], ["v1", "postings"])
        if keyed and request.headers.get("Authorization") != self._basic():
            return self.send(request, 401, {"message": "Invalid Basic Auth credentials"})
        route = {("greenhouse", "boards"): self.greenhouse_board, ("greenhouse", "jobs"): self.harvest_jobs,
                 ("greenhouse", "job_posts"): self.harvest_posts, ("lever", "postings"): self.lever,
                 ("ashby", "job-board"): self.ashby}.get((self.vendor, path[1] if len(path) > 1 else ""))
        if route is None:
            return self.send(request, 404, {"error": "Not found"})
        route(request, path, query)

    def send(self, request, status: int, body: object, headers: Optional[dict] = None) -> None:
        self.send_raw(request, status, json.dumps(body).encode(), headers or {})

    def send_raw(self, request, status: int, body: bytes, headers: dict) -> None:
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(body)

    def _basic(self) -> Optional[str]:
        return "Basic " + base64.b64encode(f"{self.key}:".encode()).decode() if self.key else None

    def _board(self, request, name: str) -> Optional[list[Job]]:
        if name not in self.boards:
            self.send(request, 404, {"status": 404, "error": "Job not found"})
            return None
        return self.boards[name]

    def _paged(self, request, path: str, query: dict, items: list) -> None:
        """A Harvest page, with the Link header that leads to the next one."""
        page, per_page = int(query.get("page", 1)), min(int(query.get("per_page", 100)), self.page_size)
        chunk = items[(page - 1) * per_page: page * per_page]
        headers = {}
        if page * per_page < len(items):
            rest = "&".join(f"{k}={v}" for k, v in query.items() if k not in ("page", "per_page"))
            headers["Link"] = f'<{self.url}{path}?page={page + 1}&per_page={per_page}&{rest}>; rel="next"'
        self.send(request, 200, chunk, headers)

    # ---------------------------------------------------------------- the vendors' shapes

    def greenhouse_board(self, request, path, query) -> None:
        jobs = self._board(request, path[2])
        if jobs is None:
            return
        self.send(request, 200, {"jobs": [{
            "id": 4_000_000 + job.id, "internal_job_id": job.id, "title": job.title,
            "updated_at": f"{job.opened}T10:00:00-05:00", "requisition_id": f"REQ-{job.id}",
            "location": {"name": job.location}, "absolute_url": f"https://boards.greenhouse.io/{path[2]}/jobs/{job.id}",
            "metadata": None, "content": html.escape(job.html) if query.get("content") == "true" else None,
            "departments": [{"id": 1, "name": job.department, "parent_id": None, "child_ids": []}],
            "offices": [{"id": 2, "name": job.location, "location": job.location, "parent_id": None, "child_ids": []}],
            "first_published": f"{job.opened}T09:00:00-05:00"} for job in jobs if job.state == "published"],
            "meta": {"total": len(jobs)}})

    def _all_jobs(self) -> list[Job]:
        return [job for jobs in self.boards.values() for job in jobs]

    def harvest_jobs(self, request, path, query) -> None:
        self._paged(request, "/v1/jobs", query, [{
            "id": job.id, "name": job.title, "requisition_id": f"REQ-{job.id}", "status": "open",
            "confidential": False, "opened_at": f"{job.opened}T09:00:00.000Z", "closed_at": None,
            "departments": [{"id": 1, "name": job.department}],
            "offices": [{"id": 2, "name": job.location, "location": {"name": job.location}}],
            "hiring_team": {"hiring_managers": [{"id": 7, "first_name": "Ada", "last_name": "Byron"}]},
            "custom_fields": {"employment_type": job.employment}} for job in self._all_jobs()])

    def harvest_posts(self, request, path, query) -> None:
        self._paged(request, "/v1/job_posts", query, [{
            "id": 4_000_000 + job.id, "title": job.title, "job_id": job.id, "live": True, "active": True,
            "content": job.html, "location": {"name": job.location}} for job in self._all_jobs()
            if job.state == "published"])

    def _lever_posting(self, site: str, job: Job, v1: bool) -> dict:
        lists = [{"text": "Requirements", "content": "<li>SQL</li><li>Python</li>"}]
        categories = {"team": job.team, "department": job.department, "location": job.location,
                      "commitment": job.employment, **({"level": job.level} if v1 else {})}
        posting = {"id": f"5ac21346-8e0c-4494-8e7a-{job.id:012d}", "text": job.title, "categories": categories,
                   "createdAt": int(datetime.fromisoformat(job.opened).replace(tzinfo=timezone.utc).timestamp() * 1000),
                   "hostedUrl": f"https://jobs.lever.co/{site}/{job.id}"}
        if v1:
            return {**posting, "state": job.state, "content": {"description": job.html, "descriptionHtml": job.html,
                                                                 "lists": lists, "closing": "", "closingHtml": ""}}
        return {**posting, "description": job.html, "descriptionPlain": job.html, "lists": lists,
                "additional": "", "additionalPlain": "", "workplaceType": "hybrid", "country": "DE"}

    def lever(self, request, path, query) -> None:
        if path[0] == "v1":
            jobs = [(site, job) for site, board in self.boards.items() for job in board]
            start = int(query.get("offset", 0))
            limit = min(int(query.get("limit", 100)), self.page_size)
            chunk = jobs[start:start + limit]
            more = start + limit < len(jobs)
            return self.send(request, 200, {"data": [self._lever_posting(s, j, True) for s, j in chunk],
                                            "hasNext": more, **({"next": str(start + limit)} if more else {})})
        jobs = self._board(request, path[2])
        if jobs is None:
            return
        published = [job for job in jobs if job.state == "published"]
        skip, limit = int(query.get("skip", 0)), int(query.get("limit", len(published) or 1))
        self.send(request, 200, [self._lever_posting(path[2], job, False) for job in published[skip:skip + limit]])

    def ashby(self, request, path, query) -> None:
        jobs = self._board(request, path[2])
        if jobs is None:
            return
        self.send(request, 200, {"apiVersion": "1", "jobs": [{
            "id": f"7458d4e9-da2e-47bd-98cb-{job.id:012d}", "title": job.title, "department": job.department,
            "team": job.team, "employmentType": job.employment.replace("-", "").title().replace(" ", ""),
            "location": job.location, "secondaryLocations": [], "publishedAt": f"{job.opened}T14:29:08.532+00:00",
            "isListed": True, "isRemote": False, "workplaceType": "Hybrid", "address": None,
            "jobUrl": f"https://jobs.ashbyhq.com/{path[2]}/{job.id}", "applyUrl": f"https://jobs.ashbyhq.com/{path[2]}/{job.id}/application",
            "descriptionHtml": job.html, "descriptionPlain": html.unescape(job.html)} for job in jobs]})
