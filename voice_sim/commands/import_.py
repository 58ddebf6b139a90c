"""``voice-sim import``: register existing recordings in the store, analysed and scored."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import VoiceSimError
from ._store_opts import DataOpt, TeamOpt

if TYPE_CHECKING:
    from ..store import Database

HELP = (
    "Import existing recordings into the session store: a contact center's stereo calls "
    "(channel 0 the agent, channel 1 the customer), session folders, gauntlet folders, folders "
    "of recordings, or globs.\n\n"
    "Each recording is analysed and scored in worker processes, with a progress bar. A "
    "recording already in the store (same content) is skipped; a file that fails is reported "
    "and the rest go on. Recordings are copied into the data directory's imports/ folder with "
    "their analysis, scorecard and report; session folders are scored in place. Interrupted? "
    "Run the same command again: it finishes the rest.\n\n"
    "Examples:\n\n"
    "  voice-sim import calls/*.wav --trainee sam --team red\n\n"
    "  voice-sim import 'archive/**/*.flac' --persona delayed-order --workers 2\n\n"
    "  voice-sim import out/gauntlet-1 out/2026-01-01-angry-billing"
)


def register(app: typer.Typer) -> None:
    @app.command("import", help=HELP, no_args_is_help=True)
    def import_cmd(
        paths: Annotated[list[str], typer.Argument(help="Recordings, folders or globs.")],
        trainee: Annotated[
            str | None,
            typer.Option(
                "--trainee",
                help="Whose calls these are (default: a session folder's "
                "own trainee, else your OS user name).",
            ),
        ] = None,
        team: TeamOpt = None,
        persona: Annotated[
            str | None, typer.Option("--persona", help="The customer persona of these calls.")
        ] = None,
        workers: Annotated[
            int, typer.Option("--workers", "-j", min=1, max=32, help="Worker processes.")
        ] = 2,
        data: DataOpt = None,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    ) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        from ..store.hook import default_trainee, open_store
        from ..store.ingest import ImportItem, expand, run_import
        from ..store.register import SessionRecord, store_gauntlet, store_session

        if persona is not None:
            from personas import persona_ids

            if persona not in persona_ids():
                raise VoiceSimError(
                    f"--persona: unknown persona {persona!r} (voice-sim personas list)"
                )
        items = expand(paths)
        if not items:
            raise VoiceSimError(f"{' '.join(paths)}: no recordings found")
        db = open_store(data)
        fallback = default_trainee(trainee)
        gauntlets: dict[Path, list[SessionRecord]] = {}

        def store(item: ImportItem, rec: SessionRecord) -> int:
            # a session folder knows its trainee; a bare recording is --trainee's (or yours)
            who = (trainee or rec.trainee or fallback) if item.folder is not None else fallback
            if item.gauntlet is not None:
                gauntlets.setdefault(item.gauntlet, []).append(rec)
            sid, _ = store_session(db, rec, trainee=who, team=team, source="import")
            return sid

        t0 = time.monotonic()
        from rich.console import Console

        with Progress(
            TextColumn("[bold]importing[/bold]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[audio]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True, soft_wrap=True, highlight=False),
            disable=quiet or not sys.stderr.isatty(),
            transient=False,
        ) as bar:
            task = bar.add_task("import", total=len(items), audio="")
            audio = [0.0]

            def progress(item: ImportItem, status: str, audio_s: float) -> None:
                audio[0] += audio_s
                bar.update(task, advance=1, audio=f"{audio[0] / 60:.1f} min of audio")
                if status.startswith("failed"):
                    # one line per file as it fails; the others go on
                    bar.console.print(f"voice-sim: error: {item.path}: {status[8:]}", markup=False)

            try:
                report = run_import(
                    items,
                    store=store,
                    is_stored=lambda h: _stored(db, h),
                    data_dir=db.data_dir,
                    persona=persona,
                    workers=workers,
                    on_progress=progress,
                )
            finally:
                for gfolder, recs in gauntlets.items():
                    recs.sort(key=lambda r: r.gauntlet_index or 0)
                    store_gauntlet(
                        db,
                        gfolder,
                        recs,
                        trainee=trainee or recs[0].trainee or fallback,
                        team=team,
                        source="import",
                    )
                db.close()
        wall = time.monotonic() - t0
        speed = f", {report.audio_s / wall:.1f}x real time" if report.audio_s and wall else ""
        typer.echo(
            f"imported {len(report.stored)}, skipped {len(report.skipped)} already stored, "
            f"failed {len(report.failed)} ({report.audio_s / 60:.1f} min of audio in "
            f"{wall:.1f} s{speed})"
        )
        if report.failed:
            raise VoiceSimError(
                f"{len(report.failed)} of {len(items)} files could not be imported: "
                f"{report.failed[0][0]}: {report.failed[0][1]}"
            )


def _stored(db: Database, content_hash: str) -> bool:
    from ..store.register import is_stored

    return is_stored(db, content_hash) is not None
