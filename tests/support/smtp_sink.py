"""A real SMTP server for the tests (aiosmtpd, from Debian's python3-aiosmtpd).

Every message it accepts is parsed with Python's email package and written as
JSON to the output folder (subject decoded, text and HTML bodies, headers,
attachments), so the Rust tests read what a mail client would show. With
--fail it answers every message with a temporary failure (451); with
--discard it accepts every message and keeps nothing (the benchmarks); with
--delay SECONDS it takes that long over each message, as a distant server.

    /usr/bin/python3 tests/support/smtp_sink.py --port 2525 --out DIR [--fail | --discard] [--delay S]

Prints "ready" once it listens.
"""

import argparse
import asyncio
import json
import os
import threading
import uuid
from email import policy
from email.parser import BytesParser

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, out, fail, discard, delay):
        self.out = out
        self.fail = fail
        self.discard = discard
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail:
            return "451 4.3.0 mailbox temporarily unavailable"
        if self.discard:
            return "250 2.0.0 OK"
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "subject": str(message["subject"]),
            "headers": {name.lower(): str(value) for name, value in message.items()},
            "text": text.get_content() if text is not None else None,
            "html": html.get_content() if html is not None else None,
            "attachments": [
                {
                    "filename": part.get_filename(),
                    "content_type": part.get_content_type(),
                    "size": len(part.get_payload(decode=True) or b""),
                    "starts_with": (part.get_payload(decode=True) or b"")[:8].decode("latin-1"),
                }
                for part in message.iter_attachments()
            ],
        }
        name = uuid.uuid4().hex
        partial = os.path.join(self.out, f".{name}.json")
        with open(partial, "w", encoding="utf-8") as file:
            json.dump(record, file)
        os.rename(partial, os.path.join(self.out, f"{name}.json"))
        return "250 2.0.0 OK"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--fail", action="store_true")
    parser.add_argument("--discard", action="store_true")
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    controller = Controller(
        Sink(args.out, args.fail, args.discard, args.delay), hostname="127.0.0.1", port=args.port
    )
    controller.start()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
