#!/usr/bin/env python3
"""Maya shelf button: publish the open scene as the next version of its task.

Inside Maya (Script Editor or a shelf button, Python tab)::

    import maya_shelf_publish; maya_shelf_publish.shelf_button()

Outside Maya on plain files (the same code path, for a render node, a farm post-job or a test)::

    STUDIOGRAPH_URL=http://127.0.0.1:4000 STUDIOGRAPH_API_TOKEN=sgp_... \\
      python3 maya_shelf_publish.py shots/SQ010_SH010/anim/sh010_anim.ma --frames 1001-1056 -m "blocking"

What it does:
1. finds the task: ``--task-id``, or among your tasks the one whose shot code appears in the file
   path (and whose type matches ``--type`` when given), preferring one in progress;
2. copies the file into the publish area (``--publish-root`` or ``$STUDIOGRAPH_PUBLISH_ROOT``:
   ``<root>/<project>/<shot or asset>/<task>/v###/<file>``), or publishes it in place when no root
   is set;
3. ``publishVersion`` (which puts the task up for review) with an idempotency key derived from
   the task and the file's SHA-256: pressing the button twice for the same file, or a retry after
   a network hiccup, never creates two versions.

Standard library only, Python 3.7+ (Maya 2022's interpreter).
"""

import argparse
import hashlib
import os
import re
import shutil
import sys

try:
    import studiograph
except ImportError:  # running from a checkout: clients/python/examples/ -> clients/python/
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import studiograph


def file_digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def find_task(client, path, task_id=None, task_type=None):
    """The task to publish to (raises SystemExit with a readable message when ambiguous)."""
    if task_id:
        task = client.task(task_id)
        if task is None:
            raise SystemExit("task %s not found" % task_id)
        return task
    tasks = client.my_tasks(status=["READY", "IN_PROGRESS", "RETAKE", "PENDING_REVIEW"])
    upper = path.upper()

    def entity_code(t):
        entity = t.get("shot") or t.get("asset") or {}
        return (entity.get("code") or "").upper()

    candidates = [t for t in tasks if entity_code(t) and entity_code(t) in upper]
    if task_type:
        candidates = [t for t in candidates if t["type"] == task_type.upper()]
    if not candidates:
        raise SystemExit("none of your open tasks matches %s (give --task-id)" % path)
    in_progress = [t for t in candidates if t["status"] == "IN_PROGRESS"]
    pick = in_progress or candidates
    if len(pick) > 1:
        names = ", ".join("%s %s (%s)" % (entity_code(t), t["name"], t["id"]) for t in pick)
        raise SystemExit("several tasks match: %s (give --task-id or --type)" % names)
    return client.task(pick[0]["id"])


def publish_path(task, source, publish_root):
    if not publish_root:
        return os.path.abspath(source)
    entity = task.get("shot") or task.get("asset") or {"code": "misc"}
    project = (task.get("project") or {}).get("code") or "project"
    number = len(task.get("versions") or []) + 1
    folder = os.path.join(publish_root, project, entity["code"], re.sub(r"\W+", "_", task["name"]).lower(), "v%03d" % number)
    return os.path.join(folder, os.path.basename(source))


def publish(client, source, comment=None, frame_start=None, frame_end=None, task_id=None, task_type=None,
            publish_root=None, log=print):
    """Publishes ``source``; returns the version (a dict)."""
    if not os.path.isfile(source):
        raise SystemExit("no such file: %s" % source)
    task = find_task(client, source, task_id, task_type)
    digest = file_digest(source)
    key = "maya-shelf:%s:%s" % (task["id"], digest)
    # A file already published (same bytes, same task) is answered from the idempotency key;
    # look for it among the versions first so it is not copied again either.
    for v in task.get("versions") or []:
        if v.get("path", "").endswith(os.path.basename(source)) and os.path.isfile(v["path"]) \
                and file_digest(v["path"]) == digest:
            log("Already published as v%03d: %s" % (v["number"], v["path"]))
            return v
    target = publish_path(task, source, publish_root)
    if os.path.abspath(target) != os.path.abspath(source):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(source, target)
    version = client.publish_version(task["id"], target, comment=comment, frame_start=frame_start,
                                     frame_end=frame_end, idempotency_key=key)
    entity = task.get("shot") or task.get("asset") or {}
    log("Published v%03d of %s %s: %s" % (version["number"], entity.get("code", "?"), task["name"], version["path"]))
    return version


def shelf_button():
    """Inside Maya: save the scene, publish it with the playback range, report in a dialog."""
    from maya import cmds  # noqa: imported only inside Maya

    cmds.file(save=True)
    scene = cmds.file(query=True, sceneName=True)
    start = int(cmds.playbackOptions(query=True, minTime=True))
    end = int(cmds.playbackOptions(query=True, maxTime=True))
    comment = cmds.promptDialog(title="Publish", message="Comment:", button=["Publish", "Cancel"])
    if comment != "Publish":
        return None
    text = cmds.promptDialog(query=True, text=True)
    client = studiograph.Client.from_env(user_agent="maya-shelf")
    try:
        version = publish(client, scene, comment=text, frame_start=start, frame_end=end,
                          publish_root=os.environ.get("STUDIOGRAPH_PUBLISH_ROOT"))
    except studiograph.GraphQLError as e:
        cmds.confirmDialog(title="Publish failed", message="%s (%s)" % (e.message, e.code))
        raise
    cmds.confirmDialog(title="Published", message="v%03d: %s" % (version["number"], version["path"]))
    return version


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file", help="the scene (any file) to publish")
    parser.add_argument("-m", "--comment", help="what changed")
    parser.add_argument("--frames", help="frame range, e.g. 1001-1056")
    parser.add_argument("--task-id", help="the task (default: found from the path)")
    parser.add_argument("--type", help="task type to pick when several match (ANIMATION, LIGHTING, ...)")
    parser.add_argument("--publish-root", default=os.environ.get("STUDIOGRAPH_PUBLISH_ROOT"),
                        help="copy into this publish area (default $STUDIOGRAPH_PUBLISH_ROOT; unset: publish in place)")
    args = parser.parse_args(argv)
    start = end = None
    if args.frames:
        m = re.match(r"^\s*(-?\d+)\s*[-:]\s*(-?\d+)\s*$", args.frames)
        if not m:
            parser.error("--frames must look like 1001-1056")
        start, end = int(m.group(1)), int(m.group(2))
    client = studiograph.Client.from_env(user_agent="maya-shelf")
    try:
        publish(client, args.file, comment=args.comment, frame_start=start, frame_end=end,
                task_id=args.task_id, task_type=args.type, publish_root=args.publish_root)
    except studiograph.GraphQLError as e:
        sys.stderr.write("publish failed: %s\n" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
