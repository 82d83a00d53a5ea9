#!/usr/bin/env python3
"""Submit a shot to the render farm and (optionally) follow it to the end.

    STUDIOGRAPH_URL=http://127.0.0.1:4000 STUDIOGRAPH_API_TOKEN=sgp_... \\
      python3 render_submit.py SQ010_SH010 --project SKY \\
        --command "render -r arnold -s {frame_start} -e {frame_end} /jobs/sky/sh010/light.ma" \\
        --frames 1001-1056 --chunk 8 --priority 60 --watch

The shot is given by code (with ``--project`` when several projects have that code) or by id.
The frame range defaults to the shot's. ``--watch`` follows the job over the
``renderJobChanged(jobId:)`` subscription (SSE), printing progress until it succeeds, fails or
is cancelled; the exit status is 0 only when it succeeded. The submission carries an idempotency
key (``--key`` to choose it, e.g. from your farm submitter's own job id), so a retried submit
never queues the job twice. Needs the ``render:submit`` (and ``production:read``) scopes.
"""

import argparse
import os
import re
import sys

try:
    import studiograph
except ImportError:  # running from a checkout
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import studiograph

FINISHED = ("SUCCEEDED", "FAILED", "CANCELLED")
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def paginate(client, query, path, variables=None):
    """Every node of a connection, page by page (``path`` leads from ``data`` to it)."""
    after = None
    while True:
        data = client.execute(query, dict(variables or {}, after=after))
        for key in path:
            data = data[key]
        for node in data["nodes"]:
            yield node
        if not data["pageInfo"]["hasNextPage"]:
            return
        after = data["pageInfo"]["endCursor"]


def find_shot(client, shot, project=None):
    """``{id code frameStart frameEnd project{code}}`` of a shot given by id or code."""
    if UUID.match(shot):
        found = client.execute("query($id: ID!) { shot(id: $id) { id code frameStart frameEnd project { code } } }",
                               {"id": shot})["shot"]
        if found is None:
            raise SystemExit("no shot %s" % shot)
        return found
    matches = []
    for p in paginate(client, "query($after: String) { projects(first: 50, after: $after) "
                              "{ pageInfo { hasNextPage endCursor } nodes { id code } } }", ["projects"]):
        if project and p["code"].upper() != project.upper():
            continue
        for s in paginate(client, "query($id: ID!, $after: String) { project(id: $id) { shots(first: 100, after: $after) "
                                  "{ pageInfo { hasNextPage endCursor } nodes { id code frameStart frameEnd project { code } } } } }",
                          ["project", "shots"], {"id": p["id"]}):
            if s["code"].upper() == shot.upper():
                matches.append(s)
    if not matches:
        raise SystemExit("no shot %s%s" % (shot, " in project %s" % project if project else ""))
    if len(matches) > 1:
        raise SystemExit("shot %s exists in %s: give --project" % (shot, ", ".join(m["project"]["code"] for m in matches)))
    return matches[0]


def watch(client, job, log=print):
    """Follows the job until it finishes; returns its final status."""
    if job["status"] in FINISHED:
        return job["status"]
    sub = client.subscribe(
        "subscription($jobId: ID) { renderJobChanged(jobId: $jobId) { kind job { id status progress { done total } coreSeconds cost { amount currency } } } }",
        {"jobId": job["id"]},
    )
    try:
        # The subscription starts live: read the job once more so a change made before it was
        # open is not missed.
        now = client.render_job(job["id"])
        if now["status"] in FINISHED:
            return now["status"]
        for data in sub:
            event = data["renderJobChanged"]
            j = event["job"]
            log("%-12s %-9s %d/%d chunks  %.0f core-s  %s %s" % (
                event["kind"], j["status"], j["progress"]["done"], j["progress"]["total"],
                j["coreSeconds"], j["cost"]["amount"], j["cost"]["currency"]))
            if j["status"] in FINISHED:
                return j["status"]
    finally:
        sub.close()
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("shot", help="shot code (e.g. SQ010_SH010) or id")
    parser.add_argument("--project", help="project code, when the shot code is not unique")
    parser.add_argument("--command", required=True, help="command template; {frame_start} {frame_end} {frame} are substituted")
    parser.add_argument("--frames", help="e.g. 1001-1056 (default: the shot's range)")
    parser.add_argument("--chunk", type=int, help="frames per chunk (server default 10)")
    parser.add_argument("--priority", type=int, help="0 to 100 (server default 50)")
    parser.add_argument("--pool", help="render pool (server default cpu)")
    parser.add_argument("--name", help="job name (default: '<shot> render')")
    parser.add_argument("--task-id", help="the production task the render is for")
    parser.add_argument("--key", help="idempotency key (default: a fresh one)")
    parser.add_argument("--watch", action="store_true", help="follow the job until it finishes")
    args = parser.parse_args(argv)
    client = studiograph.Client.from_env(user_agent="render-submit")
    start = end = None
    if args.frames:
        m = re.match(r"^\s*(-?\d+)\s*[-:]\s*(-?\d+)\s*$", args.frames)
        if not m:
            parser.error("--frames must look like 1001-1056")
        start, end = int(m.group(1)), int(m.group(2))
    try:
        shot = find_shot(client, args.shot, args.project)
        job = client.submit_render(shot["id"], args.command, frame_start=start, frame_end=end, name=args.name,
                                   task_id=args.task_id, chunk_size=args.chunk, priority=args.priority,
                                   pool=args.pool, idempotency_key=args.key)
        print("Submitted %s (%s): frames %d-%d in %d chunks on %s, priority %d, %s" % (
            job["name"], job["id"], job["frameStart"], job["frameEnd"], job["progress"]["total"], job["pool"],
            job["priority"], job["status"]))
        sys.stdout.flush()
        if args.watch:
            status = watch(client, job)
            print("Finished: %s" % status)
            return 0 if status == "SUCCEEDED" else 1
    except studiograph.GraphQLError as e:
        sys.stderr.write("render submit failed: %s\n" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
