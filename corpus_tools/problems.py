"""Every problem code corpus-tools reports, with its severity, message template and hint.

This is the one place that names problem codes (as frictionless-py keeps each error's code,
template and hint together). Messages are built only for the problem being reported:
``render(code, **fields)`` formats one template. The README's table of codes is generated from
``CODES`` by ``codes_markdown()``, and a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]
# Where a problem comes from; the README groups the table by it.
Stage = Literal["project", "ingest", "convert", "validate", "package", "release", "publish"]


@dataclass(frozen=True)
class Code:
    """One kind of problem: what is wrong (``template``) and what to do (``hint``)."""

    code: str
    severity: Severity
    stage: Stage
    template: str
    hint: str
    # 2 when the command was called wrongly (usage), 1 when the data is invalid.
    exit_code: int = 1

    def message(self, **fields: object) -> str:
        """The template filled in, without the hint."""
        return self.template.format(**fields)


_ALL = (
    # ------------------------------------------------------------------ project
    Code("no-project", "error", "project", "no dataset.toml in {start} or any folder above it",
         "run the command inside a corpus project, pass --project DIR, or create one with "
         "corpus-tools init DIR", 2),
    Code("bad-metadata", "error", "project", "{what}",
         "fix dataset.toml (every key is documented in README.md, 'dataset.toml')", 2),
    Code("project-exists", "error", "project", "{path} already holds {what}",
         "choose an empty or new folder for corpus-tools init", 2),
    Code("profile", "error", "project", "{what}",
         "fix the profile file (see README, 'Outlet profiles')", 2),
    Code("profile-rule", "error", "convert",
         "rule {rule} leaves {text!r} of a line in no field",
         "put that text in a named group (boilerplate if it is furniture)", 2),
    Code("bad-card", "error", "project", "{what}",
         "save the card prose files as UTF-8 Markdown (see README, 'Card prose')", 2),
    # ------------------------------------------------------------------ ingest
    Code("no-seeds-folder", "error", "ingest", "seeds folder {folder} {what}",
         "pass the folder that holds the NNN_<16 hex>.txt files", 2),
    Code("no-seeds", "error", "ingest", "seeds folder {folder} holds no files",
         "add page copies with corpus-tools add FILE...", 2),
    Code("file-name", "error", "ingest", "file name does not follow NNN_<16 hex>.txt",
         "rename it like 005_0123456789abcdef.txt (an order number of three or more digits, "
         "underscore, 16 lower-case hex digits), or add the file with corpus-tools add"),
    Code("empty-file", "error", "ingest", "file is empty",
         "add the article text or remove the file"),
    Code("binary-file", "error", "ingest", "file contains NUL bytes and is not a text file",
         "replace it with the article copied as plain UTF-8 text"),
    Code("not-utf8", "error", "ingest", "file is not UTF-8 text ({detail})",
         "re-save it as UTF-8, for example with iconv -f {source} -t utf-8"),
    Code("not-a-file", "error", "ingest", "is a folder, not a seed file",
         "move it out of the seeds folder"),
    Code("unreadable", "error", "ingest", "cannot be read ({reason})",
         "fix the file (a broken link?) or remove it"),
    Code("duplicate-bytes", "error", "ingest", "has the same bytes as {other}",
         "the page copy is already in the corpus; nothing to add", 1),
    Code("no-input-file", "error", "ingest", "{path} {what}",
         "pass page copies as regular files", 2),
    # ------------------------------------------------------------------ convert
    Code("no-body", "error", "convert",
         "no article body: all {lines} non-blank lines are page furniture or header fields "
         "for profile {profile}",
         "check that the file holds the article text, or extend the outlet profile"),
    # ------------------------------------------------------------------ validate
    Code("schema-<keyword>", "error", "validate", "record {record}: {path}: {detail}",
         "see the schema's description of the field"),
    Code("lone-surrogate", "error", "validate",
         "{path} holds a lone surrogate, which is not a Unicode character",
         "fix the text where the record was made (a broken escape such as \\udc80)"),
    Code("invalid-json", "error", "validate",
         "line is not valid JSON ({detail} at column {column})", "write one JSON object per line"),
    Code("no-records-file", "error", "validate", "{path} {what}",
         "pass a .jsonl file made by corpus-tools convert", 2),
    Code("no-records", "error", "validate", "file holds no records",
         "convert seeds into it first"),
    Code("duplicate-id", "error", "validate", "record {record} shares its id with {others}",
         "give each seed a unique id"),
    Code("duplicate-seed", "error", "validate",
         "record {record} has the same seed bytes as {others}", "remove the duplicate seed"),
    Code("duplicate-text", "error", "validate",
         "record {record} has the same article text as {others} (the same article under "
         "another id)", "remove one of the seeds"),
    Code("id-mismatch", "error", "validate",
         "record {record} does not match its file name {seed_file}",
         "take the id from the file name"),
    Code("text-mismatch", "error", "validate",
         "record {record}: text is not the body texts joined by a blank line",
         "rebuild text from body"),
    Code("count-mismatch", "error", "validate",
         "record {record}: word_count {word_count} or char_count {char_count} disagrees with "
         "text", "recompute them as len(text.split()) and len(text)"),
    Code("precision-mismatch", "error", "validate",
         "record {record}: published.precision does not agree with published.time",
         "use day with no time, hour with HH:00, minute with HH:MM"),
    Code("date-out-of-range", "error", "validate",
         "record {record}: publication date {date} is {why}", "check the date line in the seed"),
    Code("outlet-mismatch", "error", "validate",
         "record {record}: outlet {outlet} does not match the outlet registry ({expected})",
         "fix the outlet fields or the profile"),
    Code("no-headline", "error", "validate", "record {record} has no title, kicker or lead",
         "check the seed's first lines or extend the outlet profile"),
    Code("furniture-in-body", "error", "validate",
         "record {record}: body block {block!r} is page furniture by the {profile} profile",
         "remove it from body and text"),
    Code("language", "error", "validate",
         "record {record}: language {language!r} is not one of {allowed}",
         "fix it or allow it in dataset.toml"),
    Code("fallback-profile", "warning", "validate",
         "record {record} was converted by the generic fallback because no outlet profile "
         "matched", "check it by hand or add a profile"),
    Code("no-date", "warning", "validate",
         "record {record} has no publication date",
         "the page copy carries none, or its date format is missing from the profile"),
    Code("no-title", "warning", "validate", "record {record} has no title",
         "the page copy lost its headline, or the profile's headline rule missed it"),
    # ------------------------------------------------------------------ dataset folder
    Code("no-dataset", "error", "validate", "{folder} holds no data/*.parquet",
         "pass a folder made by corpus-tools build", 2),
    Code("no-manifest", "error", "validate", "manifest.json is missing", "rebuild the dataset"),
    Code("bad-manifest", "error", "validate",
         "manifest.json is not a manifest written by corpus-tools build ({detail})", "rebuild"),
    Code("missing-file", "error", "validate", "{name} is listed in manifest.json but missing",
         "rebuild"),
    Code("checksum", "error", "validate",
         "{name} does not match its manifest checksum; the file was changed after the build",
         "rebuild"),
    Code("unsafe-path", "error", "validate", "manifest.json lists {name}, which {why}",
         "rebuild the dataset; a manifest never points outside its folder"),
    Code("unlisted-file", "error", "validate", "{name} is not listed in manifest.json",
         "remove it, or rebuild so that the manifest lists every file"),
    Code("manifest-mismatch", "error", "validate",
         "manifest.json disagrees with the data: {detail}",
         "rebuild the dataset with corpus-tools build"),
    Code("stale-dataset", "error", "validate",
         "the dataset is version {version}, but the latest release is {latest}",
         "rebuild with corpus-tools build so that dist/ carries the latest release"),
    Code("bad-parquet", "error", "validate", "cannot read the parquet file ({detail})",
         "rebuild with corpus-tools build"),
    Code("features-mismatch", "error", "validate",
         "the parquet file's features differ from those derived from the schema",
         "rebuild with corpus-tools build"),
    # ------------------------------------------------------------------ package
    Code("invalid-data", "error", "package",
         "refusing to build: {errors} error(s) in {target}",
         "fix them (corpus-tools validate lists each one) and build again"),
    Code("cannot-write", "error", "package", "cannot write {path} ({reason})",
         "free some space or fix the folder's permissions, then run the command again"),
    Code("bad-output", "error", "package", "cannot write {path} ({reason})",
         "choose an output path whose parent is a folder you can write to", 2),
    Code("locked", "error", "package",
         "another build or release of this project is running (waited {wait:g} s)",
         "wait for it to finish, then run the command again", 2),
    # ------------------------------------------------------------------ release
    Code("bad-release-file", "error", "release",
         "is not a release manifest written by corpus-tools release ({detail})",
         "restore it from version control or remove it", 2),
    Code("bad-bump", "error", "release", "unknown bump {bump!r}", "use {choices}", 2),
    Code("unchanged", "error", "release", "nothing changed since v{version}",
         "change seeds, profiles, the schema or dataset.toml before releasing"),
    Code("bump-too-small", "error", "release",
         "--bump {bump} is too small: the changes need a {needed} release",
         "run corpus-tools release --bump {needed} (or auto)"),
    # ------------------------------------------------------------------ publish
    Code("bad-repo-id", "error", "publish", "{what}",
         "pass --repo-id ORG/NAME, e.g. my-org/news-corpus", 2),
    Code("no-dist", "error", "publish", "{dist} is not a built dataset folder",
         "run corpus-tools build first", 2),
    Code("no-version", "error", "publish", "{what}",
         "run corpus-tools release to give the dataset a version, then build again", 2),
    Code("not-released", "error", "publish", "version {version} was never released",
         "run corpus-tools release so the data gets its own version, then publish", 2),
    Code("unreleased-changes", "error", "publish",
         "dist/ differs from release v{version} (records, schema or metadata changed)",
         "run corpus-tools release so the data gets its own version, then publish", 2),
    Code("dist-mismatch", "error", "publish",
         "dist/ does not match its manifest ({count} problem(s): {detail})",
         "rebuild with corpus-tools build (or release) and publish again; nothing was uploaded",
         2),
    Code("tag-exists", "error", "publish", "{repo_id} already has the tag {tag} on the Hub",
         "a published version is never overwritten: release a new version first "
         "(corpus-tools release), then build and publish again", 2),
    Code("no-token", "error", "publish", "{what}",
         "set HF_TOKEN to a write token or run `hf auth login`", 2),
    Code("bad-timeout", "error", "publish",
         "{option} is {value}, not a finite number of seconds above 0",
         "pass a finite number of seconds greater than 0 (defaults: --timeout 30, "
         "--upload-timeout 600)", 2),
    Code("hub", "error", "publish", "could not {step} on the Hugging Face Hub: {detail}",
         "{hint}"),
)  # fmt: skip

CODES: dict[str, Code] = {code.code: code for code in _ALL}
assert len(CODES) == len(_ALL), "a problem code is defined twice"

SCHEMA_HINTS = {
    "required": "add the field (null where the value is unknown)",
    "type": "give the value the type the schema names",
    "format": "write the value in the schema's format",
    "pattern": "write the value in the form the schema's pattern requires",
    "enum": "use one of the allowed values",
    "additionalProperties": "remove the field or add it to schema/article.schema.json",
    "minItems": "add the missing items",
    "minLength": "give a non-empty value or null",
}


def code(name: str) -> Code:
    """The definition of a problem code (``schema-*`` codes share one entry)."""
    if name.startswith("schema-"):
        return CODES["schema-<keyword>"]
    return CODES[name]


def render(name: str, /, **fields: object) -> tuple[str, str]:
    """(message, hint) for one problem; only this problem's template is formatted."""
    definition = code(name)
    return definition.message(**fields), definition.hint.format(**fields)


def sentence(name: str, /, **fields: object) -> str:
    """``message; hint``: the one-line text a report shows."""
    message, hint = render(name, **fields)
    return f"{message}; {hint}"


def codes_markdown() -> str:
    """The README's table of problem codes, generated from ``CODES``."""
    rows = ["| code | severity | stage | what is wrong | what to do |", "|---|---|---|---|---|"]
    for item in _ALL:
        template = item.template.replace("!r}", "}").replace("|", "\\|")
        hint = item.hint.replace("|", "\\|")
        rows.append(f"| `{item.code}` | {item.severity} | {item.stage} | {template} | {hint} |")
    return "\n".join(rows)
